"""The ``storelift`` command: thin wrappers over the library (serve, demo, migrate).

A composition root: it lists command modules by dotted name, in the order
``storelift --help`` shows them, and each module adds its own commands
(``register(commands)`` on the argparse sub-commands). A feature's commands
live in its package (``plugin/<feature>/commands.py``), beside the code they
wrap. Each command builds what it needs through the same factories the tests
use, prints a clear message for bad input and exits non-zero, and never prints
a secret or token.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ..config import ConfigError

COMMANDS = (
    "plugin.cli.serve",
    "plugin.platform.commands",
    "plugin.privacy.commands",
    "plugin.imports.commands",
    "plugin.evaluation.commands",
    "plugin.recommendations.commands",
    "plugin.cli.demo",
    "plugin.cli.migrate",
    "plugin.cli.db",
    "plugin.cli.worker",
    "plugin.jobs.commands",
    "plugin.emails.commands",
    "plugin.experiments.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storelift", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for dotted in COMMANDS:
        importlib.import_module(dotted).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"storelift: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
