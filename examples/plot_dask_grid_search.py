"""
Distributing a grid search with Dask
====================================

Each candidate of a :class:`~sklearn.model_selection.GridSearchCV` is fitted
independently of the others, so a search parallelises perfectly. scikit-learn
hands these fits to :mod:`joblib`, and joblib can send them to a `Dask
<https://www.dask.org>`_ cluster instead of local processes: wrap the ``fit``
call in ``joblib.parallel_backend("dask")`` and nothing else changes.

This example starts a small :class:`~distributed.LocalCluster` on this machine,
searches over the size and the L2 penalty of a
:class:`~skbp.BackpropMLPClassifier`, checks that the result is the same as
with joblib's default backend, and then explains how the same code runs on a
real cluster.

It needs the optional Dask dependencies: ``pip install "skbp[distributed]"``.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data and model
# --------------
# The 8x8 digits shipped with scikit-learn, standardised inside a pipeline so
# that every cross-validation fold learns its own scaling.
import time
import warnings

import joblib
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

# The fits are deliberately short (40 epochs), so they end before the loss
# has fully converged; silence the warnings that say so.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            BackpropMLPClassifier(
                max_iter=40, learning_rate_init=0.003, tol=0.0, random_state=0
            ),
        ),
    ]
)
param_grid = {
    "mlp__hidden_layer_sizes": [(16,), (64,), (32, 32)],
    "mlp__alpha": [1e-4, 1.0],
}

# %%
# A local Dask cluster
# --------------------
# Two workers with one thread each. ``processes=False`` keeps the workers as
# threads of this Python process, which lets this file run unchanged both as a
# plain script and inside the documentation build. For real parallelism on one
# machine use ``processes=True`` (the default), and then create the cluster
# under an ``if __name__ == "__main__":`` guard: the worker processes are
# started with the ``spawn`` method, which re-imports the main script.
from dask.distributed import Client, LocalCluster

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)
print(client)

# %%
# The search on the cluster
# -------------------------
# ``n_jobs=-1`` lets joblib use every Dask worker. Every one of the
# 6 candidates x 3 folds = 18 fits becomes a Dask task; the refit of the best
# candidate on the whole training set happens afterwards in this process.
search = GridSearchCV(pipe, param_grid, cv=3, n_jobs=-1)

start = time.perf_counter()
with joblib.parallel_backend("dask"):
    search.fit(X_train, y_train)
print(f"search on Dask: {time.perf_counter() - start:.1f} s")
print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy of the refitted best model: {search.score(X_test, y_test):.3f}")

# %%
# All candidates, ranked:
import numpy as np

results = search.cv_results_
for rank in np.argsort(results["rank_test_score"]):
    params = results["params"][rank]
    print(
        f"hidden={str(params['mlp__hidden_layer_sizes']):<9} "
        f"alpha={params['mlp__alpha']:<7g} "
        f"accuracy={results['mean_test_score'][rank]:.3f} "
        f"± {results['std_test_score'][rank]:.3f}"
    )

# %%
# The same result without Dask
# ----------------------------
# Where a fit runs does not change what it computes: with fixed
# ``random_state`` the default (local) joblib backend finds the same best
# candidate and the same fold scores.
local = GridSearchCV(pipe, param_grid, cv=3, n_jobs=1).fit(X_train, y_train)
print("same best parameters:", local.best_params_ == search.best_params_)
print(
    "largest difference between fold scores:",
    np.abs(local.cv_results_["mean_test_score"] - results["mean_test_score"]).max(),
)

# %%
# Visualising the search
# ----------------------
# Mean cross-validated accuracy per candidate (error bars: standard deviation
# over the folds), and the per-epoch training loss of the best candidate after
# its refit on the whole training set.
import matplotlib.pyplot as plt

from skbp import TrainingCurveDisplay

fig, (ax_scores, ax_curve) = plt.subplots(1, 2, figsize=(12, 4))
labels = [
    f"{p['mlp__hidden_layer_sizes']}\nα={p['mlp__alpha']:.0e}"
    for p in results["params"]
]
ax_scores.bar(
    range(len(labels)),
    results["mean_test_score"],
    yerr=results["std_test_score"],
    color=["C2" if r == 1 else "C0" for r in results["rank_test_score"]],
)
ax_scores.set_xticks(range(len(labels)), labels, fontsize=8)
ax_scores.set_ylim(0.8, 1.0)
ax_scores.set_ylabel("Mean CV accuracy")
ax_scores.set_title("Grid search on Dask (rank 1 in green)")

TrainingCurveDisplay.from_estimator(
    search.best_estimator_, ax=ax_curve, name="Best candidate, refitted"
)
fig.tight_layout()
plt.show()

# %%
# Running on a real cluster
# -------------------------
# Nothing above is specific to a local cluster. To use a cluster that already
# runs elsewhere, connect a :class:`~distributed.Client` to its scheduler
# instead of creating a ``LocalCluster``::
#
#     from dask.distributed import Client
#
#     client = Client("tcp://scheduler:8786")  # address of the Dask scheduler
#     with joblib.parallel_backend("dask"):
#         search.fit(X_train, y_train)
#
# A few things to keep in mind:
#
# * Every worker must be able to import the estimator: install the same
#   versions of skbp, scikit-learn and NumPy in the workers' environment as on
#   the client (``pip install "skbp[distributed]"`` on every machine, or one
#   shared container image).
# * The training data is pickled and sent to the workers. For large arrays,
#   send them once with ``client.scatter`` or let the workers read them from
#   shared storage.
# * Each fit runs in one worker thread; give workers one thread each
#   (``--nthreads 1``) and more worker processes, since the NumPy code of a
#   small network gains little from extra threads.
# * Clusters on HPC schedulers or Kubernetes can be started from Python with
#   `dask-jobqueue <https://jobqueue.dask.org>`_ (``SLURMCluster``, ``PBSCluster``,
#   ...) or `dask-kubernetes <https://kubernetes.dask.org>`_; they return a
#   cluster object that is passed to ``Client`` exactly like ``LocalCluster``.
#
# Finally, release the local cluster:
client.close()
cluster.close()
