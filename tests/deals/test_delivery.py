"""Delivery: the brief checklist gating approval (defect 3: an `https://example.com` link and
no `#ad` was accepted and auto-approved), acknowledgements, the paused auto-approval, and the
submission history (defect 7: the revision note lost in the timeline, a blank resubmit form,
earlier versions gone, a portrait draft 1,000 px tall), drafts (video types, size limit, HTTP
range requests)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import event, func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealEvent, DealState, Submission
from marketplace.models.deal import SubmissionCheck
from marketplace.services.deals import deadlines as deal_jobs
from marketplace.services.deals import files as deal_files
from marketplace.services.deals.checklist import (
    ChecklistIncomplete,
    auto_approval_paused_reason,
    checklist,
    evaluate,
    on_platform,
)
from marketplace.services.deals.history import caption_diff, versions
from marketplace.services.deals.state_machine import perform
from marketplace.services.errors import DomainError, InvalidTransition
from tests.support import factories
from tests.support.deals import event_count, make_deal, snapshot

TIKTOK = "https://www.tiktok.com/@maya/video/7300000000000000001"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 8
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x01" * 600
WEBM = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81"
        b"\x08\x42\x82\x84webm\x42\x87\x81\x04" + b"\x02" * 600)
MKV = WEBM.replace(b"\x84webm", b"\x88matroska")
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x03" * 600
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(deal: Deal) -> Deal:
    db.session.expire_all()
    return db.session.get(Deal, deal.id)


def stored_drafts(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "deals"
    return sorted(folder.glob("*")) if folder.exists() else []


def submit_form(**changes) -> dict:
    return {"post_links": TIKTOK, "caption": "Morning routine #ad", "notes": "", **changes}


def post_submit(client, deal, **changes):
    return client.post(f"/deals/{deal.id}/submit", data=submit_form(**changes),
                       content_type="multipart/form-data")


@pytest.fixture
def funded(app_ctx, brand, creator):
    return make_deal(brand, creator, state="funded")


# --- defect 3: #ad missing and an example.com link ------------------------------------------

def test_defect3_no_disclosure_and_foreign_link_is_refused_and_changes_nothing(funded,
                                                                              creator):
    before = snapshot(funded)
    with pytest.raises(ChecklistIncomplete) as exc:
        perform(funded, "submit", creator.user, post_links=["https://example.com"],
                caption="Loving my new serum")
    assert set(exc.value.problems) == {"disclosure", "platform:tiktok"}
    assert "Disclosure “#ad”" in exc.value.message and "TikTok post link" in exc.value.message
    assert snapshot(funded) == before
    assert event_count(funded.id) == 0 and count(Submission) == 0


def test_defect3_refused_on_the_page_with_the_reason_beside_each_item(app, funded,
                                                                     creator_client):
    response = post_submit(creator_client, funded, post_links="https://example.com",
                           caption="Loving my new serum")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Fix each item marked below" in html
    # Each failing item carries its own message, beside its own reason field.
    disclosure = html[html.index('name="ack-disclosure"'):]
    assert "Add “#ad” to the caption" in disclosure.split("</li>")[0]
    tiktok = html[html.index('name="ack-platform:tiktok"'):]
    assert "example.com is not TikTok" in tiktok.split("</li>")[0]
    assert html.count("invalid-feedback d-block") >= 2
    # What the creator typed is kept.
    assert "Loving my new serum" in html and "https://example.com" in html
    assert count(Submission) == 0 and fresh(funded).state == DealState.FUNDED
    assert stored_drafts(app) == []


def test_defect3_acknowledged_is_accepted_but_never_auto_approved(funded, brand, creator,
                                                                 brand_client):
    reasons = {"disclosure": "The platform's Paid partnership label is switched on.",
               "platform:tiktok": "Private preview; I post on TikTok once you approve."}
    perform(funded, "submit", creator.user, post_links=["https://example.com"],
            caption="Loving my new serum", acknowledgements=reasons)
    deal = fresh(funded)
    assert deal.state == DealState.SUBMITTED
    assert deal.auto_approve_at is None and deal.auto_approval_paused
    stored = {c.key: c.acknowledgement for c in deal.latest_submission.failing_checks}
    assert stored == reasons
    # The sweeper never approves it, however late it runs ...
    for days in (3, 30, 365):
        assert deal_jobs.run_all(utcnow() + timedelta(days=days))["auto_approved"] == 0
    assert fresh(funded).state == DealState.SUBMITTED
    # ... and the auto-approve move itself refuses, even if a date were set by hand.
    deal.auto_approve_at = utcnow() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(InvalidTransition, match="paused"):
        perform(deal, "auto_approve", None)
    assert fresh(funded).state == DealState.SUBMITTED
    # Why it waits is on the submit event (what notices read) and in one sentence for pages.
    note = db.session.scalars(select(DealEvent.note).where(
        DealEvent.deal_id == deal.id, DealEvent.action == "submit")).one()
    assert "Automatic approval is paused" in note and reasons["disclosure"] in note
    deal.auto_approve_at = None
    db.session.commit()
    assert "2 brief items are not met" in auto_approval_paused_reason(fresh(funded))
    # The brand sees each item and the creator's reason, and can still approve by hand.
    html = brand_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert 'id="auto-approval-paused"' in html and "Automatic approval is paused" in html
    for reason in reasons.values():
        assert str(escape(reason)) in html
    assert "Approve although 2 brief item(s) are not met?" in html
    assert "after that it is approved automatically" not in html
    perform(fresh(funded), "approve", brand.user)
    assert fresh(funded).state == DealState.APPROVED


def test_fixed_submission_is_auto_approved_as_before(funded, creator):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Morning routine #ad")
    deal = fresh(funded)
    assert deal.auto_approve_at is not None and not deal.auto_approval_paused
    assert auto_approval_paused_reason(deal) is None
    assert all(c.passed for c in deal.latest_submission.checks)
    assert deal_jobs.run_all(deal.auto_approve_at)["auto_approved"] == 1
    assert fresh(funded).state == DealState.APPROVED


def test_acknowledging_on_the_page(funded, creator_client, brand_client):
    response = post_submit(creator_client, funded, caption="Loving my new serum", **{
        "ack-disclosure": "y",
        "ack-reason-disclosure": "Using the Paid partnership label instead."})
    assert response.status_code == 302, response.data[:400]
    deal = fresh(funded)
    assert deal.state == DealState.SUBMITTED and deal.auto_approve_at is None
    html = brand_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    checklist_card = html[html.index('id="brief-checklist"'):]
    assert "Using the Paid partnership label instead." in checklist_card
    assert "submitted without it" in checklist_card


def test_revision_after_acknowledgement_resumes_auto_approval(funded, brand, creator):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Serum time",
            acknowledgements={"disclosure": "Forgot it, sorry; will fix if you ask."})
    perform(fresh(funded), "request_revision", brand.user, note="Please add #ad, it is legal.")
    perform(fresh(funded), "submit", creator.user, post_links=[TIKTOK], caption="Serum time #ad")
    deal = fresh(funded)
    assert deal.auto_approve_at is not None and not deal.auto_approval_paused


# --- post links on the deliverable's platform -------------------------------------------------

@pytest.mark.parametrize("platform,url,ok", [
    ("tiktok", "https://www.tiktok.com/@maya/video/1", True),
    ("tiktok", "https://vm.tiktok.com/ZMabc/", True),
    ("tiktok", "https://tiktok.com/@maya", True),
    ("tiktok", "https://example.com", False),
    ("tiktok", "https://tiktok.com.evil.example/@maya", False),
    ("tiktok", "https://nottiktok.com/@maya", False),
    ("tiktok", "https://www.instagram.com/reel/abc/", False),
    ("instagram", "https://www.instagram.com/reel/abc/", True),
    ("instagram", "https://instagram.com/p/abc", True),
    ("instagram", "https://www.tiktok.com/@maya/video/1", False),
    ("youtube", "https://www.youtube.com/shorts/abc", True),
    ("youtube", "https://youtu.be/abc", True),
    ("youtube", "https://m.youtube.com/watch?v=abc", True),
    ("youtube", "https://example.com/youtube.com", False),
    ("youtube", "http://[::1", False),
])
def test_link_on_platform(platform, url, ok):
    assert on_platform(url, platform) is ok


@pytest.mark.parametrize("platform,url,ok", [
    ("tiktok", "https://vm.tiktok.com/ZMabc/", True),
    ("instagram", "https://www.instagram.com/reel/abc/", True),
    ("youtube", "https://youtu.be/abc", True),
    ("instagram", "https://example.com/reel", False),
    ("youtube", "https://www.tiktok.com/@maya/video/1", False),
])
def test_platform_item_follows_the_deals_deliverables(app_ctx, platform, url, ok):
    deal = make_deal(state="funded", deliverables=[
        {"platform": platform, "deliverable_type": "short_video", "quantity": 1}])
    items = {i.key: i for i in evaluate(deal, "#ad", [url])}
    assert items[f"platform:{platform}"].passed is ok
    assert items[f"platform:{platform}"].label.endswith("post link")


def test_each_platform_of_the_deal_needs_its_own_link_and_ugc_needs_none(app_ctx):
    deal = make_deal(state="funded", deliverables=[
        {"platform": "tiktok", "deliverable_type": "short_video", "quantity": 1},
        {"platform": "instagram", "deliverable_type": "short_video", "quantity": 1},
        {"platform": "youtube", "deliverable_type": "ugc", "quantity": 1}])
    items = {i.key: i.passed for i in evaluate(deal, "#ad", [TIKTOK])}
    assert items == {"disclosure": True, "platform:tiktok": True, "platform:instagram": False}


# --- hostile acknowledgement data ---------------------------------------------------------------

@pytest.mark.parametrize("acknowledgements,message", [
    ({"disclosure": ""}, "Or tick"),
    ({"disclosure": "   "}, "Or tick"),
    ({"disclosure": "no"}, "5-300"),
    ({"disclosure": "x" * 301}, "5-300"),
    ({"disclosure": 12345}, "Or tick"),
    ({"disclosure": ["a list", "of reasons"]}, "Or tick"),
    ({"disclosure": "Fine reason here", "teleport": "Unknown item here"}, "brief changed"),
    (["disclosure", "Fine reason here"], "must name checklist items"),
    ("disclosure", "must name checklist items"),
    (42, "must name checklist items"),
])
def test_junk_acknowledgements_are_refused_and_change_nothing(funded, creator,
                                                              acknowledgements, message):
    before = snapshot(funded)
    with pytest.raises(DomainError) as exc:
        perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="No disclosure",
                acknowledgements=acknowledgements)
    text = " ".join(getattr(exc.value, "problems", {}).values()) + exc.value.message
    assert message in text
    assert snapshot(funded) == before
    assert count(Submission) == 0 and count(SubmissionCheck) == 0


@pytest.mark.parametrize("extra", [
    {"ack-disclosure": "y", "ack-reason-disclosure": ""},
    {"ack-disclosure": "y", "ack-reason-disclosure": "r" * 5000},
    {"ack-reason-disclosure": "A reason, but the box is not ticked."},
    {"ack-teleport": "y", "ack-reason-teleport": "Acknowledges an item that does not exist"},
    {"ack-disclosure\x00": "y", "ack-reason-disclosure\x00": "NUL in the name"},
    {"ack-": "y", "ack-reason-": "empty key", "acknowledgements-²-key": "x"},
])
def test_junk_acknowledgements_on_the_page_are_4xx(app, funded, creator_client, extra):
    response = post_submit(creator_client, funded, caption="No disclosure here", **extra)
    assert response.status_code == 400
    assert b"Submit without it" in response.data
    assert count(Submission) == 0 and fresh(funded).state == DealState.FUNDED
    assert stored_drafts(app) == []


def test_acknowledging_an_item_that_passes_stores_nothing_extra(funded, creator):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Routine #ad",
            acknowledgements={"disclosure": "Not needed after all, it is there."})
    checks = fresh(funded).latest_submission.checks
    assert [(c.key, c.passed, c.acknowledgement) for c in checks] == [
        ("disclosure", True, ""), ("platform:tiktok", True, "")]


# --- history: versions, diffs, revision note, prefilled resubmit -----------------------------

def test_caption_diff_marks_words():
    runs = caption_diff("Morning routine with serum #glow",
                        "#ad Morning routine with SPF serum #glow")
    assert runs == [("insert", "#ad "), ("equal", "Morning routine with "),
                    ("insert", "SPF "), ("equal", "serum #glow")]
    assert caption_diff("same", "same") == [("equal", "same")]
    assert caption_diff("a b c", "a c") == [("equal", "a "), ("delete", "b "), ("equal", "c")]
    assert caption_diff("", "new") == [("insert", "new")]


@pytest.fixture
def revised(funded, brand, creator):
    """Version 1, a revision request, then (by the caller) maybe version 2."""
    perform(funded, "submit", creator.user, post_links=[TIKTOK],
            caption="Morning routine with serum #ad <script>alert(1)</script>",
            notes="First cut, music is a placeholder.")
    perform(fresh(funded), "request_revision", brand.user,
            note="Please show the SPF 50 label in the first 3 seconds.")
    return fresh(funded)


def test_revision_note_on_top_and_resubmit_prefilled(revised, creator_client, brand_client):
    html = creator_client.get(f"/deals/{revised.id}").get_data(as_text=True)
    note = "Please show the SPF 50 label in the first 3 seconds."
    top = html.index('id="revision-request"')
    assert top < html.index('id="submit-work"') < html.index('id="delivery-history"')
    assert note in html[top:html.index('id="submit-work"')]
    assert "asked for changes" in html[top:top + 600]
    form = html[html.index('id="submit-work"'):html.index('id="delivery-history"')]
    assert re.search(r'<textarea[^>]*name="post_links"[^>]*>\s*' + re.escape(TIKTOK), form)
    assert ("Morning routine with serum #ad &lt;script&gt;alert(1)&lt;/script&gt;"
            in form)
    assert "First cut, music is a placeholder." in form
    assert "Submit version 2" in form and "Pre-filled from version 1" in form
    brand_html = brand_client.get(f"/deals/{revised.id}").get_data(as_text=True)
    top = brand_html.index('id="revision-request"')
    assert "You asked for changes" in brand_html[top:top + 600]
    assert note in brand_html[top:top + 1000]


def test_versions_listed_newest_first_with_safe_diff(revised, creator, brand_client):
    perform(revised, "submit", creator.user, post_links=[TIKTOK, "https://vm.tiktok.com/ZM2"],
            caption="#ad Morning routine with SPF serum <b>bold</b>", notes="Label at 0:01.")
    deal = fresh(revised)
    listed = versions(deal)
    assert [v.submission.number for v in listed] == [2, 1]
    assert listed[0].links_added == ["https://vm.tiktok.com/ZM2"]
    assert listed[1].revision_request.note.startswith("Please show the SPF 50")
    html = brand_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    history = html[html.index('id="delivery-history"'):]
    assert history.index("Version 2") < history.index("Version 1")
    # Insertions and deletions are marked with <ins>/<del>, their text escaped.
    assert re.search(r'<ins class="diff-ins">.{0,80}#ad ', history)
    assert re.search(r'<ins class="diff-ins">.{0,80}SPF ', history)
    assert re.search(r'<del class="diff-del">.{0,80}&lt;script&gt;alert\(1\)&lt;/script&gt;',
                     history)
    assert "&lt;b&gt;bold&lt;/b&gt;" in history
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    # The earlier version is still there, with its notes and the brand's request.
    assert "First cut, music is a placeholder." in history
    assert "Please show the SPF 50 label in the first 3 seconds." in history
    assert "Label at 0:01." in history
    assert "Review version 2" in html
    answers = html[html.index('id="answers-request"'):][:800]
    assert "Version 2 answers what you asked for" in answers
    assert "Please show the SPF 50 label in the first 3 seconds." in answers


def test_resubmit_form_starts_from_the_previous_acknowledgements(funded, brand, creator,
                                                                 creator_client):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Serum time",
            acknowledgements={"disclosure": "Paid partnership label is on."})
    perform(fresh(funded), "request_revision", brand.user, note="Please write #ad as well.")
    html = creator_client.get(f"/deals/{funded.id}").get_data(as_text=True)
    item = html[html.index('name="ack-disclosure"') - 400:html.index('name="ack-disclosure"')]
    assert "checked" in html[html.index('name="ack-disclosure"'):][:40]
    assert "<details class=\"mt-1\" open>" in item
    reason = html[html.index('name="ack-reason-disclosure"'):][:300]
    assert "Paid partnership label is on." in reason
    # Fixing the item makes the carried-over acknowledgement moot: nothing failing is stored.
    assert post_submit(creator_client, funded, caption="Serum time #ad", **{
        "ack-disclosure": "y", "ack-reason-disclosure": "Paid partnership label is on."}
    ).status_code == 302
    assert fresh(funded).latest_submission.failing_checks == []


def test_deal_page_query_count_does_not_grow_with_versions(make_app):
    app = make_app()
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        deal = make_deal(brand, creator, state="funded", revisions_included=6)
        client = app.test_client()
        client.post("/auth/login", data={"email": brand.user.email,
                                         "password": factories.PASSWORD})

        def statements() -> int:
            hits = []
            listener = lambda *a: hits.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get(f"/deals/{deal.id}").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(hits)

        def round_trip(n: int) -> None:
            perform(fresh(deal), "submit", creator.user, post_links=[TIKTOK],
                    caption=f"Version {n} #ad", acknowledgements={})
            perform(fresh(deal), "request_revision", brand.user, note=f"Change number {n}.")

        round_trip(1)
        round_trip(2)
        few = statements()
        for n in range(3, 7):
            round_trip(n)
        many = statements()
        assert len(versions(fresh(deal))) == 6
        assert many == few, (few, many)
        db.session.remove()


# --- drafts: types, size, range requests -------------------------------------------------------

@pytest.mark.parametrize("payload,mimetype", [
    (MP4, "video/mp4"), (MOV, "video/quicktime"), (WEBM, "video/webm"), (PNG, "image/png"),
])
def test_video_and_image_drafts_are_accepted_by_content(funded, creator_client, brand_client,
                                                        payload, mimetype):
    response = post_submit(creator_client, funded, draft=(io.BytesIO(payload), "clip.bin"))
    assert response.status_code == 302, response.data[:400]
    sub = db.session.scalar(select(Submission))
    assert sub.draft_mimetype == mimetype
    html = brand_client.get(f"/deals/{funded.id}").get_data(as_text=True)
    frame = html[html.index('class="media-frame'):][:600]
    tag = "<video" if mimetype.startswith("video/") else "<img"
    assert tag in frame and f"/submissions/{sub.id}/draft" in frame


@pytest.mark.parametrize("payload,name", [
    (HEIC, "photo.mp4"), (MKV, "movie.webm"), (b"just text, not a video", "clip.mp4"),
    (b"<html><script>alert(1)</script></html>", "clip.mov"), (b"", "empty.mp4"),
])
def test_wrong_draft_types_are_refused(app, funded, creator_client, payload, name):
    response = post_submit(creator_client, funded, draft=(io.BytesIO(payload), name))
    assert response.status_code == 400
    assert b"Upload an MP4" in response.data or b"empty" in response.data
    assert count(Submission) == 0 and stored_drafts(app) == []


def test_draft_size_limit_from_setting(make_app):
    app = make_app(DRAFT_MAX_MB=1)
    with app.app_context():
        deal = make_deal(state="funded")
        client = app.test_client()
        client.post("/auth/login", data={"email": deal.creator.user.email,
                                         "password": factories.PASSWORD})
        just_over = MP4 + b"\x00" * (1024 * 1024)
        response = post_submit(client, deal, draft=(io.BytesIO(just_over), "a.mp4"))
        assert response.status_code == 400
        assert b"larger than 1 MB" in response.data
        far_over = MP4 + b"\x00" * (3 * 1024 * 1024)
        response = post_submit(client, deal, draft=(io.BytesIO(far_over), "a.mp4"))
        assert response.status_code == 413
        assert b"The draft is larger than 1 MB" in response.data
        assert b'data-max-bytes="1048576"' in response.data
        assert count(Submission) == 0 and stored_drafts(app) == []
        assert fresh(deal).state == DealState.FUNDED
        within = MP4 + b"\x00" * (900 * 1024)
        assert post_submit(client, deal, draft=(io.BytesIO(within), "a.mp4")).status_code == 302
        db.session.remove()


def test_large_video_passes_with_csrf_on(make_app):
    """The app-wide CSRF check reads the body before the view: a 13 MB video (over the
    app-wide 12 MB limit) must still reach the draft limit, and the token is still checked."""
    app = make_app(WTF_CSRF_ENABLED=True, DRAFT_MAX_MB=20)
    with app.app_context():
        deal = make_deal(state="funded")
        client = app.test_client()
        login_page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        client.post("/auth/login", data={"email": deal.creator.user.email, "csrf_token":
                                         token.group(1), "password": factories.PASSWORD})
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"',
                          page).group(1)
        video = MP4 + b"\x00" * (13 * 1024 * 1024)
        forged = post_submit(client, deal, draft=(io.BytesIO(video), "big.mp4"))
        assert forged.status_code == 400 and count(Submission) == 0
        response = post_submit(client, deal, csrf_token=token,
                               draft=(io.BytesIO(video), "big.mp4"))
        assert response.status_code == 302, response.data[:300]
        assert db.session.scalar(select(Submission)).draft_mimetype == "video/mp4"
        db.session.remove()


def test_draft_range_requests_only_for_the_parties(funded, creator_client, brand_client,
                                                   client, login_as):
    post_submit(creator_client, funded, draft=(io.BytesIO(MP4), "clip.mp4"))
    sub = db.session.scalar(select(Submission))
    url = f"/deals/{funded.id}/submissions/{sub.id}/draft"
    for party in (brand_client, creator_client):
        part = party.get(url, headers={"Range": "bytes=0-99"})
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 0-99/{len(MP4)}"
        assert part.headers["Accept-Ranges"] == "bytes"
        assert part.data == MP4[:100] and part.headers["Content-Type"] == "video/mp4"
        tail = party.get(url, headers={"Range": f"bytes={len(MP4) - 10}-"})
        assert tail.status_code == 206 and tail.data == MP4[-10:]
    assert brand_client.get(url).data == MP4
    for stranger in (login_as(factories.make_brand().user),
                     login_as(factories.make_creator().user)):
        assert stranger.get(url, headers={"Range": "bytes=0-99"}).status_code == 404
    anonymous = client.get(url, headers={"Range": "bytes=0-99"})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    other_deal = make_deal(state="funded")
    assert brand_client.get(f"/deals/{other_deal.id}/submissions/{sub.id}/draft").status_code \
        == 404


def test_resubmit_can_keep_the_previous_draft(funded, brand, creator, creator_client):
    post_submit(creator_client, funded, draft=(io.BytesIO(MP4), "clip.mp4"))
    perform(fresh(funded), "request_revision", brand.user, note="Brighter thumbnail please.")
    html = creator_client.get(f"/deals/{funded.id}").get_data(as_text=True)
    assert "Keep the draft of version 1" in html
    assert post_submit(creator_client, funded, caption="Routine v2 #ad",
                       keep_draft="y").status_code == 302
    first, second = fresh(funded).submissions
    assert second.draft_file == first.draft_file and second.draft_mimetype == "video/mp4"
    assert deal_files.draft_path(second.draft_file) is not None


def test_legacy_submission_without_stored_checks_is_checked_live(funded, creator):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Routine #ad")
    sub = fresh(funded).latest_submission
    db.session.execute(SubmissionCheck.__table__.delete())
    db.session.commit()
    db.session.expire_all()
    items = checklist(fresh(funded), db.session.get(Submission, sub.id))
    assert [(i.key, i.passed) for i in items] == [("disclosure", True), ("platform:tiktok", True)]


def test_brief_edge_cases_store_cleanly(app_ctx, brand, creator):
    """Tags differing only in case are one item; very long foreign hosts keep the stored
    detail within its column (PostgreSQL enforces lengths)."""
    campaign = factories.make_campaign(brand)
    campaign.required_hashtags = "#Glow #glow #GLOW"
    db.session.commit()
    deal = make_deal(brand, creator, campaign=campaign, state="funded")
    hosts = [f"https://{'a' * 60}{i}.{'b' * 60}.example/x" for i in range(5)]
    perform(deal, "submit", creator.user, post_links=hosts, caption="#ad #glow",
            acknowledgements={"platform:tiktok": "Preview links on our own servers."})
    checks = fresh(deal).latest_submission.checks
    assert [c.key for c in checks] == ["disclosure", "hashtag:#glow", "platform:tiktok"]
    assert all(len(c.detail) <= 400 for c in checks)


def test_next_step_says_when_auto_approval_waits(funded, brand, creator):
    perform(funded, "submit", creator.user, post_links=[TIKTOK], caption="Serum",
            acknowledgements={"disclosure": "Paid partnership label is on."})
    from marketplace.services.deals.state_machine import next_step

    deal = fresh(funded)
    assert "not approved automatically" in next_step(deal, brand.user)
    assert "not approved automatically" in next_step(deal, creator.user)
    assert "soon" not in next_step(deal, creator.user)
    plain = make_deal(brand, factories.make_creator(), state="submitted")
    assert next_step(plain, brand.user) == ("Review the submission: approve it or request a "
                                            "revision.")
