"""`services/platforms/posts.read_post`: what a monitoring job gets for a creator's post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.platforms import AuthExpired, PostNotFound
from marketplace.services.platforms import accounts, links, posts
from tests.platforms.conftest import connect
from tests.platforms.test_connections import account_row

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def mia(app, creator, creator_client, social):
    """A creator whose TikTok, Instagram and YouTube are connected, with one post on each."""
    made = {}
    for platform in ("tiktok", "instagram", "youtube"):
        social.add_account(platform, "mia.moves", followers=5000)
        connect(creator_client, platform, "mia.moves")
        made[platform] = social.add_post(platform, "mia.moves",
                                         created_at=NOW - timedelta(hours=4), views_per_hour=250,
                                         caption="Glow serum #ad", short_code="ZMmia0001")
    social.freeze(NOW)
    return made


def test_reads_a_connected_creators_posts_with_their_numbers(app, creator, mia):
    urls = {"tiktok": "https://vm.tiktok.com/ZMmia0001/",
            "instagram": f"https://www.instagram.com/reel/{mia['instagram']['id']}/",
            "youtube": f"https://youtube.com/shorts/{mia['youtube']['id']}"}
    for platform, url in urls.items():
        reading = posts.read_post(creator.id, links.parse_post_link(url, platform))
        assert reading.ref.post_id == mia[platform]["id"]
        assert reading.info.live and reading.by_creator is True
        assert "#ad" in reading.info.caption
        assert reading.metrics.views == 1000
    assert reading.ref.platform_media_id is None
    ig = posts.read_post(creator.id, links.parse_post_link(urls["instagram"]))
    assert ig.ref.platform_media_id == mia["instagram"]["media_id"]  # kept for the next read


def test_someone_elses_youtube_video_is_read_but_not_by_the_creator(app, creator, mia, social):
    social.add_account("youtube", "copycat")
    other = social.add_post("youtube", "copycat", caption="not mine")
    reading = posts.read_post(creator.id, links.parse_post_link(f"https://youtu.be/{other['id']}"))
    assert reading.by_creator is False


def test_a_post_taken_down_is_not_found(app, creator, mia, social):
    social.delete_post(mia["tiktok"]["id"])
    with pytest.raises(PostNotFound):
        posts.read_post(creator.id, links.parse_post_link("https://vm.tiktok.com/ZMmia0001/"))


def test_a_token_refused_by_the_platform_is_refreshed_once(app, creator, mia, social):
    row = account_row(creator, "tiktok")
    social.expire(accounts.tokens_of(row).access_token)  # our clock says it is still good
    url = f"https://www.tiktok.com/@mia.moves/video/{mia['tiktok']['id']}"
    assert posts.read_post(creator.id, links.parse_post_link(url)).info.live
    assert account_row(creator, "tiktok").refreshed_at is not None


def test_an_expired_instagram_token_cannot_be_renewed(app, creator, mia, social):
    """Facebook renews only a still-valid long-lived token: once expired, reconnect."""
    row = account_row(creator, "instagram")
    social.expire(accounts.tokens_of(row).access_token)
    url = f"https://www.instagram.com/reel/{mia['instagram']['id']}/"
    with pytest.raises(AuthExpired):
        posts.read_post(creator.id, links.parse_post_link(url))
    assert account_row(creator, "instagram").needs_reconnect_at is not None


def test_a_revoked_grant_marks_the_account_for_reconnection(app, creator, mia, social):
    row = account_row(creator, "tiktok")
    accounts.adapter("tiktok").revoke(accounts.tokens_of(row))  # the creator removed Duet
    with pytest.raises(AuthExpired):
        posts.read_post(creator.id, links.parse_post_link("https://vm.tiktok.com/ZMmia0001/"))
    assert account_row(creator, "tiktok").needs_reconnect_at is not None


def test_without_a_connection(app, creator, social):
    social.add_account("youtube", "someone")
    video = social.add_post("youtube", "someone", created_at=NOW - timedelta(hours=1),
                            views_per_hour=100)
    social.freeze(NOW)
    with pytest.raises(posts.NotConnected):
        posts.read_post(creator.id, links.parse_post_link(
            "https://www.tiktok.com/@x/video/7301234567890123456"))
    reading = posts.read_post(creator.id, links.parse_post_link(f"https://youtu.be/{video['id']}"))
    assert reading.by_creator is None and reading.metrics.views == 100  # the API key reads it
