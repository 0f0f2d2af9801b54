"""The golden comparison: what counts as a moved, missing or meaningless quick metric."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("golden", Path(__file__).with_name("golden.py"))
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


def test_golden_comparison_flags_moved_missing_and_non_finite_metrics():
    pinned = {"test_sse_per_image": 10.0, "steps": 40, "train_seconds": 3.0}
    assert golden.mismatches("x", {"test_sse_per_image": 10.005, "steps": 40, "train_seconds": 9.0}, pinned) == []
    moved = golden.mismatches("x", {"test_sse_per_image": 10.02, "steps": 41}, pinned)
    assert [m.split(":")[0] for m in moved] == ["steps", "test_sse_per_image"]
    assert golden.mismatches("x", {"test_sse_per_image": float("nan"), "steps": 40}, pinned)
    assert golden.mismatches("x", {"steps": 40}, pinned) == ["test_sse_per_image: missing (pinned 10.0)"]
