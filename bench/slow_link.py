"""A TCP proxy on 127.0.0.1 that delays every chunk by a fixed time each way, as a venue's wifi does.

Round trips cost 2 × the delay; throughput is not limited (each direction
queues its chunks and sends each when its time has come). Chromium's own
network emulation delays HTTP but not WebSocket frames, so it cannot show what
a page loses by waiting for its socket.
"""

from __future__ import annotations

import queue
import socket
import threading
import time

from .loopback import LoopbackProxy


class SlowLink(LoopbackProxy):
    """Listen on a free loopback port; forward to upstream, `one_way` seconds late in each direction."""

    def __init__(self, upstream: tuple[str, int], one_way: float):
        super().__init__(upstream)
        self.one_way = one_way

    def accepted(self, client: socket.socket) -> None:
        """Connect the client to upstream, each direction through its own delaying queue."""
        try:
            server = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        ends = _Ends(client, server)
        for source, sink in ((client, server), (server, client)):
            late: queue.Queue = queue.Queue()
            threading.Thread(target=self._read, args=(source, late), daemon=True).start()
            threading.Thread(target=self._write, args=(sink, late, ends), daemon=True).start()

    def _read(self, source: socket.socket, late: queue.Queue) -> None:
        source.settimeout(None)
        try:
            while chunk := source.recv(65536):
                late.put((time.monotonic() + self.one_way, chunk))
        except OSError:
            pass
        late.put((time.monotonic() + self.one_way, b""))

    def _write(self, sink: socket.socket, late: queue.Queue, ends: _Ends) -> None:
        try:
            while True:
                due, chunk = late.get()
                time.sleep(max(0.0, due - time.monotonic()))
                if not chunk:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            ends.one_done()


class _Ends:
    """A connection's two sockets, closed once both directions have ended."""

    def __init__(self, *sockets: socket.socket):
        self.sockets = sockets
        self.left = 2
        self.lock = threading.Lock()

    def one_done(self) -> None:
        with self.lock:
            self.left -= 1
            if self.left:
                return
        for sock in self.sockets:
            sock.close()
