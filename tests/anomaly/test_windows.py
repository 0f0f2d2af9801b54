"""Sliding windows, their streamed form, and the way window scores return to series steps."""

import numpy as np
import pytest

from aejax.anomaly import windows as wn
from aejax.anomaly.scores import step_scores


def test_window_shapes_and_contents():
    values = np.arange(20.0).reshape(10, 2)  # step t holds (2t, 2t + 1)
    windows, starts = wn.sliding_windows(values, size=4, stride=3)
    assert windows.shape == (3, 4, 2)  # (10 - 4) // 3 + 1
    assert starts.tolist() == [0, 3, 6]
    np.testing.assert_array_equal(windows[1], values[3:7])
    assert wn.sliding_windows(values, size=10)[0].shape == (1, 10, 2)
    with pytest.raises(ValueError, match="longer than the series"):
        wn.sliding_windows(values, size=11)


def test_window_labels_flag_windows_touching_an_anomaly():
    labels = np.array([0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    _, starts = wn.sliding_windows(np.zeros((10, 1)), size=3, stride=1)
    assert wn.window_labels(labels, starts, 3).tolist() == [0, 0, 1, 1, 1, 0, 0, 0]


def test_per_step_scores_align_with_point_labels():
    # an error injected at steps 6 and 7 must land at series steps 6 and 7 after averaging
    values = np.zeros((12, 3))
    labels = np.zeros(12, np.int32)
    labels[6:8] = 1
    recon = values.copy()
    recon[6:8] += 1.0
    x_w, starts = wn.sliding_windows(values, size=4, stride=2)
    r_w, _ = wn.sliding_windows(recon, size=4, stride=2)
    series = wn.steps_to_series(step_scores(x_w, r_w), starts, len(values))
    assert series.shape == labels.shape
    np.testing.assert_array_equal(np.flatnonzero(series > 0), np.flatnonzero(labels))
    np.testing.assert_allclose(series[6:8], 3.0)


def test_steps_to_series_averages_overlapping_windows():
    # series length 6, windows of size 3 at stride 2: starts 0, 2 (covering 0..4); step 5 uncovered
    per_step = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    series = wn.steps_to_series(per_step, [0, 2], 6)
    np.testing.assert_allclose(series[:5], [1.0, 2.0, (3.0 + 10.0) / 2, 20.0, 30.0])
    assert np.isnan(series[5])
    with pytest.raises(ValueError, match="do not fit"):
        wn.steps_to_series(per_step, [0, 4], 6)


def test_windows_to_series_mean_and_min():
    # windows of size 3 at starts 0, 1, 2 over 5 steps with scores 1, 5, 3
    mean = wn.windows_to_series([1.0, 5.0, 3.0], [0, 1, 2], 3, 5)
    np.testing.assert_allclose(mean, [1, 3, 3, 4, 3])
    low = wn.windows_to_series([1.0, 5.0, 3.0], [0, 1, 2], 3, 6, reduce="min")
    np.testing.assert_allclose(low[:5], [1, 1, 1, 3, 3])
    assert np.isnan(low[5])
    with pytest.raises(ValueError, match="reduce='max'"):
        wn.windows_to_series([1.0], [0], 3, 5, reduce="max")


def test_window_stream_gives_the_windows_of_the_whole_series_in_float32():
    values = np.random.default_rng(0).normal(size=(50, 3))
    stream = wn.WindowStream(7, 3)
    pieces = [stream.push(values[a:b]) for a, b in ((0, 4), (4, 5), (5, 23), (23, 50))]
    assert len(pieces[0][0]) == 0 and len(pieces[1][0]) == 0  # fewer than 7 rows so far
    starts = np.concatenate([s for s, _ in pieces])
    windows = np.concatenate([w for _, w in pieces])
    expected, expected_starts = wn.sliding_windows(values.astype(np.float32), 7)
    assert windows.dtype == np.float32 and stream.rows_seen == 50
    np.testing.assert_array_equal(starts, expected_starts)
    np.testing.assert_array_equal(windows, expected)
    chunked = list(wn.stream_windows(values, 7, chunk=10))
    np.testing.assert_array_equal(np.concatenate([w for _, w in chunked]), expected)
    np.testing.assert_array_equal(np.concatenate([s for s, _ in chunked]), expected_starts)


@pytest.mark.parametrize("aggregate", wn.AGGREGATES)
def test_step_aggregator_equals_the_whole_series_aggregation_bit_for_bit(aggregate):
    rng = np.random.default_rng(1)
    size, length = 6, 40
    per_step = rng.random((length - size + 1, size))
    starts = np.arange(length - size + 1)
    whole = wn.aggregate_steps(per_step, starts, length, aggregate)
    agg = wn.StepAggregator(size, aggregate)
    pieces = [agg.push(starts[a:b], per_step[a:b]) for a, b in ((0, 3), (3, 4), (4, 20), (20, 35))]
    pieces.append(agg.finish())
    assert [len(p) for p in pieces] == [3, 1, 16, 15, length - 35]  # each step emitted once it is final
    np.testing.assert_array_equal(np.concatenate(pieces), whole)
    with pytest.raises(ValueError, match="in order with stride 1"):
        agg.push(starts[:2], per_step[:2])
