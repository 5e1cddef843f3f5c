"""Docs that drift from the code fail here: configuration, commands, and the CI command."""

from __future__ import annotations

import re

from plugin.cli import build_parser
from plugin.config import ENVIRONMENT
from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text()


def test_every_environment_variable_is_in_the_readme_table():
    for name in ENVIRONMENT:
        assert f"| `{name}` |" in README, name


def test_every_environment_variable_is_read_by_the_config_loader():
    source = (ROOT / "plugin" / "config.py").read_text()
    read = set(re.findall(r'env\.get\("(STORELIFT_[A-Z_]+)"', source)) | set(
        re.findall(r'required\("(STORELIFT_[A-Z_]+)"', source))
    assert read == set(ENVIRONMENT)


def test_every_cli_command_is_in_the_readme():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert f"`storelift {name}" in README, name
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        for action in nested:
            for child in action.choices:
                assert f"storelift {name} {child}" in README, f"{name} {child}"


def test_ci_runs_the_readme_test_command_verbatim():
    command = re.search(r"Run the tests.*?```sh\n(.+?)\n```", README, re.S).group(1).strip()
    assert command in (ROOT / ".ci" / "run").read_text()
    assert "pytest" in command
