"""report.compare decides whether a run meets its paper: both directions, tolerance edges, and
values that cannot be judged; a quick run's report says so and gives no verdict; curves mark
their points."""
import math

import pytest

from aejax import report
from aejax.config import reference


def _verdict(ours, value, tolerance, higher_is_better=False):
    ref = reference(value, tolerance, "paper", higher_is_better=higher_is_better).to_dict()
    row, = report.compare({} if ours is None else {"m": ours}, {"m": ref})
    return row


@pytest.mark.parametrize("ours, within", [
    (2.5, True),    # better (lower) than the paper by any margin
    (3.0, True),    # equal
    (3.1, True),    # worse by exactly the tolerance (3.1 - 3.0 is 0.10000000000000009 in floats)
    (3.1000001, False),
    (4.0, False),
])
def test_lower_is_better(ours, within):
    row = _verdict(ours, 3.0, 0.1)
    assert row["within_tolerance"] is within
    assert row["difference"] == pytest.approx(ours - 3.0)


@pytest.mark.parametrize("ours, within", [
    (0.99, True),   # better (higher)
    (0.95, True),   # equal
    (0.93, True),   # worse by exactly the tolerance
    (0.9299, False),
    (0.5, False),
])
def test_higher_is_better(ours, within):
    assert _verdict(ours, 0.95, 0.02, higher_is_better=True)["within_tolerance"] is within


def test_zero_tolerance_accepts_only_the_paper_value_or_better():
    assert _verdict(1.2, 1.2, 0.0)["within_tolerance"] is True
    assert _verdict(1.2000001, 1.2, 0.0)["within_tolerance"] is False
    assert _verdict(1.1, 1.2, 0.0)["within_tolerance"] is True


@pytest.mark.parametrize("ours", [None, math.nan, math.inf, -math.inf, "nan", True])
def test_missing_or_non_finite_ours_has_no_verdict(ours):
    row = _verdict(ours, 3.0, 10.0)
    assert "within_tolerance" not in row and "difference" not in row
    assert row["paper"] == 3.0 and row["tolerance"] == 10.0
    table = report.comparison_table([row])
    assert table.splitlines()[-1].count("| — |") >= 2  # difference and verdict shown as missing


def test_rows_follow_the_reference_and_ignore_unreferenced_metrics():
    refs = {"a": reference(1.0, 0.0, "x").to_dict(), "b": reference(2.0, 0.5, "y", higher_is_better=True).to_dict()}
    rows = report.compare({"b": 1.6, "a": 0.9, "extra": 5.0}, refs)
    assert [(r["metric"], r["within_tolerance"], r["source"]) for r in rows] == [("a", True, "x"), ("b", True, "y")]


def _results(quick, ours=60.0):
    ref = reference(3.0, 0.1, "H&S 2006, Fig. 2").to_dict()
    return {"experiment": "mnist/ae", "quick": quick, "metrics": {"test_sse_per_image": ours}, "reference": {"test_sse_per_image": ref}}


def test_a_quick_report_says_so_and_shows_the_pinned_quick_value_without_a_verdict():
    text = report.render(_results(quick=True))
    assert text.startswith("# mnist/ae (quick variant)\n\n**Quick variant**")
    assert "within tolerance" not in text and "| no |" not in text
    pinned = report.quick_pins("mnist/ae")["test_sse_per_image"]
    assert f"| test_sse_per_image | 3 | {report._fmt(pinned)} | 60 | H&S 2006, Fig. 2 |" in text
    assert "| mnist/ae (quick) | test_sse_per_image | 3 | 60 | quick variant |" in report.combined([_results(quick=True)])
    full = report.render(_results(quick=False))
    assert full.startswith("# mnist/ae\n") and "| test_sse_per_image | 3 | 60 | 57 | 0.1 | no |" in full


def test_curves_mark_their_points(tmp_path, monkeypatch):
    from aejax import plots

    axes, subplots = [], plots.plt.subplots

    def keep_axes(*args, **kwargs):
        fig, ax = subplots(*args, **kwargs)
        axes.append(ax)
        return fig, ax

    monkeypatch.setattr(plots.plt, "subplots", keep_axes)
    plots.curves(tmp_path / "c.png", {"train loss": ([100], [0.5]), "long": (list(range(1000)), [1.0] * 1000)})
    one, long = axes[0].lines
    assert one.get_marker() == "o" and one.get_markevery() == 1 and long.get_markevery() == 25
