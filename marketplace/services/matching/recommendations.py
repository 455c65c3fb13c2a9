"""The bridge between the database and the `matching` engine.

Each process keeps one Matcher in `app.extensions["matcher"]`. Consistency across web workers:
- a model file is saved under MATCHING_DIR and stamped by a `MatcherVersion` row; a worker
  whose loaded version is not the newest loads the newest file;
- every committed change to a creator or campaign appends an `IndexChange` row (through the
  signals), and before ranking each worker replays the rows it has not applied yet, with
  `add_creator` / `add_campaign` / `remove_*` (no refit), so an edit is ranked within seconds
  by every worker without a restart.
Only open campaigns and creators with a profile are in the index.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import Integer, bindparam, func, inspect, select, union
from sqlalchemy.orm import joinedload, selectinload

import matching
from marketplace import signals, taxonomy
from marketplace.extensions import db
from marketplace.models import (
    Application,
    BrandProfile,
    Campaign,
    CampaignStatus,
    CreatorProfile,
    Deal,
    DealState,
    HiddenCreator,
    IndexChange,
    MatcherVersion,
    MatchEvent,
    OfferThread,
    Review,
)
from marketplace.services.matching import performance

SURFACE_CAMPAIGN = "campaign_top_matches"
SURFACE_CREATOR = "creator_for_you"


# ---------------------------------------------------------------- conversion
def creator_text(p: CreatorProfile) -> str:
    captions = " ".join(s.caption for s in p.samples if s.caption)
    return f"{p.display_name}. {p.bio} {' '.join(p.niches)} {captions}"


def to_creator(p: CreatorProfile, rating: float | None = None, completed: int = 0,
               results: performance.Signal | float | None = None) -> matching.Creator:
    """`results`: the creator's delivered results, or the ranked number alone (as the
    matcher indexed it: enough to rank, not to word a reason)."""
    if isinstance(results, performance.Signal):
        parts = {"performance": results.overall, "per_dollar": results.per_dollar,
                 "per_follower": results.per_follower}
    else:
        parts = {"performance": results}
    return matching.Creator(
        id=p.id, text=creator_text(p), niches=list(p.niches),
        followers={a.platform: a.followers for a in p.accounts},
        engagement_rate=p.top_engagement / 100.0,
        audience_countries={a.country: a.share / 100.0 for a in p.audience_countries},
        country=p.country or "", rate_cents=p.min_price_cents or 0,
        rating=rating, completed_deals=completed, **parts,
    )


def to_campaign(c: Campaign) -> matching.Campaign:
    return matching.Campaign(
        id=c.id, text=f"{c.title}. {c.brief} {' '.join(c.niches)}", niches=list(c.niches),
        platforms=list(c.platforms), countries=list(c.countries),
        min_followers=c.min_followers, budget_cents=c.budget_max_cents,
        creator_in_country=bool(c.creator_in_country),
    )


_CREATOR_LOAD = (selectinload(CreatorProfile.niche_links), selectinload(CreatorProfile.accounts),
                 selectinload(CreatorProfile.audience_countries),
                 selectinload(CreatorProfile.samples))
_CAMPAIGN_LOAD = (selectinload(Campaign.niche_links), selectinload(Campaign.country_links),
                  selectinload(Campaign.platform_links))


def _creator_history(creator_ids: list[int] | None = None
                     ) -> dict[int, tuple[float | None, int, performance.Signal | None]]:
    """Revealed average rating, completed deals and delivered results (`performance.py`)
    per creator: two grouped queries and the four of the results."""
    deals_q = select(Deal.creator_id, func.count()).where(
        Deal.state == DealState.COMPLETED).group_by(Deal.creator_id)
    rating_q = select(Review.subject_creator_id, func.avg(Review.rating)).where(
        Review.subject_creator_id.is_not(None), Review.revealed_at.is_not(None)
    ).group_by(Review.subject_creator_id)
    if creator_ids is not None:
        deals_q = deals_q.where(Deal.creator_id.in_(creator_ids))
        rating_q = rating_q.where(Review.subject_creator_id.in_(creator_ids))
    completed = dict(db.session.execute(deals_q).all())
    ratings = {k: float(v) for k, v in db.session.execute(rating_q).all()}
    delivered = performance.creator_performance(creator_ids)
    ids = set(completed) | set(ratings) | set(delivered)
    return {i: (ratings.get(i), int(completed.get(i, 0)), delivered.get(i)) for i in ids}


def load_creators(ids: list[int] | None = None) -> list[matching.Creator]:
    q = select(CreatorProfile).options(*_CREATOR_LOAD).order_by(CreatorProfile.id)
    if ids is not None:
        q = q.where(CreatorProfile.id.in_(ids))
    profiles = db.session.scalars(q).all()
    history = _creator_history(ids)
    return [to_creator(p, *history.get(p.id, (None, 0, None))) for p in profiles]


def load_campaigns(ids: list[int] | set[int] | None = None, *, open_only: bool = True
                   ) -> list[matching.Campaign]:
    q = select(Campaign).options(*_CAMPAIGN_LOAD).order_by(Campaign.id)
    if open_only:
        q = q.where(Campaign.status == CampaignStatus.OPEN)
    if ids is not None:
        q = q.where(Campaign.id.in_(list(ids)))
    return [to_campaign(c) for c in db.session.scalars(q).all()]


def load_open_campaigns(ids: list[int] | None = None) -> list[matching.Campaign]:
    return load_campaigns(ids, open_only=True)


def fit_matcher(creators: list[matching.Creator], outcomes: list[matching.Outcome],
                **options) -> matching.Matcher:
    """Fit with every campaign the outcomes mention (learning needs their features), then
    keep only open campaigns in the index that creators are ranked against."""
    open_ids = {c.id for c in load_open_campaigns()}
    mentioned = {o.campaign_id for o in outcomes}
    campaigns = load_campaigns(open_ids | mentioned, open_only=False)
    matcher = matching.Matcher(random_state=0, **options).fit(creators, campaigns, outcomes)
    for c in campaigns:
        if c.id not in open_ids:
            matcher.remove_campaign(c.id)
    return matcher


def load_outcomes(campaign_ids: set[int] | None = None) -> list[matching.Outcome]:
    """The outcome log, then an "outperformed" outcome for each delivered deal that did
    better than its campaign's other creators (results teach the ranker: `performance.py`)."""
    q = select(MatchEvent.campaign_id, MatchEvent.creator_id, MatchEvent.event,
               MatchEvent.position).order_by(MatchEvent.id)
    logged = [matching.Outcome(c, cr, str(e), p) for c, cr, e, p in db.session.execute(q).all()
              if campaign_ids is None or c in campaign_ids]
    return logged + performance.outperformed_outcomes(campaign_ids)


