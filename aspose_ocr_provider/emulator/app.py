"""The aiohttp application: Aspose.OCR Cloud v5.0 table routes, token endpoint and admin routes.

Paths are matched case-insensitively (the real service is ASP.NET Core), so every request goes
through one dispatcher instead of aiohttp's case-sensitive router. The dispatcher also applies
the fault plan and writes the request log, which is why both live here and not in middleware.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import math
import secrets
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from aspose_ocr_provider.emulator.auth import credentials_match
from aspose_ocr_provider.emulator.clock import Clock
from aspose_ocr_provider.emulator.config import EmulatorConfig
from aspose_ocr_provider.emulator.engines.base import TableEngine
from aspose_ocr_provider.emulator.faults import Fault
from aspose_ocr_provider.emulator.state import EmulatorState, RequestRecord, now_wall
from aspose_ocr_provider.models import (
    RECOGNIZE_TABLE_PATH,
    TASK_STATUS_PATH,
    TOKEN_PATH,
    ProblemDetails,
    TableSettings,
)

log = logging.getLogger(__name__)

STATE_KEY: web.AppKey[EmulatorState] = web.AppKey("aspose_ocr_emulator_state", EmulatorState)
ADMIN_PREFIX = "/_emulator"
MAX_BODY_BYTES = 256 * 1024 * 1024
"""The service documents no size limit; this only guards the emulator's memory."""
_DECODE_OFF_LOOP_BYTES = 512 * 1024
_VALIDATION_TITLE = "One or more validation errors occurred."
_SECRET_QUERY_KEYS = ("secret", "password", "token", "key")

_RFC9110_SECTIONS = {
    400: "15.5.1",
    401: "15.5.2",
    404: "15.5.5",
    405: "15.5.6",
    500: "15.6.1",
    502: "15.6.3",
    503: "15.6.4",
}

Handler = Callable[[web.Request, EmulatorState], Awaitable[web.StreamResponse]]


# ---------------------------------------------------------------- responses


def problem(
    status: int, title: str, detail: str | None = None, errors: dict[str, list[str]] | None = None
) -> web.Response:
    section = _RFC9110_SECTIONS.get(status)
    kind = f"https://tools.ietf.org/html/rfc9110#section-{section}" if section else None
    body = ProblemDetails(status=status, title=title, detail=detail, type=kind, errors=errors or {}).to_json()
    body["traceId"] = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"
    return web.Response(status=status, text=json.dumps(body), content_type="application/problem+json")


def validation_problem(errors: dict[str, list[str]]) -> web.Response:
    detail = " ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items())
    return problem(400, _VALIDATION_TITLE, detail, errors)


def oauth_error(
    status: int, error: str, description: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"error": error, "error_description": description},
        status=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def json_ok(body: Any) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json")


def _query(request: web.Request, name: str) -> str | None:
    """A query parameter by case-insensitive name, as ASP.NET model binding reads it."""
    for key, value in request.query.items():
        if key.lower() == name:
            return value
    return None


# ---------------------------------------------------------------- token


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before being joined.
    return unquote_plus(client_id), unquote_plus(client_secret)


