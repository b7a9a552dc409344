"""The OpenAPI document: every /api/v1 route in it and nothing else (tests/test_openapi_fuzz.py runs schemathesis)."""

from __future__ import annotations

import re


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def test_the_document_lists_exactly_the_routes(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    routes = _routes(app)
    assert routes - documented == set(), "routes the document lacks"
    assert documented - routes == set(), "documented routes that do not exist"


def test_every_documented_error_code_exists(client):
    from facilitator.errors import ERRORS

    codes = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(codes["properties"]["code"]["enum"]) == set(ERRORS)


def test_the_readme_links_the_document():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "/api/v1/openapi.json" in readme
