"""What the browser tests measure in the page itself."""

from __future__ import annotations

# Cumulative layout shift as the page's own PerformanceObserver sees it (shifts without recent input).
CLS_PROBE = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
