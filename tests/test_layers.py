"""The import rules of docs/architecture.md, checked by walking every import with ``ast``.

The rules are a few path patterns, not a list of modules, so a new module is covered the day it
is written: doors (``webhooks``, ``widgets``, ``plugin.admin``, ``plugin.install``) use the core
and never each other; the core never imports a door, a composition root or Flask; the pure
recommendation engine, the profile/segment functions and the holdout statistics import nothing of Storelift's but each other;
only ``plugin.store`` talks SQL; devstore and Storelift never import each other, except that the
demo starts devstore.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGES = ("plugin", "webhooks", "widgets", "devstore")
OURS = ("plugin", "webhooks", "widgets")
DOORS = ("webhooks", "widgets", "plugin.admin", "plugin.install")
ROOTS = ("plugin.app", "plugin.cli", "plugin.demo")  # composition roots: they wire, nobody imports them
PURE = ("plugin.recommendations.engine", "plugin.people.profiles", "plugin.people.segments", "plugin.experiments.stats")
LEAVES = ("plugin.config", "plugin.clock")  # import nothing of ours; everything may import them
STORE = "plugin.store"
SQL_DRIVERS = ("sqlite3", "sqlite_utils", "sqlalchemy", "alembic", "psycopg", "psycopg2")
WEB_FRAMEWORKS = ("flask", "werkzeug")


def under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def door_of(module: str) -> str | None:
    return next((d for d in DOORS if under(module, d)), None)


def is_core(module: str) -> bool:
    return under(module, "plugin") and door_of(module) is None and not under(module, *ROOTS)


def problems_with(me: str, target: str) -> list[str]:
    """What is wrong with module ``me`` importing ``target`` (both dotted names)."""
    top = target.split(".")[0]
    if under(me, "devstore"):
        return [f"{me} imports {target}: devstore imports nothing of Storelift's"] if top in OURS else []
    if top == "devstore":
        return [] if me == "plugin.demo" else [f"{me} imports {target}: only the demo starts devstore"]
    if top in SQL_DRIVERS and not under(me, STORE):
        return [f"{me} imports {target}: all SQL lives in plugin/store/"]
    if top in WEB_FRAMEWORKS and is_core(me):
        return [f"{me} imports {target}: Flask stays at the doors and the composition roots"]
    if top not in OURS:
        return []
    found = []
    if under(target, *ROOTS) and not under(me, *ROOTS):
        found.append(f"{me} imports {target}: nothing imports a composition root")
    mine, theirs = door_of(me), door_of(target)
    if theirs and mine and mine != theirs:
        found.append(f"{me} imports {target}: doors never import each other")
    if theirs and is_core(me):
        found.append(f"{me} imports {target}: the core never imports a door")
    if theirs and under(me, "plugin.app"):
        found.append(f"{me} imports {target}: the app names its parts by dotted name")
    if under(me, *PURE) and not under(target, *PURE, *LEAVES):
        found.append(f"{me} imports {target}: pure modules import nothing of Storelift's but pure modules")
    if under(me, STORE) and not under(target, STORE, *LEAVES):
        found.append(f"{me} imports {target}: the store knows tables, not features")
    if under(me, *LEAVES) and not under(target, me):
        found.append(f"{me} imports {target}: {me} is a leaf")
    return found


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[str]:
    """Absolute names of everything a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    found.extend(f"{target}.{alias.name}" for alias in node.names)
                else:
                    found.append(target)
            else:
                found.append(node.module)
    return found


def violations(root: Path = ROOT) -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            me = module_name(path, root)
            for target in imports_of(path, root):
                problems.extend(problems_with(me, target))
    return problems


def test_imports_point_inward():
    assert violations() == []


@pytest.mark.parametrize(
    "module, source, expected",
    [
        ("plugin/app.py", "from plugin.install import routes\n", "the app names its parts by dotted name"),
        ("plugin/capture/probe.py", "import flask\n", "Flask stays at the doors"),
        ("plugin/capture/probe.py", "from widgets import door\n", "the core never imports a door"),
        ("plugin/people/probe.py", "from ..cli import main\n", "nothing imports a composition root"),
        ("widgets/door.py", "from webhooks import worker\n", "doors never import each other"),
        ("plugin/admin/probe.py", "from ..install import routes\n", "doors never import each other"),
        ("plugin/recommendations/engine/probe.py", "from plugin.store import Store\n", "pure modules import"),
        ("plugin/store/probe.py", "from ..platform.tokens import client_for_shop\n", "the store knows tables"),
        ("plugin/capture/probe.py", "import sqlite3\n", "all SQL lives in plugin/store/"),
        ("plugin/config.py", "from .store import Store\n", "plugin.config is a leaf"),
        ("devstore/app.py", "import plugin.auth\n", "devstore imports nothing"),
        ("webhooks/probe.py", "import devstore\n", "only the demo starts devstore"),
        ("plugin/store/probe.py", "import os\nfrom . import connection\nfrom ..config import Config\n", ""),
        ("widgets/probe.py", "from plugin.capture import signup\nfrom . import door\nimport flask\n", ""),
    ],
)
def test_the_checker_catches_violations(tmp_path, module, source, expected):
    """The walker itself must be able to fail: plant one bad import in a scratch tree."""
    path = tmp_path / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    found = violations(tmp_path)
    if expected:
        assert any(expected in p for p in found), found
    else:
        assert found == [], found
