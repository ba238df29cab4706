"""The files a command writes: checked before any work, written whole or not at all."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from typing import TextIO

import joblib

from ._options import CLIError


def check_output_paths(outputs: Mapping[str, str | None], inputs: Mapping[str, str]) -> None:
    """Refuse, before a long run, an output that cannot be written or would destroy an input.

    ``outputs`` and ``inputs`` map the option that names a file to its path
    (``None``: not given).
    """
    written: dict[str, str] = {}
    for flag, path in outputs.items():
        if path is None:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise CLIError(f"{flag}: {path} is a directory, expected a file name")
        if not os.path.isdir(folder):
            raise CLIError(f"{flag}: the directory of {path} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise CLIError(f"{flag}: the directory of {path} is not writable")
        for other, other_path in [*inputs.items(), *written.items()]:
            if _same_file(path, other_path):
                raise CLIError(
                    f"{flag} {path} is also {other} {other_path}: writing it would destroy "
                    "that file; choose another name"
                )
        written[flag] = path


def _same_file(path: str, other: str) -> bool:
    """Whether two paths name one file (through links too), existing or about to."""
    if os.path.exists(path) and os.path.exists(other):
        return os.path.samefile(path, other)
    return os.path.realpath(path) == os.path.realpath(other)


def check_plot_format(path: str | None) -> None:
    """Refuse, before the training, a --plot file that matplotlib cannot write."""
    if path is None:
        return
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError(
            '--plot needs matplotlib: pip install matplotlib (or pip install "skbp[examples]")'
        ) from None
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    supported = Figure().canvas.get_supported_filetypes()
    if extension not in supported:
        raise CLIError(
            f"--plot: unsupported file extension {extension!r} for {path}; use one of "
            f"{', '.join(sorted(supported))}"
        )


def write_atomically(path: str, write: Callable[[str], None], flag: str) -> None:
    """``write(temporary_path)``, then put the file at ``path`` in one step (``os.replace``).

    The temporary file is in the folder of ``path``, so the rename does not
    cross file systems, and keeps its extension, which joblib and matplotlib
    read the format from. A full disk or Ctrl-C while writing leaves what
    ``path`` held before intact, and no temporary file behind.
    """
    folder, name = os.path.split(os.path.abspath(path))
    stem, extension = os.path.splitext(name)
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else _default_mode()
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{stem}-", suffix=extension)
    except OSError as exc:
        raise CLIError(f"{flag}: cannot write {path}: {exc.strerror or exc}") from None
    os.close(descriptor)
    try:
        write(temporary)
        os.chmod(temporary, mode)  # mkstemp's files are private (0o600)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(exc, OSError):
            raise CLIError(f"{flag}: cannot write {path}: {exc.strerror or exc}") from None
        raise


def _default_mode() -> int:
    """The permissions of a new file: 0o666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_outputs(plot: str | None, save: str | None, pipeline, mlp, use: str, out: TextIO):
    """The --plot of the fitted ``mlp``'s curves and the --save of ``pipeline``."""
    if plot is not None:
        from matplotlib.figure import Figure

        from ... import TrainingCurveDisplay

        figure = Figure(figsize=(7, 4.5), layout="constrained")
        TrainingCurveDisplay.from_estimator(mlp, ax=figure.subplots())
        write_atomically(plot, figure.savefig, "--plot")
        print(f"Training curves saved to {plot}", file=out)
    if save is not None:
        write_atomically(save, lambda temporary: joblib.dump(pipeline, temporary), "--save")
        # The tabular model is saved alone: its estimator reads the table itself.
        what = "pipeline" if hasattr(pipeline, "steps") else "model"
        print(f"Fitted {what} saved to {save} (use it with {use})", file=out)
