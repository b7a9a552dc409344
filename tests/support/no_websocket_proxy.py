"""An HTTP proxy on 127.0.0.1 that refuses WebSocket upgrades, as some offices' and venues' proxies do.

Every other connection is piped both ways untouched (keep-alive included): a
browser opens a WebSocket on a connection of its own, so looking at the first
request of each connection is enough.
"""

from __future__ import annotations

import socket
import threading

from bench.loopback import LoopbackProxy

REFUSAL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class NoWebSocketProxy(LoopbackProxy):
    """Listen on a free loopback port, forward to upstream, answer 403 to every WebSocket handshake."""

    def __init__(self, upstream: tuple[str, int]):
        super().__init__(upstream)
        self.refused = 0

    def accepted(self, client: socket.socket) -> None:
        """Look at the connection's first request in a thread of its own."""
        threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    client.close()
                    return
                head += chunk
            if b"\r\nupgrade: websocket" in head.lower():
                self.refused += 1
                client.sendall(REFUSAL)
                client.close()
                return
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        upstream.sendall(head)
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy until either side closes, then close both."""
    try:
        source.settimeout(None)
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
