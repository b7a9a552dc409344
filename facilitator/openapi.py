"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand beside the routes; tests/test_openapi.py fails when a route
exists that the document lacks (or the other way round), and runs
schemathesis against the live app to hold answers to the shapes below.
"""

from __future__ import annotations

from .errors import ERRORS

VERSION = "1"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: tuple[str, ...] = (), **properties) -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
ID = {"type": "integer", "minimum": 1}

SCHEMAS = {
    "Error": _obj(
        ("error",),
        error=_obj(
            ("code", "message"),
            code={"type": "string", "enum": sorted(ERRORS)},
            message=STR,
            limit=INT,
            length=INT,
            retry_after=INT,
        ),
    ),
    "Settings": _obj(
        max_input_length={"type": "integer", "minimum": 1, "maximum": 5000},
        named_inputs=BOOL,
        participants_see_wall=BOOL,
        participants_choose_theme=BOOL,
        locked=BOOL,
        retention_days=INT,
    ),
    "Workshop": _obj(
        ("id", "title", "language", "join_code", "status", "seq", "settings"),
        id=INT,
        title=STR,
        description=STR,
        language={"type": "string", "enum": ["da", "en"]},
        join_code=STR,
        status={"type": "string", "enum": ["draft", "open", "paused", "closed", "archived"]},
        projector_view=STR,
        place=STR,
        held_on=STR,
        seq=INT,
        settings=_ref("Settings"),
        created_at=NULLABLE_STR,
        updated_at=NULLABLE_STR,
        closed_at=NULLABLE_STR,
        purged_at=NULLABLE_STR,
        join_url=STR,
        projector_url=STR,
    ),
    "Theme": _obj(
        ("id", "title", "summary", "position"),
        id=INT,
        title=STR,
        summary=STR,
        colour={"type": "string", "description": "'' or one of the accessible palette's names (blue, green, orange, purple, teal, red)"},
        position=INT,
        offered=BOOL,
        input_ids={"type": "array", "items": INT},
    ),
    "Input": _obj(
        ("id", "text", "theme_id", "hidden"),
        id=INT,
        text=STR,
        theme_id=NULLABLE_INT,
        position={"type": "integer", "description": "sort key within its column (board order: position, then id); not an index"},
        prompt_id=NULLABLE_INT,
        hidden=BOOL,
        hidden_reason=STR,
        author_name=STR,
        received_at=NULLABLE_STR,
        source=STR,
        suggested=BOOL,
    ),
    "Prompt": _obj(("id", "text"), id=INT, text=STR, position=INT, active=BOOL),
    "MovedInput": {
        "allOf": [
            _ref("Input"),
            _obj(("index",), index={"type": "integer", "minimum": 0, "description": "its index in its column's full order, hidden inputs included"}),
        ]
    },
    "Snapshot": _obj(
        ("workshop", "seq", "themes", "unsorted", "inputs", "prompts"),
        workshop=_ref("Workshop"),
        seq=INT,
        prompts={"type": "array", "items": _ref("Prompt")},
        themes={"type": "array", "items": _ref("Theme")},
        unsorted={"type": "array", "items": INT},
        inputs={"type": "array", "items": _ref("Input")},
        join_url=STR,
        projector_url=STR,
    ),
    "Event": _obj(("seq", "type", "data"), seq=INT, type=STR, data={"type": "object"}, at=NULLABLE_STR),
    "Receipt": _obj(("id", "client_key", "text"), id=INT, client_key=STR, text=STR, received_at=NULLABLE_STR),
    "JoinState": _obj(
        ("status", "title", "max_input_length"),
        status=STR,
        title=STR,
        prompt={"oneOf": [_ref("Prompt"), {"type": "null"}]},
        max_input_length=INT,
        language=STR,
        phone_key={"type": "string", "description": "send it back as X-Phone-Key when cookies are not kept"},
        vote={"type": ["object", "null"]},
        wall={
            "oneOf": [
                _obj(
                    ("themes", "unsorted"),
                    themes={"type": "array", "items": _obj(("id", "title", "inputs"), id=INT, title=STR, inputs={"type": "array", "items": _ref("WallInput")})},
                    unsorted={"type": "array", "items": _ref("WallInput")},
                ),
                {"type": "null"},
            ],
            "description": "the visible board when participants see the wall (participants_see_wall), else null",
        },
        timer={"type": ["object", "null"]},
        now_ms=INT,
    ),
    "WallInput": _obj(("id", "text"), id=INT, text=STR),
}

_ERROR_TEXT = {
    400: "Refused: the body or a parameter is not valid",
    401: "Not logged in, or the token is not valid",
    403: "Not allowed (or the session's CSRF token is missing)",
    404: "No such workshop, theme, input or code (or not yours)",
    409: "Conflicts with the workshop's state",
    413: "Too long or too large",
    415: "The body is not JSON",
    422: "The format cannot hold a character of the stored text (the message names the input)",
    429: "Rate limited: wait Retry-After seconds",
    503: "The database is away, read-only or full: nothing was stored; retry after Retry-After seconds",
}


def _errors(*codes: int) -> dict:
    answers = {}
    for code in codes:
        answer = {"description": _ERROR_TEXT[code], "content": {"application/json": {"schema": _ref("Error")}}}
        if code in (429, 503):
            answer["headers"] = {"Retry-After": {"schema": INT, "required": True}}
        answers[str(code)] = answer
    return answers


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


# Every facilitator call: no login, CSRF, unknown or foreign workshop, oversized body.
_FACILITATOR = (401, 403, 404, 413, 503)
_WRITE = (*_FACILITATOR, 400, 409, 415)


def _param(name: str, schema: dict = ID) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _op(summary: str, answers: dict, errors: tuple[int, ...], body: dict | None = None, params=(), tag="facilitator",
        secured: bool = True) -> dict:
    operation = {"summary": summary, "tags": [tag], "responses": {**answers, **_errors(*errors)}}
    if body is not None:
        operation["requestBody"] = body
    if params:
        operation["parameters"] = list(params)
    if not secured:
        operation["security"] = []
    return operation


WORKSHOP = _param("workshop_id")
THEME = _param("theme_id")
INPUT = _param("input_id")
CODE = _param("code", {"type": "string", "minLength": 1, "maxLength": 64})
PHONE_KEY = {"name": "X-Phone-Key", "in": "header", "required": False, "schema": STR,
             "description": "the phone_key GET /api/v1/join/{code} issued (for clients without cookies)"}

WORKSHOP_BODY = _obj(
    ("title",),
    title={"type": "string", "minLength": 1, "maxLength": 200},
    language={"type": "string", "enum": ["da", "en"]},
    description=STR,
    prompt=STR,
    themes={"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    settings=_ref("Settings"),
    place=STR,
    held_on=STR,
)

ROUND_RESULT = _obj(
    ("round", "items", "voters", "dots_cast"), round={"type": "object"}, voters=INT, dots_cast=INT,
    items={"type": "array", "items": _obj(("kind", "id", "votes", "voters"), kind={"type": "string", "enum": [
        "theme", "input"]}, id=INT, votes=INT, voters=INT, rank=INT)},
)
TIMER = _obj(("timer", "now_ms"), timer={"type": ["object", "null"]}, now_ms=INT)
ROUND = _param("round_id")
SVG = {"description": "A bar chart", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}

_IMPORTED = _obj(("import_key", "created", "count", "inputs"), import_key=STR, created=BOOL, count=INT,
                 inputs={"type": "array", "items": _ref("Input")})

PATHS = {
    "/api/v1/openapi.json": {
        "get": _op("This document", {"200": _json("The OpenAPI document", {"type": "object"})}, (), tag="meta",
                   secured=False),
    },
    "/api/v1/workshops": {
        "post": _op("Create a workshop owned by the caller", {"201": _json("The workshop", _ref("Workshop"))}, _WRITE,
                    _body(WORKSHOP_BODY)),
    },
    "/api/v1/workshops/{workshop_id}": {
        "get": _op("The board snapshot with its seq", {"200": _json("Snapshot", _ref("Snapshot"))}, _FACILITATOR,
                   params=[WORKSHOP]),
        "patch": _op("Change title, description, language, place, date or settings",
                     {"200": _json("The workshop", _ref("Workshop"))}, _WRITE,
                     _body(_obj(title=STR, description=STR, language=STR, place=STR, held_on=STR,
                                settings=_ref("Settings"))), [WORKSHOP]),
        "delete": _op("Delete the workshop and everything in it (owner only)", {"204": {"description": "Deleted"}},
                      _WRITE, params=[WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/events": {
        "get": _op("The events after ?since=N, in order",
                   {"200": _json("Events", _obj(("seq", "events"), seq=INT,
                                                events={"type": "array", "items": _ref("Event")}))},
                   (*_FACILITATOR, 400),
                   params=[WORKSHOP, {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0}}]),
    },
    "/api/v1/workshops/{workshop_id}/status": {
        "post": _op("Open, pause, close or archive input", {"200": _json("The workshop", _ref("Workshop"))}, _WRITE,
                    _body(_obj(("status",), status={"type": "string",
                                                    "enum": ["open", "paused", "closed", "archived"]})), [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/prompt": {
        "post": _op("Ask a new question (it becomes the active one)", {"201": _json("The question", _ref("Prompt"))},
                    _WRITE, _body(_obj(("text",), text=STR)), [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/prompts": {
        "get": _op("The workshop's questions in order, each with how many inputs answered it",
                   {"200": _json("Questions", _obj(("prompts",), prompts={"type": "array", "items": {
                       "allOf": [_ref("Prompt"), _obj(("answers",), answers=INT)]}}))},
                   _FACILITATOR, params=[WORKSHOP]),
        "post": _op("Add a question at the end (asked now with activate: true)",
                    {"201": _json("The question", _ref("Prompt"))}, _WRITE,
                    _body(_obj(("text",), text=STR, activate=BOOL)), [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/prompts/{prompt_id}": {
        "patch": _op("Edit a question (until an input answers it) or move it", {"200": _json("The question", _ref("Prompt"))},
                     _WRITE, _body(_obj(text=STR, position=INT)), [WORKSHOP, _param("prompt_id")]),
        "delete": _op("Delete a question no input has answered", {"204": {"description": "Deleted"}}, _WRITE,
                      params=[WORKSHOP, _param("prompt_id")]),
    },
    "/api/v1/workshops/{workshop_id}/prompts/{prompt_id}/activate": {
        "post": _op("Ask this question now (any of them, an earlier one again)",
                    {"200": _json("The question", _ref("Prompt"))}, _WRITE, params=[WORKSHOP, _param("prompt_id")]),
    },
    "/api/v1/workshops/{workshop_id}/projector": {
        "post": _op("Switch the projector view, or issue a new projector link",
                    {"200": _json("The projector", _obj(
                        ("view", "projector_url"), view=STR, projector_url=STR,
                        spotlight={"type": ["object", "null"]}, page_seconds=INT, paused=BOOL))},
                    _WRITE, _body(_obj(
                        view={"type": "string", "enum": ["collect", "themes", "counts"]}, regenerate=BOOL,
                        spotlight={"oneOf": [{"type": "null"}, _obj(("input_id",), input_id=ID),
                                             _obj(("theme_id",), theme_id=ID)]},
                        page_seconds={"type": "integer", "enum": [0, 8, 12, 20, 30, 60]}, paused=BOOL)),
                    [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/co-facilitators": {
        "get": _op("Who the workshop is shared with",
                   {"200": _json("Co-facilitators", _obj(("co_facilitators",), co_facilitators={
                       "type": "array", "items": _obj(("user_id", "email"), user_id=INT, email=STR)}))},
                   _FACILITATOR, params=[WORKSHOP]),
        "post": _op("Share the workshop with a facilitator by email (owner only); the answer does not say "
                    "whether the account exists",
                    {"202": _json("Accepted", _obj(("email",), email=STR))},
                    _WRITE, _body(_obj(("email",), email=STR)), [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/co-facilitators/{user_id}": {
        "delete": _op("Stop sharing the workshop with a co-facilitator (owner only); their walls are ended",
                      {"204": {"description": "Removed"}}, _WRITE, params=[WORKSHOP, _param("user_id")]),
    },
    "/api/v1/workshops/{workshop_id}/themes": {
        "post": _op("Add a theme at the end of the board", {"201": _json("The theme", _ref("Theme"))}, _WRITE,
                    _body(_obj(("title",), title=STR, summary=STR)), [WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/themes/{theme_id}": {
        "patch": _op("Rename, summarise, colour or reorder a theme", {"200": _json("The theme", _ref("Theme"))},
                     _WRITE, _body(_obj(title=STR, summary=STR, colour=STR, position=INT, offered=BOOL)), [WORKSHOP, THEME]),
        "delete": _op("Delete a theme; its inputs go to Unsorted", {"204": {"description": "Deleted"}}, _WRITE,
                      params=[WORKSHOP, THEME]),
    },
    "/api/v1/workshops/{workshop_id}/themes/{theme_id}/merge": {
        "post": _op("Merge this theme into another", {"200": _json("The merged theme", _ref("Theme"))}, _WRITE,
                    _body(_obj(("into",), into=INT)), [WORKSHOP, THEME]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/{input_id}/move": {
        "post": _op("Move an input to a theme (or Unsorted) at an index", {"200": _json("The input and its index in its column", _ref("MovedInput"))},
                    _WRITE, _body(_obj(theme_id=NULLABLE_INT, index={"type": "integer", "minimum": 0}, suggested=BOOL)),
                    [WORKSHOP, INPUT]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/{input_id}/hide": {
        "post": _op("Hide an input with a reason; it is kept", {"200": _json("The input", _ref("Input"))}, _WRITE,
                    _body(_obj(reason=STR)), [WORKSHOP, INPUT]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/{input_id}/unhide": {
        "post": _op("Show a hidden input again", {"200": _json("The input", _ref("Input"))}, _WRITE,
                    params=[WORKSHOP, INPUT]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/import": {
        "post": _op(
            "Add inputs from paper or another channel; the same import_key again adds nothing",
            {"201": _json("Imported", _IMPORTED), "200": _json("Imported before (a repeat)", _IMPORTED)},
            _WRITE,
            {"required": True, "content": {
                "application/json": {"schema": _obj(
                    ("import_key", "texts"), import_key={"type": "string", "minLength": 1, "maxLength": 64},
                    source=STR, texts={"type": "array", "items": STR})},
                "multipart/form-data": {"schema": _obj(
                    ("import_key", "file"), import_key=STR, source=STR,
                    file={"type": "string", "contentMediaType": "application/octet-stream"})},
            }},
            [WORKSHOP],
        ),
    },
    "/api/v1/workshops/{workshop_id}/suggestions": {
        "get": _op("Grouping help: near-duplicate pairs and theme hints for unsorted inputs (advisory only)",
                   {"200": _json("Suggestions", _obj(
                       ("duplicates", "themes"), engine=STR, pending=INT,
                       duplicates={"type": "array", "items": _obj(
                           ("input_ids", "score"), input_ids={"type": "array", "items": INT}, score={"type": "number"},
                           same=BOOL)},
                       themes={"type": "array", "items": _obj(
                           ("input_id", "theme_id", "score"), input_id=INT, theme_id=INT, score={"type": "number"})}))},
                   _FACILITATOR, params=[WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/{input_id}/similar": {
        "get": _op("The most similar visible inputs on the board",
                   {"200": _json("Similar", _obj(("input_id", "similar"), input_id=INT, similar={
                       "type": "array", "items": _obj(("input_id", "score"), input_id=INT, score={"type": "number"},
                                                      theme_id=NULLABLE_INT)}))},
                   (*_FACILITATOR, 400),
                   params=[WORKSHOP, INPUT, {"name": "limit", "in": "query",
                                             "schema": {"type": "integer", "minimum": 1, "maximum": 50}}]),
    },
    "/api/v1/workshops/{workshop_id}/inputs/{input_id}/dismiss-hint": {
        "post": _op("Do not suggest this theme for this input again", {"204": {"description": "Dismissed"}}, _WRITE,
                    _body(_obj(("theme_id",), theme_id=ID)), [WORKSHOP, INPUT]),
    },
    "/api/v1/workshops/{workshop_id}/vote-rounds": {
        "get": _op("Every vote round with its results", {"200": _json("Rounds", _obj(("rounds",), rounds={
            "type": "array", "items": {"type": "object"}}))}, _FACILITATOR, params=[WORKSHOP], tag="votes"),
        "post": _op("Open a dot-voting round on the themes or on the visible inputs",
                    {"201": _json("The round", ROUND_RESULT)}, _WRITE,
                    _body(_obj(("on",), on={"type": "string", "enum": ["themes", "inputs"]},
                               theme_ids={"type": "array", "items": ID},
                               dots={"type": "integer", "minimum": 1, "maximum": 100},
                               per_item={"type": "integer", "minimum": 1, "maximum": 100},
                               reveal={"type": "string", "enum": ["live", "on_close"]})),
                    [WORKSHOP], tag="votes"),
    },
    "/api/v1/workshops/{workshop_id}/vote-rounds/{round_id}": {
        "get": _op("A round's ranked results (totals only)", {"200": _json("Results", ROUND_RESULT)}, _FACILITATOR,
                   params=[WORKSHOP, ROUND], tag="votes"),
    },
    "/api/v1/workshops/{workshop_id}/vote-rounds/{round_id}/close": {
        "post": _op("Close the round: its results are frozen and shown to the room",
                    {"200": _json("Results", ROUND_RESULT)}, _WRITE, params=[WORKSHOP, ROUND], tag="votes"),
    },
    "/api/v1/workshops/{workshop_id}/vote-rounds/{round_id}/reveal": {
        "post": _op("Show the results to the room before the round closes",
                    {"200": _json("Results", ROUND_RESULT)}, _WRITE, params=[WORKSHOP, ROUND], tag="votes"),
    },
    "/api/v1/workshops/{workshop_id}/vote-rounds/{round_id}/chart.svg": {
        "get": _op("The round's ranked bar chart", {"200": SVG}, _FACILITATOR, params=[WORKSHOP, ROUND], tag="votes"),
    },
    "/api/v1/workshops/{workshop_id}/counts.svg": {
        "get": _op("Visible inputs per theme as a bar chart (board order, then Unsorted)", {"200": SVG}, _FACILITATOR,
                   params=[WORKSHOP]),
    },
    "/api/v1/workshops/{workshop_id}/timer": {
        "get": _op("The round's countdown in the server's clock", {"200": _json("Timer", TIMER)}, _FACILITATOR,
                   params=[WORKSHOP], tag="timer"),
        "post": _op("Start, pause, resume, extend or clear the countdown", {"200": _json("Timer", TIMER)}, _WRITE,
                    _body(_obj(("action",), action={"type": "string", "enum": [
                        "start", "pause", "resume", "extend", "clear"]},
                        seconds={"type": "integer", "minimum": 1, "maximum": 86400},
                        on_zero={"type": "string", "enum": ["nothing", "pause_input", "close_vote"]})),
                    [WORKSHOP], tag="timer"),
    },
    "/api/v1/join/{code}/votes": {
        "put": _op("Replace this phone's whole allocation of dots in the open round",
                   {"200": _json("Stored", _obj(("round", "allocation", "left"), round=INT,
                                                allocation={"type": "object", "additionalProperties": INT}, left=INT))},
                   (400, 404, 409, 413, 415, 429, 503),
                   _body(_obj(("round", "allocation"), round=ID,
                              allocation={"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}})),
                   [CODE, PHONE_KEY], tag="participant", secured=False),
    },
    "/api/v1/workshops/{workshop_id}/export.{fmt}": {
        "get": _op(
            "The workshop as an appendix or report in one format",
            {"200": {"description": "The export file",
                     "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in (
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "application/pdf", "text/markdown", "text/plain", "text/html", "text/csv",
                         "application/json")}}},
            (*_FACILITATOR, 400, 422),
            params=[
                WORKSHOP,
                _param("fmt", {"type": "string", "enum": ["docx", "pdf", "md", "txt", "html", "csv", "xlsx", "json"]}),
                {"name": "variant", "in": "query", "schema": {"type": "string", "enum": ["appendix", "report"]}},
                {"name": "list_hidden", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
                {"name": "heading", "in": "query", "schema": STR},
            ],
        ),
    },
    "/api/v1/join/{code}": {
        "get": _op("What a phone needs: open or not, the question, its phone key",
                   {"200": _json("State", _ref("JoinState"))},
                   (404, 429, 503), params=[CODE], tag="participant", secured=False),
    },
    "/api/v1/join/{code}/inputs": {
        "post": _op(
            "A phone sends an input; the same client_key again answers the stored one",
            {"201": _json("Stored", _ref("Receipt")), "200": _json("Stored before (a repeat)", _ref("Receipt"))},
            (400, 404, 409, 413, 415, 429, 503),
            _body(_obj(
                ("text", "client_key"),
                text={"type": "string", "minLength": 1},
                client_key={"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                author_name=STR,
            )),
            [CODE, PHONE_KEY], tag="participant", secured=False,
        ),
    },
}


def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Facilitator API",
            "version": VERSION,
            "description": "Workshops, themes, inputs, exports (facilitators) and the phone's two calls "
                           "(participants). Errors are always {error: {code, message}} in the user's language.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token (`facilitator token create`)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "facilitator_session",
                            "description": "The login session; writes also need the page's CSRF token as X-CSRF-Token"},
            },
        },
        "paths": PATHS,
    }
