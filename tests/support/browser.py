"""What the browser tests measure in the page itself."""

from __future__ import annotations

import time

# Cumulative layout shift as the page's own PerformanceObserver sees it (shifts without recent input).
CLS_PROBE = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


def wait_for(probe, timeout: float = 30.0):
    """``probe()``'s first truthy answer, asked every 0.1 s; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")
