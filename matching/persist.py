"""save/load with joblib plus a version header checked *before* unpickling the model.

File layout: a small pickled metadata dict, then the joblib payload, in one file.
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
    """Format 1 unless the ranker needs the GBM tables (then the writer's version)."""
    return m.FORMAT_VERSION if getattr(m.ranker, "mode", "") == "gbm" else min(1, m.FORMAT_VERSION)


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


def save(m, path) -> dict:
    meta = metadata(m)
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(meta, f, protocol=pickle.HIGHEST_PROTOCOL)
        joblib.dump(m.__dict__, f)
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


def load(path):
    from .matcher import Matcher

    with open(path, "rb") as f:
        try:
            meta = pickle.load(f)
        except Exception as e:  # noqa: BLE001
            raise IncompatibleModelError(f"unreadable model header: {e}") from e
        if not isinstance(meta, dict):
            raise IncompatibleModelError("unreadable model header")
        check_compatible(meta, Matcher.READ_FORMATS)
        state = joblib.load(f)
    m = Matcher.__new__(Matcher)
    m.__dict__.update(state)
    m.loaded_metadata = meta
    return m
