"""Per-epoch progress output (``verbose``), a client of the training hooks.

``verbose=1`` prints a header, then one line per epoch that starts with
scikit-learn's ``Iteration N, loss = X`` (existing log parsers keep working) and
goes on with the validation loss and score, the learning rate and the epoch's
wall time, followed by what the stopping rule had to say (scikit-learn's
"... Stopping." and "Setting learning rate to ..." lines).  ``verbose>=2`` also
reports progress inside long epochs on stderr, at most once per second.
"""

import sys
import time

from .hooks import EpochHook


class ProgressPrinter(EpochHook):
    def __init__(self, verbose, description, has_validation):
        self.verbose = int(verbose)
        self.description = description
        self.has_validation = has_validation
        self._last_batch_report = 0.0

    def on_train_begin(self, run):
        columns = "loss = training loss"
        if self.has_validation:
            columns += " | validation loss | validation score"
        print(f"{self.description}\n(columns: {columns} | learning rate | seconds)")

    def on_epoch_end(self, run, record):
        line = f"Iteration {record['epoch']}, loss = {record['train_loss']:.8f}"
        if record["val_loss"] is not None:
            line += f" | val_loss = {record['val_loss']:.6f}"
            line += f" | val_score = {record['val_score']:.6f}"
        line += f" | lr = {record['learning_rate']:.3g} | {record['duration_s']:.2f} s"
        print(line)
        for note in run.notes:
            print(note)

    def batch(self, epoch, n_done, n_total):
        """Progress inside an epoch (verbose >= 2), throttled to one line per second."""
        now = time.perf_counter()
        if now - self._last_batch_report < 1.0 and n_done < n_total:
            return
        self._last_batch_report = now
        percent = 100.0 * n_done / n_total
        sys.stderr.write(f"  epoch {epoch}: {n_done}/{n_total} samples ({percent:.0f}%)\n")
        sys.stderr.flush()
