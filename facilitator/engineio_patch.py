"""Patches of Engine.IO: messages over the size limit are refused while they arrive; no class made per socket."""

from __future__ import annotations

# Engine.IO's middleware wraps gunicorn's socket in a class it defines anew for every request
# (for eventlet, unused here), and the middleware's frame keeps that class for as long as a
# WebSocket is open: about 2.5 KB a phone. The socket guard puts the socket aside under this
# key before the middleware runs; the WebSocket driver puts it back for simple-websocket,
# which reads it from gunicorn's own key (and ends the socket as gunicorn expects).
GUNICORN_SOCKET_ASIDE = "facilitator.gunicorn_socket"


def set_gunicorn_socket_aside(environ: dict) -> None:
    """Hide gunicorn's socket from Engine.IO's middleware until the WebSocket driver needs it."""
    sock = environ.pop("gunicorn.socket", None)
    if sock is not None:
        environ[GUNICORN_SOCKET_ASIDE] = sock


def cap_websocket_messages(socketio, size: int) -> bool:
    """Make the WebSocket layer refuse a message larger than size while it arrives; whether it could.

    Where it could, the driver also puts gunicorn's socket back (GUNICORN_SOCKET_ASIDE).

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

            def __call__(self, environ, start_response):
                sock = environ.pop(GUNICORN_SOCKET_ASIDE, None)
                if sock is not None:
                    environ["gunicorn.socket"] = sock
                return super().__call__(environ, start_response)

        eio._async = {**eio._async, "websocket": CappedWebSocket}
        return True
    return False
