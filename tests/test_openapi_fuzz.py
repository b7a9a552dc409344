"""Schemathesis against the live app: generated requests for every operation, answers as documented."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from facilitator import extensions, services
from tests.conftest import _backend_params, _truncate, make_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.fixture(scope="module", params=_backend_params())
def fuzzed(request, tmp_path_factory, sqlite_template):
    """One app per database for the schemathesis run: an account, a token, an open workshop with inputs."""
    import shutil

    folder = tmp_path_factory.mktemp("openapi")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, folder / "db.sqlite3")
        url = f"sqlite:///{folder / 'db.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    app = make_app(url, folder / "instance")
    with app.app_context():
        if request.param != "sqlite":
            _truncate(app)
        user = services.create_user("fuzz@example.org", "correct horse battery")
        token, _ = services.create_token(user.id, "schemathesis")
        workshop = services.create_workshop(user.id, "Fuzzed", themes=["A", "B"], prompt="Hvad?")
        services.set_status(workshop.id, "open")
        for n in range(3):
            services.submit_input(workshop.join_code, f"input {n}", f"fuzz-key-{n:04d}")
    yield app, token, workshop
    extensions.database(app).dispose()


def _operations() -> list[str]:
    from facilitator.openapi import PATHS

    return [f"{method.upper()} {path}" for path, item in PATHS.items() for method in item]


@pytest.mark.slow
@pytest.mark.parametrize("operation", _operations())
def test_the_live_app_answers_as_documented(operation, fuzzed):
    """Schemathesis generates requests for one operation; every answer must match the document."""
    app, token, workshop = fuzzed
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    method, path = operation.split(" ", 1)
    found = schema[path][method]

    @given(case=found.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        parameters = case.path_parameters or {}
        if "workshop_id" in parameters and parameters["workshop_id"] % 2:
            parameters["workshop_id"] = workshop.id  # half the cases reach a real workshop
        if "code" in parameters and len(str(parameters["code"])) % 2:
            parameters["code"] = workshop.join_code
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()
