"""The Telnyx-compatible routes: chat, models, embeddings and buckets.

Every API request goes through :func:`_pipeline`: journal, bearer check (401 in Telnyx's
``errors[]`` shape), faults (status codes, slow first byte), then the route's own handler.
The control routes live in :mod:`.control`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from telnyx_inference._constants import (
    BUCKET_JOB_PATH,
    BUCKETS_PATH,
    CHAT_PATH,
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
    EMBEDDING_DIMENSIONS,
    EMBEDDING_MODELS_PATH,
    EMBEDDINGS_PATH,
    EMULATOR_ADVERSARIAL,
    EMULATOR_FAULT_HEADER,
    EMULATOR_IGNORED_FIELDS_HEADER,
    EMULATOR_MODE_HEADER,
    EMULATOR_REALISTIC,
    ERROR_CODE_NOT_FOUND,
    IDEMPOTENCY_KEY_HEADER,
    LEGACY_BASE_SUFFIX,
    MODELS_PATH,
    NATIVE_ROOT_PATH,
    OPENAI_BASE_SUFFIX,
    SIMILARITY_SEARCH_PATH,
)
from telnyx_inference.emulator import errors, streaming
from telnyx_inference.emulator import faults as fk
from telnyx_inference.emulator.access import bearer_token
from telnyx_inference.emulator.faults import Fault
from telnyx_inference.emulator.model import tokens
from telnyx_inference.emulator.model.engine import prompt_tokens
from telnyx_inference.emulator.model.guided import GenerationError
from telnyx_inference.emulator.records import JournalEntry, redact_headers
from telnyx_inference.emulator.responders import ResponderError
from telnyx_inference.emulator.serving import render, responding
from telnyx_inference.emulator.serving import validation as v
from telnyx_inference.emulator.serving.catalog import token_limit
from telnyx_inference.emulator.serving.control import control_routes
from telnyx_inference.emulator.serving.index import index_routes
from telnyx_inference.emulator.serving.limits import spent
from telnyx_inference.emulator.serving.ops import Operations, note_faults, pause
from telnyx_inference.emulator.serving.schema import error as field_error
from telnyx_inference.emulator.serving.state import State
from telnyx_inference.emulator.storage import embedder
from telnyx_inference.emulator.storage.buckets import UnknownBucket, UnknownJob

SCHEMA_DEFAULT_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
"""What Telnyx's schema uses when ``model`` is left out (stale, but it is the default)."""
STRICT_HEADER = "x-emulator-strict"
_OPENAI = NATIVE_ROOT_PATH + OPENAI_BASE_SUFFIX
_LEGACY = NATIVE_ROOT_PATH + LEGACY_BASE_SUFFIX


class Call:
    """What the pipeline learnt about one request, handed to the route handler."""

    def __init__(
        self, raw: bytes, body: Any, faults: dict[str, Fault], entry: JournalEntry
    ) -> None:
        self.raw, self.body, self.faults, self.entry = raw, body, faults, entry


def _bad_request(detail: str, field: str | None = None, code: str = v.BAD_REQUEST) -> Response:
    return errors.json_response(
        errors.telnyx_errors(400, detail, code=code, pointer=f"/{field}" if field else None), 400
    )


def _unprocessable(errs: list[dict[str, Any]]) -> Response:
    return errors.json_response({"detail": errs}, 422)


def _fault_response(fault: Fault) -> Response:
    message = fault.message or f"Emulated {fault.status} error."
    headers = errors.rate_limit_headers(reset_in=fault.seconds) if fault.status == 429 else None
    return errors.json_response(
        errors.error_body(fault.status, fault.body, message), fault.status, headers
    )


def _key(request: Request) -> str | None:
    return bearer_token(request.headers.get("authorization"))


def _authorised(request: Request, state: State) -> bool:
    key = _key(request)
    expected = state.settings.api_key
    return key is not None and (expected is None or key == expected)


