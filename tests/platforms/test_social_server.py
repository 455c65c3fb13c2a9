"""The local platforms answer in each API's documented shape (what the adapters were written
against), and junk sent to /_config is refused with a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def seeded(social):
    for platform in ("tiktok", "instagram", "youtube"):
        social.add_account(platform, "mia.moves", followers=100)
    social.freeze(NOW)
    return social


def test_tiktok_shapes(seeded):
    token = seeded.token("tiktok", "mia.moves").access_token
    post = seeded.add_post("tiktok", "mia.moves", created_at=NOW - timedelta(hours=2),
                           views_per_hour=10)
    ok = requests.post(f"{seeded.base}/tiktok/v2/video/query/",
                       params={"fields": "id,view_count,share_url"},
                       json={"filters": {"video_ids": [post["id"]]}},
                       headers={"Authorization": f"Bearer {token}"}, timeout=5)
    body = ok.json()
    assert body["error"]["code"] == "ok" and body["error"]["log_id"]
    assert body["data"]["videos"] == [{"id": post["id"], "view_count": 20,
                                       "share_url": "https://www.tiktok.com/@mia.moves/video/"
                                       + post["id"]}]
    refused = requests.get(f"{seeded.base}/tiktok/v2/user/info/", params={"fields": "open_id"},
                           headers={"Authorization": "Bearer nope"}, timeout=5)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "access_token_invalid"
    bad_code = requests.post(f"{seeded.base}/tiktok/v2/oauth/token/", timeout=5, data={
        "client_key": "k", "client_secret": "s", "grant_type": "authorization_code",
        "code": "x", "redirect_uri": "http://localhost/cb"})
    assert set(bad_code.json()) == {"error", "error_description", "log_id"}


def test_graph_and_google_error_shapes(seeded):
    graph = requests.get(f"{seeded.base}/graph/v23.0/17900000000000999",
                         params={"access_token": seeded.token("instagram", "mia.moves")
                                 .access_token}, timeout=5)
    error = graph.json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert {"message", "type", "fbtrace_id"} <= set(error)
    seeded.fail("youtube", "quota")
    quota = requests.get(f"{seeded.base}/youtube/v3/videos",
                         params={"part": "statistics", "id": "x", "key": "k"}, timeout=5)
    assert quota.status_code == 403
    assert quota.json()["error"]["errors"][0]["reason"] == "quotaExceeded"


def test_deprecated_instagram_metrics_are_refused(seeded):
    post = seeded.add_post("instagram", "mia.moves")
    token = seeded.token("instagram", "mia.moves").access_token
    answer = requests.get(f"{seeded.base}/graph/v23.0/{post['media_id']}/insights",
                          params={"metric": "plays", "access_token": token}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100


@pytest.mark.parametrize(("path", "body"), [
    ("/_config/accounts", {"platform": "myspace", "handle": "x"}),
    ("/_config/accounts", {"handle": "x"}),
    ("/_config/posts", {"platform": "tiktok", "handle": "nobody"}),
    ("/_config/posts", {"platform": "tiktok", "handle": "mia.moves", "views_per_hour": "x",
                        "created_at": "yesterday"}),
    ("/_config/clock", {"now": "not a date"}),
    ("/_config/fail", {"platform": "myspace", "mode": "error"}),
])
def test_junk_config_is_a_400(seeded, path, body):
    assert requests.post(f"{seeded.base}{path}", json=body, timeout=5).status_code == 400
    assert requests.post(f"{seeded.base}{path}", data="{", timeout=5).status_code == 400
