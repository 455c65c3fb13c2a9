"""add/remove equals a refit with the same frozen text model; updates take effect."""

import dataclasses

import pytest

from matching import Matcher
from matching.synthetic import Truth, make_world, simulate_logs


def _rankings(m, world):
    out = [[(x.id, round(x.score, 12), tuple(x.reasons), x.explored)
            for x in m.rank_creators(c, k=15)] for c in world.campaigns]
    out += [[(x.id, round(x.score, 12)) for x in m.rank_campaigns(cr, k=10)]
            for cr in world.creators[::7]]
    return out


@pytest.fixture(scope="module")
def setup():
    world = make_world(500, 60, seed=11)
    A, B = world.creators[:400], world.creators[400:]
    a_ids = {c.id for c in A}
    base = Matcher(exploration_slots=0).fit(world.creators, world.campaigns[:40])
    truth = Truth(world)
    logs = simulate_logs(world, truth, lambda c, n: [x.id for x in base.rank_creators(c, n)
                                                     if x.id in a_ids], world.campaigns[:40])
    return world, A, B, logs, base.text_encoder


def test_add_equals_refit(setup):
    world, A, B, logs, enc = setup
    full = Matcher(random_state=1).fit(A + B, world.campaigns[:40], logs, text_encoder=enc)
    inc = Matcher(random_state=1).fit(A, world.campaigns[:40], logs, text_encoder=enc)
    assert inc.ranker.mode == "learned"
    for c in B:
        inc.add_creator(c)
    assert inc.n_creators == full.n_creators
    assert _rankings(inc, world) == _rankings(full, world)


def test_remove_equals_refit(setup):
    world, A, B, logs, enc = setup
    ref = Matcher().fit(A, world.campaigns[:40], logs, text_encoder=enc)
    m = Matcher().fit(A + B, world.campaigns[:40], logs, text_encoder=enc)
    for c in B[::-1]:  # swap-remove reorders rows; rankings must not care
        assert m.remove_creator(c.id)
    assert not m.remove_creator(B[0].id)
    assert _rankings(m, world) == _rankings(ref, world)


def test_campaign_add_remove_equals_refit(setup):
    world, A, B, logs, enc = setup
    ref = Matcher().fit(A, world.campaigns[:30], text_encoder=enc)
    m = Matcher().fit(A, world.campaigns[10:50], text_encoder=enc)
    for c in world.campaigns[30:50]:
        m.remove_campaign(c.id)
    for c in world.campaigns[:10]:
        m.add_campaign(c)
    for cr in A[::9]:
        assert [(x.id, x.score) for x in m.rank_campaigns(cr, k=20)] == \
               [(x.id, x.score) for x in ref.rank_campaigns(cr, k=20)]


def test_update_changes_eligibility_and_capacity_grows(setup):
    world, A, B, logs, enc = setup
    m = Matcher().fit(A[:5], text_encoder=enc)
    camp = dataclasses.replace(world.campaigns[0], countries=["US"], platforms=[],
                               min_followers=0)
    us = dataclasses.replace(A[0], country="US", audience_countries={"US": 1.0})
    m.add_creator(us)
    assert us.id in {x.id for x in m.rank_creators(camp, k=100)}
    m.add_creator(dataclasses.replace(us, country="BR", audience_countries={"BR": 0.9,
                                                                            "US": 0.05}))
    assert us.id not in {x.id for x in m.rank_creators(camp, k=100)}
    v0 = m.version
    for c in A[5:300]:  # forces several capacity doublings
        m.add_creator(c)
    assert m.n_creators == 300 and m.version != v0
    ref = Matcher().fit([m_c for m_c in A[:300] if m_c.id != us.id] + [
        dataclasses.replace(us, country="BR", audience_countries={"BR": 0.9, "US": 0.05})],
        text_encoder=enc)
    for c in world.campaigns[:10]:
        assert [x.id for x in m.rank_creators(c, k=10)] == [x.id for x in ref.rank_creators(c, 10)]
