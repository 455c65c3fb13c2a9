"""Each real adapter against the local social server, over HTTP: posts, growing metrics,
numbers a platform does not give (None, never 0), removed posts, rate limits and retries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.platforms import (
    INSTAGRAM,
    TIKTOK,
    YOUTUBE,
    AuthExpired,
    PlatformUnavailable,
    PostNotFound,
    RateLimited,
    Tokens,
    adapter_for,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POSTED = NOW - timedelta(hours=10)


@pytest.fixture
def adapters(social_settings):
    return lambda platform: adapter_for(platform, social_settings)


def seeded(social, platform: str, handle: str = "mia.moves", **post):
    social.add_account(platform, handle, display_name="Mia Moves", followers=12000)
    created = social.add_post(platform, handle, created_at=POSTED, views_per_hour=150,
                              base_views=20, like_rate=0.1, comment_rate=0.02,
                              share_rate=0.01, save_rate=0.005,
                              caption="New routine #ad @brand", **post)
    social.freeze(NOW)
    return created, social.token(platform, handle, expires_in=30 * 86400)


# -- TikTok ---------------------------------------------------------------------------------------

def test_tiktok_post_and_metrics_grow_with_time(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    tiktok = adapters(TIKTOK)
    ref = tiktok.parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}?lang=en")

    info = tiktok.fetch_post(ref, tokens)
    assert (info.live, info.author_handle, info.caption) == (True, "mia.moves",
                                                             "New routine #ad @brand")
    assert info.posted_at == POSTED
    assert info.author_user_id == tokens.user_id

    metrics = tiktok.fetch_metrics(ref, tokens)
    # 20 + 150/h x 10 h = 1520 views; likes 10 %, comments 2 %, shares 1 %
    assert (metrics.views, metrics.likes, metrics.comments, metrics.shares) == (1520, 152, 30, 15)
    assert metrics.saves is None  # TikTok's Display API gives no saves
    # ...nor any watch time (video.query's fields: `duration` is the video's length).
    assert metrics.avg_watch_time_ms is None

    social.freeze(NOW + timedelta(hours=14))
    assert tiktok.fetch_metrics(ref, tokens).views == 20 + 150 * 24


def test_tiktok_short_link_is_resolved_by_the_adapter(social, adapters):
    post, tokens = seeded(social, TIKTOK, short_code="ZMabc123")
    tiktok = adapters(TIKTOK)
    ref = tiktok.parse("https://vm.tiktok.com/ZMabc123/")
    assert ref.needs_resolution
    resolved = tiktok.resolve(ref)
    assert (resolved.post_id, resolved.handle) == (post["id"], "mia.moves")
    assert tiktok.fetch_post(ref, tokens).post_id == post["id"]  # resolves on its own too
    with pytest.raises(PostNotFound):
        tiktok.resolve(tiktok.parse("https://vt.tiktok.com/ZMnothere/"))


def test_tiktok_removed_post_is_not_found(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    tiktok = adapters(TIKTOK)
    ref = tiktok.parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    social.delete_post(post["id"])
    with pytest.raises(PostNotFound):
        tiktok.fetch_post(ref, tokens)
    with pytest.raises(PostNotFound):
        tiktok.fetch_metrics(ref, tokens)


def test_tiktok_other_accounts_video_is_not_found(social, adapters):
    post, _ = seeded(social, TIKTOK)
    social.add_account(TIKTOK, "someone.else")
    stranger = social.token(TIKTOK, "someone.else")
    ref = adapters(TIKTOK).parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    with pytest.raises(PostNotFound):
        adapters(TIKTOK).fetch_post(ref, stranger)


def test_tiktok_429_is_retried_then_succeeds(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    tiktok = adapters(TIKTOK)
    ref = tiktok.parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    before = social.requests_served()[TIKTOK]
    social.fail(TIKTOK, "rate_limit", times=2)
    assert tiktok.fetch_metrics(ref, tokens).views == 1520
    assert social.requests_served()[TIKTOK] - before == 3  # two 429s, then the answer


def test_tiktok_429_every_time_becomes_rate_limited(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    tiktok = adapters(TIKTOK)
    ref = tiktok.parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    before = social.requests_served()[TIKTOK]
    social.fail(TIKTOK, "rate_limit", retry_after=0)
    with pytest.raises(RateLimited) as caught:
        tiktok.fetch_metrics(ref, tokens)
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.retry_after == 0
    assert social.requests_served()[TIKTOK] - before == 4  # first try + 3 retries


def test_tiktok_server_error_becomes_unavailable(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    social.fail(TIKTOK, "error")
    with pytest.raises(PlatformUnavailable):
        adapters(TIKTOK).fetch_post(
            adapters(TIKTOK).parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}"),
            tokens)


def test_tiktok_expired_token_is_auth_expired(social, adapters):
    post, tokens = seeded(social, TIKTOK)
    social.expire(tokens.access_token)
    ref = adapters(TIKTOK).parse(f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    with pytest.raises(AuthExpired) as caught:
        adapters(TIKTOK).fetch_metrics(ref, tokens)
    assert caught.value.code == "access_token_invalid"


def test_tiktok_account(social, adapters):
    _, tokens = seeded(social, TIKTOK)
    account = adapters(TIKTOK).fetch_account(tokens)
    assert (account.handle, account.display_name, account.followers) == ("mia.moves",
                                                                          "Mia Moves", 12000)
    assert account.user_id == tokens.user_id


# -- Instagram ------------------------------------------------------------------------------------

def test_instagram_reel_post_and_insights(social, adapters):
    post, tokens = seeded(social, INSTAGRAM)
    instagram = adapters(INSTAGRAM)
    ref = instagram.parse(f"https://www.instagram.com/reel/{post['id']}/?igsh=abc")

    info = instagram.fetch_post(ref, tokens)
    assert (info.live, info.author_handle, info.posted_at) == (True, "mia.moves", POSTED)
    assert info.platform_media_id == post["media_id"]

    metrics = instagram.fetch_metrics(ref, tokens)
    assert (metrics.views, metrics.likes, metrics.comments, metrics.shares,
            metrics.saves) == (1520, 152, 30, 15, 7)
    assert metrics.reach == 1064
    assert metrics.avg_watch_time_ms == 8400
    # The media id found once can be kept: the next call needs no listing.
    ref = replace(ref, platform_media_id=info.platform_media_id)
    social.freeze(NOW + timedelta(hours=2))
    assert instagram.fetch_metrics(ref, tokens).views == 1520 + 300


def test_instagram_feed_post_has_no_watch_time(social, adapters):
    post, tokens = seeded(social, INSTAGRAM, product_type="FEED")
    metrics = adapters(INSTAGRAM).fetch_metrics(
        adapters(INSTAGRAM).parse(f"https://www.instagram.com/p/{post['id']}/"), tokens)
    assert metrics.views == 1520
    assert metrics.avg_watch_time_ms is None


def test_instagram_finds_a_post_beyond_the_first_page(social, adapters):
    post, tokens = seeded(social, INSTAGRAM)
    for hours in range(60):  # newer posts push the one we want to the second page
        social.add_post(INSTAGRAM, "mia.moves", created_at=NOW - timedelta(hours=hours))
    ref = adapters(INSTAGRAM).parse(f"https://www.instagram.com/reel/{post['id']}/")
    assert adapters(INSTAGRAM).fetch_post(ref, tokens).platform_media_id == post["media_id"]


def test_instagram_removed_post_is_not_found_by_listing_and_by_id(social, adapters):
    post, tokens = seeded(social, INSTAGRAM)
    instagram = adapters(INSTAGRAM)
    ref = instagram.parse(f"https://www.instagram.com/reel/{post['id']}/")
    known = replace(ref, platform_media_id=post["media_id"])
    social.delete_post(post["id"])
    with pytest.raises(PostNotFound):
        instagram.fetch_post(ref, tokens)
    with pytest.raises(PostNotFound) as caught:
        instagram.fetch_metrics(known, tokens)
    assert caught.value.code == "100"


def test_instagram_rate_limit_retried_then_raised(social, adapters):
    post, tokens = seeded(social, INSTAGRAM)
    instagram = adapters(INSTAGRAM)
    ref = instagram.parse(f"https://www.instagram.com/reel/{post['id']}/")
    social.fail(INSTAGRAM, "rate_limit", times=1)
    assert instagram.fetch_post(ref, tokens).live
    social.fail(INSTAGRAM, "rate_limit")
    with pytest.raises(RateLimited) as caught:
        instagram.fetch_post(ref, tokens)
    assert caught.value.code == "4"


def test_instagram_expired_token(social, adapters):
    post, tokens = seeded(social, INSTAGRAM)
    social.expire(tokens.access_token)
    with pytest.raises(AuthExpired) as caught:
        adapters(INSTAGRAM).fetch_post(
            adapters(INSTAGRAM).parse(f"https://www.instagram.com/reel/{post['id']}/"), tokens)
    assert caught.value.code == "190"


# -- YouTube --------------------------------------------------------------------------------------

def test_youtube_short_with_api_key_and_with_token(social, adapters):
    post, tokens = seeded(social, YOUTUBE)
    youtube = adapters(YOUTUBE)
    ref = youtube.parse(f"https://youtube.com/shorts/{post['id']}?feature=share")
    for credentials in (None, tokens):  # public video: the API key is enough
        info = youtube.fetch_post(ref, credentials)
        assert (info.live, info.posted_at, info.author_user_id) == (True, POSTED,
                                                                    tokens.user_id)
        assert info.caption.startswith("New routine #ad @brand")
    metrics = youtube.fetch_metrics(ref, tokens)
    assert (metrics.views, metrics.likes, metrics.comments) == (1520, 152, 30)
    assert (metrics.shares, metrics.saves) == (None, None)  # the Data API gives neither
    assert metrics.avg_watch_time_ms is None  # watch time is YouTube Analytics', not here


def test_youtube_hidden_likes_are_none_not_zero(social, adapters):
    post, tokens = seeded(social, YOUTUBE, hide_likes=True)
    metrics = adapters(YOUTUBE).fetch_metrics(
        adapters(YOUTUBE).parse(f"https://youtu.be/{post['id']}"), tokens)
    assert metrics.views == 1520
    assert metrics.likes is None


def test_youtube_removed_video_is_not_found(social, adapters):
    post, tokens = seeded(social, YOUTUBE)
    social.delete_post(post["id"])
    with pytest.raises(PostNotFound):
        adapters(YOUTUBE).fetch_metrics(
            adapters(YOUTUBE).parse(f"https://www.youtube.com/watch?v={post['id']}"), tokens)


def test_youtube_private_video_is_not_live_for_its_owner(social, adapters):
    post, tokens = seeded(social, YOUTUBE, private=True)
    ref = adapters(YOUTUBE).parse(f"https://youtu.be/{post['id']}")
    assert adapters(YOUTUBE).fetch_post(ref, tokens).live is False
    with pytest.raises(PostNotFound):  # with the API key it is not there at all
        adapters(YOUTUBE).fetch_post(ref, None)


def test_youtube_rate_limit_retried_and_quota_not_retried(social, adapters):
    post, tokens = seeded(social, YOUTUBE)
    youtube = adapters(YOUTUBE)
    ref = youtube.parse(f"https://youtu.be/{post['id']}")
    social.fail(YOUTUBE, "rate_limit", times=3)
    assert youtube.fetch_metrics(ref, tokens).views == 1520
    before = social.requests_served()[YOUTUBE]
    social.fail(YOUTUBE, "quota")
    with pytest.raises(RateLimited) as caught:
        youtube.fetch_metrics(ref, tokens)
    assert caught.value.code == "quotaExceeded"
    assert social.requests_served()[YOUTUBE] - before == 1  # a spent daily quota: no retry


def test_youtube_channel_account(social, adapters):
    _, tokens = seeded(social, YOUTUBE)
    account = adapters(YOUTUBE).fetch_account(tokens)
    assert (account.handle, account.display_name, account.followers) == ("mia.moves",
                                                                          "Mia Moves", 12000)


@pytest.mark.parametrize("platform", [TIKTOK, INSTAGRAM, YOUTUBE])
def test_an_answer_that_is_not_json_is_unavailable(social, adapters, platform):
    post, tokens = seeded(social, platform)
    adapter = adapters(platform)
    url = {TIKTOK: f"https://www.tiktok.com/@mia.moves/video/{post['id']}",
           INSTAGRAM: f"https://www.instagram.com/reel/{post['id']}/",
           YOUTUBE: f"https://youtu.be/{post['id']}"}[platform]
    social.fail(platform, "junk")
    with pytest.raises(PlatformUnavailable):
        adapter.fetch_metrics(adapter.parse(url), tokens)


@pytest.mark.parametrize("platform", [TIKTOK, INSTAGRAM, YOUTUBE])
def test_a_used_or_unknown_code_is_auth_expired(social, adapters, platform):
    with pytest.raises(AuthExpired):
        adapters(platform).exchange_code("not-a-code", "http://localhost/callback")


def test_an_unreachable_platform_is_unavailable(social_settings):
    from devtools.stripe_process import free_port

    settings = {**social_settings, "TIKTOK_API_BASE": f"http://127.0.0.1:{free_port()}",
                "PLATFORM_HTTP_RETRIES": 1}
    tiktok = adapter_for(TIKTOK, settings)
    with pytest.raises(PlatformUnavailable):
        tiktok.fetch_account(Tokens(access_token="x"))


def test_retry_after_is_honoured_but_capped(social, social_settings):
    """A platform asking us to wait an hour does not park the caller: the wait is capped
    (PLATFORM_MAX_RETRY_AFTER), and the error carries the platform's own Retry-After."""
    post, tokens = seeded(social, TIKTOK)
    tiktok = adapter_for(TIKTOK, {**social_settings, "PLATFORM_MAX_RETRY_AFTER": 0,
                                  "PLATFORM_HTTP_RETRIES": 2})
    social.fail(TIKTOK, "rate_limit", retry_after=3600)
    with pytest.raises(RateLimited) as caught:
        tiktok.fetch_metrics(tiktok.parse(f"https://www.tiktok.com/@a/video/{post['id']}"),
                             tokens)
    assert caught.value.retry_after == 3600
