"""Response headers every page gets: a strict CSP and its companions."""

from __future__ import annotations

from flask import g, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# A year; sent only over HTTPS, so a plain-HTTP LAN setup is never pinned to HTTPS.
HSTS = "max-age=31536000"
STATIC_CACHE = "public, max-age=31536000, immutable"


def set_headers(response):
    """Add the security headers (an export may set its own CSP first)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint == "static" and response.status_code in (200, 304):
        # The URL names the files' version (resources.static_version): this answer never changes.
        response.headers["Cache-Control"] = STATIC_CACHE
    elif g.get("user") is not None and request.endpoint != "static":
        # A facilitator's pages and API answers hold workshop content: no shared or disk cache keeps them.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
