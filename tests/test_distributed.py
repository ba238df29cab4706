"""Grid search over BackpropMLPClassifier on a Dask cluster (joblib "dask" backend).

The fits run in two separate worker processes, so this also checks that the
estimator pickles and unpickles cleanly and that results do not depend on the
process they are computed in.
"""

import logging

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

PARAM_GRID = {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1.0]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,  # no HTTP server: nothing to clash with
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def _search(n_jobs):
    return GridSearchCV(
        BackpropMLPClassifier(max_iter=15, learning_rate_init=0.01, random_state=0),
        PARAM_GRID,
        cv=2,
        n_jobs=n_jobs,
        error_score="raise",
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_dask_backend_matches_default(client, data):
    X, y = data
    reference = _search(n_jobs=None).fit(X, y)

    with distributed.get_task_stream(client=client) as stream:
        with joblib.parallel_backend("dask"):
            on_dask = _search(n_jobs=-1).fit(X, y)

    # the candidates were really fitted on the cluster's workers
    workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    assert stream.data, "no task ran on the Dask cluster"
    assert {task["worker"] for task in stream.data} <= workers

    assert on_dask.best_params_ == reference.best_params_
    assert on_dask.best_index_ == reference.best_index_
    assert len(on_dask.cv_results_["params"]) == 4
    assert on_dask.cv_results_["params"] == reference.cv_results_["params"]
    for key in ["mean_test_score", "split0_test_score", "split1_test_score"]:
        np.testing.assert_allclose(
            on_dask.cv_results_[key], reference.cv_results_[key], atol=1e-12
        )
    # the refitted best model is the same network
    for a, b in zip(
        on_dask.best_estimator_.coefs_, reference.best_estimator_.coefs_, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(on_dask.predict(X), reference.predict(X))
    # the grid must discriminate between candidates for the comparison to mean much
    assert np.ptp(reference.cv_results_["mean_test_score"]) > 0