async def handle_token(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    form: Mapping[str, Any] = {}
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except ValueError as exc:
            return oauth_error(400, "invalid_request", f"The token request form could not be read: {exc}")
    elif request.can_read_body and await request.read():
        return oauth_error(
            400,
            "invalid_request",
            "Send the token request as application/x-www-form-urlencoded or multipart/form-data "
            "with grant_type, client_id and client_secret (or client_id:client_secret as HTTP Basic).",
        )
    basic = _basic_credentials(request.headers.get("Authorization", ""))
    client_id, client_secret = (
        basic if basic else (str(form.get("client_id") or ""), str(form.get("client_secret") or ""))
    )
    if not client_id or not client_secret:
        return oauth_error(400, "invalid_client", "client_id and client_secret are required.")
    locked = state.guard.locked_for(client_id, client_secret)
    if locked > 0:
        return oauth_error(
            429,
            "too_many_requests",
            "Too many failed attempts with these credentials; wait before trying again.",
            {"Retry-After": str(math.ceil(locked))},
        )
    if not credentials_match(client_id, client_secret, state.config.client_id, state.config.client_secret):
        state.guard.record_failure(client_id, client_secret)
        return oauth_error(400, "invalid_client", "The client id or client secret is not valid.")
    grant_type = form.get("grant_type")
    if not grant_type:
        return oauth_error(
            400, "invalid_request", "grant_type is required; use grant_type=client_credentials."
        )
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    token, expires_in = state.tokens.issue(client_id)
    return web.json_response(
        {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _authorised(request: web.Request, state: EmulatorState) -> web.Response | None:
    """None when the bearer token is good, else the 401 to send."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip() and state.tokens.accept(token.strip()):
        return None
    response = problem(401, "Unauthorized", "A valid bearer token from /connect/token is required.")
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


# ---------------------------------------------------------------- OCR routes


async def handle_submit(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    denied = _authorised(request, state)
    if denied is not None:
        return denied
    raw = await request.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError as exc:
        return validation_problem({"$": [f"The request body is not valid JSON: {exc}."]})
    if not isinstance(data, dict):
        return validation_problem(
            {"$": ['The request body must be a JSON object {"image": <base64>, "settings": {...}}.']}
        )
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        lowered = str(key).lower()
        if lowered not in ("image", "settings"):
            errors[str(key)] = [f"Unknown member {key!r}; the body takes only image and settings."]
        fields[lowered] = value
    image_text = fields.get("image")
    image: bytes | None = None
    if image_text is None or image_text == "":
        errors["image"] = ["The image field is required (the table image as base64)."]
    elif not isinstance(image_text, str):
        errors["image"] = ["The image field must be a base64 string."]
    else:
        try:
            if len(image_text) > _DECODE_OFF_LOOP_BYTES:
                image = await asyncio.get_running_loop().run_in_executor(None, _b64decode, image_text)
            else:
                image = _b64decode(image_text)
        except (binascii.Error, ValueError) as exc:
            errors["image"] = [f"The image field is not valid base64: {exc}."]
    settings: TableSettings | None = None
    raw_settings = fields.get("settings")
    if raw_settings is None:
        errors["settings"] = ["The settings field is required (send {} for the defaults)."]
    else:
        try:
            settings = TableSettings.from_json(raw_settings)
        except ValueError as exc:
            errors.update(_settings_errors(raw_settings) or {"settings": [str(exc)]})
    if errors or image is None or settings is None:
        return validation_problem(errors)
    task_id = state.submit(image, settings)
    return web.Response(text=task_id, content_type="text/plain")


def _settings_errors(raw: Any) -> dict[str, list[str]]:
    """Errors keyed by the member the client sent (``settings.resultTypeTable``), like ASP.NET."""
    if not isinstance(raw, dict):
        return {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        try:
            TableSettings.from_json({key: value})
        except ValueError as exc:
            errors[f"settings.{key}"] = [str(exc)]
    return errors


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _task_id(request: web.Request) -> str | None:
    value = _query(request, "id")
    return value.strip() if value and value.strip() else None


def _authorised_task_id(request: web.Request, state: EmulatorState) -> str | web.StreamResponse:
    """The ``id`` of a GET or DELETE, or the 401/400 answer that stands in for it."""
    denied = _authorised(request, state)
    if denied is not None:
        return denied
    task_id = _task_id(request)
    if task_id is None:
        return validation_problem({"id": ["The id query parameter is required (the task id from the POST)."]})
    return task_id


async def _read_task(request: web.Request, state: EmulatorState, with_results: bool) -> web.StreamResponse:
    task_id = _authorised_task_id(request, state)
    if not isinstance(task_id, str):
        return task_id
    return json_ok(state.tasks.poll(task_id, with_results=with_results).to_json())


async def handle_result(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return await _read_task(request, state, with_results=True)


async def handle_status(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return await _read_task(request, state, with_results=False)


async def handle_cancel(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    task_id = _authorised_task_id(request, state)
    if not isinstance(task_id, str):
        return task_id
    state.tasks.cancel(task_id)
    return web.Response(status=200)


# ---------------------------------------------------------------- admin routes


async def _json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    data = json.loads(raw) if raw else {}
    if not isinstance(data, dict):
        raise ValueError("The body must be a JSON object.")
    return data


async def admin_stats(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return json_ok(state.stats())


async def admin_requests(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return json_ok([r.to_json() for r in state.requests])


async def admin_get_config(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return json_ok(state.config.public_json())


async def admin_set_config(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    try:
        state.configure(await _json_body(request))
    except (ValueError, TypeError) as exc:
        return problem(400, "Invalid emulator configuration", str(exc))
    return json_ok(state.config.public_json())


async def admin_revoke(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    return json_ok({"revoked": state.tokens.revoke_all()})


async def admin_advance(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    try:
        seconds = float((await _json_body(request)).get("seconds", 0))
        state.clock.advance(seconds)
    except (ValueError, TypeError) as exc:
        return problem(400, "Invalid clock change", f'{exc} Send {{"seconds": N}} with N >= 0.')
    return json_ok({"clock_offset": state.clock.offset})


async def admin_fixture(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    add = getattr(state.engine, "add_csv", None)
    if add is None:
        return problem(
            400, "Engine takes no fixtures", f"The {state.config.engine!r} engine does not take fixtures."
        )
    try:
        body = await _json_body(request)
        add(base64.b64decode(str(body["image"]), validate=True), str(body["csv"]))
    except (KeyError, ValueError, binascii.Error) as exc:
        return problem(400, "Invalid fixture", f'Send {{"image": <base64>, "csv": <text>}} ({exc}).')
    return json_ok({"fixtures": len(state.engine)})  # type: ignore[arg-type]


async def admin_task(request: web.Request, state: EmulatorState) -> web.StreamResponse:
    task_id = _task_id(request) or ""
    return json_ok({"id": task_id, "taskStatus": state.tasks.peek(task_id).value})


# ---------------------------------------------------------------- dispatch

_Route = dict[str, tuple[str | None, Handler]]

_OCR_TABLE: _Route = {
    "POST": ("submit", handle_submit),
    "GET": ("result", handle_result),
    "DELETE": ("cancel", handle_cancel),
}
_STATUS: _Route = {"GET": ("status", handle_status)}

ROUTES: dict[str, _Route] = {
    TOKEN_PATH.lower(): {"POST": ("token", handle_token)},
    RECOGNIZE_TABLE_PATH.lower(): _OCR_TABLE,
    # The .NET SDK drops "/ocr" from paths when its base path is not api.aspose.cloud.
    RECOGNIZE_TABLE_PATH.replace("/ocr/", "/").lower(): _OCR_TABLE,
    TASK_STATUS_PATH.lower(): _STATUS,
    TASK_STATUS_PATH.replace("/ocr/", "/").lower(): _STATUS,
    f"{ADMIN_PREFIX}/stats": {"GET": (None, admin_stats)},
    f"{ADMIN_PREFIX}/requests": {"GET": (None, admin_requests)},
    f"{ADMIN_PREFIX}/config": {"GET": (None, admin_get_config), "POST": (None, admin_set_config)},
    f"{ADMIN_PREFIX}/revoke-tokens": {"POST": (None, admin_revoke)},
    f"{ADMIN_PREFIX}/advance-clock": {"POST": (None, admin_advance)},
    f"{ADMIN_PREFIX}/fixtures": {"POST": (None, admin_fixture)},
    f"{ADMIN_PREFIX}/task": {"GET": (None, admin_task)},
}


class _Dropped(Exception):
    """The fault plan chose to drop this connection."""


async def _apply_fault(request: web.Request, fault: Fault) -> web.Response | None:
    if fault.kind == "slow":
        await asyncio.sleep(fault.slow_seconds)
        return None
    if fault.kind == "drop":
        if request.transport is not None:
            request.transport.close()
        raise _Dropped
    status = int(fault.kind)
    headers = {"Retry-After": str(fault.retry_after)} if status in (429, 503) else {}
    titles = {
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }
    response = problem(status, titles[status], "Injected fault from the Aspose.OCR emulator.")
    response.headers.update(headers)
    return response


def _safe_query(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.query.items() if not any(s in k.lower() for s in _SECRET_QUERY_KEYS)}


async def dispatch(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    path = request.path
    route = ROUTES.get(path.rstrip("/").lower() or "/")
    endpoint: str | None = None
    status: int | None = None
    try:
        if route is None or request.method not in route:
            state.arrived(request.method, path, None)
        if route is None:
            response: web.StreamResponse = problem(404, "Not Found", f"No emulated endpoint at {path}.")
        elif request.method not in route:
            response = problem(405, "Method Not Allowed", f"{path} takes {', '.join(route)}.")
            response.headers["Allow"] = ", ".join(route)
        else:
            endpoint, handler = route[request.method]
            state.arrived(request.method, path, endpoint)
            injected = None
            if endpoint is not None:
                fault = state.faults.pick(endpoint)
                if fault is not None:
                    injected = await _apply_fault(request, fault)
            response = injected if injected is not None else await handler(request, state)
        status = response.status
        return response
    except _Dropped:
        # Nothing may be written on a closed transport; returning an unprepared response after
        # closing makes aiohttp give up quietly.
        return web.Response(status=499)
    finally:
        state.record(RequestRecord(request.method, path, _safe_query(request), status, now_wall(), endpoint))


def create_app(
    config: EmulatorConfig | None = None,
    *,
    engine: TableEngine | None = None,
    executor: Executor | None = None,
    clock: Clock | None = None,
    state: EmulatorState | None = None,
) -> web.Application:
    """Build the emulator's aiohttp application.

    :param config: Configuration (defaults of ``EmulatorConfig`` when None).
    :param engine: Engine instance overriding ``config.engine``.
    :param executor: Executor for recognition (a thread pool of ``config.workers`` by default).
    :param clock: Clock to use (a fresh ``Clock`` by default).
    :param state: A ready ``EmulatorState``; the other arguments are then ignored.
    """
    if state is None:
        state = EmulatorState(config or EmulatorConfig(), engine=engine, executor=executor, clock=clock)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app.router.add_route("*", "/{tail:.*}", dispatch)

    async def _shutdown(app: web.Application) -> None:
        app[STATE_KEY].close()

    app.on_cleanup.append(_shutdown)
    return app
