"""TF-IDF + TruncatedSVD text encoder with a fast single-document path.

Why: the query path must not run the sklearn transform chain (tokeniser ->
sparse matrix -> idf diag product -> normalise -> SVD) for every request. We keep
the fitted vocabulary, idf vector and SVD projection ``W`` (vocab x dim) and
project one document with a dict lookup plus a small dense product.

Both the batch path (sklearn transform + sparse@dense) and the single-doc path end
in the same quantisation step (components rounded to a 2**-15 grid, then float32),
so a document encodes to bit-identical vectors either way (up to astronomically
rare rounding ties). That is what makes ``add_creator`` equal to a refit with the
same frozen text model.

For very large corpora the vectorizer+SVD are fitted on a seeded sample of
``fit_sample`` documents (default 50k) and then applied to all documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

_Q = float(2**15)


def _finish(y: np.ndarray) -> np.ndarray:
    """L2-normalise rows (float64) then quantise -> float32."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        n = math.sqrt(float(y @ y))
        if n > 0:
            y = y / n
    else:
        n = np.sqrt(np.einsum("ij,ij->i", y, y))
        n[n == 0] = 1.0
        y = y / n[:, None]
    return (np.round(y * _Q) / _Q).astype(np.float32)


class TextEncoder:
    """Fitted once; encodes any text to an L2-normalised ``dim``-vector (float32)."""

    def __init__(
        self,
        dim: int = 64,
        fit_sample: int = 50_000,
        max_features: int = 100_000,
        random_state: int = 0,
    ) -> None:
        self.dim = int(dim)
        self.fit_sample = int(fit_sample)
        self.max_features = int(max_features)
        self.random_state = int(random_state)
        self.vectorizer: TfidfVectorizer | None = None
        self.W = np.zeros((0, self.dim))  # vocab x dim projection (float64)
        self._vocab: dict[str, int] = {}
        self._idf = np.zeros(0)
        self._analyzer = None

    # ------------------------------------------------------------------ fit
    def fit(self, docs: Sequence[str]) -> TextEncoder:
        docs = list(docs)
        if len(docs) > self.fit_sample:
            rng = np.random.default_rng(self.random_state)
            idx = np.sort(rng.choice(len(docs), self.fit_sample, replace=False))
            docs = [docs[i] for i in idx]
        vec = TfidfVectorizer(
            sublinear_tf=True,
            min_df=2 if len(docs) >= 1000 else 1,
            max_features=self.max_features,
            dtype=np.float64,
        )
        try:
            X = vec.fit_transform(docs)
        except ValueError:  # empty vocabulary (no usable tokens at all)
            self.vectorizer, self.W = None, np.zeros((0, self.dim))
            self._vocab, self._idf, self._analyzer = {}, np.zeros(0), None
            return self
        vec.stop_words_ = None  # can be huge; not needed to transform
        V = X.shape[1]
        if self.dim >= V or X.shape[0] <= self.dim:
            # Tiny corpus: SVD would be degenerate; use the (padded) identity so the
            # similarity is plain TF-IDF cosine.
            k = min(V, self.dim)
            W = np.zeros((V, self.dim))
            if self.dim >= V:
                W[np.arange(V), np.arange(V)] = 1.0
            else:
                svd = TruncatedSVD(k - 1 if k > 1 else 1, random_state=self.random_state)
                svd.fit(X)
                W[:, : svd.components_.shape[0]] = svd.components_.T
        else:
            svd = TruncatedSVD(self.dim, algorithm="randomized", n_iter=5,
                               random_state=self.random_state)
            svd.fit(X)
            W = np.ascontiguousarray(svd.components_.T, dtype=np.float64)
        self.vectorizer = vec
        self.W = W
        self._vocab = dict(vec.vocabulary_)
        self._idf = np.asarray(vec.idf_, dtype=np.float64)
        self._analyzer = vec.build_analyzer()
        return self

    # ------------------------------------------------------------ encoding
    def encode_many(self, docs: Sequence[str], chunk: int = 100_000) -> np.ndarray:
        """Batch path: sklearn tokenisation + sparse @ dense projection."""
        out = np.zeros((len(docs), self.dim), dtype=np.float32)
        if self.vectorizer is None or len(docs) == 0:
            return out
        for s in range(0, len(docs), chunk):
            part = docs[s : s + chunk]
            X = self.vectorizer.transform(part)
            out[s : s + len(part)] = _finish(np.asarray(X @ self.W))
        return out

    def encode(self, doc: str) -> np.ndarray:
        """Single-doc fast path (no sparse matrices): ~tens of microseconds."""
        if self._analyzer is None:
            return np.zeros(self.dim, dtype=np.float32)
        counts: dict[int, int] = {}
        vocab = self._vocab
        for tok in self._analyzer(doc):
            j = vocab.get(tok)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(self.dim, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        w = (np.log(tf) + 1.0) * self._idf[idx]
        w /= math.sqrt(float(w @ w))
        return _finish(w @ self.W[idx])

    # --------------------------------------------------------- persistence
    def __getstate__(self) -> dict:
        st = self.__dict__.copy()
        st["_analyzer"] = None  # rebuilt on load
        return st

    def __setstate__(self, st: dict) -> None:
        self.__dict__.update(st)
        self._analyzer = self.vectorizer.build_analyzer() if self.vectorizer is not None else None