def route(
    handler: Callable[[Request, State, Call], Awaitable[Response]],
) -> Callable[[State], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler in the common pipeline, bound to one emulator's state."""

    def bind(state: State) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await _pipeline(request, state, handler)

        return endpoint

    return bind


async def _pipeline(
    request: Request, state: State, handler: Callable[[Request, State, Call], Awaitable[Response]]
) -> Response:
    raw = await request.body()
    parse_errs, body = v.parse_body(raw) if request.method == "POST" else ([], None)
    entry = JournalEntry(
        request.method, request.url.path, request.url.query, redact_headers(request.headers), raw
    )
    state.record(entry, len(raw))
    if state.tape is not None:  # record / replay answer before the emulator's own model
        taped = await state.tape.answer(request, raw, state.settings.strict)
        if taped is not None:
            entry.status = taped.status_code
            return taped
    if not _authorised(request, state):
        entry.status = 401
        return errors.json_response(
            errors.telnyx_errors(
                401,
                "Authentication failed: the API key is missing or invalid. Send it as "
                "'Authorization: Bearer <key>'.",
            ),
            401,
        )
    streaming_wanted = isinstance(body, dict) and body.get("stream") in (True, "true")
    try:
        header = request.headers.get(EMULATOR_FAULT_HEADER)
        taken = state.take_faults(request.url.path, streaming_wanted, header, raw)
    except ValueError as exc:
        entry.status = 400
        return _bad_request(f"Invalid {EMULATOR_FAULT_HEADER} header: {exc}")
    faults = fk.pick(taken)
    note_faults(request.scope, faults)
    if slow := faults.get(fk.SLOW_FIRST_BYTE):
        await pause(request.receive, slow.seconds)
    if status := faults.get(fk.STATUS):
        response = _fault_response(status)
    elif parse_errs:
        response = _unprocessable(parse_errs)
    else:
        response = await handler(request, state, Call(raw, body, faults, entry))
        if fk.DROP in faults:
            response = _LostAnswer(response)
    entry.status = response.status_code
    return response


class _LostAnswer(Response):
    """A ``drop`` fault on an API route: the request was served (a job started, say), then
    the connection closes after the status line, so the client never reads the answer."""

    def __init__(self, served: Response) -> None:
        super().__init__(status_code=served.status_code, headers=dict(served.headers))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})
        raise streaming.DropConnection("emulated drop: served, the answer lost on the way back")


# --- chat ------------------------------------------------------------------------------------


def _fixed_response(state: State, raw: bytes) -> Response | None:
    fixed = state.fixed
    if fixed is None:
        return None
    if b'"stream":true' in raw or b'"stream": true' in raw:
        return Response(fixed.stream_body, media_type="text/event-stream")
    return Response(fixed.completion, media_type="application/json")


async def chat(request: Request, state: State, call: Call) -> Response:
    settings = state.settings
    strict = settings.strict or request.headers.get(STRICT_HEADER, "") in ("1", "true")
    errs, body, unknown = v.validate_chat(call.body, settings.contract, settings.guided, strict)
    current = settings.contract != "seed"
    errs = errs or (v.residency_errors(body) if current else [])
    if errs:
        return _unprocessable(errs)
    model_id = str(body.setdefault("model", SCHEMA_DEFAULT_MODEL))
    facts = state.catalog.get(model_id)
    if facts is None:
        return errors.json_response(
            errors.telnyx_errors(
                404, f"The model '{model_id}' does not exist or is not available."
            ),
            404,
        )
    if not state.catalog.is_chat(model_id):
        return _bad_request(f"The model '{model_id}' is not a chat model.", "model")
    efforts = state.catalog.efforts(model_id) if current else None
    refuse_cap = settings.refuse_max_tokens_with_tools
    if refused := v.refusal(body, facts, efforts, refuse_max_tokens_with_tools=refuse_cap):
        status, code, field, detail = refused
        if status == 422:
            return _unprocessable(
                [field_error("value_error", ("body", field), detail, body[field])]
            )
        return _bad_request(detail, field, code)
    mode = request.headers.get(EMULATOR_MODE_HEADER, "").strip().lower()
    if mode not in ("", EMULATOR_ADVERSARIAL, EMULATOR_REALISTIC):
        return _bad_request(
            f"Invalid {EMULATOR_MODE_HEADER} header {mode!r}: use "
            f"{EMULATOR_REALISTIC!r} or {EMULATOR_ADVERSARIAL!r}."
        )
    adversarial = mode == EMULATOR_ADVERSARIAL if mode else state.settings.adversarial
    limit = token_limit(model_id, facts, body.get("max_tokens"))
    cached = state.prefix_cache.lookup(model_id, body["messages"], prompt_tokens(body))
    try:
        comp = await responding.answer(
            state,
            body,
            request.headers,
            is_reasoning=facts.is_reasoning,
            adversarial=adversarial,
            limit=limit,
            cached_tokens=cached,
        )
    except GenerationError as exc:
        return _bad_request(f"Guided decoding failed: {exc}")
    except UnknownBucket as exc:
        return errors.bucket_not_found(str(exc.args[0]))
    except ResponderError as exc:
        call.entry.error = str(exc)
        return errors.json_response(errors.telnyx_errors(500, str(exc)), 500)
    if refusal := state.admit(
        _key(request), model_id, body.get("region"), facts.tier, spent(comp.usage)
    ):
        return refusal.response()
    # Field names are the client's: percent-encoded, so any name fits in a header.
    names = ",".join(quote(name, safe="_-.~!$*+") for name in unknown)
    headers = {EMULATOR_IGNORED_FIELDS_HEADER: names} if unknown else None
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = render.stream_chunks(comp, include_usage)
        return StreamingResponse(
            streaming.sse(chunks, call.faults), headers=headers, media_type="text/event-stream"
        )
    return errors.json_response(render.completion_body(comp), 200, headers)


