"""A TCP proxy on 127.0.0.1 that loses requests and responses at random.

Each client connection carries one HTTP request (clients send
`Connection: close`). Its fate is drawn when it arrives:

- drop_request: the request is read and the connection closed; the server never sees it;
- cut_request: half of the request reaches the server, then both sides are closed;
- drop_response: the whole request reaches the server, its whole response is
  read, and the client's connection is closed without it (the ack is lost
  after the server committed);
- pass: forwarded both ways.
"""

from __future__ import annotations

import random
import socket
import threading
from collections import Counter

from bench.loopback import LoopbackProxy

FATES = ("drop_request", "cut_request", "drop_response", "pass")


class FaultyProxy(LoopbackProxy):
    """Listen on a free loopback port and forward to upstream, losing traffic as configured."""

    def __init__(self, upstream: tuple[str, int], drop_request=0.15, cut_request=0.1, drop_response=0.2, seed=None):
        super().__init__(upstream)
        self.weights = (drop_request, cut_request, drop_response, 1 - drop_request - cut_request - drop_response)
        self.random = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def accepted(self, client: socket.socket) -> None:
        """Draw the connection's fate (in arrival order, so a seed repeats a run) and carry it out in a thread."""
        with self._lock:
            fate = self.random.choices(FATES, self.weights)[0]
            self.counts[fate] += 1
        threading.Thread(target=self._handle, args=(client, fate), daemon=True).start()

    def _handle(self, client: socket.socket, fate: str) -> None:
        client.settimeout(10)
        upstream = None
        try:
            request = _read_request(client)
            if fate == "drop_request" or not request:
                return
            upstream = socket.create_connection(self.upstream, timeout=10)
            if fate == "cut_request":
                upstream.sendall(request[: max(1, len(request) // 2)])
                return
            upstream.sendall(request)
            response = _read_until_closed(upstream)
            if fate == "pass":
                client.sendall(response)
        except OSError:
            pass  # a lost connection is what this proxy is for
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    _close(sock)


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP request: the head, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
