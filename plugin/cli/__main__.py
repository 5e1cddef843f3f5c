"""``python -m plugin.cli``: the ``storelift`` command without the installed script (tests, the demo)."""

import sys

from . import main

sys.exit(main())