async def models(request: Request, state: State, call: Call) -> Response:
    return errors.json_response(state.catalog.listing())


# --- embeddings --------------------------------------------------------------------------------


async def embeddings(request: Request, state: State, call: Call) -> Response:
    errs, body, _ = v.validate(v.EMBEDDING_FIELDS, call.body, state.settings.strict)
    if errs:
        return _unprocessable(errs)
    model_id = body["model"]
    if state.catalog.get(model_id) is None:
        return errors.json_response(
            errors.telnyx_errors(
                404, f"The model '{model_id}' does not exist or is not available."
            ),
            404,
        )
    if not state.catalog.is_embedding(model_id):
        return _bad_request(f"The model '{model_id}' is not an embedding model.", "model")
    dims = body.get("dimensions")
    if dims is not None and not 1 <= dims <= EMBEDDING_DIMENSIONS:
        return _bad_request(
            f"dimensions must be between 1 and {EMBEDDING_DIMENSIONS}.", "dimensions"
        )
    texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
    if not texts:
        return _bad_request("input must not be an empty list.", "input")
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(texts):
        vec = embedder.embed(text, dims)
        data.append(
            {
                "object": "embedding",
                "index": i,
                "embedding": embedder.to_base64(vec) if as_base64 else vec,
            }
        )
    used = sum(tokens.count(t) for t in texts)
    facts = state.catalog.get(model_id)
    tier = facts.tier if facts is not None else None
    if refusal := state.admit(_key(request), model_id, None, tier, (used, used, 0)):
        return refusal.response()
    return errors.json_response(
        {
            "object": "list",
            "data": data,
            "model": model_id,
            "usage": {"prompt_tokens": used, "total_tokens": used},
        }
    )


async def embedding_models(request: Request, state: State, call: Call) -> Response:
    return errors.json_response(state.catalog.listing(embeddings_only=True))


# --- buckets -----------------------------------------------------------------------------------


async def bucket_job(request: Request, state: State, call: Call) -> Response:
    errs, body, _ = v.validate(v.BUCKET_JOB_FIELDS, call.body, state.settings.strict)
    if errs:
        return _unprocessable(errs)
    name = body["bucket_name"]
    try:
        job = state.buckets.start_job(
            name,
            body.get("document_chunk_size") or DEFAULT_CHUNK_SIZE,
            body.get("document_chunk_overlap_size", DEFAULT_CHUNK_OVERLAP),
            body.get("embedding_model") or DEFAULT_EMBEDDING_MODEL,
            request.headers.get(IDEMPOTENCY_KEY_HEADER) or None,
        )
    except UnknownBucket:
        return errors.bucket_not_found(name)
    return errors.json_response({"data": job.as_data()})


