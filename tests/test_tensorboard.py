"""`aejax run --tensorboard`: the event files read back hold every number of metrics.jsonl at its
step, and the run's figures (the loss curves, the reconstructions) as images; a second run of
the same command (a resume) rewrites them, so each step is there once."""
import json
import struct
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("tensorboardX")
from tensorboardX.proto import event_pb2  # noqa: E402

from aejax import cli, tensorboard  # noqa: E402

FOLDER = Path(__file__).with_name("extensions")


def read_events(logdir: Path) -> list:
    """The Event protos of every event file under `logdir` (TFRecord framing: length, its CRC,
    the record, its CRC)."""
    events = []
    for path in sorted(logdir.glob("events.out.tfevents.*")):
        data, at = path.read_bytes(), 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at:at + 8])
            events.append(event_pb2.Event.FromString(data[at + 12:at + 12 + length]))
            at += 12 + length + 4
    return events


def test_events_hold_every_metric_and_the_figures(tmp_path):
    argv = ["run", "my/vae", "--quick", "--workdir", str(tmp_path), "--experiments", str(FOLDER), "--tensorboard"]
    assert cli.main(argv) == 0
    assert cli.main(argv) == 0  # resumes the finished run: the events are written again from metrics.jsonl
    events = read_events(tmp_path / tensorboard.FOLDER)
    scalars = [(v.tag, e.step, v.simple_value) for e in events for v in e.summary.value if v.HasField("simple_value")]
    images = {v.tag: v.image for e in events for v in e.summary.value if v.HasField("image")}

    expected = []
    for line in (tmp_path / "metrics.jsonl").read_text().splitlines():
        step, values = tensorboard.scalars(json.loads(line))
        expected += [(tag, step, value) for tag, value in values.items()]
    assert expected and any(tag == "loss" for tag, _, _ in expected) and any(tag == "kl" for tag, _, _ in expected)
    assert Counter((t, s) for t, s, _ in scalars) == Counter((t, s) for t, s, _ in expected)  # each once
    got = {(t, s): v for t, s, v in scalars}
    for tag, step, value in expected:
        assert got[tag, step] == pytest.approx(value, rel=1e-6, abs=1e-30), (tag, step)

    results = json.loads((tmp_path / "results.json").read_text())
    assert {"loss_curves", "reconstructions"} <= set(images) and {Path(f).stem for f in results["figures"]} == set(images)
    assert all(image.encoded_image_string.startswith(b"\x89PNG") and image.height > 0 for image in images.values())
    assert results["config"]["log"] == {"tensorboard": True}
