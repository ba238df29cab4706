"""SmoothClipScaler and TabularEncoder: scikit-learn checks and the encoding rules."""

import warnings

import numpy as np
import pytest
from sklearn.preprocessing import RobustScaler, TargetEncoder
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbp import SmoothClipScaler, TabularEncoder

pd = pytest.importorskip("pandas")


@parametrize_with_checks(
    [
        SmoothClipScaler(),
        SmoothClipScaler(max_abs=None, quantile_range=(10.0, 90.0)),
        SmoothClipScaler(n_quantiles=50),
        TabularEncoder(),
        TabularEncoder(dtype=np.float32, missing_indicator=False),
        TabularEncoder(categorical_features=None, max_abs=None),
        TabularEncoder(numeric_transform="robust"),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _smooth_clip(z, bound=3.0):
    return z / np.sqrt(1.0 + (z / bound) ** 2)


# ----------------------------------------------------------------- SmoothClipScaler


def test_scaler_is_robust_scaling_then_smooth_clipping():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=300), rng.standard_cauchy(size=300), rng.exponential(size=300)]
    # RobustScaler's scaling with quartiles that weights can define (the averaged
    # inverted CDF, not linear interpolation): within 1% of RobustScaler's.
    low, median, high = np.percentile(X, [25, 50, 75], axis=0, method="averaged_inverted_cdf")
    robust = (X - median) / (high - low)
    np.testing.assert_allclose(SmoothClipScaler().fit_transform(X), _smooth_clip(robust), rtol=1e-12)
    np.testing.assert_allclose(SmoothClipScaler(max_abs=None).fit_transform(X), robust, rtol=1e-12)
    np.testing.assert_allclose(robust, RobustScaler().fit_transform(X), rtol=0.01, atol=1e-3)
    assert np.abs(SmoothClipScaler(max_abs=2.0).fit_transform(X)).max() < 2.0


def test_scaler_constant_quantile_column_falls_back_to_half_range():
    x = np.zeros(100)
    x[:5] = [4.0, -2.0, 7.0, 1.0, 3.0]  # quartiles both 0
    out = SmoothClipScaler().fit_transform(x[:, None]).ravel()
    half_range = (7.0 - (-2.0)) / 2
    np.testing.assert_allclose(out, _smooth_clip(x / half_range))
    assert np.unique(out).size == 6


def test_scaler_constant_and_all_missing_columns_map_to_zero():
    X = np.c_[np.full(10, 5.0), np.full(10, np.nan), np.arange(10.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = SmoothClipScaler().fit(X)
        out = scaler.transform(np.array([[5.0, 1.0, 3.0], [-40.0, 2.0, 4.0]]))
    np.testing.assert_array_equal(out[:, :2], 0.0)
    assert np.all(out[:, 2] != 0.0)


def test_scaler_ignores_and_keeps_missing_values():
    X = np.array([[1.0], [np.nan], [3.0], [10.0], [np.nan], [2.0]])
    scaler = SmoothClipScaler().fit(X)
    assert scaler.center_[0] == np.nanmedian(X)
    out = scaler.transform(X)
    assert np.array_equal(np.isnan(out), np.isnan(X))


def test_scaler_keeps_float32():
    X = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    assert SmoothClipScaler().fit_transform(X).dtype == np.float32


def test_scaler_rejects_bad_quantile_range():
    with pytest.raises(ValueError, match="quantile_range"):
        SmoothClipScaler(quantile_range=(75.0, 25.0)).fit(np.ones((3, 1)))


# ------------------------------------------------------------------ TabularEncoder


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "num_na": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "color": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "flag": rng.choice([True, False], n),
            "city": pd.array(rng.choice(["a", "b", "c", "d"], n), dtype="string"),
        }
    )
    frame.loc[[1, 7], "city"] = pd.NA
    return frame


