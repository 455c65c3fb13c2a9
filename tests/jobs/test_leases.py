"""Leases and the one beat: a lease is held by one holder until it expires or is released;
of two beat schedulers only the one holding the `beat` lease sends the periodic jobs, and the
standby takes over when the first one stops; a sweep never overlaps another one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs import periodic
from marketplace.jobs.beat import LeasedScheduler
from marketplace.services.jobs import leases
from tests.support.deals import make_deal


def test_a_lease_has_one_holder_until_it_expires_or_is_released(app_ctx):
    now = utcnow()
    assert leases.acquire("beat", "a", 60, now=now)
    assert not leases.acquire("beat", "b", 60, now=now + timedelta(seconds=30))
    assert leases.acquire("beat", "a", 60, now=now + timedelta(seconds=30))  # renewed
    assert not leases.acquire("beat", "b", 60, now=now + timedelta(seconds=89))
    assert leases.acquire("beat", "b", 60, now=now + timedelta(seconds=91))  # a's expired
    assert not leases.acquire("beat", "a", 60, now=now + timedelta(seconds=92))
    leases.release("beat", "a")  # not a's any more: changes nothing
    assert not leases.acquire("beat", "a", 60, now=now + timedelta(seconds=92))
    leases.release("beat", "b")
    assert leases.acquire("beat", "a", 60, now=now + timedelta(seconds=92))
    assert leases.acquire("sweeper", "b", 60, now=now)  # another name, another lease


class RecordingScheduler(LeasedScheduler):
    """Records what it would send instead of publishing it."""

    def __init__(self, *args, holder: str, **kwargs):
        self.sent: list[str] = []
        super().__init__(*args, **kwargs)
        self.holder = holder

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry.task)

    def tick_all(self) -> None:
        """Tick until nothing more is due (beat sends one due entry per tick)."""
        for _ in range(len(self.schedule) + 1):
            self.tick()

    def make_everything_due(self) -> None:
        for entry in self.schedule.values():
            entry.last_run_at = utcnow() - timedelta(days=1)


@pytest.fixture
def schedulers(app, app_ctx, tmp_path):
    celery = app.extensions["celery"]
    made = [RecordingScheduler(app=celery, schedule_filename=str(tmp_path / name), holder=name)
            for name in ("first", "second")]
    yield made
    for scheduler in made:
        scheduler.close()


def test_only_the_beat_holding_the_lease_sends_and_a_standby_takes_over(schedulers):
    first, second = schedulers
    for scheduler in schedulers:
        scheduler.make_everything_due()
    first.tick_all()
    second.tick_all()
    assert sorted(first.sent) == ["duet.rebuild_matcher", "duet.rebuild_matcher_if_missing",
                                  "duet.sweep_deadlines"]
    assert second.sent == [] and (first.leading, second.leading) == (True, False)
    first.close()  # stopping gives the lease back
    second.tick_all()
    assert sorted(second.sent) == ["duet.rebuild_matcher", "duet.rebuild_matcher_if_missing",
                                  "duet.sweep_deadlines"]
    assert second.leading


def test_a_sweep_is_skipped_while_another_holds_the_sweeper_lease(app_ctx, brand, creator):
    deal = make_deal(brand, creator, state="submitted")
    deal.auto_approve_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert leases.acquire("sweeper", "someone-else", 300)
    assert periodic.sweep_deadlines.apply().get() is None
    db.session.refresh(deal)
    assert deal.state == "submitted"
    leases.release("sweeper", "someone-else")
    done = periodic.sweep_deadlines.apply().get()
    assert done["auto_approved"] == 1
    db.session.refresh(deal)
    assert deal.state != "submitted"
    assert leases.acquire("sweeper", "someone-else", 300)  # the sweep gave the lease back


def test_held_releases_the_lease_after_its_block_even_on_error(app_ctx):
    with leases.held("sweeper", "a", 60) as mine:
        assert mine
        with leases.held("sweeper", "b", 60) as theirs:
            assert not theirs  # a holds it: b's block runs without it
    assert leases.acquire("sweeper", "b", 60)  # released by a
    leases.release("sweeper", "b")
    with pytest.raises(RuntimeError), leases.held("sweeper", "a", 60):
        raise RuntimeError("the job failed")
    assert leases.acquire("sweeper", "b", 60)
