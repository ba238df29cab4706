"""How the per-epoch lists of a fitted model are stored in a pickle or a skops file.

``history_``, ``loss_curve_``, ``validation_scores_`` and ``validation_losses_``
hold one entry per epoch.  They are stored as one zlib-compressed JSON text
each (exact: JSON writes the shortest repr of each float), so that a saved model
holds no skbp objects but the estimator and stays small.

Loading is bounded: a stored blob may not decompress to more than the model's
epochs can hold (``MAX_RECORD_BYTES`` per record of ``history_`` plus
``MAX_LAYER_BYTES`` per layer for ``monitor_layers``, ``MAX_NUMBER_BYTES`` per
entry of the other lists).  The number of epochs is stored beside the blobs;
files written before it was (skbp 0.1.0) are bounded by the largest count
their other attributes allow.  Whatever cannot be decoded raises a ValueError
that names the attribute, never a raw ``zlib.error``: a corrupted or crafted
file cannot exhaust memory through ``__setstate__``.
"""

import json
import zlib
from numbers import Integral

#: The fitted attributes that hold one entry per epoch.
PER_EPOCH_ATTRIBUTES = ("history_", "loss_curve_", "validation_scores_", "validation_losses_")

#: The state key holding the number of epochs (the length of every list above).
EPOCHS_KEY = "_n_epochs"

# A record of history_ is ~210 JSON bytes (7 keys, the longest float repr is 24
# characters: ~300 at most); a layer's statistics ~180 (5 keys: ~220 at most).
MAX_RECORD_BYTES = 512
MAX_LAYER_BYTES = 384
MAX_NUMBER_BYTES = 32  # "-1.2345678901234567e-308, "
_SLACK = 64


def encode(state):
    """Compress the per-epoch lists of ``state`` (a copy of the estimator's __dict__)."""
    history = state.get("history_")
    if history is not None:
        state[EPOCHS_KEY] = len(history)
    for name in PER_EPOCH_ATTRIBUTES:
        if state.get(name) is not None:
            state[name] = zlib.compress(json.dumps(state[name]).encode())
    return state


def decode(state):
    """Inverse of :func:`encode`, bounded by the number of epochs the state claims."""
    if not any(isinstance(state.get(name), bytes) for name in PER_EPOCH_ATTRIBUTES):
        state.pop(EPOCHS_KEY, None)
        return state
    stored_count = state.pop(EPOCHS_KEY, None)
    n_epochs = _epoch_bound(state) if stored_count is None else int(stored_count)
    n_layers = len(state.get("coefs_") or ())
    for name in PER_EPOCH_ATTRIBUTES:
        blob = state.get(name)
        if not isinstance(blob, bytes):
            continue
        per_entry = (
            MAX_RECORD_BYTES + MAX_LAYER_BYTES * n_layers
            if name == "history_"
            else MAX_NUMBER_BYTES
        )
        values = _loads(name, blob, limit=per_entry * n_epochs + _SLACK)
        if not isinstance(values, list) or (
            stored_count is not None and len(values) != n_epochs
        ):
            raise ValueError(
                f"Cannot load {name}: the stored model holds {n_epochs} epoch(s), and "
                f"{name} does not hold one entry per epoch. The file is corrupted."
            )
        state[name] = values
    return state


def _epoch_bound(state):
    """Most epochs a 0.1.0 file can hold: each epoch saw at least one sample (``t_``),
    and an L-BFGS fit runs at most ``max_iter`` iterations."""
    counts = [state.get(name) for name in ("t_", "n_iter_", "max_iter")]
    return max((int(c) for c in counts if isinstance(c, Integral) and c > 0), default=0)


def _loads(name, blob, *, limit):
    decompressor = zlib.decompressobj()
    try:
        text = decompressor.decompress(blob, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"Cannot load {name}: its stored data is corrupted ({exc}).") from exc
    if len(text) > limit or decompressor.unconsumed_tail:
        raise ValueError(
            f"Cannot load {name}: its stored data expands beyond {limit} bytes, more "
            "than the model's epochs can hold. The file is corrupted or was crafted; "
            "load only files from sources you trust."
        )
    if not decompressor.eof:
        raise ValueError(f"Cannot load {name}: its stored data is truncated.")
    try:
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"Cannot load {name}: its stored data is corrupted ({exc}).") from exc
