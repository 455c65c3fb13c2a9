"""Query budgets: each main page runs a fixed number of SQL statements, whatever the length
of its lists (3 rows or 24 rows, 20 matches), and never writes while it renders."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.services.matching import recommendations
from marketplace.services.messaging import conversations
from tests.conftest import Auth, _clear_tables
from tests.support.deals import make_deal
from tests.support.factories import make_brand, make_campaign, make_creator
from tests.support.library import QueryCounter
from tests.support.writes import WriteWatch

LIST_BUDGET = 10  # list and dashboard pages
MATCHES_BUDGET = 15  # the campaign page with its Top matches


def marketplace_of(n: int) -> dict:
    """A brand and a creator who each see `n` of everything: creators matching the brand's
    campaign, open campaigns, deals, conversations with different people, notifications."""
    brand = make_brand("viewerbrand")
    creator = make_creator("viewer", niches=("beauty", "skincare"), followers={"tiktok": 90_000},
                           bio="Skincare routines with SPF.")
    campaign = make_campaign(brand, title="Viewer campaign", niches=("beauty", "skincare"),
                             brief="Skincare routine with our SPF serum.")
    # Deals on another campaign: creators in talks about `campaign` leave its matches.
    earlier = make_campaign(brand, title="Earlier campaign", niches=("beauty",))
    for i in range(n):
        other = make_creator(f"maker{i}", niches=("beauty", "skincare"),
                             followers={"tiktok": 20_000 + 1000 * i, "instagram": 5_000},
                             bio=f"Skincare and SPF reviews, episode {i}.")
        other_brand = make_brand(f"otherbrand{i}")
        other_campaign = make_campaign(other_brand, title=f"Glow drop {i}",
                                       niches=("beauty",), brief="SPF serum routine.")
        make_deal(brand, other, campaign=earlier, state="funded")
        make_deal(other_brand, creator, campaign=other_campaign, state="submitted")
        for me, them in ((brand.user, other.user), (creator.user, other_brand.user)):
            talk = conversations.conversation_between(me, them)
            conversations.send(talk, them, f"Hello {i}")
        for user in (brand.user, creator.user):
            db.session.add(Notification(user_id=user.id, kind="deal_update",
                                        text=f"Update {i}", url=f"/elsewhere/{i}"))
    db.session.commit()
    deal = make_deal(brand, creator, campaign=earlier, state="funded")
    return {"brand": brand, "creator": creator, "campaign": campaign, "deal": deal}


PAGES = [  # (who, url template, budget)
    ("brand", "/creators/", LIST_BUDGET),
    ("creator", "/campaigns/", LIST_BUDGET),
    ("brand", "/campaigns/{campaign}", MATCHES_BUDGET),
    ("brand", "/campaigns/{campaign}/matches", MATCHES_BUDGET),
    ("creator", "/dashboard", LIST_BUDGET),
    ("brand", "/dashboard", LIST_BUDGET),
    ("brand", "/deals/{deal}", LIST_BUDGET),
    ("creator", "/deals/{deal}", LIST_BUDGET),
    ("brand", "/messages/", LIST_BUDGET),
    ("creator", "/messages/", LIST_BUDGET),
    ("brand", "/notifications/", LIST_BUDGET),
    ("creator", "/notifications/", LIST_BUDGET),
]


# What proves a page really listed its rows (so the counts are for full lists).
SHOWN_MARK = {"/campaigns/{campaign}/matches": 'data-testid="match"',
              "/campaigns/{campaign}": 'data-testid="match"',
              "/creators/": 'class="small text-muted text-truncate">@maker',
              "/campaigns/": "Glow drop", "/messages/": "Hello ",
              "/notifications/": "Update "}
SHOWN_AT_LEAST = {"/campaigns/{campaign}/matches": 20, "/campaigns/{campaign}": 5,
                  "/creators/": 20, "/campaigns/": 20, "/messages/": 20, "/notifications/": 20}


def measure(make_app, tmp_path, n: int) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """Statements per page for a marketplace of size n (the model built beforehand, and
    each page seen once first, as a worker that already serves traffic)."""
    app = make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / f"matching{n}"))
    with app.app_context():
        world = marketplace_of(n)
        recommendations.build()
        ids = {"campaign": world["campaign"].id, "deal": world["deal"].id}
        clients = {}
        for who in ("brand", "creator"):
            clients[who] = app.test_client()
            Auth(clients[who]).login(world[who].user)
        found = {}
        for who, template, _ in PAGES:
            url = template.format(**ids)
            clients[who].get(url).close()  # warm: model loaded, index changes replayed
            with WriteWatch(db.engine) as watch, QueryCounter(db.engine) as counter:
                response = clients[who].get(url)
            assert response.status_code == 200, (who, url)
            assert watch.writes == [] and watch.commits == 0, (who, url, watch.writes)
            response.close()
            shown = response.get_data(as_text=True).count(SHOWN_MARK.get(template, "\0"))
            assert shown >= min(n, SHOWN_AT_LEAST.get(template, 0)), (who, url, shown)
            found[(who, template)] = (counter.count, counter.statements)
        db.session.remove()
        _clear_tables()  # the next size starts from an empty database
        db.session.remove()
        return found


def test_main_pages_hold_their_budget_whatever_the_list_length(make_app, tmp_path):
    small = measure(make_app, tmp_path, 3)
    large = measure(make_app, tmp_path, 24)
    report = []
    for who, template, budget in PAGES:
        s, _ = small[(who, template)]
        n, statements = large[(who, template)]
        report.append(f"{who:8} {template:32} 3 rows: {s:3}  24 rows: {n:3}  budget {budget}")
    print("\n".join(report))
    for who, template, budget in PAGES:
        s, _ = small[(who, template)]
        n, statements = large[(who, template)]
        assert n <= budget, (who, template, n, statements)
        assert n - s <= 1, (who, template, s, n)  # no statement per row
