"""The README's two commands for anomaly detection on your own data, run exactly as written on a
generated, unlabelled sensor CSV: fit a detector, then score new records."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    section = README.read_text().split("## Anomaly detection on your own data", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def _sensors(path: Path, n: int, seed: int, spikes=()):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    temperature = 60 + 5 * np.sin(t / 40) + 0.3 * rng.normal(size=n)
    pressure = 2 + 0.1 * np.sin(t / 40) + 0.01 * rng.normal(size=n)  # moves with the temperature
    vibration = np.abs(0.2 + 0.05 * rng.normal(size=n))
    pressure[list(spikes)] += 0.5  # a pressure that no longer follows the temperature
    lines = ["temperature,pressure,vibration,line"] + [
        f"{a:.3f},{b:.4f},{c:.4f},{line}" for a, b, c, line in zip(temperature, pressure, vibration,
                                                                   rng.choice(["A", "B"], n))]
    path.write_text("\n".join(lines) + "\n")


def test_the_readme_commands_fit_and_score_an_unlabelled_sensor_file(tmp_path):
    commands = readme_commands()
    assert [shlex.split(c)[:2] for c in commands] == [["aejax", "anomaly"], ["aejax", "score"]]
    _sensors(tmp_path / "sensors.csv", 1500, 0)
    _sensors(tmp_path / "new_readings.csv", 200, 1, spikes=(50, 150))
    for command in commands:
        out = subprocess.run([sys.executable, "-m", "aejax.cli", *shlex.split(command)[1:]], cwd=tmp_path,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
    run = tmp_path / "runs" / "sensors"
    assert "label column: none" in (run / "report.md").read_text()
    scores = np.loadtxt(run / "new_readings.scores.csv", delimiter=",", skiprows=1)
    assert scores.shape == (200, 3) and scores[:, 0].tolist() == list(range(2, 202))
    assert set(np.argsort(-scores[:, 1])[:2]) == {50, 150} and scores[[50, 150], 2].tolist() == [1, 1]
