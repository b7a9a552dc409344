"""Facilitator: phones send inputs, the wall groups them live, the export lists them unedited."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, database, languages, security, views, sockets."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("FACILITATOR_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import config

    config.load(app, overrides)

    from . import db

    database = db.init_app(app)

    from . import i18n

    i18n.init_app(app)

    from .ratelimit import Limiter

    app.extensions["facilitator.limiter"] = Limiter(app)

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from . import auth, security

    app.before_request(auth.load_user)
    app.before_request(auth.check_csrf)
    app.after_request(security.set_headers)

    from . import errorhandlers, templating

    errorhandlers.init_app(app)
    templating.init_app(app)

    from . import api, exports, views

    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    for blueprint in views.blueprints:
        app.register_blueprint(blueprint)

    from . import realtime

    realtime.init_app(app, database)

    from .ratelimit import protect_sockets

    protect_sockets(app, realtime.socketio)
    return app