# ---------------------------------------------------------------- building
def matching_dir() -> Path:
    path = Path(current_app.config.get("MATCHING_DIR")
                or Path(current_app.config["INSTANCE_DIR"]) / "matching")
    path.mkdir(parents=True, exist_ok=True)
    return path


def build(outcomes: list[matching.Outcome] | None = None, metrics: dict | None = None
          ) -> MatcherVersion:
    """Fit on the whole database and save a new version that every worker will load."""
    last_change = db.session.scalar(select(func.max(IndexChange.id))) or 0
    creators = load_creators()
    outcomes = load_outcomes() if outcomes is None else outcomes
    matcher = fit_matcher(creators, outcomes)
    version = MatcherVersion(last_change_id=last_change, n_creators=len(creators),
                             n_campaigns=matcher.n_campaigns, n_outcomes=len(outcomes),
                             learned=matcher.ranker.learned,
                             metrics=metrics or {}, filename="pending")
    db.session.add(version)
    db.session.flush()
    # A random part: a fresh database reuses ids, and must never load an old file.
    version.filename = f"matcher-{version.id}-{uuid.uuid4().hex[:8]}.joblib"
    matcher.evaluation = dict(metrics or {})
    matcher.save(matching_dir() / version.filename)
    db.session.commit()
    return version


# ---------------------------------------------------------------- per-process engine
@dataclass
class _Loaded:
    matcher: matching.Matcher
    version_id: int
    applied_change_id: int