async def job_status(request: Request, state: State, call: Call) -> Response:
    task_id = request.path_params["task_id"]
    try:
        job = state.buckets.poll_job(task_id)
    except UnknownJob:
        return errors.json_response(
            {
                "detail": [
                    {
                        "code": ERROR_CODE_NOT_FOUND,
                        "title": errors.title_for(404),
                        "detail": f"Embedding task '{task_id}' not found.",
                    }
                ]
            },
            404,
        )
    return errors.json_response({"data": job.as_data()})


async def list_buckets(request: Request, state: State, call: Call) -> Response:
    return errors.json_response({"data": {"buckets": state.buckets.names()}})


async def bucket_files(request: Request, state: State, call: Call) -> Response:
    name = request.path_params["name"]
    try:
        return errors.json_response({"data": state.buckets.files(name)})
    except UnknownBucket:
        return errors.bucket_not_found(name)


async def disable_bucket(request: Request, state: State, call: Call) -> Response:
    name = request.path_params["name"]
    try:
        state.buckets.disable(name)
    except UnknownBucket:
        return errors.bucket_not_found(name)
    return errors.json_response({})


async def similarity_search(request: Request, state: State, call: Call) -> Response:
    errs, body, _ = v.validate(v.SIMILARITY_FIELDS, call.body, state.settings.strict)
    if errs:
        return _unprocessable(errs)
    try:
        docs = state.buckets.search(
            body["bucket_name"], body["query"], body.get("num_of_docs", DEFAULT_NUM_OF_DOCS)
        )
    except UnknownBucket:
        return errors.bucket_not_found(body["bucket_name"])
    used = tokens.count(body["query"])  # the query is embedded with the default model
    if refusal := state.admit(_key(request), DEFAULT_EMBEDDING_MODEL, None, None, (used, used, 0)):
        return refusal.response()
    return errors.json_response({"data": docs})


async def not_found(request: Request, state: State, call: Call) -> Response:
    return errors.json_response(
        errors.telnyx_errors(
            404, f"No route {request.method} {request.url.path} on the Telnyx emulator."
        ),
        404,
    )


def create_app(state: State) -> Starlette:
    """The ASGI app of one emulator."""

    def r(
        path: str,
        handler: Callable[[Request, State, Call], Awaitable[Response]],
        methods: list[str],
    ) -> Route:
        return Route(path, route(handler)(state), methods=methods)

    async def fixed_chat(request: Request) -> Response:
        fast = _fixed_response(state, await request.body()) if state.fixed else None
        return fast if fast is not None else await _pipeline(request, state, chat)

    routes = [
        Route(f"{_OPENAI}/{CHAT_PATH}", fixed_chat, methods=["POST"]),
        Route(f"{_LEGACY}/{CHAT_PATH}", fixed_chat, methods=["POST"]),
        r(f"{_OPENAI}/{MODELS_PATH}", models, ["GET"]),
        r(f"{_LEGACY}/{MODELS_PATH}", models, ["GET"]),
        r(f"{_OPENAI}/{EMBEDDINGS_PATH}", embeddings, ["POST"]),
        r(f"{_OPENAI}/{EMBEDDING_MODELS_PATH}", embedding_models, ["GET"]),
        r(f"{NATIVE_ROOT_PATH}/{BUCKET_JOB_PATH}", bucket_job, ["POST"]),
        r(f"{NATIVE_ROOT_PATH}/{BUCKETS_PATH}", list_buckets, ["GET"]),
        r(f"{NATIVE_ROOT_PATH}/{BUCKETS_PATH}/{{name:path}}", bucket_files, ["GET"]),
        r(f"{NATIVE_ROOT_PATH}/{BUCKETS_PATH}/{{name:path}}", disable_bucket, ["DELETE"]),
        r(f"{NATIVE_ROOT_PATH}/{SIMILARITY_SEARCH_PATH}", similarity_search, ["POST"]),
        r(f"{NATIVE_ROOT_PATH}/{BUCKET_JOB_PATH}/{{task_id}}", job_status, ["GET"]),
        *control_routes(state),
        *index_routes(state),
        r("/{rest:path}", not_found, ["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Operations, state=state)])
