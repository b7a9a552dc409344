"""The `facilitator` console command: serve, accounts, tokens, demo data, migrations."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import click

from . import create_app, settings_app
from .config import SettingError

if TYPE_CHECKING:
    from .models import User

# The commands import what they use themselves: `facilitator serve` reads only the
# settings before it starts the serving process, which imports the app once.

DEMO_EMAIL = "demo@facilitator.local"
DEV_HOST = "127.0.0.1"
DEV_WARNING = (
    "\n  WARNING: development server with the Werkzeug DEBUGGER: anyone who can open its pages\n"
    "  can run code on this machine. It listens on 127.0.0.1 only (asked for: {asked}).\n"
    "  Never use --dev for a workshop; run `facilitator serve` without --dev.\n"
)


# ctx.meta key: the app was built with its settings only (`serve`), not by the factory.
SETTINGS_ONLY = "facilitator.settings_only"


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Facilitator: collect a workshop's inputs, group them live, export them unedited."""
    # Every command runs inside an app context. `serve` needs only the settings: its
    # serving process builds the app itself, and in gevent mode this process is
    # replaced by one that patches first, so importing the app here would be paid twice.
    if ctx.obj is None:  # tests hand in their own app
        ctx.meta[SETTINGS_ONLY] = ctx.invoked_subcommand == "serve"
        try:
            ctx.obj = (settings_app if ctx.meta[SETTINGS_ONLY] else create_app)()
        except SettingError as error:
            raise click.ClickException(str(error)) from None
    ctx.with_resource(ctx.obj.app_context())


@main.command("config")
@click.option("--markdown", is_flag=True, help="Print the README's table of settings instead.")
@click.pass_obj
def config_cmd(app, markdown: bool) -> None:
    """Print every setting's effective value (secrets masked) and where it came from."""
    from . import config, extensions

    if markdown:
        click.echo(config.markdown_table())
        return
    rows = config.effective(app, extensions.settings_sources(app))
    width = max(len(name) for name, _value, _source in rows)
    for name, value, source in rows:
        click.echo(f"{name:<{width}}  {value}  ({source})")


@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from . import migrate
    from .db import database

    migrate.upgrade(database().url, revision)
    click.echo(f"Database at {revision}.")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION."""
    from . import migrate
    from .db import database

    migrate.downgrade(database().url, revision)


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the models (for developers)."""
    from . import migrate
    from .db import database

    migrate.revision(database().url, message)


@main.group()
def user() -> None:
    """Facilitator accounts."""


@user.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="May manage accounts.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
def user_create(email: str, admin: bool, password: str) -> None:
    """Create a facilitator account."""
    from . import services
    from .errors import ServiceError

    try:
        created = services.create_user(email, password, is_admin=admin)
    except ServiceError as error:
        raise click.ClickException(f"{error.code}: {error.message()}") from None
    click.echo(f"Created {'admin' if admin else 'facilitator'} {created.email}.")


def _user_by_email(email: str) -> User:
    """The account with this email, or a ClickException."""
    from sqlalchemy import select

    from .db import database
    from .models import User

    with database().reader() as s:
        found = s.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"No account {email}.")
    return found


@user.command("deactivate")
@click.argument("email")
def user_deactivate(email: str) -> None:
    """Deactivate an account: its sessions and API tokens stop working at once."""
    from . import services

    found = _user_by_email(email)
    services.set_user_active(found.id, False, by_user_id=0)
    click.echo(f"Deactivated {found.email}.")


@user.command("activate")
@click.argument("email")
def user_activate(email: str) -> None:
    """Reactivate a deactivated account."""
    from . import services

    found = _user_by_email(email)
    services.set_user_active(found.id, True, by_user_id=0)
    click.echo(f"Activated {found.email}.")


@main.command()
@click.option("--dry-run", is_flag=True, help="Only list the workshops that are due.")
def purge(dry_run: bool) -> None:
    """Delete the inputs of workshops closed longer ago than their retention (run daily, e.g. from cron)."""
    from . import services
    from .services.retention import due

    if dry_run:
        ids = due()
        click.echo(f"{len(ids)} workshop(s) due: {', '.join(map(str, ids)) or '-'}")
        return
    purged = services.purge_expired(actor="cli:purge")
    for item in purged:
        click.echo(f"Workshop {item.workshop_id}: deleted {item.inputs} inputs and {item.events} events.")
    click.echo(f"Purged {len(purged)} workshop(s).")


@main.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--label", default="cli")
def token_create(email: str, label: str) -> None:
    """Print a new API token for EMAIL (shown once; stored only as a hash)."""
    from . import services

    value, _row = services.create_token(_user_by_email(email).id, label)
    click.echo(value)


