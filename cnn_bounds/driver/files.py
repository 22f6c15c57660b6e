"""Writing output files atomically, and making results JSON-safe."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


def write_atomically(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename,
    so a reader never sees a half-written file and an interrupted write leaves the old file intact.
    The file gets the mode any new file gets (0666 less the umask), not the temporary file's 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
            if hasattr(os, "fchmod"):  # POSIX; Windows has no modes to mend
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def jsonable(value):
    """Convert numpy scalars and arrays, tuples and non-finite floats (as strings) for json.dumps."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    return value


def dumps(value) -> str:
    """JSON text of ``value`` after :func:`jsonable`, indented."""
    return json.dumps(jsonable(value), indent=2)


def csv_text(rows: list[dict]) -> str:
    """CSV text of a list of flat dicts (columns: the union of their keys, in first-seen order)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(jsonable(rows))
    return buffer.getvalue()


def write_tables(folder: str | os.PathLike, tables: dict[str, list[dict]], summary: dict) -> list[Path]:
    """Write each table as NAME.csv and everything as results.json in ``folder``, each atomically."""
    written = [write_atomically(Path(folder) / f"{name}.csv", csv_text(rows)) for name, rows in tables.items() if rows]
    written.append(write_atomically(Path(folder) / "results.json", dumps(summary)))
    return written


def save_figure(figure: Figure, folder: Path, stem: str) -> list[str]:
    """Write a matplotlib figure as ``stem``.pdf and ``stem``.png to ``folder`` (atomically, reproducible PDF
    bytes); returns the file names."""
    names = []
    for extension in ("pdf", "png"):
        buffer = io.BytesIO()
        metadata = {"CreationDate": None} if extension == "pdf" else {}
        figure.savefig(buffer, format=extension, dpi=150, bbox_inches="tight", metadata=metadata)
        write_atomically(folder / f"{stem}.{extension}", buffer.getvalue())
        names.append(f"{stem}.{extension}")
    return names


def writable_folder(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` (and its parents) if needed and check that a file can be written in it,
    so a command refuses a bad output path before any work. Raises OSError naming the problem."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".cnn-bounds-probe.")
    os.close(descriptor)
    os.unlink(probe)
    return folder


def writable_file(path: str | os.PathLike) -> Path:
    """Check that the file ``path`` can be written (atomically: its folder must take a new file), creating the
    folder if needed. Raises OSError naming the problem."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder, not a file")
    writable_folder(target.parent)
    return target
