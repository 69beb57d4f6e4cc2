"""The search package stays independent of the web application."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_search_index_never_imports_flask_sqlalchemy_or_app():
    script = (
        "import sys, search_index\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in {'flask', 'app', 'sqlalchemy', 'flask_sqlalchemy'})\n"
        "assert not bad, bad\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
