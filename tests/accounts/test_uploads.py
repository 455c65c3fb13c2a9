"""Image uploads: real images are re-encoded without metadata; anything else is refused."""

import io
from pathlib import Path

import pytest
from PIL import Image

from marketplace.extensions import db
from marketplace.models import CreatorProfile
from marketplace.services.accounts import uploads
from marketplace.services.errors import DomainError
from tests.support.factories import make_user
from tests.support.profiles import basics, image_bytes


def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def stored_files(app) -> list[Path]:
    folder = upload_dir(app)
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_clean_image_reencodes_and_shrinks(fmt):
    clean = uploads.clean_image(io.BytesIO(image_bytes(fmt, size=(1600, 900), exif=fmt != "PNG")))
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "WEBP"
    assert max(image.size) == uploads.MAX_SIDE and image.size == (clean.width, clean.height)
    assert not image.getexif()
    assert "exif" not in image.info


def test_exif_source_really_had_metadata():
    """Guards the test above: the source image does carry EXIF before cleaning."""
    source = Image.open(io.BytesIO(image_bytes("JPEG", exif=True)))
    assert source.getexif().get(0x010F) == "SpyCam"


def test_transparent_png_keeps_alpha():
    clean = uploads.clean_image(io.BytesIO(image_bytes("PNG", size=(64, 64), mode="RGBA")))
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize("payload, message", [
    (b"", "empty"),
    (b"hello, I am text pretending to be a PNG", "not a readable image"),
    (_gif(), "PNG, JPEG or WebP"),
    (image_bytes("PNG")[:60], "not a readable image"),  # truncated / corrupt
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a readable image"),
    (b"0" * (uploads.MAX_BYTES + 1), "larger than 5 MB"),
])
def test_clean_image_refuses(payload, message):
    with pytest.raises(DomainError) as info:
        uploads.clean_image(io.BytesIO(payload), field="avatar")
    assert message in info.value.message
    assert info.value.field == "avatar"


def test_truncated_uploads_are_refused_after_a_pdf_was_rendered(app_ctx):
    """WeasyPrint's import flips a Pillow switch for the whole process; printing an invoice
    must not make later uploads accept truncated images."""
    from marketplace.printing import render_pdf
    assert render_pdf("<p>Invoice</p>").startswith(b"%PDF")
    with pytest.raises(DomainError, match="not a readable image"):
        uploads.clean_image(io.BytesIO(image_bytes("PNG")[:60]), field="avatar")


def test_stored_name_check():
    assert uploads.is_stored_name("0123456789abcdef0123456789abcdef.webp")
    for bad in ("../secret_key", "x.webp", "0123456789abcdef0123456789abcdef.png",
                "0123456789abcdef0123456789abcdef.webp/../../x", ""):
        assert not uploads.is_stored_name(bad)


def _post_avatar(client, payload: bytes, filename: str):
    data = basics(avatar=(io.BytesIO(payload), filename))
    return client.post("/creators/me/profile", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("fmt, filename", [("PNG", "me.png"), ("JPEG", "me.jpg"),
                                           ("WEBP", "me.webp")])
def test_avatar_upload_stored_and_served(app, app_ctx, login_as, fmt, filename):
    user = make_user(role="creator")
    client = login_as(user)
    r = _post_avatar(client, image_bytes(fmt, exif=fmt != "PNG"), filename)
    assert r.status_code == 302
    profile = db.session.scalar(db.select(CreatorProfile))
    assert uploads.is_stored_name(profile.avatar)
    path = upload_dir(app) / profile.avatar
    stored = Image.open(path)
    assert stored.format == "WEBP" and not stored.getexif()
    served = client.get(f"/creators/media/{profile.avatar}")
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == path.read_bytes()


@pytest.mark.parametrize("payload, filename, message", [
    (_gif(), "cat.gif", b"PNG, JPEG or WebP"),
    (b"just some text", "fake.png", b"not a readable image"),
    (image_bytes("PNG")[:80], "broken.png", b"not a readable image"),
    (b"\x00" * (6 * 1024 * 1024), "huge.png", b"larger than 5 MB"),
])
def test_bad_avatar_refused_and_nothing_saved(app, app_ctx, login_as, payload, filename, message):
    client = login_as(make_user(role="creator"))
    r = _post_avatar(client, payload, filename)
    assert r.status_code == 200
    assert message in r.data
    assert b"is-invalid" in r.data
    assert db.session.scalar(db.select(CreatorProfile)) is None
    assert stored_files(app) == []


def test_replacing_avatar_deletes_old_file(app, app_ctx, login_as):
    client = login_as(make_user(role="creator"))
    _post_avatar(client, image_bytes("PNG"), "a.png")
    first = db.session.scalar(db.select(CreatorProfile.avatar))
    _post_avatar(client, image_bytes("JPEG"), "b.jpg")
    second = db.session.scalar(db.select(CreatorProfile.avatar))
    assert first != second
    assert [p.name for p in stored_files(app)] == [second]


def test_saving_without_new_file_keeps_avatar(app, app_ctx, login_as):
    client = login_as(make_user(role="creator"))
    _post_avatar(client, image_bytes("PNG"), "a.png")
    first = db.session.scalar(db.select(CreatorProfile.avatar))
    client.post("/creators/me/profile", data=basics(bio="New bio"))
    assert db.session.scalar(db.select(CreatorProfile.avatar)) == first


def test_remove_avatar(app, app_ctx, login_as):
    client = login_as(make_user(role="creator"))
    _post_avatar(client, image_bytes("PNG"), "a.png")
    r = client.post("/creators/me/avatar/remove")
    assert r.status_code == 302
    assert db.session.scalar(db.select(CreatorProfile.avatar)) is None
    assert stored_files(app) == []


@pytest.mark.parametrize("name", ["secret_key", "..%2Fsecret_key", "../instance/secret_key",
                                  "0123456789abcdef0123456789abcdef.webp", "x.webp"])
def test_media_refuses_unknown_names(client, name):
    assert client.get(f"/creators/media/{name}").status_code == 404
