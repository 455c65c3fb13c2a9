"""The content library (/library), the campaign ZIP, "My work" and the usage-rights notice
(defect 8: approved content had nowhere to live, usage rights had no dates)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, Notification
from marketplace.services.deals import deadlines, library
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.library import RightsStatus
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.library import MP4_HEAD, count_queries, delivered, png_bytes


@pytest.fixture
def other(app_ctx):
    return factories.make_brand(company_name="Other Brand")


def item_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'library-item" data-deal="(\d+)"', html)]


# --- the rights window: one function, and SQL that agrees with it ----------------------------

def test_rights_end_comes_from_the_approval_date_and_the_usage_rights(app_ctx, brand, creator):
    approved = utcnow() - timedelta(days=10)
    paid = delivered(brand, creator, usage="paid_30", approved_at=approved)
    assert library.rights_start(paid) == approved
    assert library.rights_end(paid) == approved + timedelta(days=30)
    assert library.rights_status(paid, utcnow()) == RightsStatus.ACTIVE
    assert library.rights_status(paid, approved + timedelta(days=24)) == RightsStatus.ENDING
    assert library.rights_status(paid, approved + timedelta(days=30)) == RightsStatus.EXPIRED
    year = delivered(brand, creator, usage="paid_365", approved_at=approved)
    assert library.rights_end(year) == approved + timedelta(days=365)
    forever = delivered(brand, creator, usage="perpetual", approved_at=approved)
    organic = delivered(brand, creator, usage="organic", approved_at=approved)
    legacy = delivered(brand, creator, usage="whatever", approved_at=approved)
    for deal, status in ((forever, RightsStatus.PERPETUAL), (organic, RightsStatus.ORGANIC),
                         (legacy, RightsStatus.ORGANIC)):
        assert library.rights_end(deal) is None
        assert library.rights_status(deal, utcnow()) == status


def test_a_dispute_paid_in_full_starts_the_rights_when_it_pays_out(app_ctx, brand, creator):
    deal = delivered(brand, creator, usage="paid_60", state="paid_out")
    paid_at = utcnow() - timedelta(days=2)
    deal.approved_at, deal.paid_out_at = None, paid_at
    db.session.commit()
    assert library.rights_end(deal) == paid_at + timedelta(days=60)


def test_the_sql_rights_filter_agrees_with_rights_status(app_ctx, brand, creator):
    now = utcnow()
    made = []
    for usage in ("organic", "paid_30", "paid_90", "perpetual"):
        for days_ago in (0, 1, 22, 23, 24, 29, 30, 31, 82, 83, 84, 89, 91, 400):
            made.append(delivered(brand, creator, usage=usage, file=None,
                                  approved_at=now - timedelta(days=days_ago, seconds=1)))
    expected = {status: {d.id for d in made if library.rights_status(d, now) == status}
                for status in RightsStatus}
    assert all(expected.values())  # every status is represented
    for status in RightsStatus:
        found = set(db.session.scalars(select(Deal.id).where(
            library.rights_status_clause(status, now))))
        assert found == expected[status], status


# --- the page -----------------------------------------------------------------------------------

def test_library_shows_the_latest_approved_submission_of_each_deal(app_ctx, brand, creator,
                                                                    other, brand_client):
    """Through the real state machine: submit, request a revision, resubmit, approve."""
    deal = make_deal(brand, creator, state="funded", usage_rights="paid_60")
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@x/v/1"],
                  caption="First cut #ad", draft=io.BytesIO(png_bytes()))
    deals.perform(deal, "request_revision", brand.user, note="Show the label, please.")
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@x/v/2"],
                  caption="Second cut with the label #ad", draft=io.BytesIO(MP4_HEAD))
    deals.perform(deal, "approve", brand.user)
    db.session.refresh(deal)
    waiting = make_deal(brand, factories.make_creator(), state="funded")
    deals.perform(waiting, "submit", waiting.creator.user,
                  post_links=["https://www.tiktok.com/@y/v/1"], caption="Not approved yet #ad")
    delivered(other, creator, caption="Someone else's content")

    html = brand_client.get("/library").get_data(as_text=True)
    assert item_ids(html) == [deal.id]
    latest = deal.latest_submission
    assert latest.number == 2
    assert "Second cut with the label" in html and "First cut" not in html
    assert "Not approved yet" not in html and "Someone else" not in html
    draft_url = f"/deals/{deal.id}/submissions/{latest.id}/draft"
    assert f'<video controls preload="metadata" muted playsinline src="{draft_url}#t=0.1"' in html
    assert f'href="{draft_url}" download' in html
    assert 'href="https://www.tiktok.com/@x/v/2"' in html
    assert creator.display_name in html and deal.campaign.title in html
    end = library.rights_end(deal)
    assert "Paid use, 60 days" in html
    assert f"From {deal.approved_at:%d %b %Y}" in html
    assert f'<span class="rights-end">{end:%d %b %Y}</span>' in html
    assert 'style="' not in html
    # The preview is served by the draft route, which checks the parties.
    assert brand_client.get(draft_url).status_code == 200


def test_every_rights_status_is_labelled(app_ctx, brand, creator, brand_client):
    now = utcnow()
    made = {RightsStatus.ACTIVE: delivered(brand, creator, usage="paid_30"),
            RightsStatus.ENDING: delivered(brand, creator, usage="paid_30",
                                           approved_at=now - timedelta(days=25)),
            RightsStatus.EXPIRED: delivered(brand, creator, usage="paid_30",
                                            approved_at=now - timedelta(days=40)),
            RightsStatus.PERPETUAL: delivered(brand, creator, usage="perpetual"),
            RightsStatus.ORGANIC: delivered(brand, creator, usage="organic")}
    html = brand_client.get("/library").get_data(as_text=True)
    for status, deal in made.items():
        card = re.search(rf'data-deal="{deal.id}" data-rights="(\w+)"', html)
        assert card and card.group(1) == status
    assert "no end date" in html and "no paid use" in html and "ended" in html


def test_filters_by_campaign_creator_platform_and_rights(app_ctx, brand, brand_client):
    maya, leo = factories.make_creator(display_name="Maya"), factories.make_creator()
    spring = factories.make_campaign(brand, title="Spring")
    autumn = factories.make_campaign(brand, title="Autumn")
    a = delivered(brand, maya, campaign=spring, platform="tiktok")
    b = delivered(brand, leo, campaign=spring, platform="instagram", usage="perpetual")
    c = delivered(brand, maya, campaign=autumn, platform="youtube",
                  approved_at=utcnow() - timedelta(days=26))
    cases = {f"campaign={spring.id}": {a.id, b.id}, f"creator={maya.id}": {a.id, c.id},
             "platform=instagram": {b.id}, "platform=youtube": {c.id},
             "rights=perpetual": {b.id}, "rights=ending": {c.id}, "rights=active": {a.id},
             "rights=expired": set(), f"campaign={spring.id}&creator={maya.id}": {a.id}}
    for query, expected in cases.items():
        html = brand_client.get(f"/library?{query}").get_data(as_text=True)
        assert set(item_ids(html)) == expected, query
    html = brand_client.get("/library?rights=expired").get_data(as_text=True)
    assert "Nothing matches these filters" in html and 'href="/library"' in html
    # The selects offer only the brand's own campaigns and creators with content.
    assert re.search(rf'<option value="{spring.id}"[^>]*>Spring</option>', html)
    assert f'value="{leo.id}"' in html


@pytest.mark.parametrize("query", [
    "campaign=99999999999999999999999999", "campaign=-1", "campaign=abc", "campaign=1e308",
    "creator=99999999999999999999", "creator=%00", "platform=myspace", "platform=",
    "rights=forever", "rights[]=x", "page=99999999999999999999", "page=-3", "page=abc",
    "page=0", "campaign=%E2%91%A0", "page=%D9%A3"])
def test_hostile_filter_values_are_ignored(app_ctx, brand, creator, brand_client, query):
    deal = delivered(brand, creator)
    r = brand_client.get(f"/library?{query}")
    assert r.status_code == 200
    assert item_ids(r.get_data(as_text=True)) == [deal.id]


def test_another_brands_campaign_or_creator_id_is_ignored(app_ctx, brand, creator, other,
                                                          brand_client):
    mine = delivered(brand, creator)
    theirs = delivered(other, factories.make_creator())
    for query in (f"campaign={theirs.campaign_id}", f"creator={theirs.creator_id}"):
        html = brand_client.get(f"/library?{query}").get_data(as_text=True)
        assert item_ids(html) == [mine.id]


def test_pagination(make_app):
    app = make_app(PER_PAGE=2)
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        now = utcnow()
        made = [delivered(brand, creator, approved_at=now - timedelta(hours=i)) for i in range(5)]
        client = app.test_client()
        client.post("/auth/login", data={"email": brand.user.email,
                                         "password": factories.PASSWORD})
        first = client.get("/library").get_data(as_text=True)
        third = client.get("/library?page=3").get_data(as_text=True)
        assert item_ids(first) == [made[0].id, made[1].id]  # newest approval first
        assert item_ids(third) == [made[4].id]
        assert "5 results" in first and 'href="/library?page=2"' in first
        db.session.remove()


def test_empty_states(app_ctx, brand, brand_client, login_as):
    html = brand_client.get("/library").get_data(as_text=True)
    assert "No approved content yet" in html and 'href="/deals/"' in html
    user = factories.make_user("fresh-brand@example.com", role="brand")
    html = login_as(user).get("/library").get_data(as_text=True)
    assert "Set up your brand profile first" in html


def test_only_brands_open_the_library(app_ctx, client, creator_client, admin_client):
    assert creator_client.get("/library").status_code == 403
    assert admin_client.get("/library").status_code == 403
    r = client.get("/library")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_library_items_of_other_brands_are_404(app_ctx, brand, creator, other, brand_client):
    theirs = delivered(other, creator)
    sub = theirs.latest_submission
    assert brand_client.get(f"/deals/{theirs.id}/submissions/{sub.id}/draft").status_code == 404


def test_library_page_runs_a_bounded_number_of_queries(app_ctx, brand, brand_client):
    creators = [factories.make_creator() for _ in range(6)]
    campaigns = [factories.make_campaign(brand, title=f"C{i}") for i in range(4)]
    delivered(brand, creators[0], campaign=campaigns[0])
    few = count_queries(brand_client, "/library")
    for i in range(23):
        delivered(brand, creators[i % 6], campaign=campaigns[i % 4], takes=1 + i % 3,
                  platform=("tiktok", "instagram", "youtube")[i % 3],
                  usage=("paid_30", "perpetual", "organic")[i % 3])
    many = count_queries(brand_client, "/library")
    html = brand_client.get("/library").get_data(as_text=True)
    assert len(item_ids(html)) == 24
    assert many == few and many <= 14, (few, many)
    filtered = count_queries(brand_client, f"/library?campaign={campaigns[1].id}&rights=active")
    assert filtered <= 14


# --- the campaign ZIP -------------------------------------------------------------------------

def test_campaign_zip_has_the_original_files_and_a_manifest(app_ctx, brand, brand_client):
    maya = factories.make_creator("maya_zip", display_name="Maya Chen")
    campaign = factories.make_campaign(brand, title="SPF launch")
    approved = utcnow() - timedelta(days=3)
    photo = delivered(brand, maya, campaign=campaign, approved_at=approved, takes=2)
    clip = delivered(brand, maya, campaign=campaign, file=MP4_HEAD, usage="perpetual")
    links_only = delivered(brand, factories.make_creator(), campaign=campaign, file=None,
                           caption="=HYPERLINK(\"http://evil\")", usage="organic")
    delivered(brand, maya)  # another campaign: not in this ZIP

    r = brand_client.get(f"/library/campaigns/{campaign.id}/content.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert "attachment" in r.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = archive.namelist()
    assert "manifest.csv" in names and len(names) == 3  # two files and the manifest
    photo_name = next(n for n in names if f"deal{photo.id}-v2" in n)
    assert photo_name.endswith(".png") and "maya_zip" in photo_name
    assert archive.read(photo_name) == png_bytes()
    clip_name = next(n for n in names if f"deal{clip.id}-v1" in n)
    assert archive.read(clip_name) == MP4_HEAD
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    by_deal = {int(row["deal"]): row for row in rows}
    assert set(by_deal) == {photo.id, clip.id, links_only.id}
    row = by_deal[photo.id]
    assert row["creator"] == "Maya Chen" and row["file"] == photo_name
    assert row["caption"].endswith("(take 2)") and row["submission"] == "2"
    assert row["post_links"] == photo.latest_submission.post_links[0]
    assert row["rights_start"] == approved.date().isoformat()
    assert row["rights_end"] == library.rights_end(photo).date().isoformat()
    assert by_deal[clip.id]["rights_end"] == "never"
    assert by_deal[links_only.id]["file"] == "" and by_deal[links_only.id]["rights_end"] == ""
    assert by_deal[links_only.id]["caption"].startswith("'=HYPERLINK")  # not a formula


def test_zip_is_only_for_the_brands_own_campaign(app_ctx, brand, creator, other, brand_client,
                                                 creator_client, client):
    theirs = delivered(other, creator)
    url = f"/library/campaigns/{theirs.campaign_id}/content.zip"
    assert brand_client.get(url).status_code == 404
    assert brand_client.get("/library/campaigns/999999/content.zip").status_code == 404
    assert brand_client.get("/library/campaigns/99999999999999999999/content.zip"
                            ).status_code == 404
    assert creator_client.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_zip_of_a_campaign_without_approved_content_explains(app_ctx, brand, brand_client):
    campaign = factories.make_campaign(brand)
    make_deal(brand, factories.make_creator(), campaign=campaign, state="submitted")
    r = brand_client.get(f"/library/campaigns/{campaign.id}/content.zip",
                         follow_redirects=True)
    assert r.status_code == 200
    assert "no approved content to download yet" in r.get_data(as_text=True)


# --- the creator's work ---------------------------------------------------------------------

def test_creator_sees_their_approved_work_with_rights_dates(app_ctx, brand, creator, other,
                                                             creator_client, brand_client):
    mine = delivered(brand, creator, usage="paid_90")
    elsewhere = delivered(other, creator, usage="perpetual")
    delivered(brand, factories.make_creator(), caption="Not mine")
    make_deal(brand, creator, state="funded")
    html = creator_client.get("/library/my-work").get_data(as_text=True)
    assert set(item_ids(html)) == {mine.id, elsewhere.id}
    assert "Not mine" not in html
    assert brand.company_name in html and "Other Brand" in html
    assert f'<span class="rights-end">{library.rights_end(mine):%d %b %Y}</span>' in html
    sub = mine.latest_submission
    assert creator_client.get(f"/deals/{mine.id}/submissions/{sub.id}/draft").status_code == 200
    assert brand_client.get("/library/my-work").status_code == 403


def test_creator_without_work_gets_an_empty_state(creator_client):
    html = creator_client.get("/library/my-work").get_data(as_text=True)
    assert "No approved work yet" in html


def test_navigation_links(brand_client, creator_client):
    assert 'href="/library">Library</a>' in brand_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/library/my-work">My work</a>' in creator_client.get("/dashboard").get_data(
        as_text=True)


# --- the notice before paid use ends ----------------------------------------------------------

def usage_notices(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "usage_rights")))


def test_brand_is_told_once_seven_days_before_paid_use_ends(app_ctx, brand, creator):
    now = utcnow()
    ending = delivered(brand, creator, usage="paid_30", approved_at=now - timedelta(days=24))
    delivered(brand, creator, usage="paid_30", approved_at=now - timedelta(days=20))  # 10 left
    delivered(brand, creator, usage="paid_30", approved_at=now - timedelta(days=31))  # ended
    delivered(brand, creator, usage="perpetual", approved_at=now - timedelta(days=400))
    delivered(brand, creator, usage="organic", approved_at=now - timedelta(days=24))
    not_approved = make_deal(brand, factories.make_creator(), state="disputed",
                             usage_rights="paid_30", approved_at=now - timedelta(days=24))
    assert not_approved.state == "disputed"

    assert deadlines.notify_usage_ending(now) == 1
    [note] = usage_notices(brand.user)
    end = library.rights_end(ending)
    assert f"ends on {end:%d %b %Y}" in note.text and creator.display_name in note.text
    assert note.url == f"/library?campaign={ending.campaign_id}"
    db.session.refresh(ending)
    assert ending.usage_notice_sent_at is not None
    # Running again (or the whole job list) sends nothing more.
    assert deadlines.notify_usage_ending(now + timedelta(hours=1)) == 0
    assert deadlines.run_all(now + timedelta(hours=2))["usage_notices"] == 0
    assert len(usage_notices(brand.user)) == 1
    assert usage_notices(creator.user) == []


def test_usage_notice_job_is_part_of_run_all(app_ctx, brand, creator):
    now = utcnow()
    delivered(brand, creator, usage="paid_60", approved_at=now - timedelta(days=55))
    assert deadlines.run_all(now)["usage_notices"] == 1
    assert len(usage_notices(brand.user)) == 1

