"""PDFs printed by the job queue, never in a request (marketplace/services/documents/pdfs.py):
the "Download PDF" button asks once (one row, one job, however often it is pressed), the job
writes a real PDF that is handed out under the same name as before, the status page tells
"preparing", "taking longer", "ready", "failed" and "no longer stored" and never writes, a
failed print can be tried again, a changed document is printed again and replaces the old
file, and nobody but the owner gets an answer (404)."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs.queue import jobs_sent
from marketplace.models.document import DocumentKind, DocumentStatus, GeneratedDocument
from marketplace.services.documents import pdfs
from tests.support import factories
from tests.support.documents import document_id_of, download_pdf, stored_document
from tests.support.results import posted_deal, posts_of, reading
from tests.support.writes import WriteWatch

REPORT = DocumentKind.CAMPAIGN_REPORT


@pytest.fixture
def world(app_ctx, brand):
    """A campaign whose one posted deal has a reading of 4,200 views."""
    campaign = factories.make_campaign(brand, title="Autumn serum drop")
    creator = factories.make_creator("nina", display_name="Nina Berg")
    deal = posted_deal(brand, creator, campaign)
    reading(posts_of(deal)[0], utcnow() - timedelta(hours=3), slot="24h", views=4200,
            likes=300)
    return {"brand": brand, "campaign": campaign, "creator": creator, "deal": deal}


@pytest.fixture
def print_jobs():
    """The print jobs sent to the queue during the test (ids of their documents)."""
    sent: list[int] = []

    def note(app, jobs=(), **_):
        sent.extend(job.args[0] for job in jobs if job.name == pdfs.PRINT_JOB)

    jobs_sent.connect(note)
    yield sent
    jobs_sent.disconnect(note)


def pdf_url(campaign) -> str:
    return f"/campaigns/{campaign.id}/report.pdf"


def documents() -> list[GeneratedDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(GeneratedDocument).order_by(GeneratedDocument.id)))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_asking_twice_gives_one_document_one_job_then_the_file_at_once(world, brand_client,
                                                                       print_jobs):
    first = brand_client.post(pdf_url(world["campaign"]))
    assert first.status_code == 302
    document_id = document_id_of(first.headers["Location"])
    assert first.headers["Location"].endswith(f"/documents/{document_id}")  # the status page
    second = brand_client.post(pdf_url(world["campaign"]))
    # Printed meanwhile (the job ran after the first commit): straight to the file.
    assert second.headers["Location"].endswith(f"/documents/{document_id}/download")
    (document,) = documents()
    assert print_jobs == [document.id]
    assert (document.owner_id, document.kind, document.subject_id, document.status,
            document.attempts) == (world["brand"].user_id, REPORT, world["campaign"].id,
                                   DocumentStatus.READY, 1)


def test_the_job_writes_a_real_pdf_handed_out_under_the_old_name(world, brand_client, app):
    response = download_pdf(brand_client, pdf_url(world["campaign"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="duet-campaign-{world["campaign"].id}-report.pdf"')
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "Campaign report" in text and "Autumn serum drop" in text and "4,200" in text
    (document,) = documents()
    stored = pdfs.file_path(document)  # under the instance folder
    assert stored.parent == Path(app.config["INSTANCE_DIR"]) / "documents"
    assert stored.read_bytes() == response.data


def test_the_status_page_tells_each_state(world, brand_client):
    owner, campaign = world["brand"].user, world["campaign"]
    waiting = stored_document(owner, REPORT, campaign.id)
    page = brand_client.get(f"/documents/{waiting.id}").get_data(as_text=True)
    assert "Preparing your PDF…" in page and "<progress" in page
    assert f'data-poll="/documents/{waiting.id}/state"' in page
    assert "js/document_status.js" in page and "Check again" in page
    assert "Try again" not in page and "Download PDF" not in page
    assert brand_client.get(f"/documents/{waiting.id}/state").get_json() == {
        "state": "preparing"}
    # Not printed yet: the download address leads back to the status page.
    early = brand_client.get(f"/documents/{waiting.id}/download")
    assert early.status_code == 302 and early.headers["Location"].endswith(
        f"/documents/{waiting.id}")

    stuck = stored_document(owner, REPORT, campaign.id, html="<p>other</p>",
                            queued_minutes_ago=30)
    page = brand_client.get(f"/documents/{stuck.id}").get_data(as_text=True)
    assert "taking longer than usual" in page and "Try again" in page
    assert brand_client.get(f"/documents/{stuck.id}/state").get_json() == {"state": "slow"}

    failed = stored_document(owner, REPORT, campaign.id, html="<p>failed</p>",
                             status=DocumentStatus.FAILED, error="OSError: disk full")
    page = brand_client.get(f"/documents/{failed.id}").get_data(as_text=True)
    assert "We could not prepare your PDF" in page and 'id="document-retry"' in page
    assert "disk full" not in page  # the reason is for the logs, not for the page
    assert "data-poll" not in page and "document_status.js" not in page

    download_pdf(brand_client, pdf_url(campaign))
    ready = documents()[-1]
    page = brand_client.get(f"/documents/{ready.id}").get_data(as_text=True)
    assert "Your PDF is ready" in page and f"/documents/{ready.id}/download" in page
    assert f"duet-campaign-{campaign.id}-report.pdf" in page and "data-poll" not in page
    assert f'href="/campaigns/{campaign.id}/report"' in page  # back to the report

    pdfs.file_path(ready).unlink()  # e.g. the instance folder was wiped
    page = brand_client.get(f"/documents/{ready.id}").get_data(as_text=True)
    assert "no longer stored" in page and 'id="document-retry"' in page
    assert brand_client.get(f"/documents/{ready.id}/download").status_code == 302


def test_showing_a_document_never_writes(world, brand_client, app):
    owner, campaign = world["brand"].user, world["campaign"]
    download_pdf(brand_client, pdf_url(campaign))
    ready = documents()[-1]
    rows = [ready,
            stored_document(owner, REPORT, campaign.id, html="<p>queued</p>"),
            stored_document(owner, REPORT, campaign.id, html="<p>slow</p>",
                            queued_minutes_ago=30),
            stored_document(owner, REPORT, campaign.id, html="<p>x</p>",
                            status=DocumentStatus.FAILED)]
    for document in rows:
        for url in (f"/documents/{document.id}", f"/documents/{document.id}/state",
                    f"/documents/{document.id}/download"):
            with WriteWatch(db.engine) as watch:
                response = brand_client.get(url)
            assert response.status_code in (200, 302), url
            assert watch.writes == [] and watch.commits == 0, (url, watch.writes)
    with WriteWatch(db.engine) as watch:  # an old link to the PDF: the report page
        response = brand_client.get(pdf_url(campaign))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/campaigns/{campaign.id}/report")
    assert watch.writes == [] and watch.commits == 0


def test_nobody_but_the_owner_gets_an_answer(world, brand_client, login_as, client,
                                             admin_client):
    campaign = world["campaign"]
    download_pdf(brand_client, pdf_url(campaign))
    (document,) = documents()
    failed = stored_document(world["brand"].user, REPORT, campaign.id, html="<p>f</p>",
                             status=DocumentStatus.FAILED)
    urls = [f"/documents/{document.id}", f"/documents/{document.id}/state",
            f"/documents/{document.id}/download"]
    strangers = [login_as(factories.make_brand("otherbrand").user),
                 login_as(world["creator"].user),  # a party to a deal of the campaign
                 admin_client]
    for other in strangers:
        for url in urls:
            assert other.get(url).status_code == 404, url
        assert other.post(f"/documents/{failed.id}/retry").status_code == 404
        assert other.post(pdf_url(campaign)).status_code == 404
        assert other.get(pdf_url(campaign)).status_code == 404
    for url in urls:
        assert client.get(url).status_code == 302  # to log in
    assert brand_client.get("/documents/999999").status_code == 404
    assert documents()[-1].status == DocumentStatus.FAILED  # nobody queued it again
    assert len(documents()) == 2


def test_the_owner_who_lost_the_campaign_gets_404(world, brand_client):
    download_pdf(brand_client, pdf_url(world["campaign"]))
    (document,) = documents()
    world["campaign"].brand_id = factories.make_brand("newowner").id
    db.session.commit()
    assert brand_client.get(f"/documents/{document.id}").status_code == 404
    assert brand_client.get(f"/documents/{document.id}/download").status_code == 404


def test_a_failed_print_is_marked_failed_and_trying_again_prints_it(world, brand_client, app,
                                                                    tmp_path, print_jobs):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the documents folder should be")
    app.config["DOCUMENTS_DIR"] = str(blocked)
    asked = brand_client.post(pdf_url(world["campaign"]))
    document_id = document_id_of(asked.headers["Location"])
    (document,) = documents()
    assert document.status == DocumentStatus.FAILED and document.finished_at is not None
    assert "Error" in document.error  # FileExistsError / NotADirectoryError, for the logs
    page = brand_client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "We could not prepare your PDF" in page

    # The PDF button again: the same content, so the same row, queued once more.
    again = brand_client.post(pdf_url(world["campaign"]))
    assert document_id_of(again.headers["Location"]) == document_id
    (document,) = documents()
    assert (document.status, document.attempts) == (DocumentStatus.FAILED, 2)

    app.config["DOCUMENTS_DIR"] = str(tmp_path / "documents")  # the disk is fixed
    retried = brand_client.post(f"/documents/{document_id}/retry")
    assert retried.status_code == 302 and retried.headers["Location"].endswith(
        f"/documents/{document_id}")
    (document,) = documents()
    assert (document.status, document.error, document.attempts) == (
        DocumentStatus.READY, "", 3)
    assert brand_client.get(f"/documents/{document_id}/download").data.startswith(b"%PDF")
    brand_client.post(f"/documents/{document_id}/retry")  # ready: nothing to do
    assert print_jobs == [document_id] * 3


def test_a_stuck_or_lost_document_can_be_asked_again_a_fresh_one_cannot(world, brand_client,
                                                                        print_jobs):
    owner, campaign = world["brand"].user, world["campaign"]
    fresh = stored_document(owner, REPORT, campaign.id, html="<p>fresh</p>")
    stuck = stored_document(owner, REPORT, campaign.id, html="<p>stuck</p>",
                            queued_minutes_ago=30)
    assert brand_client.post(f"/documents/{fresh.id}/retry").status_code == 302
    assert print_jobs == []  # its job may still come: nothing queued twice
    brand_client.post(f"/documents/{stuck.id}/retry")
    assert print_jobs == [stuck.id]
    db.session.refresh(stuck)
    assert stuck.status == DocumentStatus.READY
    pdfs.file_path(stuck).unlink()  # the file went missing: the same row is printed again
    brand_client.post(f"/documents/{stuck.id}/retry")
    assert print_jobs == [stuck.id, stuck.id]
    assert brand_client.get(f"/documents/{stuck.id}/download").data.startswith(b"%PDF")
    db.session.refresh(fresh)
    assert fresh.status == DocumentStatus.QUEUED


def test_a_changed_report_is_printed_again_and_replaces_the_old_file(world, brand_client,
                                                                     print_jobs):
    download_pdf(brand_client, pdf_url(world["campaign"]))
    (old,) = documents()
    old_id, old_key, old_file = old.id, old.fingerprint, pdfs.file_path(old)
    reading(posts_of(world["deal"])[0], utcnow() - timedelta(hours=1), slot="72h",
            views=9100, likes=500)
    response = download_pdf(brand_client, pdf_url(world["campaign"]))
    assert "9,100" in pdf_text(response.data)
    (new,) = documents()  # the old version is gone, row and file
    assert new.id != old_id and new.fingerprint != old_key
    assert not old_file.exists() and pdfs.file_path(new).is_file()
    assert print_jobs == [old_id, new.id]


def test_each_person_gets_their_own_copy(app_ctx, brand, creator, login_as):
    """Two admins asking for the same invoice content get a row each (documents are
    private to whoever asked)."""
    deal = posted_deal(brand, creator, factories.make_campaign(brand))
    first = factories.make_user("a1@example.com", role="admin")
    second = factories.make_user("a2@example.com", role="admin")
    for user in (first, second):
        pdfs.request_pdf(user, DocumentKind.PAYOUT_STATEMENT, deal.id, html="<p>same</p>",
                         filename="s.pdf", title="Statement")
    assert [d.owner_id for d in documents()] == [first.id, second.id]
    client = login_as(second)
    assert client.get(f"/documents/{documents()[0].id}").status_code == 404
    assert client.get(f"/documents/{documents()[1].id}").status_code == 200


@pytest.mark.postgres
def test_a_double_click_racing_makes_one_document(app, app_ctx, world, print_jobs):
    """Four requests for the same PDF at the same instant, each in its own thread, session
    and PostgreSQL transaction: one row, one job."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    user_id, campaign_id = world["brand"].user_id, world["campaign"].id
    barrier = threading.Barrier(4)
    errors: list[str] = []

    def ask() -> None:
        with app.app_context():
            try:
                owner = db.session.get(type(world["brand"].user), user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                pdfs.request_pdf(owner, REPORT, campaign_id, html="<p>race</p>",
                                 filename="r.pdf", title="Report")
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.session.scalar(select(func.count(GeneratedDocument.id))) == 1
    assert len(print_jobs) == 1
