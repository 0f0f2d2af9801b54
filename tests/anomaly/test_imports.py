"""The anomaly command modules load without jax, scikit-learn or pyarrow: every `aejax` invocation
imports them to build its parser."""

import subprocess
import sys


def test_command_modules_import_nothing_heavy():
    code = ("import sys, aejax.anomaly.commands, aejax.anomaly.commands; "
            "heavy = sorted(m for m in ('jax', 'flax', 'sklearn', 'pyarrow') if m in sys.modules); "
            "assert not heavy, heavy")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
