"""The architecture of ../shared/DESIGN.md, checked on every run.

import-linter's contracts live in pyproject.toml: the layers (a module imports only its own layer or
lower ones), the stand-in importing no app, and no import circles inside any package. Run against the
tree as it stood before the tidy-up, they report each of its circles and its upward imports.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_is_over_400_lines():
    long = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not long, "Modules over 400 lines: " + ", ".join(long)
