"""The README's library example runs as printed (at most 12 lines of code)."""
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def library_example() -> str:
    section = README.read_text().split("## Library use", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_library_example_runs_in_at_most_12_lines(capsys):
    code = library_example()
    assert len([line for line in code.splitlines() if line.strip()]) <= 12
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    codes, ae = namespace["codes"], namespace["ae"]
    assert codes.shape == (1000, 32)
    losses = [r["loss"] for r in ae.history if "examples_per_s" in r]
    assert losses[-1] < losses[0]
    sse = float(re.search(r"test SSE per image: ([0-9.]+)", capsys.readouterr().out).group(1))
    train, test = namespace["train"], namespace["test"]
    mean_image_sse = np.mean(np.sum((test.x - train.x.mean(0)) ** 2, axis=1))
    assert np.isfinite(sse) and sse < 0.8 * mean_image_sse