def test_from_dtype_marks_category_bool_string_and_object_columns():
    frame = _frame()
    frame["obj"] = np.array(["u", "v"] * 60, dtype=object)
    frame["ints"] = np.arange(120)
    encoder = TabularEncoder().fit(frame)
    assert encoder.is_categorical_.tolist() == [False, False, True, True, True, True, False]
    assert encoder.encodings_ == [
        "numeric", "numeric", "onehot", "binary", "onehot", "binary", "numeric"
    ]


def test_from_dtype_on_numpy_arrays():
    X = np.random.default_rng(0).normal(size=(20, 3))
    assert not TabularEncoder().fit(X).is_categorical_.any()
    strings = np.array([["a", "x"], ["b", "y"], ["a", "y"]])
    assert TabularEncoder().fit(strings).is_categorical_.all()


@pytest.mark.parametrize("transform, n_quantiles", [("quantile", 1000), ("robust", None)])
def test_numeric_columns_are_scaled_and_missing_values_indicated(transform, n_quantiles):
    frame = _frame()
    encoder = TabularEncoder(categorical_features=None, numeric_transform=transform)
    encoder.fit(frame[["num", "num_na"]])
    names = encoder.get_feature_names_out().tolist()
    assert names == ["num", "num_na", "num_na_missing"]
    out = encoder.transform(frame[["num", "num_na"]])
    reference = SmoothClipScaler(n_quantiles=n_quantiles).fit(frame[["num", "num_na"]].to_numpy())
    scaled = reference.transform(frame[["num", "num_na"]].to_numpy())
    missing = frame["num_na"].isna().to_numpy()
    np.testing.assert_allclose(out[:, 0], scaled[:, 0])
    np.testing.assert_allclose(out[~missing, 1], scaled[~missing, 1])
    np.testing.assert_array_equal(out[missing, 1], 0.0)
    np.testing.assert_array_equal(out[:, 2], missing)
    assert encoder.continuous_columns_.tolist() == [0, 1]


def test_missing_value_in_a_column_complete_in_training_is_imputed_without_indicator():
    frame = _frame()[["num"]]
    encoder = TabularEncoder().fit(frame)
    out = encoder.transform(pd.DataFrame({"num": [np.nan, 0.5]}))
    assert out.shape == (2, 1)
    assert out[0, 0] == 0.0


