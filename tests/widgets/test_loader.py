"""The storefront files: size budgets, one source for the theme extension, documented config."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from tests.support.paths import ROOT

STATIC = ROOT / "widgets" / "static"
ASSETS = ROOT / "extensions" / "storelift-theme" / "assets"
LOADER_BUDGET = 1024
WIDGET_BUDGET = 8 * 1024


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def test_the_loader_is_at_most_1_kb_gzipped():
    assert gz(STATIC / "loader.js") <= LOADER_BUDGET


def test_the_capture_widget_is_at_most_8_kb_gzipped():
    assert gz(STATIC / "capture.js") <= WIDGET_BUDGET


def test_the_theme_extension_ships_the_very_same_files():
    for name in ("loader.js", "capture.js"):
        assert (ASSETS / name).read_bytes() == (STATIC / name).read_bytes(), name


def test_the_loader_has_no_dependencies_and_guards_against_double_inclusion():
    source = (STATIC / "loader.js").read_text()
    assert "import" not in source and "require(" not in source
    assert "if(Q?.v)return" in source
    assert "keepalive:!0" in source


def test_every_data_attribute_the_loader_reads_is_in_the_embed_and_documented():
    source = (STATIC / "loader.js").read_text()
    read = set(re.findall(r"\bA\.([a-z])\b", source))
    liquid = (ROOT / "extensions" / "storelift-theme" / "blocks" / "loader.liquid").read_text()
    readme = (ROOT / "widgets" / "README.md").read_text()
    for attribute in read:
        assert f"data-{attribute}=" in liquid, attribute
        assert f"`data-{attribute}`" in readme, attribute
    for name in ("consent()", "identify(email)", "track(event", 'on("open"'):
        assert name in readme
