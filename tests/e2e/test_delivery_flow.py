"""Delivery in two browsers: a submission missing #ad is refused until acknowledged, the brand
asks for a revision, the creator finds the note on top and the form pre-filled from version 1,
resubmits a portrait video, and the brand sees both versions, the caption diff and the paused
auto-approval. Screenshots at 1280 and 390 px wide."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState
from tests.e2e.deal_helpers import deal_state, make_agreed_deal, make_cast, person

PREVIEW = "https://drive.example.com/preview/serum"
TIKTOK = "https://www.tiktok.com/@maya/video/7300000000000000123"
NOTE = "Please write #ad in the caption and show the SPF 50 label in the first 3 seconds."

# Records a short portrait (9:16) WebM with the browser's own encoder: a real, playable file
# without ffmpeg on the machine.
RECORD_PORTRAIT_WEBM = """
async () => {
  const canvas = document.createElement('canvas'); canvas.width = 180; canvas.height = 320;
  const g = canvas.getContext('2d');
  const type = ['video/webm;codecs=vp8', 'video/webm'].find(t => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(canvas.captureStream(15), {mimeType: type});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  let frame = 0;
  const draw = setInterval(() => {
    g.fillStyle = `hsl(${frame * 12 % 360}, 70%, 60%)`; g.fillRect(0, 0, 180, 320);
    g.fillStyle = '#fff'; g.font = '28px sans-serif'; g.fillText('SPF 50', 40, 150 + frame % 20);
    frame++;
  }, 66);
  recorder.start();
  await new Promise((r) => setTimeout(r, 1200));
  recorder.stop(); clearInterval(draw);
  await new Promise((r) => { recorder.onstop = r; });
  const bytes = new Uint8Array(await new Blob(chunks, {type}).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}
"""


@pytest.fixture
def drafts(tmp_path, new_context) -> dict[str, Path]:
    image = tmp_path / "portrait.png"
    Image.new("RGB", (1080, 1920), (236, 72, 153)).save(image)
    page = new_context().new_page()
    page.goto("about:blank")
    video = tmp_path / "portrait.webm"
    video.write_bytes(base64.b64decode(page.evaluate(RECORD_PORTRAIT_WEBM)))
    page.context.close()
    return {"image": image, "video": video}


def funded_deal(app, cast) -> int:
    """An accepted offer, marked funded (paying is covered by test_payment_flow)."""
    deal_id = make_agreed_deal(app, cast)
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        deal.state, deal.funded_at = DealState.FUNDED, utcnow()
        db.session.commit()
    return deal_id


def checklist_item(page: Page, label: str):
    return page.locator("#brief-checklist-form li").filter(has_text=label)


def frame_height(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box, selector
    return box["height"]


def phone_shot(new_context, email: str, url: str, shot, name: str) -> None:
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    from tests.e2e.deal_helpers import log_in

    log_in(page, email)
    page.goto(url)
    for details in page.locator("#delivery-history details").all():
        details.evaluate("el => el.open = true")
    for media in page.locator(".media-frame > *").all():  # let lazy images load
        media.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    shot(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page scrolls sideways ({width} px)"
    page.context.close()


def test_resubmit_after_revision(e2e_app, new_context, page_problems, shot, drafts):
    cast = make_cast(e2e_app)
    deal_id = funded_deal(e2e_app, cast)
    url = f"/deals/{deal_id}"
    brand = person(new_context, cast.brand_email)
    creator = person(new_context, cast.creator_email)

    # Version 1 misses #ad and links a preview: refused, with the reason beside each item.
    creator.goto(url)
    creator.get_by_label("Post links").fill(PREVIEW)
    creator.get_by_label("Caption").fill("My new morning step with @glowlab #glowlab")
    creator.get_by_label("Draft file (optional)").set_input_files(drafts["image"])
    creator.get_by_role("button", name="Submit version 1").click()
    expect(creator.get_by_text("Fix each item marked below")).to_be_visible()
    expect(checklist_item(creator, "Disclosure")).to_contain_text("Add “#ad” to the caption")
    expect(checklist_item(creator, "TikTok post link")).to_contain_text(
        "drive.example.com is not TikTok")
    expect(creator.get_by_label("Caption")).to_have_value(
        "My new morning step with @glowlab #glowlab")
    assert deal_state(e2e_app, deal_id) == "funded"
    # The creator acknowledges both, with reasons, and sends it.
    for label, reason in (("Disclosure", "Paid partnership label is switched on in the app."),
                          ("TikTok post link", "Private preview; I post once you approve.")):
        item = checklist_item(creator, label)
        item.get_by_label("Submit without it").check()
        item.get_by_placeholder(re.compile("Why?")).fill(reason)
    creator.get_by_label("Draft file (optional)").set_input_files(drafts["image"])
    creator.get_by_role("button", name="Submit version 1").click()
    expect(creator.locator(".alert", has_text="Submitted.")).to_be_visible()
    assert deal_state(e2e_app, deal_id) == "submitted"

    # The brand sees why auto-approval waits, the reasons, and a bounded portrait draft.
    brand.goto(url)
    expect(brand.locator("#auto-approval-paused")).to_contain_text("Automatic approval is paused")
    expect(brand.locator("#brief-checklist")).to_contain_text(
        "Paid partnership label is switched on in the app.")
    assert frame_height(brand, ".media-frame img") <= 482
    brand.locator("#revision-note").fill(NOTE)
    brand.get_by_role("button", name="Request revision").click()
    expect(brand.locator("#revision-request")).to_contain_text(NOTE)

    # The creator finds the note on top and the form starting from version 1.
    creator.goto(url)
    expect(creator.locator("#revision-request")).to_contain_text(NOTE)
    expect(creator.get_by_role("heading", name=re.compile("Submit your revision"))).to_be_visible()
    expect(creator.get_by_label("Post links")).to_have_value(PREVIEW)
    expect(creator.get_by_label("Caption")).to_have_value(
        "My new morning step with @glowlab #glowlab")
    expect(creator.locator("#delivery-history")).to_contain_text("Version 1")
    expect(creator.get_by_label(re.compile("Keep the draft of version 1"))).to_be_checked()
    shot(creator, "delivery-01-revision-creator-1280")
    phone_shot(new_context, cast.creator_email, url, shot, "delivery-02-revision-creator-390")

    # Version 2: #ad added, a portrait video; the preview link is still acknowledged.
    creator.get_by_label("Caption").fill("#ad My new morning step with @glowlab #glowlab")
    creator.get_by_label("Draft file (optional)").set_input_files(drafts["video"])
    item = checklist_item(creator, "TikTok post link")
    item.get_by_label("Submit without it").check()
    item.get_by_placeholder(re.compile("Why?")).fill("Still a preview; I post once approved.")
    creator.get_by_role("button", name="Submit version 2").click()
    expect(creator.locator(".alert", has_text="Submitted.")).to_be_visible()

    # The brand: both versions, the diff, the request answered, the video playing in a frame.
    brand.goto(url)
    history = brand.locator("#delivery-history")
    expect(history).to_contain_text("Version 2")
    expect(history.locator(".caption-box ins.diff-ins").first).to_contain_text("#ad")
    expect(brand.locator("#answers-request")).to_contain_text(NOTE)
    expect(history.locator("details summary").filter(has_text="Version 1")).to_contain_text(
        "changes requested")
    expect(brand.locator("#auto-approval-paused")).to_contain_text("TikTok post link")
    video = brand.locator(".media-frame video").first
    expect(video).to_be_visible()
    brand.wait_for_function(
        "() => document.querySelector('.media-frame video').readyState >= 1", timeout=10_000)
    size = video.evaluate("v => [v.videoWidth, v.videoHeight]")
    assert size[0] < size[1], size  # portrait
    assert frame_height(brand, ".media-frame video") <= 482
    shot(brand, "delivery-03-review-brand-1280")
    phone_shot(new_context, cast.brand_email, url, shot, "delivery-04-review-brand-390")
    brand.get_by_role("button", name="Approve").click()
    expect(brand.locator(".badge").filter(has_text=re.compile("Approved|Paid out")).first
           ).to_be_visible()
