"""TabularPreprocessor: fitted on training rows only, unseen categories handled, overflow kept visible."""

import numpy as np
import pytest

from aejax.anomaly.tables import (
    CATEGORICAL, NUMERIC, TabularPreprocessor, numeric_table, table_from_records)

COLUMNS = ("bytes", "proto", "rate")
KINDS = (NUMERIC, CATEGORICAL, NUMERIC)
TRAIN = [["0", "tcp", "0.5"], ["99", "udp", "1.0"], ["9", "tcp", "0.0"]]


def _table(records, labels=None):
    return table_from_records(records, COLUMNS, KINDS, labels if labels is not None else [0] * len(records))


def test_features_are_scaled_numerics_then_one_hot_blocks():
    pre = TabularPreprocessor.fit(_table(TRAIN), log1p=("bytes",))
    assert pre.feature_names == ("bytes", "rate", "proto=tcp", "proto=udp")
    x = pre.transform(_table(TRAIN))
    # log1p(bytes) = 0, log(100), log(10) -> min-max over train: 0, 1, 0.5; rate min-max: 0.5, 1, 0
    np.testing.assert_allclose(x, [[0, 0.5, 1, 0], [1, 1, 0, 1], [0.5, 0, 1, 0]], atol=1e-6)
    assert x.dtype == np.float32


def test_test_only_category_does_not_change_the_fitted_encoder_and_is_all_zero():
    train = _table(TRAIN)
    pre = TabularPreprocessor.fit(train)
    test = _table([["5", "icmp", "0.25"], ["5", "udp", "0.25"]])
    before = pre.to_dict()
    x = pre.transform(test)
    assert pre.to_dict() == before  # transforming never refits
    assert pre.vocab == {"proto": ("tcp", "udp")}
    np.testing.assert_array_equal(x[:, 2:], [[0, 0], [0, 1]])  # icmp: unseen -> all-zero block
    # fitting on train + a test-only category would have changed the encoder
    assert TabularPreprocessor.fit(_table(TRAIN + [["1", "icmp", "0"]])).vocab["proto"] == ("icmp", "tcp", "udp")


def test_scaling_uses_training_rows_only():
    pre = TabularPreprocessor.fit(_table(TRAIN), scaling="standard")
    np.testing.assert_allclose(pre.offset, [36.0, 0.5])
    np.testing.assert_allclose(pre.scale, [np.std([0, 99, 9]), np.std([0.5, 1.0, 0.0])])
    # a test value outside the training range is not clipped
    assert pre.transform(_table([["1000", "tcp", "0.5"]]))[0, 0] == pytest.approx((1000 - 36) / np.std([0, 99, 9]))


def test_constant_column_gets_unit_scale():
    pre = TabularPreprocessor.fit(numeric_table([[1.0, 2.0], [1.0, 4.0]], [0, 0]))
    np.testing.assert_allclose(pre.transform(numeric_table([[3.0, 3.0]], [0])), [[2.0, 0.5]])


def test_features_from_codes_and_levels_equal_the_tables_and_round_trip():
    pre = TabularPreprocessor.fit(_table(TRAIN), log1p=("bytes",))
    records = [["5", "udp", "0.25"], ["7", "tcp", "1e-1"], ["9", "icmp", "0.5"]]  # icmp: never seen in training
    numeric = np.array([[5.0, 0.25], [7.0, 0.1], [9.0, 0.5]])
    levels = ("icmp", "tcp", "udp")  # any order; codes index them
    features = pre.features(numeric, [(np.array([2, 1, 0]), levels)])
    np.testing.assert_array_equal(features, pre.transform(_table(records)))
    assert features[2, 2:].tolist() == [0.0, 0.0]  # the unseen category: an all-zero block
    restored = TabularPreprocessor.from_dict(pre.to_dict())
    np.testing.assert_array_equal(restored.features(numeric, [(np.array([2, 1, 0]), levels)]), features)


def test_a_value_that_overflows_after_scaling_gives_an_infinite_feature():
    pre = TabularPreprocessor.fit(_table(TRAIN), scaling="standard")
    features = pre.features(np.array([[-1e308, 1e39]]), [(np.array([0]), ("tcp",))])
    assert features.dtype == np.float32 and np.isinf(features[0, :2]).all()


def test_fit_errors():
    with pytest.raises(ValueError, match="unknown scaling 'quantile'"):
        TabularPreprocessor.fit(_table(TRAIN), scaling="quantile")
    with pytest.raises(ValueError, match=r"log1p columns \['proto'\]"):
        TabularPreprocessor.fit(_table(TRAIN), log1p=("proto",))


def test_robust_scaling_is_min_max_over_the_inliers_and_clips_only_training_features():
    """Issue 23.4: one extreme training value moves neither the offset nor the scale; without
    extremes "robust" is "minmax"."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    clean = TabularPreprocessor.fit(numeric_table(x, np.zeros(500)), scaling="robust")
    minmax = TabularPreprocessor.fit(numeric_table(x, np.zeros(500)), scaling="minmax")
    np.testing.assert_array_equal(clean.offset, minmax.offset)
    np.testing.assert_array_equal(clean.scale, minmax.scale)
    x[7, 0], x[8, 1] = 1e30, -50.0  # -50 lies beyond P1 - 3 (P99 - P1), about -16
    pre = TabularPreprocessor.fit(numeric_table(x, np.zeros(500)), scaling="robust")
    rest = np.delete(x, [7, 8], axis=0)
    np.testing.assert_array_equal(pre.offset, [np.delete(x[:, 0], 7).min(), np.delete(x[:, 1], 8).min()])
    np.testing.assert_allclose(pre.offset + pre.scale, [np.delete(x[:, 0], 7).max(), np.delete(x[:, 1], 8).max()])
    assert rest.min() >= pre.offset.min() and 6.0 < pre.scale[0] < 8.0  # the range of 500 normal values
    train = pre.features(x, [], clip=True)
    assert (train[7, 0], train[8, 1]) == (1.0, 0.0) and train.min() == 0.0 and train.max() == 1.0  # ROBUST_CLIP
    new = pre.features(np.array([[8.0, 0.0]]), [])
    assert new[0, 0] == pytest.approx((8.0 - pre.offset[0]) / pre.scale[0], rel=1e-6) and new[0, 0] > 1.5  # not clipped
    sparse = numeric_table(np.r_[np.zeros(200), [3.0, 6.0]][:, None], np.zeros(202))
    fallback = TabularPreprocessor.fit(sparse, scaling="robust")  # P1 == P99: R = max - min, every value an inlier
    assert (fallback.offset[0], fallback.scale[0]) == (0.0, 6.0)


def test_missing_values_are_filled_with_the_training_median_before_scaling():
    x = np.array([[1.0, 10.0], [np.nan, 20.0], [3.0, np.nan], [5.0, 40.0]])
    pre = TabularPreprocessor.fit(numeric_table(x, np.zeros(4)), scaling="minmax")
    np.testing.assert_array_equal(pre.fill, [3.0, 20.0])
    np.testing.assert_array_equal(pre.offset, [1.0, 10.0])  # missing cells take no part in the statistics
    np.testing.assert_allclose(pre.features(np.array([[np.nan, np.nan]]), []), pre.features(np.array([[3.0, 20.0]]), []))
    restored = TabularPreprocessor.from_dict(pre.to_dict())
    np.testing.assert_array_equal(restored.fill, pre.fill)
    with pytest.raises(ValueError, match=r"numeric columns \['x1'\] hold no values"):
        TabularPreprocessor.fit(numeric_table([[1.0, np.nan], [2.0, np.nan]], [0, 0]))
