"""Reviews: parties only, once, only on completed deals and within the window; hidden until both
have written or the window closed; averages over revealed reviews; brand conduct."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import DealEvent
from marketplace.models.message import Message, MessageKind
from marketplace.models.notification import Notification
from marketplace.models.review import Review, ReviewSide
from marketplace.services.deals import reviews
from marketplace.services.errors import NotAllowed
from tests.support import factories
from tests.support.deals import make_deal


@pytest.fixture
def app(make_app):
    return make_app(MAIL_ENABLED=False)


@pytest.fixture
def deal(app_ctx, brand, creator):
    return make_deal(brand, creator, state="completed", completed_at=utcnow())


def review_count() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def write(client, deal, rating="5", comment="Great to work with."):
    return client.post(f"/deals/{deal.id}/review", data={"rating": rating, "comment": comment})


def test_first_review_stays_hidden_until_the_other_side_writes(app_ctx, deal, brand, creator,
                                                               brand_client, creator_client):
    r = write(brand_client, deal, "4", "Delivered on time, lovely video.")
    assert r.status_code == 302
    review = db.session.scalar(select(Review))
    assert (review.author_side, review.subject_creator_id, review.subject_brand_id) == (
        ReviewSide.BRAND, creator.id, None)
    assert review.window_closes_at == deal.completed_at + timedelta(days=14)
    assert not reviews.is_revealed(review)
    assert reviews.rating_summary(creator) == (None, 0)
    page = creator_client.get(f"/deals/{deal.id}/review")
    assert b"has written a review" in page.data
    assert b"lovely video" not in page.data

    assert write(creator_client, deal, "5", "Clear brief, paid fast.").status_code == 302
    db.session.expire_all()
    both = db.session.scalars(select(Review)).all()
    assert len(both) == 2 and all(reviews.is_revealed(r) for r in both)
    assert reviews.rating_summary(creator) == (4.0, 1)
    assert reviews.rating_summary(brand) == (5.0, 1)
    page = creator_client.get(f"/deals/{deal.id}/review")
    assert b"lovely video" in page.data
    # The reveal is announced as a notification to both, not as a chat message.
    assert db.session.scalar(select(func.count(Message.id)).where(
        Message.kind == MessageKind.SYSTEM)) == 0
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "review", Notification.text.contains("now visible"))) == 2


def test_window_closing_reveals_a_lone_review(app_ctx, deal, brand, creator):
    review = reviews.write_review(deal, brand.user, 3, "OK")
    later = utcnow() + timedelta(days=14, minutes=1)
    assert not reviews.is_revealed(review, utcnow())
    assert reviews.is_revealed(review, later)
    assert reviews.rating_summary(creator, now=later) == (3.0, 1)
    assert reviews.reveal_due_reviews(utcnow()) == 0
    assert reviews.reveal_due_reviews(later) == 1
    db.session.refresh(review)
    assert review.revealed_at == later
    assert reviews.reveal_due_reviews(later) == 0  # idempotent


def test_cannot_review_after_the_window(app_ctx, brand, creator, brand_client):
    old = make_deal(brand, creator, state="completed",
                    completed_at=utcnow() - timedelta(days=15))
    page = brand_client.get(f"/deals/{old.id}/review")
    assert b"review window for this deal has closed" in page.data
    r = write(brand_client, old)
    assert r.status_code == 303
    assert review_count() == 0


@pytest.mark.parametrize("state", ["agreed", "funded", "submitted", "approved", "paid_out",
                                   "disputed", "cancelled"])
def test_cannot_review_before_completion(app_ctx, brand, creator, brand_client, state):
    unfinished = make_deal(brand, creator, state=state)
    page = brand_client.get(f"/deals/{unfinished.id}/review")
    assert page.status_code == 200 and b"once it is completed" in page.data
    assert write(brand_client, unfinished).status_code == 303
    assert review_count() == 0


def test_only_once(app_ctx, deal, brand_client):
    assert write(brand_client, deal).status_code == 302
    r = write(brand_client, deal, "1", "changed my mind")
    assert r.status_code == 303
    assert "already reviewed" in brand_client.get(r.headers["Location"]).get_data(as_text=True)
    assert review_count() == 1
    assert db.session.scalar(select(Review.rating)) == 5


@pytest.mark.parametrize("rating, comment, message", [
    ("", "fine", b"Choose a rating from 1 to 5 stars."),
    ("0", "fine", b"Choose a rating from 1 to 5 stars."),
    ("6", "fine", b"Choose a rating from 1 to 5 stars."),
    ("-1", "fine", b"Choose a rating from 1 to 5 stars."),
    ("abc", "fine", b"Choose a rating from 1 to 5 stars."),
    ("2.5", "fine", b"Choose a rating from 1 to 5 stars."),
    ("5", "x" * 2001, b"at most 2000 characters"),
])
def test_bad_input_is_refused(app_ctx, deal, brand_client, rating, comment, message):
    r = write(brand_client, deal, rating, comment)
    assert r.status_code == 400 and message in r.data
    assert review_count() == 0


def test_outsiders_get_404_and_anonymous_goes_to_login(app_ctx, deal, login_as, client):
    for user in (factories.make_brand().user, factories.make_creator().user,
                 factories.make_user("boss@example.com", role="admin")):
        c = login_as(user)
        assert c.get(f"/deals/{deal.id}/review").status_code == 404
        assert write(c, deal).status_code == 404
    assert login_as(deal.brand.user).get("/deals/999999/review").status_code == 404
    r = client.get(f"/deals/{deal.id}/review")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert review_count() == 0


def test_service_refuses_non_parties(app_ctx, deal):
    with pytest.raises(NotAllowed):
        reviews.write_review(deal, factories.make_brand().user, 5, "")


def test_averages_count_only_revealed_reviews(app_ctx, creator):
    now = utcnow()
    for rating, revealed in ((5, True), (4, True), (1, False)):
        d = make_deal(None, creator, state="completed", completed_at=now)
        review = reviews.write_review(d, d.brand.user, rating, "")
        if revealed:
            review.revealed_at = now
    db.session.commit()
    assert reviews.rating_summary(creator) == (4.5, 2)
    assert [r.rating for r in reviews.revealed_reviews(creator)] == [4, 5]


def test_profile_includes_render(app, app_ctx, deal, brand, creator):
    reviews.write_review(deal, brand.user, 4, "Lovely & on time")
    reviews.write_review(deal, creator.user, 5, "Paid fast")
    with app.test_request_context():
        summary = render_template_string(
            '{% with subject = c %}{% include "reviews/_summary.html" %}{% endwith %}', c=creator)
        listing = render_template_string(
            '{% with subject = c %}{% include "reviews/_list.html" %}{% endwith %}', c=creator)
        conduct = render_template_string(
            '{% with brand = b %}{% include "reviews/_conduct.html" %}{% endwith %}', b=brand)
        empty = render_template_string(
            '{% with subject = c %}{% include "reviews/_summary.html" %}{% endwith %}',
            c=factories.make_creator())
    assert "4.0" in summary and "(1 review)" in summary
    assert "Lovely &amp; on time" in listing and brand.company_name in listing
    assert "Disputes" in conduct
    assert "No reviews yet" in empty


def test_brand_conduct_from_deal_events(app_ctx, brand):
    t0 = utcnow() - timedelta(days=10)

    def events(*steps):
        d = make_deal(brand, None, state="completed")
        for action, hours in steps:
            db.session.add(DealEvent(deal_id=d.id, actor_side="system", action=action,
                                     from_state="x", to_state="y",
                                     created_at=t0 + timedelta(hours=hours)))
        db.session.commit()

    assert reviews.brand_conduct(brand) == {"median_hours_submission_to_approval": None,
                                            "auto_approved_share": None, "disputes": 0}
    events(("submit", 0), ("approve", 10))
    events(("submit", 0), ("request_revision", 5), ("submit", 20), ("auto_approve", 92))
    events(("submit", 0), ("approve", 30))
    events(("submit", 0), ("dispute", 4))
    assert reviews.brand_conduct(brand) == {"median_hours_submission_to_approval": 30.0,
                                            "auto_approved_share": 0.333, "disputes": 1}
    other = factories.make_brand()
    assert reviews.brand_conduct(other)["disputes"] == 0
