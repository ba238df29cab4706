"""Ctrl-C during fit: a real SIGINT sent to a training subprocess.

The child fits a model with ``verbose=1`` and a huge ``max_iter``; the parent
waits until a few "Iteration" lines have been printed, sends SIGINT, and reads
the JSON summary the child prints after catching ``KeyboardInterrupt``.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGINT delivery to a child process is POSIX-only"
)

START_TIMEOUT = 120  # seconds to wait for the first epochs (slow, shared machines)
FINISH_TIMEOUT = 60  # seconds for the child to summarize after the signal
EPOCHS_BEFORE_SIGNAL = 3

CHILD = textwrap.dedent(
    """
    import json, signal, sys, warnings
    import numpy as np
    from skbp import BackpropMLPClassifier

    # A shell that starts the test run in the background (``cmd &``) hands its
    # children SIGINT ignored, and Python then installs no KeyboardInterrupt
    # handler: restore Python's own, which is what an interactive run has.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    params = json.loads(sys.argv[1])
    rng = np.random.RandomState(0)
    X = rng.randn(3000, 20)
    y = (X[:, 0] + 0.5 * rng.randn(3000) > 0).astype(int) + (X[:, 1] > 0.8)
    est = BackpropMLPClassifier(verbose=1, random_state=0, **params)
    summary = {"interrupted": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
        except KeyboardInterrupt:
            summary["interrupted"] = True
    coefs = est.coefs_ + est.intercepts_
    proba = est.predict_proba(X)
    summary.update(
        n_iter=est.n_iter_,
        len_history=len(est.history_),
        history_epochs=[record["epoch"] for record in est.history_],
        len_loss_curve=len(est.loss_curve_),
        coefs_finite=bool(all(np.isfinite(c).all() for c in coefs)),
        proba_finite=bool(np.isfinite(proba).all()),
        proba_rows_sum_to_one=bool(np.allclose(proba.sum(axis=1), 1.0)),
        predictions_valid=bool(np.isin(est.predict(X), est.classes_).all()),
        score=float(est.score(X, y)),
        warnings=[str(w.message) for w in caught],
        best_epoch=est.best_epoch_,
    )
    if params.get("early_stopping") and est.best_epoch_:
        # The kept weights must be those of the best validation epoch: retraining for
        # exactly best_epoch_ epochs (same seed, same split, same batches) ends there.
        reference = BackpropMLPClassifier(random_state=0, **dict(params, max_iter=est.best_epoch_))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference.fit(X, y)
        summary["best_weights_kept"] = bool(
            all(np.array_equal(a, b) for a, b in zip(coefs, reference.coefs_ + reference.intercepts_))
        )
        summary["best_validation_score"] = est.best_validation_score_
        summary["history_score_at_best"] = est.history_[est.best_epoch_ - 1]["val_score"]
    if params.get("solver") == "lbfgs" and est.history_:
        # L-BFGS keeps the last completed iterate: its objective (mean cross-entropy
        # plus the l2 penalty) is the loss recorded for the last iteration.
        from sklearn.metrics import log_loss

        penalty = 0.5 * est.alpha * sum(float((w ** 2).sum()) for w in est.coefs_) / len(y)
        summary["kept_loss"] = log_loss(y, proba, labels=est.classes_) + penalty
        summary["last_recorded_loss"] = est.history_[-1]["train_loss"]
    print("SUMMARY " + json.dumps(summary), flush=True)
    """
)


def _run_and_interrupt(params, wait_for=EPOCHS_BEFORE_SIGNAL):
    env = dict(
        os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(params)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = queue.Queue()
    stdout_lines = []

    def reader():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        seen = 0
        deadline = time.monotonic() + START_TIMEOUT
        while seen < wait_for:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no {wait_for} 'Iteration' lines within {START_TIMEOUT}s")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                proc.wait(timeout=FINISH_TIMEOUT)
                pytest.fail(
                    "child ended before it was interrupted:\n"
                    + "".join(stdout_lines)
                    + proc.stderr.read()
                )
            stdout_lines.append(line)
            if line.startswith("Iteration"):
                seen += 1
        proc.send_signal(signal.SIGINT)
        returncode = proc.wait(timeout=FINISH_TIMEOUT)
        thread.join(timeout=FINISH_TIMEOUT)
        while True:
            line = lines.get_nowait() if not lines.empty() else None
            if line is None:
                break
            stdout_lines.append(line)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = "".join(stdout_lines)
    assert returncode == 0, f"child failed (rc={returncode}):\n{output}\n{stderr}"
    summaries = [line for line in stdout_lines if line.startswith("SUMMARY ")]
    assert len(summaries) == 1, f"no summary printed:\n{output}\n{stderr}"
    return json.loads(summaries[0][len("SUMMARY ") :]), output


def _check_common(summary):
    assert summary["interrupted"], "KeyboardInterrupt did not reach the calling script"
    assert summary["n_iter"] >= 1
    assert summary["len_history"] == summary["n_iter"]
    assert summary["len_loss_curve"] == summary["n_iter"]
    assert summary["history_epochs"] == list(range(1, summary["n_iter"] + 1))
    assert summary["coefs_finite"]
    assert summary["proba_finite"] and summary["proba_rows_sum_to_one"]
    assert summary["predictions_valid"]
    assert summary["score"] > 0.4  # several epochs were learned: better than chance
    interrupted = [w for w in summary["warnings"] if "interrupted" in w.lower()]
    assert interrupted, f"no warning about the interruption among {summary['warnings']}"


LONG = dict(hidden_layer_sizes=(64,), batch_size=32, max_iter=100000, tol=0.0)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_sigint_during_fit_leaves_usable_model(solver):
    summary, output = _run_and_interrupt(
        dict(LONG, solver=solver, n_iter_no_change=100000)
    )
    _check_common(summary)
    assert summary["n_iter"] >= EPOCHS_BEFORE_SIGNAL
    assert output.count("Iteration") >= summary["n_iter"]


@pytest.mark.parametrize("rule", [True, "GL"])
def test_sigint_with_early_stopping_keeps_best_weights(rule):
    params = dict(LONG, early_stopping=rule, n_iter_no_change=100000)
    if rule == "GL":
        params["stopping_threshold"] = 1e9  # never fires on its own
    summary, _ = _run_and_interrupt(params)
    _check_common(summary)
    assert any("best" in w for w in summary["warnings"] if "interrupted" in w.lower())
    assert 1 <= summary["best_epoch"] <= summary["n_iter"]
    assert summary["best_validation_score"] == summary["history_score_at_best"]
    assert summary["best_weights_kept"], "the weights are not those of best_epoch_"


def test_sigint_during_lbfgs_leaves_usable_model():
    params = dict(
        hidden_layer_sizes=(64,),
        solver="lbfgs",
        max_iter=100000,
        max_fun=10**7,
        tol=0.0,
    )
    summary, _ = _run_and_interrupt(params)
    _check_common(summary)
    assert summary["kept_loss"] == pytest.approx(
        summary["last_recorded_loss"], rel=1e-7
    )