@main.command()
@click.option("--owner", default=None, help="Email of the owner (default: the demo account).")
def demo(owner: str | None) -> None:
    """Load the reference workshop (117 inputs in 4 themes) as a demo."""
    from .demo import load_demo

    owner_user = _demo_owner(owner)
    workshop = load_demo(owner_user.id)
    click.echo(f"Demo workshop {workshop.id} '{workshop.title}' (join code {workshop.join_code}) for {owner_user.email}.")


def _demo_owner(email: str | None) -> User:
    """The account EMAIL, else the demo account or the first one; a ClickException if there is none."""
    from sqlalchemy import select

    from .db import database
    from .models import User

    with database().reader() as s:
        query = select(User).where(User.email == (email or DEMO_EMAIL).lower())
        found = s.execute(query).scalar_one_or_none()
        if found is None and email is None:
            found = s.execute(select(User).order_by(User.id)).scalars().first()
    if found is None:
        raise click.ClickException("No account yet: run `facilitator init` or `facilitator user create`.")
    return found


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--owner", default=None, help="Email of the owner (default: the demo account or the first account).")
def import_(path: str, owner: str | None) -> None:
    """Rebuild a workshop from a JSON export."""
    import json

    from . import services
    from .errors import ServiceError

    owner_user = _demo_owner(owner)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    try:
        workshop = services.import_workshop(owner_user.id, data, actor="cli:import")
    except ServiceError as error:
        raise click.ClickException(f"{error.code}: {error.message()}") from None
    click.echo(f"Imported workshop {workshop.id} '{workshop.title}' for {owner_user.email}.")


@main.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--workshop", "workshop_id", type=int, default=None, help="Compare with this workshop only.")
def verify_cmd(path: str, workshop_id: int | None) -> None:
    """Say whether an export is complete and unaltered compared with the database."""
    from .db import database
    from .verify import verify_file

    with database().reader() as s:
        verdict = verify_file(s, path, workshop_id)
    if verdict.ok:
        click.echo(f"OK: {path} is complete and unaltered (workshop {verdict.workshop_id}).")
        return
    for problem in verdict.problems:
        click.echo(f"- {problem}", err=True)
    raise click.ClickException(f"{path} does not match the database.")


@main.command()
def init() -> None:
    """Migrate; on the very first run create a demo account (printed once) and the demo workshop."""
    from sqlalchemy import func, select

    from . import migrate, services
    from .db import database
    from .models import User

    migrate.upgrade(database().url)
    with database().reader() as s:
        users = s.execute(select(func.count(User.id))).scalar_one()
    if users:
        click.echo("Database ready.")
        return
    from .demo import load_demo

    password = secrets.token_urlsafe(12)
    created = services.create_user(DEMO_EMAIL, password, is_admin=True)
    load_demo(created.id)
    click.echo("")
    click.echo("  First run: created a facilitator account (shown only this once):")
    click.echo(f"    email:    {DEMO_EMAIL}")
    click.echo(f"    password: {password}")
    click.echo("  and loaded the demo workshop. Create your own with `facilitator user create EMAIL`.")
    click.echo("")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 lets phones on the LAN connect.")
@click.option("--port", default=5000, show_default=True)
@click.option(
    "--threads",
    type=int,
    default=None,
    help="Connections one process serves at once (threads in threading mode). "
    "Default: SOCKETIO_MAX_PARTICIPANTS + SERVE_RESERVED_CONNECTIONS.",
)
@click.option(
    "--dev", is_flag=True, help="Werkzeug's reloading development server with its debugger (loopback only)."
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int | None, dev: bool) -> None:
    """Serve the app (one process; see the README for several behind a proxy)."""
    app = ctx.obj
    if dev:
        from . import jobs
        from .log_redaction import RedactingRequestHandler
        from .realtime import socketio

        # The Werkzeug debugger runs any Python code its page is sent: whoever reaches it owns
        # the machine. So the development server listens on this machine's loopback only.
        click.secho(DEV_WARNING.format(asked=host), fg="red", bold=True, err=True)
        if ctx.meta.get(SETTINGS_ONLY):
            app = create_app()
            ctx.with_resource(app.app_context())
        jobs.start(app)
        socketio.run(
            app,
            host=DEV_HOST,
            port=port,
            debug=True,
            allow_unsafe_werkzeug=True,
            request_handler=RedactingRequestHandler,
        )
        return
    from .server import connections, run_gunicorn

    run_gunicorn(_serving_app, host, port, threads or connections(app.config))


def _serving_app():
    """The app a server process serves, with its background jobs running in it (built in the worker)."""
    from . import jobs

    app = create_app()
    jobs.start(app)
    return app
