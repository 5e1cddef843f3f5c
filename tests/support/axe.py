"""axe-core in a Playwright page: the WCAG 2.2 A/AA rules, with each violation attributed to its owner.

The npm package (a pinned devDependency, installed by ``npm ci``) is injected into the page as it is,
and run over the whole document; axe walks open shadow roots by default, so the widget's and the
blocks' own elements are checked too. Each failing element is attributed to Storelift when it is
a ``storelift-*`` element or lives in one's shadow tree, else to the store's theme (devstore here):
Storelift's gate is its own elements, and devstore's theme is kept clean so the pages are too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from .paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core's documented tag names,
# https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#axecore-tags).
WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]



def require_axe() -> None:
    """Skip when axe-core is not installed; under CI (CI=true, after `npm ci`) its absence is a failure."""
    if AXE.exists():
        return
    reason = "axe-core is not installed (node_modules/axe-core): run `npm ci` in the repository root"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the accessibility gate cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  // A node's target is one selector per shadow-tree level: resolve it to the element, then ask
  // whether that element or a shadow host above it is one of Storelift's own elements.
  const resolve = (target) => target.reduce((scope, sel) => scope && (scope.shadowRoot || scope).querySelector(sel), document);
  const ours = (el) => {
    for (let node = el; node; node = node.parentNode || node.host) {
      if (node.tagName && node.tagName.toLowerCase().startsWith('storelift-')) return true;
    }
    return false;
  };
  return result.violations.flatMap((rule) => rule.nodes.map((node) => ({
    rule: rule.id, target: node.target.flat().join(' >> '), summary: node.failureSummary,
    storelift: ours(resolve(node.target)),
  })));
}"""


@dataclass
class Findings:
    """Failing elements: Storelift's own, and the theme's."""

    storelift: list[dict]
    theme: list[dict]

    def counts(self) -> tuple[int, int]:
        return len(self.storelift), len(self.theme)


def audit(page) -> Findings:
    """Run axe-core's WCAG 2.2 A/AA rules over the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    nodes = page.evaluate(RUN, WCAG22_AA)
    return Findings([n for n in nodes if n["storelift"]], [n for n in nodes if not n["storelift"]])
