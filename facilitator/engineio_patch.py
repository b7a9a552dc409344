"""A patch of Engine.IO's WebSocket driver: messages over the size limit are refused while they arrive."""

from __future__ import annotations


def cap_websocket_messages(socketio, size: int) -> None:
    """Make the WebSocket layer refuse a message larger than size while it arrives.

    Engine.IO checks max_http_buffer_size only once a WebSocket message has
    been read whole; simple-websocket can stop reading at the limit instead
    (close code 1009), so one client cannot make the server buffer megabytes.
    """
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    eio = getattr(socketio.server, "eio", None)
    factory = getattr(eio, "_async", {}).get("websocket") if eio is not None else None
    # Threading uses SimpleWebSocketWSGI itself, gevent a subclass that passes gevent's classes.
    if isinstance(factory, type) and issubclass(factory, SimpleWebSocketWSGI):

        class CappedWebSocket(factory):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                # The same bound Engine.IO applies afterwards (it counts the whole frame).
                self.server_args["max_message_size"] = size

        eio._async = {**eio._async, "websocket": CappedWebSocket}