class Engine:
    """The Matcher this process serves from, kept in step with the database. It never fits
    a model inside a request, and never writes: with no saved model it serves an untrained
    matcher over the current creators (default weights, built in memory when the catalogue is
    small) until the periodic job (`rebuild_if_missing`) has fitted and saved one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._checked_at = float("-inf")

    def current(self) -> matching.Matcher | None:
        """The matcher to rank with, or None while matches are being prepared. The database
        is asked for a newer model or index changes at most every MATCHING_CHECK_SECONDS
        in this process (one statement; 0: on every call), so a busy worker does not pay
        it on every page while an edit still shows in the rankings within that time."""
        interval = current_app.config["MATCHING_CHECK_SECONDS"]
        with self._lock:
            now = time.monotonic()
            if self._loaded is not None and now - self._checked_at < interval:
                return self._loaded.matcher
            self._checked_at = now
            latest_id, last_change = db.session.execute(select(
                select(func.max(MatcherVersion.id)).scalar_subquery(),
                select(func.max(IndexChange.id)).scalar_subquery())).one()
            loaded_id = self._loaded.version_id if self._loaded is not None else None
            latest = (db.session.get(MatcherVersion, latest_id)
                      if latest_id is not None and latest_id != loaded_id else None)
            path = matching_dir() / latest.filename if latest is not None else None
            if latest is not None and path.exists():
                self._loaded = None  # drop the old copy before mapping the new one
                self._loaded = _Loaded(matching.Matcher.load(path, mmap=True), latest.id,
                                       latest.last_change_id)
            elif self._loaded is None:  # keep serving what is loaded until a file appears
                self._loaded = _default_matcher()
                if self._loaded is None:
                    return None
            if (last_change or 0) > self._loaded.applied_change_id:
                self._replay_changes(self._loaded)
            return self._loaded.matcher

    def state(self) -> str:
        """The model version and the last index change that `current()` serves: part of the
        key of a cached ranking (marketplace/fragments.py)."""
        loaded = self._loaded
        return f"{loaded.version_id}.{loaded.applied_change_id}" if loaded else "none"

    @staticmethod
    def _replay_changes(loaded: _Loaded) -> None:
        changes = db.session.execute(
            select(IndexChange.id, IndexChange.kind, IndexChange.entity_id)
            .where(IndexChange.id > loaded.applied_change_id).order_by(IndexChange.id)
        ).all()
        if not changes:
            return
        creator_ids = sorted({e for _, k, e in changes if k == "creator"})
        campaign_ids = sorted({e for _, k, e in changes if k == "campaign"})
        m = loaded.matcher
        found = {c.id: c for c in load_creators(creator_ids)} if creator_ids else {}
        for cid in creator_ids:
            if cid in found:
                m.add_creator(found[cid])
            else:
                m.remove_creator(cid)
        open_now = {c.id: c for c in load_open_campaigns(campaign_ids)} if campaign_ids else {}
        for cid in campaign_ids:
            if cid in open_now:
                m.add_campaign(open_now[cid])
            else:
                m.remove_campaign(cid)
        loaded.applied_change_id = changes[-1][0]


def _default_matcher() -> _Loaded | None:
    """Default weights over the current catalogue, fitted in memory (never saved), when the
    catalogue is small enough to do that within a request; None otherwise."""
    n = db.session.scalar(select(func.count(CreatorProfile.id))) or 0
    if n > current_app.config.get("MATCHING_INLINE_MAX_CREATORS", 5000):
        return None
    last_change = db.session.scalar(select(func.max(IndexChange.id))) or 0
    return _Loaded(fit_matcher(load_creators(), [], learn=False), 0, last_change)


def missing_model() -> str | None:
    """Why pages would rank with the default weights: "no saved model", "model file
    missing" (the newest version's file is not under MATCHING_DIR), or None when one is
    there to load — or matching is off (nothing is served, nothing to fit)."""
    if not current_app.config.get("MATCHING_ENABLED", True):
        return None
    filename = db.session.scalar(select(MatcherVersion.filename)
                                 .order_by(MatcherVersion.id.desc()).limit(1))
    if filename is None:
        return "no saved model"
    if not (matching_dir() / filename).exists():
        return "model file missing"
    return None


def rebuild_if_missing() -> MatcherVersion | None:
    """Fit and save a model when none can be loaded (what the every-minute job runs: pages
    never fit nor ask, they rank with the default weights meanwhile). None when a model is
    there, or matching is off."""
    return build() if missing_model() is not None else None


def preparing() -> bool:
    """True when the last ranking found no model to serve yet (the page says so)."""
    return "matcher" in current_app.extensions and engine()._loaded is None


def engine() -> Engine:
    return current_app.extensions["matcher"]


# ---------------------------------------------------------------- what pages call
@dataclass
class CreatorMatch:
    creator: CreatorProfile
    match: matching.Match


@dataclass
class CampaignMatch:
    campaign: Campaign
    match: matching.Match


CAMPAIGN_TARGETING = (joinedload(Campaign.niche_links), joinedload(Campaign.platform_links),
                      joinedload(Campaign.country_links))


def hidden_creators(brand_id: int) -> list[CreatorProfile]:
    return list(db.session.scalars(
        select(CreatorProfile).join(HiddenCreator, HiddenCreator.creator_id == CreatorProfile.id)
        .where(HiddenCreator.brand_id == brand_id).order_by(CreatorProfile.display_name)))


def hidden_creator_ids(brand: BrandProfile) -> list[int]:
    return list(db.session.scalars(select(HiddenCreator.creator_id)
                                   .where(HiddenCreator.brand_id == brand.id)))


def engaged_creator_ids(campaign: Campaign, *, with_hidden: bool = False) -> set[int]:
    """Creators already in talks with this campaign (applied or offered): not "matches";
    with `with_hidden`, also the ones its brand hid (one statement either way)."""
    return set(db.session.scalars(_engaged_creators_statement(with_hidden),
                                  {"campaign_id": campaign.id, "brand_id": campaign.brand_id}))


def engaged_campaign_ids(creator: CreatorProfile) -> set[int]:
    return set(db.session.scalars(_engaged_campaigns_statement(), {"creator_id": creator.id}))


# The two statements above are built once per process with their ids bound: building one
# cost more than running it on the pages that rank.
@cache
def _engaged_creators_statement(with_hidden: bool):
    campaign_id = bindparam("campaign_id", type_=Integer)
    parts = [select(Application.creator_id).where(Application.campaign_id == campaign_id),
             select(OfferThread.creator_id).where(OfferThread.campaign_id == campaign_id)]
    if with_hidden:
        parts.append(select(HiddenCreator.creator_id)
                     .where(HiddenCreator.brand_id == bindparam("brand_id", type_=Integer)))
    return union(*parts)


@cache
def _engaged_campaigns_statement():
    creator_id = bindparam("creator_id", type_=Integer)
    return union(select(Application.campaign_id).where(Application.creator_id == creator_id),
                 select(OfferThread.campaign_id).where(OfferThread.creator_id == creator_id))


@dataclass(frozen=True)
class RankingInputs:
    """What a ranking reads besides the model's own arrays: `key` names all of it (model
    version and applied changes, the subject, who is left out), so a page can cache the
    rendered ranking under it and a hit is what ranking again would show."""

    matcher: matching.Matcher
    exclude: set[int]
    key: str


def _ids_digest(ids: set[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:16]


def creator_ranking_inputs(campaign: Campaign) -> RankingInputs | None:
    """The inputs of `top_creators` for a campaign (None while matches are being prepared):
    two statements."""
    matcher = engine().current()
    if matcher is None:
        return None
    exclude = engaged_creator_ids(campaign, with_hidden=True)
    return RankingInputs(matcher, exclude,
                         f"campaign{campaign.id}:{engine().state()}:{_ids_digest(exclude)}")


def top_creators(campaign: Campaign, k: int = 10, hidden_ids: set[int] | None = None,
                 inputs: RankingInputs | None = None) -> list[CreatorMatch]:
    """Ranked, explained creators for a campaign, leaving out the ones its brand hid and the
    ones already applying or negotiating. Reads only: the page notes the impressions
    (`impression_pairs`) and they are written after the response."""
    if inputs is not None:
        matcher, exclude = inputs.matcher, inputs.exclude
    else:
        matcher = engine().current()
        if matcher is None:
            return []
        if hidden_ids is None:  # the caller did not load them already
            exclude = engaged_creator_ids(campaign, with_hidden=True)
        else:
            exclude = engaged_creator_ids(campaign) | hidden_ids
    matches = matcher.rank_creators(to_campaign(campaign), k=k, exclude_ids=exclude,
                                    names=taxonomy.COUNTRIES)
    ids = [m.id for m in matches]
    profiles = {p.id: p for p in db.session.scalars(
        select(CreatorProfile).where(CreatorProfile.id.in_(ids))
        .options(joinedload(CreatorProfile.accounts), joinedload(CreatorProfile.niche_links))
    ).unique()} if ids else {}
    return [CreatorMatch(profiles[m.id], m) for m in matches if m.id in profiles]


@dataclass(frozen=True)
class CreatorRankingInputs(RankingInputs):
    history: tuple = ()


def campaign_ranking_inputs(creator: CreatorProfile) -> CreatorRankingInputs | None:
    """The inputs of `campaigns_for` for a creator (None while matches are being prepared):
    two statements, three when the creator's track record is not indexed."""
    matcher = engine().current()
    if matcher is None:
        return None
    history = matcher.creator_history(creator.id)  # as indexed; the database if not indexed
    if history is None:
        history = _creator_history([creator.id]).get(creator.id, (None, 0, None))
    exclude = engaged_campaign_ids(creator)
    key = (f"creator{creator.id}:{engine().state()}:{tuple(history)!r}:"
           f"{_ids_digest(exclude)}")
    return CreatorRankingInputs(matcher, exclude, key, tuple(history))


