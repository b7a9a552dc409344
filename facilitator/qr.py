"""QR codes of join URLs: SVG for screens, PNG for print."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode


def _code(url: str) -> qrcode.QRCode:
    # Imported here: qrcode brings Pillow and lxml, about 8 MB in every serving
    # process, and only the workshop, print and projector pages draw a code.
    import qrcode

    # Medium error correction survives a projector's glare and a phone's angle.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code


def svg(url: str) -> bytes:
    """A scalable QR code of url."""
    import qrcode.image.svg

    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode()


def png(url: str, box_size: int = 20) -> bytes:
    """A large PNG QR code of url, for printing."""
    code = _code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
