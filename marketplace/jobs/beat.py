"""The one scheduler: Celery beat that sends periodic jobs only while it holds the `beat`
lease (`marketplace/services/jobs/leases.py`). A second beat started by mistake (or kept as a
standby) finds the lease taken and stays idle; when the first one dies its lease expires
after BEAT_LEASE_SECONDS and the standby takes over. Started with
`celery -A marketplace.jobs.worker beat -S marketplace.jobs.beat:LeasedScheduler`."""

from __future__ import annotations

import logging

from celery.beat import PersistentScheduler

from marketplace.jobs.periodic import holder_name
from marketplace.services.jobs import leases

log = logging.getLogger(__name__)


class LeasedScheduler(PersistentScheduler):
    """PersistentScheduler (schedule state in a local file) gated by the database lease."""

    def __init__(self, *args, **kwargs):
        self.holder = f"beat:{holder_name()}"
        self.leading = False
        super().__init__(*args, **kwargs)

    def holds_lease(self) -> bool:
        """Take or renew the lease; logs when this scheduler starts or stops leading."""
        flask_app = self.app.flask_app
        with flask_app.app_context():
            try:
                leading = leases.acquire("beat", self.holder,
                                         flask_app.config["BEAT_LEASE_SECONDS"])
            except Exception:  # noqa: BLE001  (database unreachable: send nothing this tick)
                log.exception("could not renew the beat lease")
                leading = False
        if leading != self.leading:
            log.warning("beat %s %s the schedule", self.holder,
                        "now runs" if leading else "stands by: another beat runs")
        self.leading = leading
        return leading

    def tick(self, *args, **kwargs) -> float:
        if not self.holds_lease():
            return self.standby_interval()
        return min(super().tick(*args, **kwargs), self.renew_interval())

    def renew_interval(self) -> float:
        """Renew well before the lease runs out (a third of its length)."""
        return max(1.0, self.app.flask_app.config["BEAT_LEASE_SECONDS"] / 3)

    def standby_interval(self) -> float:
        return self.renew_interval()

    def close(self) -> None:
        super().close()
        if self.leading:
            with self.app.flask_app.app_context():
                leases.release("beat", self.holder)