_MATCHING_LISTS = ("niche_links", "accounts", "audience_countries", "samples")


def _load_matching_lists(creator: CreatorProfile) -> None:
    """The lists `to_creator` reads, in one statement if the page did not load them (the
    dashboard only asks whether they exist); a few rows each, so joining them is cheap."""
    unloaded = [name for name in _MATCHING_LISTS if name in inspect(creator).unloaded]
    if unloaded:
        db.session.execute(select(CreatorProfile).where(CreatorProfile.id == creator.id)
                           .options(*(joinedload(getattr(CreatorProfile, name))
                                      for name in unloaded))).unique().one()


def campaigns_for(creator: CreatorProfile, k: int = 6,
                  inputs: CreatorRankingInputs | None = None) -> list[CampaignMatch]:
    """Open campaigns ranked for a creator (leaving out ones they already applied to or
    negotiate on), with reasons. Reads only, like `top_creators`."""
    inputs = inputs or campaign_ranking_inputs(creator)
    if inputs is None:
        return []
    _load_matching_lists(creator)
    matches = inputs.matcher.rank_campaigns(to_creator(creator, *inputs.history), k=k * 2,
                                            exclude_ids=inputs.exclude,
                                            names=taxonomy.COUNTRIES)
    ids = [m.id for m in matches]
    campaigns = {c.id: c for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_(ids), Campaign.status == CampaignStatus.OPEN)
        .options(joinedload(Campaign.brand), joinedload(Campaign.niche_links))
    ).unique()} if ids else {}
    return [CampaignMatch(campaigns[m.id], m) for m in matches if m.id in campaigns][:k]


