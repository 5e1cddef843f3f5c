"""Docs that drift from the code fail here: configuration, commands, the CI command, the architecture map."""

from __future__ import annotations

import re

from plugin.cli import build_parser
from plugin.config import ENVIRONMENT, load_config
from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text()


def test_every_environment_variable_is_in_the_readme_table():
    for name in ENVIRONMENT:
        assert f"| `{name}` |" in README, name


class _RecordingEnvironment(dict):
    """An environment that remembers every variable the loader asks for."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def test_every_environment_variable_is_read_by_the_config_loader():
    env = _RecordingEnvironment({"STORELIFT_MODE": "demo"})  # demo: nothing is required, so nothing stops early
    load_config(env)
    assert {name for name in env.asked if name.startswith("STORELIFT_")} == set(ENVIRONMENT)


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


def test_every_place_the_architecture_document_names_exists():
    """docs/architecture.md's "where does X live" table names real files and folders."""
    document = (ROOT / "docs" / "architecture.md").read_text()
    table = document[document.index("## Where does X live"):]
    named = [path for path in re.findall(r"`([\w./<>-]+/[\w./<>-]*)`", table) if "<" not in path]
    assert len(named) > 30
    assert [path for path in named if not (ROOT / path).exists()] == []
