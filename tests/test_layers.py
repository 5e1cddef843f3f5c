"""The import direction of design.md, checked by walking every import with ``ast``.

L0 config · L1 store, platform client, auth, services, webhooks.verify · L2
platform tokens, subscriptions and syncs, capture, people, imports, recommendations,
evaluation · L3 edges (install, admin, widgets, webhooks) · L4 app and cli. A module
imports only its own layer or below; edges never import each other; only L3/L4 import
Flask; devstore and Storelift never import each other, except that plugin.demo starts devstore.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tests.support.paths import ROOT

PACKAGES = ("plugin", "webhooks", "widgets", "devstore")

LAYERS = [  # most specific prefix first
    ("plugin.config", 0),
    ("plugin.store", 1),
    ("plugin.platform.tokens", 2),
    ("plugin.platform.subscriptions", 2),
    ("plugin.platform.pull", 2),
    ("plugin.platform.bulk", 2),
    ("plugin.platform.push_customers", 2),
    ("plugin.platform", 1),
    ("plugin.auth", 1),
    ("plugin.services", 1),
    ("plugin.settings", 1),
    ("webhooks.verify", 1),
    ("plugin.imports", 2),
    ("plugin.people", 2),
    ("plugin.recommendations", 2),
    ("plugin.evaluation", 2),
    ("plugin.background", 2),
    ("plugin.capture", 2),
    ("plugin.install", 3),
    ("plugin.admin", 3),
    ("widgets", 3),
    ("webhooks", 3),
    ("plugin.app", 4),
    ("plugin.cli", 4),
    ("plugin.demo", 4),
    ("plugin", 0),  # the package __init__ itself
]
EDGES = ("plugin.install", "plugin.admin", "widgets", "webhooks")
WEB_FRAMEWORKS = ("flask", "werkzeug")


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    if module == "webhooks.verify" or _matches(module, "webhooks.verify"):
        return 1
    for prefix, layer in LAYERS:
        if _matches(module, prefix):
            return layer
    return None


def edge_of(module: str) -> str | None:
    if _matches(module, "webhooks.verify"):
        return None
    return next((e for e in EDGES if _matches(module, e)), None)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> list[str]:
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


def source_files(root: Path):
    for package in PACKAGES:
        yield from sorted((root / package).rglob("*.py"))


def violations(root: Path = ROOT) -> list[str]:
    problems = []
    for path in source_files(root):
        me = module_name(path, root)
        top = me.split(".")[0]
        for target in imports_of(path, root):
            target_top = target.split(".")[0]
            if top == "devstore":
                if target_top in ("plugin", "webhooks", "widgets"):
                    problems.append(f"{me} imports {target}: devstore imports nothing of Storelift's")
                continue
            if target_top == "devstore":
                if me != "plugin.demo":
                    problems.append(f"{me} imports {target}: only the demo may start devstore")
                continue
            mine = layer_of(me)
            if mine is None:
                problems.append(f"{me} has no layer in tests/test_layers.py")
                continue
            if target_top in WEB_FRAMEWORKS and mine < 3:
                problems.append(f"{me} (L{mine}) imports {target}: only edges and the app use Flask")
            if target_top not in ("plugin", "webhooks", "widgets"):
                continue
            theirs = layer_of(target)
            if theirs is not None and theirs > mine:
                problems.append(f"{me} (L{mine}) imports {target} (L{theirs})")
            if mine == 3 and edge_of(target) not in (None, edge_of(me)):
                problems.append(f"{me} imports {target}: edges never import each other")
            if mine == 4 and theirs == 3:
                problems.append(f"{me} imports edge {target}: register it by dotted name")
    return problems


def test_imports_point_inward():
    assert violations() == []


@pytest.mark.parametrize(
    "module, source, expected",
    [
        ("plugin/app.py", "from plugin.install import bp\n", "plugin.app imports edge plugin.install"),
        ("plugin/store/probe.py", "import flask\n", "only edges and the app use Flask"),
        ("plugin/store/probe.py", "from ..platform.tokens import client_for_shop\n",
         "(L1) imports plugin.platform.tokens (L2)"),
        ("widgets/routes.py", "from webhooks import inbox\n", "edges never import each other"),
        ("devstore/app.py", "import plugin.auth\n", "devstore imports nothing"),
        ("plugin/store/probe.py", "import os\nfrom . import connection\n", ""),
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