def impression_pairs(results: list[CreatorMatch] | list[CampaignMatch], *,
                     campaign: Campaign | None = None, creator: CreatorProfile | None = None
                     ) -> list[tuple[int, int]]:
    """(campaign id, creator id) for each match shown, in order, for the impressions log."""
    if campaign is not None:
        return [(campaign.id, r.creator.id) for r in results]
    return [(r.campaign.id, creator.id) for r in results]


def hide_creator(brand: BrandProfile, creator: CreatorProfile) -> None:
    if db.session.get(HiddenCreator, (brand.id, creator.id)) is None:
        db.session.add(HiddenCreator(brand_id=brand.id, creator_id=creator.id))
        db.session.commit()


def unhide_creator(brand: BrandProfile, creator: CreatorProfile) -> None:
    row = db.session.get(HiddenCreator, (brand.id, creator.id))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


# ---------------------------------------------------------------- wiring
def _note_change(kind: str, entity_id: int) -> None:
    if "matcher" not in current_app.extensions:
        return
    db.session.add(IndexChange(kind=kind, entity_id=entity_id))
    db.session.commit()


def _on_creator_changed(sender, **_) -> None:
    _note_change("creator", sender.id)


def _on_campaign_changed(sender, **_) -> None:
    _note_change("campaign", sender.id)


def init_app(app: Flask) -> None:
    """Serve matches from this app; signals (connected once per process) log index changes."""
    if not app.config.get("MATCHING_ENABLED", True):
        return
    app.extensions["matcher"] = Engine()
    signals.creator_changed.connect(_on_creator_changed)
    signals.campaign_changed.connect(_on_campaign_changed)
