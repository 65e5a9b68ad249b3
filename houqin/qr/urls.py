from django.urls import path, register_converter

from houqin.qr import views


class TokenConverter:
    """A QR token: letters and digits (matched case-insensitively by the view)."""

    regex = "[0-9A-Za-z]{8,20}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value


register_converter(TokenConverter, "qrtoken")

app_name = "qr"

urlpatterns = [
    path("scan/", views.scan, name="scan"),
    path("labels/", views.label_sheet, name="labels"),
    path("<qrtoken:token>/qr.svg", views.qr_svg, name="svg"),
    path("<qrtoken:token>/qr.png", views.qr_png, name="png"),
    # What the QR encodes: short, no trailing slash.
    path("<qrtoken:token>", views.open_code, name="open"),
    path("<qrtoken:token>/", views.open_code),
]
