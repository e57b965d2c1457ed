"""The oracle tests' shared world (``oracle_world``) is importable by name, like the ledger's helpers."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
