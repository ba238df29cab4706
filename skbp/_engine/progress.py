"""Per-epoch progress output (``verbose``).

``verbose=1`` prints a header, then one line per epoch that starts with
scikit-learn's ``Iteration N, loss = X`` (existing log parsers keep working) and
goes on with the validation loss and score, the learning rate and the epoch's
wall time.  ``verbose>=2`` also reports progress inside long epochs on stderr,
at most once per second.  ``verbose=0`` prints nothing.
"""

import sys
import time


class ProgressPrinter:
    def __init__(self, verbose):
        self.verbose = int(verbose)
        self._last_batch_report = 0.0

    def header(self, description, has_validation):
        if not self.verbose:
            return
        columns = "loss = training loss"
        if has_validation:
            columns += " | validation loss | validation score"
        print(f"{description}\n(columns: {columns} | learning rate | seconds)")

    def epoch(self, record):
        if not self.verbose:
            return
        line = f"Iteration {record['epoch']}, loss = {record['train_loss']:.8f}"
        if record["val_loss"] is not None:
            line += f" | val_loss = {record['val_loss']:.6f}"
            line += f" | val_score = {record['val_score']:.6f}"
        line += f" | lr = {record['learning_rate']:.3g} | {record['duration_s']:.2f} s"
        print(line)

    def batch(self, epoch, n_done, n_total):
        """Progress inside an epoch (verbose >= 2), throttled to one line per second."""
        if self.verbose < 2:
            return
        now = time.perf_counter()
        if now - self._last_batch_report < 1.0 and n_done < n_total:
            return
        self._last_batch_report = now
        percent = 100.0 * n_done / n_total
        sys.stderr.write(f"  epoch {epoch}: {n_done}/{n_total} samples ({percent:.0f}%)\n")
        sys.stderr.flush()
