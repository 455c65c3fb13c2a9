"""save/load with joblib plus a version header checked *before* unpickling the model.

File layout: a small pickled metadata dict, then the payload, in one file. The payload is
a pickle whose large numpy arrays (the embeddings, feature columns, id maps, the text
projection) are written beside it as one ``.npy`` file each in ``<file>.arrays/`` and
loaded with ``numpy.load(mmap_mode="c")``: every process serving the same version shares
those pages through the OS page cache (one copy per machine), and an incremental update
copies only the pages it writes (copy-on-write), never the file. Files written before
this (``arrays`` absent from the header) hold a joblib payload and load as before.
``load`` reads only the header first and raises ``IncompatibleModelError`` if the file
was written with a format version it cannot read, another scikit-learn major.minor,
another numpy major or another Python major.minor; so an old/new server never silently
serves a model whose sklearn internals may have changed.

Format versions: 1 = linear/default ranker; 2 = ranker with GBM lookup tables. A model
is written with the lowest format that describes it (``file_format``), so linear models
stay loadable by servers that only know format 1, and those servers refuse GBM models.
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import platform
import shutil

import joblib
import numpy as np
import sklearn

MAGIC = "duet-matching"


class IncompatibleModelError(ValueError):
    """The saved matcher was produced by incompatible library or format versions."""


def _mm(v: str, parts: int = 2) -> str:
    return ".".join(v.split(".")[:parts])


def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "sklearn": sklearn.__version__, "joblib": joblib.__version__}


def file_format(m) -> int:
    """The writer's version: since the delivered-results features (format 3) older
    servers cannot score any model written now, whatever its ranker."""
    return m.FORMAT_VERSION


def metadata(m) -> dict:
    return {
        "magic": MAGIC,
        "format_version": file_format(m),
        **environment(),
        "saved_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "fitted_at": m.fitted_at,
        "version": m.version,
        "n_creators": m.n_creators,
        "n_campaigns": m.n_campaigns,
        "ranker_mode": m.ranker.mode,
        "evaluation": dict(m.evaluation),
    }


def check_compatible(meta: dict, formats: int | tuple[int, ...]) -> None:
    env = environment()
    formats = (formats,) if isinstance(formats, int) else tuple(formats)
    if meta.get("magic") != MAGIC:
        raise IncompatibleModelError("not a Duet matching model file")
    problems = []
    if meta.get("format_version") not in formats:
        problems.append(f"format {meta.get('format_version')} not in readable {formats}")
    if _mm(str(meta.get("sklearn", ""))) != _mm(env["sklearn"]):
        problems.append(f"scikit-learn {meta.get('sklearn')} vs installed {env['sklearn']}")
    if _mm(str(meta.get("numpy", "")), 1) != _mm(env["numpy"], 1):
        problems.append(f"numpy {meta.get('numpy')} vs installed {env['numpy']}")
    if _mm(str(meta.get("python", ""))) != _mm(env["python"]):
        problems.append(f"python {meta.get('python')} vs running {env['python']}")
    if problems:
        raise IncompatibleModelError("refusing to load matcher: " + "; ".join(problems))


EXTERNAL_MIN_BYTES = 64 * 1024  # arrays at least this large go to their own .npy file


def arrays_dir(path) -> str:
    return f"{os.fspath(path)}.arrays"


class _ArrayPickler(pickle.Pickler):
    """Pickles the model, writing each large array to its own .npy file instead."""

    def __init__(self, f, folder: str) -> None:
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder, self.count = folder, 0

    def persistent_id(self, obj):
        if (isinstance(obj, np.ndarray) and obj.dtype != object
                and obj.nbytes >= EXTERNAL_MIN_BYTES):
            name = f"a{self.count:04d}.npy"
            self.count += 1
            np.save(os.path.join(self.folder, name), np.ascontiguousarray(obj),
                    allow_pickle=False)
            return ("npy", name)
        return None


class _ArrayUnpickler(pickle.Unpickler):
    def __init__(self, f, folder: str, mmap: bool) -> None:
        super().__init__(f)
        self.folder, self.mmap = folder, mmap

    def persistent_load(self, pid):
        kind, name = pid
        if kind != "npy" or os.path.basename(name) != name:
            raise pickle.UnpicklingError(f"unknown array reference {pid!r}")
        path = os.path.join(self.folder, name)
        return np.load(path, mmap_mode="c" if self.mmap else None, allow_pickle=False)


def save(m, path) -> dict:
    """Write the header and the pickle atomically; the arrays first, to a folder named after
    the file (a new version gets a new file name, so a serving worker's arrays never change
    under it)."""
    meta = {**metadata(m), "arrays": "npy"}
    folder = arrays_dir(path)
    tmp_folder = f"{folder}.tmp"
    shutil.rmtree(tmp_folder, ignore_errors=True)
    os.makedirs(tmp_folder)
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(meta, f, protocol=pickle.HIGHEST_PROTOCOL)
        _ArrayPickler(f, tmp_folder).dump(m.__dict__)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp_folder, folder)
    os.replace(tmp, path)  # atomic: readers never see a half-written file
    return meta


def read_metadata(path) -> dict:
    with open(path, "rb") as f:
        try:
            meta = pickle.load(f)
        except Exception as e:  # noqa: BLE001 - any garbage header is "incompatible"
            raise IncompatibleModelError(f"unreadable model header: {e}") from e
    if not isinstance(meta, dict):
        raise IncompatibleModelError("unreadable model header")
    return meta


def load(path, mmap: bool = True):
    """The saved matcher; with `mmap` its large arrays are mapped from their files (shared
    between processes), otherwise read into this process's memory."""
    from .matcher import Matcher

    with open(path, "rb") as f:
        try:
            meta = pickle.load(f)
        except Exception as e:  # noqa: BLE001
            raise IncompatibleModelError(f"unreadable model header: {e}") from e
        if not isinstance(meta, dict):
            raise IncompatibleModelError("unreadable model header")
        check_compatible(meta, Matcher.READ_FORMATS)
        if meta.get("arrays") == "npy":
            state = _ArrayUnpickler(f, arrays_dir(path), mmap).load()
        else:
            state = joblib.load(f)
    m = Matcher.__new__(Matcher)
    m.__dict__.update(state)
    m.loaded_metadata = meta
    _upgrade(m)
    return m


def _upgrade(m) -> None:
    """Files written before a feature existed: the new columns read "unknown" and the model
    gives the new features no weight, so old files rank exactly as before."""
    from .features import F

    m.creators.upgrade()
    r = m.ranker
    missing = F - len(r.weights)
    if missing > 0:
        r.weights = np.concatenate([r.weights, np.zeros(missing)])
        if r.tables is not None:
            r.tables = list(r.tables) + [(np.zeros(0), np.zeros(1))] * missing
