"""Where things are: the checkout's root, and the shared data beside it (real platform payloads, real
retail data). One definition; tests reach the shared data through the ``shared`` fixture or these names.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
