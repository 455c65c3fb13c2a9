"""Columnar, incrementally updatable stores for creators and campaigns.

Why columnar: hard constraints and features are evaluated with vectorised numpy over
contiguous arrays (followers per platform as int32 rows, country codes as int16,
audience shares as one uint16 column per country in 1/10000 units rounded down).

Why capacity doubling + swap-remove: adding a row writes into preallocated space
(amortised O(1); arrays are only reallocated when capacity doubles), removing moves
the last row into the hole, so no O(N) copy happens per update and there are no
tombstones on the hot path. Row order is therefore arbitrary; every ranking breaks
ties by id, never by row.
"""

from __future__ import annotations

import math

import numpy as np

from .types import PLATFORMS, Campaign, Creator

MAX_NICHES = 8  # niches kept per creator/campaign (first 8, in given order)
SHARE_UNITS = 10_000  # audience share resolution (0.01%)
INT32_MAX = 2**31 - 1  # followers are stored as int32 (clipped; 2.1 billion is plenty)
P = len(PLATFORMS)
PLATFORM_INDEX = {p: i for i, p in enumerate(PLATFORMS)}


class Vocab:
    """String -> small int code (append-only so codes stay valid)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def add(self, s: str) -> int:
        j = self.index.get(s)
        if j is None:
            j = len(self.items)
            self.index[s] = j
            self.items.append(s)
        return j

    def get(self, s: str) -> int:
        return self.index.get(s, -1)

    def __len__(self) -> int:
        return len(self.items)


def share_units(share: float) -> int:
    """Round down (conservative for the >= threshold filter)."""
    u = math.floor(float(share) * SHARE_UNITS + 1e-9)
    return min(max(u, 0), SHARE_UNITS)


def _niche_row(niches: list[str], vocab: Vocab) -> np.ndarray:
    row = np.full(MAX_NICHES, -1, dtype=np.int16)
    seen: list[int] = []
    for s in niches:
        j = vocab.add(s)
        if j not in seen:
            seen.append(j)
        if len(seen) == MAX_NICHES:
            break
    row[: len(seen)] = seen
    return row


class RowMap:
    """id -> row for a large store without a Python object per row: two sorted int64 arrays
    (saved as .npy files and memory-mapped, so every worker shares them) plus a small dict
    of the rows changed since (an added id, a moved row, a removed id as None)."""

    def __init__(self, ids: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        self.sorted_ids = np.ascontiguousarray(ids[order], dtype=np.int64)
        self.sorted_rows = np.ascontiguousarray(order, dtype=np.int64)
        self.changed: dict[int, int | None] = {}

    def _base(self, key: int) -> int | None:
        i = int(np.searchsorted(self.sorted_ids, key))
        if i < len(self.sorted_ids) and self.sorted_ids[i] == key:
            return int(self.sorted_rows[i])
        return None

    def get(self, key: int, default=None):
        key = int(key)
        row = self.changed[key] if key in self.changed else self._base(key)
        return default if row is None else row

    def __getitem__(self, key: int) -> int:
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    def __setitem__(self, key: int, row: int) -> None:
        self.changed[int(key)] = int(row)

    def pop(self, key: int, default=None):
        row = self.get(key)
        if row is None:
            return default
        self.changed[int(key)] = None
        return row


def _perf(c: Creator, name: str = "performance") -> float:
    """A delivered-results ratio as stored (NaN = unknown; old callers lack the field)."""
    r = getattr(c, name, None)
    return float(r) if r is not None and r > 0 else np.nan


# Store column -> Creator field: the ranked results signal and its two parts (for reasons).
RESULT_COLUMNS = (("perf", "performance"), ("perf_dollar", "per_dollar"),
                  ("perf_follower", "per_follower"))


class CreatorStore:
    def __init__(self, dim: int, countries: Vocab, niches: Vocab, capacity: int = 64) -> None:
        self.dim = dim
        self.countries = countries
        self.niches = niches
        self.n = 0
        self.cap = 0
        self.id_to_row: dict[int, int] | RowMap = {}
        self.aud: dict[int, np.ndarray] = {}  # country code -> uint16 share units
        self._alloc(max(int(capacity), 16))

    # ----------------------------------------------------------- storage
    def _alloc(self, cap: int) -> None:
        n = self.n

        old = self.__dict__
        emb = np.zeros((cap, self.dim), dtype=np.float32)
        niche = np.full((cap, MAX_NICHES), -1, dtype=np.int16)
        fol = np.zeros((P, cap), dtype=np.int32)
        if n:
            emb[:n] = old["emb"][:n]
            niche[:n] = old["niche"][:n]
            fol[:, :n] = old["followers"][:, :n]
        self.emb, self.niche, self.followers = emb, niche, fol
        for name, dtype in (("ids", np.int64), ("country", np.int16), ("rate", np.int64),
                            ("engagement", np.float32), ("rating", np.float32),
                            ("deals", np.int32), ("shown", np.int32), ("perf", np.float32),
                            ("perf_dollar", np.float32), ("perf_follower", np.float32)):
            arr = np.zeros(cap, dtype=dtype)
            if n:
                arr[:n] = old[name][:n]
            setattr(self, name, arr)
        for code, col in list(self.aud.items()):
            arr = np.zeros(cap, dtype=np.uint16)
            arr[:n] = col[:n]
            self.aud[code] = arr
        self.cap = cap

    def upgrade(self) -> None:
        """Files saved before the delivered-results columns: every creator unknown."""
        for col, _ in RESULT_COLUMNS:
            if col not in self.__dict__:
                setattr(self, col, np.full(self.cap, np.nan, dtype=np.float32))

    def _aud_col(self, code: int) -> np.ndarray:
        col = self.aud.get(code)
        if col is None:
            col = np.zeros(self.cap, dtype=np.uint16)
            self.aud[code] = col
        return col

    # -------------------------------------------------------------- rows
    def _write(self, row: int, c: Creator, emb: np.ndarray, shown: int) -> None:
        self.ids[row] = int(c.id)
        self.emb[row] = emb
        self.niche[row] = _niche_row(c.niches, self.niches)
        for p, i in PLATFORM_INDEX.items():
            self.followers[i, row] = min(max(int(c.followers.get(p, 0) or 0), 0), INT32_MAX)
        self.country[row] = self.countries.add(c.country)
        self.rate[row] = int(c.rate_cents)
        self.engagement[row] = float(c.engagement_rate)
        self.rating[row] = np.nan if c.rating is None else float(c.rating)
        self.deals[row] = int(c.completed_deals)
        for col, name in RESULT_COLUMNS:
            getattr(self, col)[row] = _perf(c, name)
        self.shown[row] = int(shown)
        for col in self.aud.values():
            col[row] = 0
        for cc, s in c.audience_countries.items():
            u = share_units(s)
            if u:
                col = self._aud_col(self.countries.add(cc))
                col[row] = min(int(col[row]) + u, SHARE_UNITS)

    def upsert(self, c: Creator, emb: np.ndarray, shown: int = 0) -> int:
        row = self.id_to_row.get(int(c.id))
        if row is None:
            if self.n == self.cap:
                self._alloc(self.cap * 2)
            row = self.n
            self.n += 1
            self.id_to_row[int(c.id)] = row
        self._write(row, c, emb, shown)
        return row

    def remove(self, cid: int) -> bool:
        row = self.id_to_row.pop(int(cid), None)
        if row is None:
            return False
        last = self.n - 1
        if row != last:
            for arr in (self.ids, self.country, self.rate, self.engagement, self.rating,
                        self.deals, self.shown, self.perf, self.perf_dollar,
                        self.perf_follower):
                arr[row] = arr[last]
            self.emb[row] = self.emb[last]
            self.niche[row] = self.niche[last]
            self.followers[:, row] = self.followers[:, last]
            for col in self.aud.values():
                col[row] = col[last]
            self.id_to_row[int(self.ids[row])] = row
        for col in self.aud.values():
            col[last] = 0
        self.n = last
        return True

    def bulk_load(self, creators: list[Creator], emb: np.ndarray, shown: dict[int, int]) -> None:
        """Vectorised initial fill (one Python pass to extract columns)."""
        n = len(creators)
        self.id_to_row = {}
        self.n = 0
        self.aud = {}
        self._alloc(max(16, n + n // 8))
        ids = np.fromiter((c.id for c in creators), dtype=np.int64, count=n)
        if len(np.unique(ids)) != n:
            raise ValueError("duplicate creator ids")
        self.ids[:n] = ids
        self.id_to_row = RowMap(ids)
        self.emb[:n] = emb
        cadd, nadd = self.countries.add, self.niches.add
        self.country[:n] = np.fromiter((cadd(c.country) for c in creators), np.int16, n)
        self.rate[:n] = np.fromiter((c.rate_cents for c in creators), np.int64, n)
        self.engagement[:n] = np.fromiter((c.engagement_rate for c in creators), np.float32, n)
        self.rating[:n] = np.fromiter(
            (np.nan if c.rating is None else c.rating for c in creators), np.float32, n)
        self.deals[:n] = np.fromiter((c.completed_deals for c in creators), np.int32, n)
        for col, name in RESULT_COLUMNS:
            getattr(self, col)[:n] = np.fromiter((_perf(c, name) for c in creators),
                                                 np.float32, n)
        self.shown[:n] = np.fromiter((shown.get(int(c.id), 0) for c in creators), np.int32, n)
        for p, i in PLATFORM_INDEX.items():
            self.followers[i, :n] = np.clip(np.fromiter(
                (c.followers.get(p, 0) or 0 for c in creators), np.int64, n), 0, INT32_MAX)
        # niches and audience: ragged -> flat lists, then scatter
        nr, nc, ar, ac, au = [], [], [], [], []
        for r, c in enumerate(creators):
            seen: list[int] = []
            for s in c.niches:
                j = nadd(s)
                if j not in seen:
                    seen.append(j)
                    if len(seen) == MAX_NICHES:
                        break
            for j in seen:
                nr.append(r)
                nc.append(j)
            for cc, s in c.audience_countries.items():
                u = share_units(s)
                if u:
                    ar.append(r)
                    ac.append(cadd(cc))
                    au.append(u)
        if nr:
            rows = np.asarray(nr, dtype=np.int64)
            codes = np.asarray(nc, dtype=np.int16)
            # slot = running index within each row
            first = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
            slot = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
            self.niche[rows, slot] = codes
        if ar:
            rows = np.asarray(ar, dtype=np.int64)
            codes = np.asarray(ac, dtype=np.int64)
            units = np.asarray(au, dtype=np.int64)
            for code in np.unique(codes).tolist():
                sel = codes == code
                acc = np.zeros(n, dtype=np.int64)
                np.add.at(acc, rows[sel], units[sel])
                self._aud_col(code)[:n] = np.minimum(acc, SHARE_UNITS)
        self.n = n


class CampaignStore:
    def __init__(self, dim: int, countries: Vocab, niches: Vocab, capacity: int = 16) -> None:
        self.dim = dim
        self.countries = countries
        self.niches = niches
        self.n = 0
        self.cap = 0
        self.ccap = 0
        self.id_to_row: dict[int, int] = {}
        self._alloc(max(int(capacity), 16), 32)

    def _alloc(self, cap: int, ccap: int) -> None:
        n, old = self.n, self.__dict__
        new = {
            "emb": np.zeros((cap, self.dim), np.float32),
            "niche": np.full((cap, MAX_NICHES), -1, np.int16),
            "plat": np.zeros((cap, P), bool),
            "cmask": np.zeros((cap, ccap), bool),
            "ids": np.zeros(cap, np.int64),
            "any_platform": np.zeros(cap, bool),
            "any_country": np.zeros(cap, bool),
            "min_followers": np.zeros(cap, np.int64),
            "budget": np.zeros(cap, np.int64),
            "n_niches": np.zeros(cap, np.int16),
        }
        if n:
            for k, arr in new.items():
                if k == "cmask":
                    arr[:n, : old[k].shape[1]] = old[k][:n]
                else:
                    arr[:n] = old[k][:n]
        self.__dict__.update(new)
        self.cap, self.ccap = cap, ccap

    def upsert(self, c: Campaign, emb: np.ndarray) -> int:
        row = self.id_to_row.get(int(c.id))
        if row is None:
            if self.n == self.cap:
                self._alloc(self.cap * 2, self.ccap)
            row = self.n
            self.n += 1
            self.id_to_row[int(c.id)] = row
        codes = [self.countries.add(cc) for cc in c.countries]
        need = max(codes, default=-1) + 1
        if need > self.ccap:
            self._alloc(self.cap, max(self.ccap * 2, need))
        self.ids[row] = int(c.id)
        self.emb[row] = emb
        self.niche[row] = _niche_row(c.niches, self.niches)
        self.n_niches[row] = int((self.niche[row] >= 0).sum())
        self.plat[row] = False
        for p in c.platforms:
            if p in PLATFORM_INDEX:
                self.plat[row, PLATFORM_INDEX[p]] = True
        self.any_platform[row] = not c.platforms
        self.any_country[row] = not c.countries
        self.cmask[row] = False
        self.cmask[row, codes] = True
        self.min_followers[row] = int(c.min_followers)
        self.budget[row] = int(c.budget_cents)
        return row

    def remove(self, cid: int) -> bool:
        row = self.id_to_row.pop(int(cid), None)
        if row is None:
            return False
        last = self.n - 1
        if row != last:
            for k in ("emb", "niche", "plat", "cmask", "ids", "any_platform", "any_country",
                      "min_followers", "budget", "n_niches"):
                arr = getattr(self, k)
                arr[row] = arr[last]
            self.id_to_row[int(self.ids[row])] = row
        self.n = last
        return True
