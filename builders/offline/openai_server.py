"""A real OpenAI-compatible HTTP server on 127.0.0.1, serving a local model.

It stands in for ``vllm serve``, SGLang or a hosted API where none can run (no GPU, no
internet): the ``openai`` engine talks to it over real sockets, so its payloads, retries,
timeouts and concurrency are exercised for real. Generation goes through the ``transformers``
engine, one request at a time.

Endpoints: ``POST /v1/chat/completions`` and ``GET /v1/models``. With ``reasoning_split=True`` a
``<think>...</think>`` block is moved from ``content`` to ``reasoning_content``, as vLLM's
reasoning parsers do. ``response_format`` is accepted but not enforced.

Faults for tests, counted over chat requests in arrival order (1-based):

* ``fail_first=N``: the first N requests get HTTP 500;
* ``fail_every=K``: every K-th request gets HTTP 500;
* ``rate_limit_first=N``: the first N requests get HTTP 429 with ``Retry-After: retry_after``;
* ``slow_first=N``: the first N requests wait ``delay_s`` before answering (past a client timeout);
* ``garble_first=N``: the first N requests get a 200 whose body is not JSON;
* ``latency_s``: every request waits this long (makes concurrent requests overlap);
* ``api_key``: require ``Authorization: Bearer <api_key>`` (401 otherwise); with
  ``echo_key_in_errors=True`` the 401 message quotes the key sent, as some hosted APIs do.

The server never logs headers.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server_version = "cdistill-openai-emulator/0.1"
    protocol_version = "HTTP/1.1"

    @property
    def app(self) -> "OpenAIServer":
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # The default writes every request line to stderr; keep it at debug, never headers.
        logger.debug("%s %s", self.address_string(), format % args)

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send_raw(status, json.dumps(body).encode(), headers)

    def _send_raw(self, status: int, raw: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer

    def _error(self, status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}}, headers)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(200, {"object": "list", "data": [
                {"id": self.app.served_model_name, "object": "model", "owned_by": "local"}]})
        else:
            self._error(404, f"no route {self.path}", "NotFoundError")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""  # read first: keep-alive needs it consumed
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}", "NotFoundError")
            return
        self.app._enter()
        try:
            self._chat(raw)
        finally:
            self.app._leave()

    def _chat(self, raw: bytes) -> None:
        app = self.app
        number = app._next_number()
        if app.api_key is not None:
            sent = self.headers.get("Authorization", "")
            if sent != f"Bearer {app.api_key}":
                quoted = sent.removeprefix("Bearer ") if app.echo_key_in_errors else "(hidden)"
                self._error(401, f"Incorrect API key provided: {quoted}", "AuthenticationError")
                return
        if app.latency_s:
            app._wait(app.latency_s)
        if number <= app.slow_first:
            app._wait(app.delay_s)
        if number <= app.rate_limit_first:
            self._error(429, "rate limited (injected)", "RateLimitError", {"Retry-After": str(app.retry_after)})
            return
        if number <= app.fail_first or (app.fail_every and number % app.fail_every == 0):
            self._error(500, "internal server error (injected)", "InternalServerError")
            return
        if number <= app.garble_first:
            self._send_raw(200, b"<html>502 Bad Gateway</html>")
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._error(400, "body is not JSON", "BadRequestError")
            return
        app.requests_seen.append(body)
        status, response = app.complete(body)
        self._send_json(status, response)


class OpenAIServer:
    """``OpenAIServer(model_dir, port=0, **faults).start()``; ``.base_url``; ``.stop()``.

    Also a context manager. ``request_count`` counts chat requests, ``max_in_flight`` the most
    handled at once, ``requests_seen`` the JSON bodies that reached generation.
    """

    def __init__(self, model_dir: str | Path, port: int = 0, *, served_model_name: str | None = None,
                 reasoning_split: bool = False, max_model_len: int | None = None,
                 fail_first: int = 0, fail_every: int = 0, rate_limit_first: int = 0, retry_after: float = 0,
                 slow_first: int = 0, delay_s: float = 0.0, garble_first: int = 0, latency_s: float = 0.0,
                 api_key: str | None = None, echo_key_in_errors: bool = False):
        self.model_dir = Path(model_dir)
        self.port = port
        self.served_model_name = served_model_name or self.model_dir.name
        self.reasoning_split = reasoning_split
        self.max_model_len = max_model_len
        self.fail_first, self.fail_every = fail_first, fail_every
        self.rate_limit_first, self.retry_after = rate_limit_first, retry_after
        self.slow_first, self.delay_s = slow_first, delay_s
        self.garble_first, self.latency_s = garble_first, latency_s
        self.api_key, self.echo_key_in_errors = api_key, echo_key_in_errors
        self.request_count = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests_seen: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._generate_lock = threading.Lock()  # one forward pass at a time
        self._stopping = threading.Event()
        self._engine = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> "OpenAIServer":
        from builders.engines import EngineConfig, TransformersEngine

        self._engine = TransformersEngine(EngineConfig(kind="transformers", model=str(self.model_dir),
                                                       max_model_len=self.max_model_len, batch_size=1))
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True  # a handler sleeping through a "slow" fault must not block stop()
        httpd.app = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="openai-server", daemon=True)
        self._thread.start()
        logger.info("OpenAI-compatible server for %s on %s", self.served_model_name, self.base_url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> "OpenAIServer":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- bookkeeping used by the handler ----------------------------------------------------

    def _next_number(self) -> int:
        with self._lock:
            self.request_count += 1
            return self.request_count

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _wait(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        self._stopping.wait(seconds)

    # --- the completion itself ---------------------------------------------------------------

    def complete(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one chat completion body: (HTTP status, JSON response)."""
        from builders.engines import ChatRequest, split_think

        if body.get("model") not in (self.served_model_name, str(self.model_dir)):
            return 404, _error_body(404, f"The model `{body.get('model')}` does not exist.", "NotFoundError")
        try:
            request = ChatRequest(
                request_id=f"chatcmpl-{uuid.uuid4().hex[:16]}",
                messages=body["messages"],
                max_tokens=int(body.get("max_completion_tokens") or body.get("max_tokens") or 256),
                temperature=float(body.get("temperature", 1.0)),
                top_p=float(body.get("top_p", 1.0)),
                seed=body.get("seed"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return 400, _error_body(400, f"invalid request: {exc}", "BadRequestError")
        with self._generate_lock:
            generation = self._engine.generate([request], progress=False)[0]
        if not generation.ok:
            # vLLM answers an over-long prompt with 400 and the reason, so does this server.
            return 400, _error_body(400, generation.error or "generation failed", "BadRequestError")
        content, reasoning = generation.text, None
        if self.reasoning_split:
            reasoning, content = split_think(content)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reasoning is not None:
            message["reasoning_content"] = reasoning
        return 200, {
            "id": request.request_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.served_model_name,
            "choices": [{"index": 0, "message": message, "finish_reason": generation.finish_reason}],
            "usage": {
                "prompt_tokens": generation.prompt_tokens,
                "completion_tokens": generation.completion_tokens,
                "total_tokens": generation.prompt_tokens + generation.completion_tokens,
            },
        }


def _error_body(status: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": status}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a local model over an OpenAI-compatible API on 127.0.0.1.")
    parser.add_argument("--model", required=True, help="local model folder (e.g. one built by tiny_models)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--served-model-name", default=None)
    parser.add_argument("--reasoning-split", action="store_true", help="move <think>...</think> to reasoning_content")
    parser.add_argument("--max-model-len", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    server = OpenAIServer(args.model, args.port, served_model_name=args.served_model_name,
                          reasoning_split=args.reasoning_split, max_model_len=args.max_model_len).start()
    print(f"serving {server.served_model_name} at {server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
