"""A listener on a free loopback port with its own accepting thread: what the benchmark's and the tests' proxies share."""

from __future__ import annotations

import socket
import threading


class LoopbackProxy:
    """Accept connections on 127.0.0.1 until stopped, each handed to `accepted` in the accepting thread."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self):
        """Begin accepting; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close the listener (connections under way end by themselves)."""
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def accepted(self, client: socket.socket) -> None:
        """Take one new client connection; must not block the accepting thread for long."""
        raise NotImplementedError

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted(client)
