"""Addresses phones and projectors are sent to: never localhost when a phone must reach it."""

from __future__ import annotations

import ipaddress
import socket

from flask import current_app, request, url_for

from .models import Workshop

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host.strip("[]")
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on its local network, found without sending a packet."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # connect() on UDP only picks a route; nothing is sent. 192.0.2.1 is TEST-NET-1.
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if ipaddress.ip_address(address).is_loopback else address


def public_base() -> tuple[str, str]:
    """(base URL phones should use, where it came from: 'config', 'request' or 'lan')."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/"), "config"
    host = request.host
    if not _is_loopback(host):
        return request.host_url.rstrip("/"), "request"
    lan = lan_address()
    if lan is None:
        return request.host_url.rstrip("/"), "request"
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    return f"{request.scheme}://{lan}{':' + port if port else ''}", "lan"


def join_url(workshop: Workshop) -> str:
    """The address the QR code carries."""
    return public_base()[0] + url_for("participant.join", code=workshop.join_code)


def projector_url(workshop: Workshop) -> str:
    """The secret read-only projector address."""
    return public_base()[0] + url_for("projector.show", secret=workshop.projector_secret)
