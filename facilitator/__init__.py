"""Facilitator: phones send inputs, the wall groups them live, the export lists them unedited."""

from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None, instance_path: str | os.PathLike | None = None) -> Flask:
    """Build the app: config, database, languages, security, views, sockets."""
    app, sources = _configured(config, instance_path)
    from . import extensions

    extensions.register(app, settings_sources=sources)

    from . import db

    database = db.init_app(app)

    from . import i18n

    i18n.init_app(app)

    from .ratelimit import Limiter

    extensions.register(app, limiter=Limiter(app))

    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from . import auth, security

    app.before_request(auth.load_user)
    app.before_request(auth.check_csrf)
    app.after_request(security.set_headers)

    from . import errorhandlers, templating

    errorhandlers.init_app(app)
    templating.init_app(app)

    from . import urls, views

    urls.init_app(app)

    for blueprint in views.blueprints:
        app.register_blueprint(blueprint)

    from . import realtime

    realtime.init_app(app, database)

    from .suggest import worker

    worker.init_app(app, database)

    from .socket_guard import protect_sockets

    protect_sockets(app, realtime.socketio)

    from .write_gate import gate_writes

    gate_writes(app)
    return app


def settings_app(config: dict | None = None, instance_path: str | os.PathLike | None = None) -> Flask:
    """An app holding only its settings and instance folder: what `facilitator serve` reads before it starts a server."""
    return _configured(config, instance_path)[0]


def _configured(config: dict | None, instance_path: str | os.PathLike | None) -> tuple[Flask, dict[str, str]]:
    """The Flask object with its folders and settings, and where each setting came from."""
    from . import config as settings
    from .resources import resource, static_version

    instance, instance_source = settings.instance_path(instance_path)
    app = Flask(
        __name__,
        instance_path=str(instance.resolve()),
        template_folder=str(resource("templates")),
        static_folder=str(resource("static")),
        static_url_path=f"/static/{static_version(resource('static'))}",
    )
    instance.mkdir(parents=True, exist_ok=True)
    return app, settings.load(app, config, instance_source)
