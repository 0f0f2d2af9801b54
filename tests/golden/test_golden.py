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


def test_anomaly_runs_pin_auroc_loosely_and_not_their_threshold_metrics():
    pinned = {"ae_auroc": 0.90, "ae_auprc": 0.76, "ae_f1": 0.42}
    assert golden.mismatches("anomaly/x", {"ae_auroc": 0.915, "ae_auprc": 0.31, "ae_f1": 0.5}, pinned) == []
    assert [m.split(":")[0] for m in golden.mismatches("anomaly/x", {"ae_auroc": 0.925}, pinned)] == ["ae_auroc"]
    assert golden.mismatches("mnist/x", {"ae_auroc": 0.915}, {"ae_auroc": 0.90})  # engine runs stay exact
    ranked = {"real/wbc/default_auroc": 0.99, "real/wbc/default_rank": 2.0}  # a benchmark's ranks are not pinned
    assert golden.mismatches("anomaly/adbench", {**ranked, "real/wbc/default_rank": 4.5}, ranked) == []


def test_sanity_rules_compare_with_numbers_and_other_metrics():
    rules = [["test_sse", "<", "mean_image_sse"], ["auroc", ">=", 0.6, "why"]]
    assert golden.sanity_failures({"test_sse": 40.0, "mean_image_sse": 52.9, "auroc": 0.6}, rules) == []
    broken = golden.sanity_failures({"test_sse": 60.0, "mean_image_sse": 52.9, "auroc": 0.5}, rules)
    assert broken == ["test_sse = 60.0 is not < mean_image_sse (52.9)", "auroc = 0.5 is not >= 0.6"]
    assert golden.sanity_failures({"auroc": 0.7}, rules[:1]) == ["test_sse = None is not < mean_image_sse (None)"]


def test_every_pinned_experiment_has_sanity_rules_its_pins_meet():
    pins, sanity = golden.load(), golden.load_sanity()
    assert set(pins) == set(sanity)
    assert {n: golden.sanity_failures(pins[n], sanity[n]) for n in pins} == {n: [] for n in pins}