@pytest.mark.parametrize("transform", ["quantile", "robust"])
def test_constant_all_missing_and_constant_quantile_columns(transform):
    n = 40
    mostly_zero = np.zeros(n)
    mostly_zero[:3] = [1.0, 2.0, -1.0]
    frame = pd.DataFrame(
        {"const": np.full(n, 3.0), "nan": np.full(n, np.nan), "mostly_zero": mostly_zero}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder = TabularEncoder(numeric_transform=transform).fit(frame)
        out = encoder.transform(
            pd.DataFrame({"const": [9.0, 3.0], "nan": [4.0, 1.0], "mostly_zero": [2.0, 0.0]})
        )
    assert encoder.get_feature_names_out().tolist() == ["const", "nan", "mostly_zero"]
    np.testing.assert_array_equal(out[:, :2], 0.0)
    assert out[1, 2] == 0.0  # the median
    if transform == "robust":
        np.testing.assert_allclose(out[0, 2], _smooth_clip(2.0 / 1.5))
    else:  # the zeros' score is the median; the quartiles coincide: half the range
        scores = encoder.numeric_scaler_.normal_scores_[2]
        scale = (scores[-1] - scores[0]) / 2.0
        np.testing.assert_allclose(encoder.numeric_scaler_.scale_[2], scale)
        np.testing.assert_allclose(out[0, 2], _smooth_clip((scores[-1] - scores[1]) / scale))


def test_onehot_unknown_is_all_zeros_and_missing_is_its_own_level():
    frame = _frame()[["city"]]
    encoder = TabularEncoder().fit(frame)
    assert encoder.get_feature_names_out().tolist() == [
        "city_a", "city_b", "city_c", "city_d", "city_nan"
    ]
    new = pd.DataFrame({"city": pd.array(["b", "zzz", None], dtype="string")})
    np.testing.assert_array_equal(
        encoder.transform(new),
        [[0, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]],
    )


def test_missing_value_unseen_in_training_is_all_zeros():
    frame = pd.DataFrame({"color": pd.Categorical(["r", "g", "b", "g"])})
    encoder = TabularEncoder().fit(frame)
    out = encoder.transform(pd.DataFrame({"color": pd.Categorical([None, "g"])}))
    np.testing.assert_array_equal(out, [[0, 0, 0], [0, 1, 0]])


def test_two_levels_give_one_plus_minus_one_column():
    frame = pd.DataFrame({"flag": pd.array([True, False, None, True], dtype="boolean")})
    encoder = TabularEncoder().fit(frame)
    assert encoder.get_feature_names_out().tolist() == ["flag_True", "flag_nan"]
    np.testing.assert_array_equal(encoder.transform(frame), [[1, 0], [-1, 0], [0, 1], [1, 0]])
    unseen = pd.DataFrame({"word": ["yes", "no", "no"]})
    encoder = TabularEncoder().fit(unseen)
    np.testing.assert_array_equal(
        encoder.transform(pd.DataFrame({"word": ["no", "maybe", "yes"]})), [[-1], [0], [1]]
    )


def _high_cardinality(n=300, seed=0):
    rng = np.random.default_rng(seed)
    levels = np.array([f"k{i:02d}" for i in range(20)])
    codes = rng.integers(0, 20, n)
    y = (codes % 3 == 0).astype(int) ^ (rng.random(n) < 0.1)
    return pd.DataFrame({"key": levels[codes], "num": rng.normal(size=n)}), y


def test_many_levels_are_target_encoded_cross_fitted():
    frame, y = _high_cardinality()
    encoder = TabularEncoder(random_state=0)
    train_out = encoder.fit_transform(frame, y)
    assert encoder.encodings_ == ["target", "numeric"]
    assert encoder.get_feature_names_out().tolist() == ["key_target", "num"]
    assert encoder.continuous_columns_.tolist() == [0, 1]
    full_fit = encoder.target_scaler_.transform(
        encoder.target_encoder_.transform(frame[["key"]].to_numpy(dtype=object))
    )
    np.testing.assert_allclose(encoder.transform(frame)[:, 0], full_fit[:, 0])
    assert not np.allclose(train_out[:, 0], full_fit[:, 0])  # cross-fitted in fit_transform
    # Unseen levels get the target mean, as TargetEncoder does.
    unseen = encoder.transform(pd.DataFrame({"key": ["new"], "num": [0.0]}))
    mean = encoder.target_scaler_.transform([[encoder.target_encoder_.target_mean_]])
    np.testing.assert_allclose(unseen[0, 0], mean[0, 0])


def test_skops_loads_a_fitted_encoder_trusting_only_public_classes():
    sio = pytest.importorskip("skops.io")
    frame, y = _high_cardinality()
    frame["num"] = frame["num"].where(frame["num"] > -1.5)  # missing values
    encoder = TabularEncoder(random_state=0).fit(frame, y)
    data = sio.dumps(encoder)
    assert sorted(sio.get_untrusted_types(data=data)) == [
        "skbp.SmoothClipScaler", "skbp.TabularEncoder"
    ]
    loaded = sio.loads(data, trusted=["skbp.SmoothClipScaler", "skbp.TabularEncoder"])
    np.testing.assert_array_equal(loaded.transform(frame), encoder.transform(frame))


def test_target_encoding_matches_sklearn_for_multiclass():
    frame, y = _high_cardinality()
    y = y + (frame["num"].to_numpy() > 1)  # three classes
    encoder = TabularEncoder(random_state=0).fit(frame, y)
    assert encoder.get_feature_names_out().tolist()[:3] == [
        "key_target_0", "key_target_1", "key_target_2"
    ]
    reference = TargetEncoder().fit(frame[["key"]], y)
    np.testing.assert_allclose(
        encoder.target_encoder_.encodings_[0], reference.encodings_[0], rtol=1e-12
    )


def test_integral_float_target_is_continuous():
    frame, _ = _high_cardinality()
    prices = np.round(np.exp(np.random.default_rng(1).normal(11, 0.5, len(frame))))
    encoder = TabularEncoder(random_state=0).fit(frame, prices)
    assert encoder.target_encoder_.target_type_ == "continuous"
    assert encoder.n_features_out_ == 2
    as_classes = TabularEncoder(target_type="multiclass", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes with one member
        as_classes.fit(frame, np.arange(len(frame)) % 3)
    assert as_classes.n_features_out_ == 4


def test_target_encoding_without_y_names_the_remedy():
    frame, _ = _high_cardinality()
    with pytest.raises(ValueError, match="high_cardinality='ordinal'"):
        TabularEncoder().fit(frame)


def test_ordinal_codes_for_an_embedding():
    frame, _ = _high_cardinality()
    encoder = TabularEncoder(high_cardinality="ordinal").fit(frame)
    assert encoder.ordinal_columns_.tolist() == [0]
    assert encoder.continuous_columns_.tolist() == [1]
    out = encoder.transform(pd.DataFrame({"key": ["k00", "k19", "zz", None], "num": 0.0}))
    np.testing.assert_array_equal(out[:, 0], [1, 20, 0, 0])


def test_max_onehot_categories_is_the_threshold():
    frame, y = _high_cardinality()
    assert TabularEncoder(max_onehot_categories=20).fit(frame, y).encodings_[0] == "onehot"
    assert TabularEncoder(max_onehot_categories=19).fit(frame, y).encodings_[0] == "target"


def test_explicit_categorical_features_by_name_index_and_mask():
    frame = _frame()[["num", "color", "city"]]
    frame["code"] = np.tile([1, 2, 3], 40)
    results = [
        TabularEncoder(categorical_features=spec).fit_transform(frame)
        for spec in (["color", "city", "code"], [1, 2, 3], [False, True, True, True])
    ]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    assert results[0].shape[1] == 1 + 3 + 5 + 3  # code: three levels, one-hot


@pytest.mark.parametrize(
    "spec, message",
    [
        (["nope"], "does not have: \\['nope'\\]"),
        ([7], "out of range"),
        ([True, False, True], "one entry per column"),
    ],
)
def test_bad_categorical_features_are_reported(spec, message):
    with pytest.raises(ValueError, match=message):
        TabularEncoder(categorical_features=spec).fit(_frame()[["num", "color"]])


def test_names_need_a_dataframe():
    with pytest.raises(ValueError, match="X has no column names"):
        TabularEncoder(categorical_features=["a"]).fit(np.ones((3, 2)))


def test_text_column_not_listed_as_categorical_is_an_error():
    with pytest.raises(ValueError, match="'color' \\(index 1\\) is not numeric"):
        TabularEncoder(categorical_features=[]).fit(_frame()[["num", "color"]])
    strings = np.array([["1.5", "a"], ["2", "b"]], dtype=object)
    with pytest.raises(ValueError, match="Column 1 holds non-numeric values"):
        TabularEncoder(categorical_features=[False, False]).fit(strings)


def test_boolean_column_listed_as_numeric_is_zero_one():
    frame = pd.DataFrame({"flag": [True, False, True, False], "x": [1.0, 2.0, 3.0, 4.0]})
    encoder = TabularEncoder(categorical_features=None, max_abs=None).fit(frame)
    # median 0.5, quartiles 0 and 1
    np.testing.assert_allclose(encoder.transform(frame)[:, 0], [0.5, -0.5, 0.5, -0.5])


def test_dates_and_infinity_are_rejected_with_the_column_named():
    frame = pd.DataFrame({"when": pd.date_range("2020", periods=3), "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="'when' \\(index 0\\) has a date/time dtype"):
        TabularEncoder().fit(frame)
    frame = pd.DataFrame({"x": [1.0, np.inf, 3.0]})
    with pytest.raises(ValueError, match="'x' \\(index 0\\) contains infinity"):
        TabularEncoder().fit(frame)


def test_nullable_pandas_dtypes():
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None, 3, 4, 2], dtype="Int64"),
            "f": pd.array([0.5, 1.5, None, 2.5, 1.0], dtype="Float64"),
            "b": pd.array([True, None, False, True, True], dtype="boolean"),
            "s": pd.array(["x", "y", None, "x", "z"], dtype="string"),
        }
    )
    encoder = TabularEncoder().fit(frame)
    out = encoder.transform(frame)
    assert encoder.get_feature_names_out().tolist() == [
        "i", "i_missing", "f", "f_missing", "b_True", "b_nan", "s_x", "s_y", "s_z", "s_nan"
    ]
    np.testing.assert_array_equal(out[:, 1], [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(out[:, 3], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(out[:, 4], [1, 0, -1, 1, 1])
    assert np.isfinite(out).all()


def test_polars_gives_the_pandas_encoding():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    n = 150
    data = {
        "num": rng.normal(size=n).tolist(),
        "ints": [None if i % 11 == 0 else int(v) for i, v in enumerate(rng.integers(0, 9, n))],
        "flag": [None if i % 13 == 0 else bool(v) for i, v in enumerate(rng.integers(0, 2, n))],
        "word": [None if i % 17 == 0 else str(v) for i, v in enumerate(rng.choice(list("abc"), n))],
        "key": [f"k{v}" for v in rng.integers(0, 25, n)],
    }
    y = rng.integers(0, 2, n)
    polars_frame = pl.DataFrame(data).with_columns(pl.col("key").cast(pl.Categorical))
    pandas_frame = pd.DataFrame(
        {
            "num": data["num"],
            "ints": pd.array(data["ints"], dtype="Int64"),
            "flag": pd.array(data["flag"], dtype="boolean"),
            "word": pd.array(data["word"], dtype="string"),
            "key": pd.Categorical(data["key"]),
        }
    )
    from_polars = TabularEncoder(random_state=0)
    from_pandas = TabularEncoder(random_state=0)
    np.testing.assert_array_equal(
        from_polars.fit_transform(polars_frame, y), from_pandas.fit_transform(pandas_frame, y)
    )
    names = from_pandas.get_feature_names_out().tolist()
    if not hasattr(from_polars, "feature_names_in_"):
        # scikit-learn < 1.8 reads no column names from polars 2 frames (no __dataframe__).
        names = [name.replace(column, f"x{i}", 1) for name in names
                 for i, column in enumerate(pandas_frame.columns) if name.startswith(column)]
    assert from_polars.get_feature_names_out().tolist() == names
    assert from_polars.encodings_ == ["numeric", "numeric", "binary", "onehot", "target"]
    np.testing.assert_array_equal(
        from_polars.transform(polars_frame[:5]), from_pandas.transform(pandas_frame[:5])
    )


def test_float32_output():
    frame = _frame()
    out = TabularEncoder(dtype="float32").fit_transform(frame)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, TabularEncoder().fit_transform(frame), atol=1e-6)


def test_pandas_output_uses_the_feature_names():
    frame = _frame()
    encoder = TabularEncoder().set_output(transform="pandas").fit(frame)
    out = encoder.transform(frame)
    assert out.columns.tolist() == encoder.get_feature_names_out().tolist()
    assert out.shape == (120, encoder.n_features_out_)


def test_reordered_columns_are_refused():
    frame = _frame()
    encoder = TabularEncoder().fit(frame)
    with pytest.raises(ValueError, match="feature names should match"):
        encoder.transform(frame[frame.columns[::-1]])


# ------------------------------------------------------- map to normal scores


def test_quantile_map_of_distinct_values_is_the_normal_quantiles():
    # n distinct values and n quantiles: each value is a knot, at probability
    # k / (n - 1), and gets its normal quantile (the ends clipped to ±5.2).
    from scipy.stats import norm

    rng = np.random.default_rng(0)
    x = rng.lognormal(size=50)
    scaler = SmoothClipScaler(n_quantiles=50, max_abs=None).fit(x[:, None])
    expected = norm.ppf(np.clip(np.linspace(0, 1, 50), 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(scaler.quantiles_[0], np.sort(x))
    np.testing.assert_allclose(scaler.normal_scores_[0], expected, atol=1e-12)
    # Scores are robustly scaled afterwards: their median is 0.
    scores = (scaler.transform(x[:, None])[:, 0] * scaler.scale_[0]) + scaler.center_[0]
    np.testing.assert_allclose(np.sort(scores), expected, atol=1e-12)


def test_quantile_map_keeps_order_spreads_a_heavy_tail_and_is_flat_beyond_the_data():
    rng = np.random.default_rng(1)
    x = np.r_[rng.lognormal(sigma=3.0, size=400), np.nan]
    robust = SmoothClipScaler().fit(x[:, None])
    quantile = SmoothClipScaler(n_quantiles=1000).fit(x[:, None])
    top = np.sort(x[~np.isnan(x)])[-8:, None]  # the largest 2 %
    # Robust scaling squeezes the tail against max_abs = 3; the map spreads it.
    assert np.ptp(robust.transform(top)) < 0.01
    assert np.ptp(quantile.transform(top)) > 0.2
    grid = np.linspace(0.0, np.nanmax(x), 2000)[:, None]
    assert (np.diff(quantile.transform(grid)[:, 0]) >= 0).all()
    beyond = quantile.transform([[np.nanmin(x) / 10], [np.nanmin(x)], [np.nanmax(x)], [1e12]])
    assert beyond[0, 0] == beyond[1, 0] and beyond[2, 0] == beyond[3, 0]
    assert np.isnan(quantile.transform([[np.nan]])).all()


def test_quantile_map_gives_tied_values_their_mid_rank():
    # 30 zeros among 40 values span probabilities ~[0.1, 0.85]: their score is
    # the normal quantile of the middle of that span (not the normal's tail).
    from scipy.stats import norm

    x = np.r_[-np.arange(1.0, 5.0), np.zeros(30), np.arange(1.0, 7.0)]
    scaler = SmoothClipScaler(n_quantiles=1000, max_abs=None).fit(x[:, None])
    knot = np.flatnonzero(scaler.quantiles_[0] == 0.0)
    probabilities = np.linspace(0, 1, 1000)
    quantiles = np.percentile(x, 100 * probabilities, method="averaged_inverted_cdf")
    span = probabilities[quantiles == 0.0]
    np.testing.assert_allclose(
        scaler.normal_scores_[0, knot], norm.ppf((span[0] + span[-1]) / 2), rtol=1e-12
    )


def test_quantile_knots_of_columns_of_different_lengths_are_padded():
    X = np.c_[np.arange(10.0), np.r_[np.zeros(8), 1.0, 2.0], np.full(10, np.nan)]
    scaler = SmoothClipScaler(n_quantiles=100).fit(X)
    assert scaler.quantiles_.shape == (3, 10)
    np.testing.assert_array_equal(scaler.quantiles_[1, 3:], 2.0)  # 0, 1, 2, then 2s
    np.testing.assert_array_equal(scaler.transform([[3.0, 5.0, 7.0]])[0, 2], 0.0)
    np.testing.assert_array_equal(scaler.transform([[3.0, 5.0, 7.0]])[0, 1],
                                  scaler.transform([[3.0, 2.0, 7.0]])[0, 1])


def test_invalid_dtype_is_reported():
    with pytest.raises(ValueError, match="dtype must be np.float64 or np.float32"):
        TabularEncoder(dtype=np.int64).fit(np.ones((3, 1)))


# ------------------------------------------------------------- sample weights


def _weighted_and_repeated(seed=0, n=40):
    rng = np.random.RandomState(seed)
    X = rng.lognormal(size=(n, 3))
    X[rng.rand(n, 3) < 0.1] = np.nan
    weights = rng.randint(0, 4, n)
    return X, weights, np.repeat(X, weights, axis=0)


@pytest.mark.parametrize("n_quantiles", [None, 1000])
def test_scaler_weights_are_repeated_rows_and_zero_weights_absent_rows(n_quantiles):
    X, weights, repeated = _weighted_and_repeated()
    weighted = SmoothClipScaler(n_quantiles=n_quantiles).fit(X, sample_weight=weights)
    copies = SmoothClipScaler(n_quantiles=n_quantiles).fit(repeated)
    np.testing.assert_array_equal(weighted.center_, copies.center_)
    np.testing.assert_array_equal(weighted.scale_, copies.scale_)
    if n_quantiles:
        np.testing.assert_array_equal(weighted.quantiles_, copies.quantiles_)
        np.testing.assert_array_equal(weighted.normal_scores_, copies.normal_scores_)
    # A huge value of weight 0 moves nothing; of weight 30 it moves the median
    # (and becomes the last knot of the map to normal scores).
    outlier = np.vstack([X, np.full((1, 3), 1e6)])
    ignored = SmoothClipScaler(n_quantiles=n_quantiles)
    ignored.fit(outlier, sample_weight=np.append(weights, 0))
    np.testing.assert_array_equal(ignored.center_, weighted.center_)
    np.testing.assert_array_equal(ignored.scale_, weighted.scale_)
    counted = SmoothClipScaler(n_quantiles=n_quantiles)
    counted.fit(outlier, sample_weight=np.append(weights, 30))
    if n_quantiles:
        np.testing.assert_array_equal(ignored.quantiles_, weighted.quantiles_)
        assert (counted.quantiles_[:, -1] == 1e6).all()
    else:
        assert (counted.center_ > weighted.center_).all()


def test_weighted_median_and_quartiles_on_a_small_column():
    # Values 1, 2, 3 with weights 1, 1, 2: the weighted data 1, 2, 3, 3 has median
    # (2 + 3) / 2, first quartile 1 (its CDF reaches 1/4 at 1: the mean of 1 and 2)
    # and third quartile 3.
    scaler = SmoothClipScaler().fit([[1.0], [2.0], [3.0]], sample_weight=[1, 1, 2])
    assert scaler.center_[0] == 2.5
    assert scaler.scale_[0] == 3.0 - 1.5


def test_unit_weights_give_numpys_median():
    X, _, _ = _weighted_and_repeated(seed=1, n=41)
    for rows in (X, X[:40]):  # odd and even counts
        np.testing.assert_allclose(
            SmoothClipScaler().fit(rows).center_, np.nanmedian(rows, axis=0), rtol=1e-15
        )


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="[Nn]egative"):
        SmoothClipScaler().fit([[1.0], [2.0]], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="[Nn]egative"):
        TabularEncoder().fit([[1.0], [2.0]], sample_weight=[1.0, -1.0])


def test_encoder_weights_are_repeated_rows():
    X, weights, repeated = _weighted_and_repeated(seed=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["colour"] = pd.Categorical(np.array(["red", "blue", "green", "grey"])[np.arange(40) % 4])
    frame_repeated = frame.loc[frame.index.repeat(weights)]
    weighted = TabularEncoder().fit(frame, sample_weight=weights)
    copies = TabularEncoder().fit(frame_repeated)
    np.testing.assert_array_equal(weighted.transform(frame), copies.transform(frame))
    np.testing.assert_array_equal(
        weighted.fit_transform(frame, sample_weight=weights)[weights > 0],
        copies.transform(frame)[weights > 0],
    )


def test_zero_weight_rows_add_no_category_and_no_missing_indicator():
    frame = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, np.nan], "city": ["Oslo", "Lima", "Oslo", "Pune"]}
    )
    weights = [1, 1, 1, 0]
    encoder = TabularEncoder(categorical_features=["city"]).fit(frame, sample_weight=weights)
    assert encoder.categories_[1].tolist() == ["Lima", "Oslo"]
    # Two levels: one binary column, and no indicator of x's missing value.
    assert encoder.get_feature_names_out().tolist() == ["x", "city_Oslo"]
    unweighted = TabularEncoder(categorical_features=["city"]).fit(frame)
    assert len(unweighted.get_feature_names_out()) > 2
