"""What the browser tests share: signing in and out, the files a phone's camera hands an
``<input type=file>`` (a photo, a QR label), and the demo school with its people."""

import io

import segno
from playwright.sync_api import expect

from houqin.accounts.tests.factories import PASSWORD, StaffFactory
from houqin.files.tests.factories import image_bytes
from houqin.org.tests.factories import CampusFactory, SchoolFactory
from houqin.qr.models import QrCode

PHONE = {"width": 390, "height": 844}


def log_in(phone, username, password=PASSWORD):
    """Fill in the login form on the page and submit it."""
    phone.get_by_label("账号").fill(username)
    phone.get_by_label("密码").fill(password)
    phone.get_by_test_id("login-submit").click()


def sign_in(phone, username, path="/accounts/login/", *, password=PASSWORD, heading=None, **name):
    """Open ``path`` (the login page sends on there) and sign in as ``username``; with
    ``heading``, wait until the page shows it (``exact=True`` passes on)."""
    phone.goto(phone.url_for(path))
    log_in(phone, username, password)
    if heading is not None:
        expect(phone.get_by_role("heading", name=heading, **name)).to_be_visible()


def sign_out(phone):
    phone.get_by_test_id("user-menu").click()
    phone.get_by_test_id("logout").click()


def photo(name, color, size=(800, 600)):
    """A JPEG of one ``color`` as the camera hands it to a file input."""
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes(size, color=color)}


def png(name, draw):
    """A PNG drawn by ``draw(stream)`` as the camera hands it to a file input."""
    picture = io.BytesIO()
    draw(picture)
    return {"name": name, "mimeType": "image/png", "buffer": picture.getvalue()}


def label_photo(live_server, obj, name="标签.png"):
    """A photo of ``obj``'s QR label."""
    token = QrCode.objects.for_object(obj).token
    return png(
        name,
        lambda picture: segno.make_qr(f"{live_server.url}/q/{token}", error="m").save(
            picture, kind="png", scale=8, border=6
        ),
    )


def demo_school():
    """善真实验学校 and its 本部校区: ``(school, campus)``."""
    school = SchoolFactory(name="善真实验学校", short_name="善真学校")
    return school, CampusFactory(school=school, name="本部校区")


def person(school, name, username, position):
    """A staff member of ``school`` who signs in as ``username``, holding ``position``."""
    return StaffFactory(school=school, name=name, user__username=username, positions=[position])
