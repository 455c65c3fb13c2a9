"""Post links: every accepted form per platform, and junk that must give the parse error
(whose message says what a valid link looks like), never anything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.platforms import InvalidPostUrl, parse_post_url
from marketplace.services.errors import DomainError
from marketplace.services.platforms.links import parse_post_link

TIKTOK_ID = "7301234567890123456"
IG = "C1a2B3c4D5e"
YT = "dQw4w9WgXcQ"

VALID = [
    # TikTok: full links, with or without www / m., scheme, query strings, trailing slash
    (f"https://www.tiktok.com/@mia.moves/video/{TIKTOK_ID}", "tiktok", TIKTOK_ID, "mia.moves"),
    (f"https://tiktok.com/@Mia.Moves/video/{TIKTOK_ID}?is_from_webapp=1&sender_device=pc",
     "tiktok", TIKTOK_ID, "mia.moves"),
    (f"https://m.tiktok.com/@mia_moves/video/{TIKTOK_ID}/", "tiktok", TIKTOK_ID, "mia_moves"),
    (f"www.tiktok.com/@mia.moves/video/{TIKTOK_ID}", "tiktok", TIKTOK_ID, "mia.moves"),
    (f"  http://www.tiktok.com/@mia.moves/video/{TIKTOK_ID}#comments  ", "tiktok", TIKTOK_ID,
     "mia.moves"),
    (f"https://www.tiktok.com/@mia.moves/photo/{TIKTOK_ID}", "tiktok", TIKTOK_ID, "mia.moves"),
    # TikTok short links: no id until resolved through TikTok
    ("https://vm.tiktok.com/ZMh3kPq7L/", "tiktok", None, None),
    ("vt.tiktok.com/ZSabc123", "tiktok", None, None),
    ("https://www.tiktok.com/t/ZTRabc12/", "tiktok", None, None),
    # Instagram: reel, reels, p, with the account's name in front, query strings
    (f"https://www.instagram.com/reel/{IG}/", "instagram", IG, None),
    (f"https://instagram.com/reels/{IG}?igsh=MWd2Z3N4", "instagram", IG, None),
    (f"https://www.instagram.com/p/{IG}/?utm_source=ig_web_copy_link", "instagram", IG, None),
    (f"https://www.instagram.com/mia.moves/reel/{IG}/", "instagram", IG, "mia.moves"),
    (f"m.instagram.com/p/{IG}", "instagram", IG, None),
    # YouTube: shorts, youtu.be, watch?v=, with extra parameters
    (f"https://youtube.com/shorts/{YT}?feature=share", "youtube", YT, None),
    (f"https://www.youtube.com/shorts/{YT}", "youtube", YT, None),
    (f"https://youtu.be/{YT}?si=abcdef&t=12", "youtube", YT, None),
    (f"https://www.youtube.com/watch?v={YT}&list=PL123&index=2", "youtube", YT, None),
    (f"https://m.youtube.com/watch?app=desktop&v={YT}", "youtube", YT, None),
    (f"https://www.youtube.com/live/{YT}", "youtube", YT, None),
]


@pytest.mark.parametrize(("url", "platform", "post_id", "handle"), VALID)
def test_valid_links(url, platform, post_id, handle):
    ref = parse_post_url(url)
    assert (ref.platform, ref.post_id, ref.handle) == (platform, post_id, handle)
    assert ref.needs_resolution is (post_id is None)
    assert parse_post_url(url, platform) == ref


def test_short_link_keeps_the_link_to_resolve():
    ref = parse_post_url("vm.tiktok.com/ZMh3kPq7L")
    assert ref.short_url == "https://vm.tiktok.com/ZMh3kPq7L/"


def test_canonical_url_is_kept():
    assert parse_post_url(f"https://youtu.be/{YT}").url == f"https://www.youtube.com/watch?v={YT}"
    assert parse_post_url(f"https://youtube.com/shorts/{YT}").kind == "short"
    assert parse_post_url(f"https://instagram.com/reels/{IG}").url == (
        f"https://www.instagram.com/reel/{IG}/")


INVALID = [
    ("", "That is not a link"),
    ("hello there", "That is not a link"),
    ("https://example.com/@mia/video/7301234567890123456", "not a TikTok, Instagram or YouTube"),
    ("https://www.tiktok.com/@mia.moves", "does not point at a post"),
    ("https://www.tiktok.com/@mia.moves/video/abc", "does not point at a post"),
    ("https://www.tiktok.com/foryou", "does not point at a post"),
    ("https://vm.tiktok.com/", "does not point at a post"),
    ("https://www.instagram.com/mia.moves/", "does not point at a post"),
    ("https://www.instagram.com/stories/mia.moves/3141592653589793238/", "does not point"),
    ("https://www.youtube.com/watch?v=short", "does not point at a post"),
    ("https://www.youtube.com/@miamoves", "does not point at a post"),
    (f"https://youtu.be/{YT}/extra", "does not point at a post"),
    (f"ftp://youtu.be/{YT}", "not a post link"),
    (f"https://youtu.be:8080/{YT}", "not a post link"),
    ("http://[::1", "That is not a link"),
    (f"https://evil-tiktok.com/@a/video/{TIKTOK_ID}", "not a TikTok, Instagram or YouTube"),
    (f"https://www.tiktok.com.evil.io/@a/video/{TIKTOK_ID}", "not a TikTok, Instagram"),
]


@pytest.mark.parametrize(("url", "reason"), INVALID)
def test_invalid_links_say_what_a_valid_one_looks_like(url, reason):
    with pytest.raises(InvalidPostUrl) as caught:
        parse_post_url(url)
    assert reason in caught.value.message
    assert "e.g. https://" in caught.value.message


def test_a_link_of_another_platform_is_refused_for_this_deliverable():
    with pytest.raises(InvalidPostUrl) as caught:
        parse_post_url(f"https://youtu.be/{YT}", "tiktok")
    assert "That is a YouTube link; this deliverable is on TikTok" in caught.value.message
    assert "tiktok.com/@yourname/video/" in caught.value.message


@pytest.mark.parametrize("value", [None, 42, b"https://youtu.be/dQw4w9WgXcQ", ["x"], "x" * 5000])
def test_wrong_types_and_huge_input(value):
    with pytest.raises(InvalidPostUrl):
        parse_post_url(value)


def test_the_service_turns_it_into_a_domain_error_on_the_url_field():
    with pytest.raises(DomainError) as caught:
        parse_post_link("https://example.com/", "instagram")
    assert caught.value.field == "url"
    assert "instagram.com/reel/" in caught.value.message


HOSTS = st.sampled_from(["www.tiktok.com", "vm.tiktok.com", "instagram.com", "youtu.be",
                         "www.youtube.com", "m.tiktok.com", "example.com", "", "[::1", "::"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=300),
    st.builds(lambda scheme, host, path: f"{scheme}{host}{path}",
              st.sampled_from(["https://", "http://", "", "ftp://", "//", "https:/"]), HOSTS,
              st.text(max_size=80)),
    st.builds(lambda host, path: f"https://{host}/{path}", HOSTS,
              st.from_regex(r"[@a-zA-Z0-9/._?=&%-]{0,60}", fullmatch=True)),
))
def test_junk_never_crashes(url):
    try:
        ref = parse_post_url(url)
    except InvalidPostUrl as exc:
        assert "e.g. https://" in exc.message
    else:
        assert ref.platform in ("tiktok", "instagram", "youtube")
        assert ref.post_id or ref.short_url
