"""Generation engines behind one small interface.

Every stage that talks to a model (teacher sampling, compression, judging) hands an engine a
batch of :class:`ChatRequest` and gets back exactly one :class:`Generation` per request, in the
same order. A bad request never raises: it comes back with ``finish_reason="error"`` and the
reason in ``error``, so one over-long question or one flaky HTTP call can never sink a run of
thousands.

Three engines:

* ``transformers`` - local ``generate`` (CPU by default): the embedded default and the test
  engine. It does not enforce ``json_schema``; the text is returned as is and the caller (the
  judge) validates it.
* ``openai`` - any OpenAI-compatible ``/chat/completions`` server (``vllm serve``, SGLang, a
  hosted API), with bounded concurrency and retries with backoff on 429/5xx/timeouts.
* ``vllm`` - offline ``vllm.LLM``, the paper's engine (GPU machines; imported lazily).

``Generation.text`` is the answer text and ``Generation.reasoning`` the separate reasoning text
when the backend provides one (``reasoning_content`` from a server run with a reasoning parser,
or the vLLM engine with ``reasoning_parser`` set); otherwise ``reasoning`` is ``None`` and any
``<think>`` block stays in ``text`` for the stage code to split.

The API key of the ``openai`` engine is read from the environment variable named by
``EngineConfig.api_key_env``; it is never part of the config, its dumps, logs or error texts.
"""

from __future__ import annotations

import atexit
import email.utils
import hashlib
import http.client
import json
import logging
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from typing import Any, Callable, Protocol, Sequence

logger = logging.getLogger(__name__)

ENGINE_KINDS = ("transformers", "openai", "vllm")
FINISH_STOP, FINISH_LENGTH, FINISH_ERROR = "stop", "length", "error"
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"

# HTTP statuses worth another try: rate limits, timeouts and server-side failures. Other 4xx
# (bad request, auth, unknown model) would fail the same way again.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
MAX_BACKOFF_S = 60.0
MAX_RETRY_AFTER_S = 300.0


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to run.

    ``request_id`` is echoed in the result and, when ``seed`` is None, seeds sampling, so give
    every sample of a question its own id (e.g. ``"q17#3"``) to get distinct samples.
    """

    request_id: str
    messages: list[dict[str, str]]
    max_tokens: int = 1024
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    json_schema: dict | None = None

    def __post_init__(self):
        if not isinstance(self.request_id, str) or not self.request_id:
            raise ValueError("ChatRequest.request_id must be a non-empty string")
        if not isinstance(self.messages, list) or not self.messages:
            raise ValueError(f"request {self.request_id}: messages must be a non-empty list")
        for message in self.messages:
            if not isinstance(message, dict) or not isinstance(message.get("role"), str) \
                    or not isinstance(message.get("content"), str):
                raise ValueError(f"request {self.request_id}: each message needs string role and content")
        if self.max_tokens < 1:
            raise ValueError(f"request {self.request_id}: max_tokens must be >= 1")
        if self.temperature < 0:
            raise ValueError(f"request {self.request_id}: temperature must be >= 0")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"request {self.request_id}: top_p must be in (0, 1]")


@dataclass(frozen=True)
class Generation:
    """The result of one request.

    ``finish_reason`` is ``"stop"`` (end of turn), ``"length"`` (``max_tokens`` or the context
    ran out: the text is truncated) or ``"error"`` (nothing usable; ``error`` says why). A
    server may report other reasons (e.g. ``"content_filter"``); they are passed through.
    """

    request_id: str
    text: str
    reasoning: str | None
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.finish_reason != FINISH_ERROR

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def error_generation(request_id: str, reason: str, prompt_tokens: int = 0) -> Generation:
    """A Generation that records a failure instead of raising it."""
    return Generation(request_id, "", None, prompt_tokens, 0, FINISH_ERROR, reason)


@dataclass
class EngineConfig:
    """How to run a model. Everything here is safe to log: no secret is ever stored in it."""

    kind: str = "transformers"
    model: str = ""  # local path or Hub id (transformers/vllm); served model name (openai)
    base_url: str | None = None  # openai: e.g. http://127.0.0.1:8000/v1
    api_key_env: str = "OPENAI_API_KEY"  # name of the variable holding the key, not the key
    max_concurrency: int = 8
    max_retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 600
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1
    max_model_len: int | None = None
    gpu_memory_utilization: float = 0.9
    reasoning_parser: str | None = None
    dtype: str = "auto"
    batch_size: int = 8
    device: str = "cpu"
    seed: int = 0

    def __post_init__(self):
        if self.kind not in ENGINE_KINDS:
            raise ValueError(f"unknown engine kind {self.kind!r}; expected one of {ENGINE_KINDS}")
        if self.kind == "openai":
            if not self.base_url:
                raise ValueError("the openai engine needs base_url (e.g. http://127.0.0.1:8000/v1)")
            if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
                raise ValueError(f"base_url must be http(s): {_redact_url(self.base_url)}")
        positive = ("max_concurrency", "timeout_s", "tensor_parallel_size", "data_parallel_size", "batch_size")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"EngineConfig.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("max_retries", "backoff_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"EngineConfig.{name} must be >= 0, got {getattr(self, name)!r}")
        if self.max_model_len is not None and self.max_model_len < 1:
            raise ValueError(f"EngineConfig.max_model_len must be >= 1, got {self.max_model_len!r}")
        if not 0 < self.gpu_memory_utilization <= 1:
            raise ValueError(f"gpu_memory_utilization must be in (0, 1], got {self.gpu_memory_utilization!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EngineConfig":
        """Build from a recipe mapping; unknown keys are an error, not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown engine config keys: {unknown}")
        return cls(**data)

    def fingerprint_dict(self) -> dict[str, Any]:
        """The config as a plain dict for manifests and cache keys.

        The key itself never lives in the config; credentials a user may have put into
        ``base_url`` (``user:pass@``, ``?api_key=``) are stripped too.
        """
        data = asdict(self)
        data["base_url"] = _redact_url(self.base_url)
        return data

    def __repr__(self) -> str:  # dataclass repr would print base_url verbatim
        inner = ", ".join(f"{k}={v!r}" for k, v in self.fingerprint_dict().items())
        return f"EngineConfig({inner})"


class Engine(Protocol):
    """What stage code relies on. One Generation per request, same order, always."""

    config: EngineConfig

    def generate(self, requests: Sequence[ChatRequest], progress: bool = True) -> list[Generation]:
        ...

    def close(self) -> None:
        ...


def make_engine(config: EngineConfig) -> Engine:
    """Build the engine ``config.kind`` names; heavy libraries are imported only here."""
    if not config.model:
        raise ValueError(f"EngineConfig.model is required for the {config.kind} engine")
    if config.kind == "transformers":
        return TransformersEngine(config)
    if config.kind == "openai":
        return OpenAIEngine(config)
    return VLLMEngine(config)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _redact_url(url: str | None) -> str | None:
    """Drop userinfo and query string from a URL: the places credentials hide."""
    if not url:
        return url
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def request_seed(request: ChatRequest, base_seed: int) -> int:
    """The request's own seed, or one derived from (base seed, request id).

    Deriving from the id (not the position) keeps a sample reproducible whatever batch it
    lands in and however the batch is ordered.
    """
    if request.seed is not None:
        return int(request.seed)
    digest = hashlib.sha256(f"{base_seed}\x1f{request.request_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def context_error(prompt_tokens: int, context_len: int) -> str | None:
    """Why a prompt cannot run in a context of ``context_len`` tokens, or None when it can."""
    if prompt_tokens > context_len:
        return f"prompt longer than context ({prompt_tokens} > {context_len} tokens)"
    if prompt_tokens == context_len:
        return f"prompt fills the context ({prompt_tokens} = {context_len} tokens), no room to generate"
    return None


def split_think(text: str) -> tuple[str | None, str]:
    """Split ``<think>...</think>`` off the front of ``text`` the way vLLM's parsers do.

    Returns ``(reasoning, content)``. Without a closing tag nothing is split (``reasoning`` is
    None): a truncated trace stays whole in ``content`` for the stage code to judge.
    """
    if THINK_CLOSE not in text:
        return None, text
    reasoning, _, content = text.partition(THINK_CLOSE)
    reasoning = reasoning.lstrip()
    if reasoning.startswith(THINK_OPEN):
        reasoning = reasoning[len(THINK_OPEN):]
    return reasoning, content


class _Progress:
    """A tqdm bar over requests with generated-tokens/s, or nothing when disabled."""

    def __init__(self, total: int, desc: str, enabled: bool):
        self._bar = None
        self._tokens = 0
        self._errors = 0
        self._start = time.monotonic()
        if enabled and total:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="req", dynamic_ncols=True)

    def update(self, generations: Sequence[Generation]) -> None:
        if self._bar is None:
            return
        self._tokens += sum(g.completion_tokens for g in generations)
        self._errors += sum(not g.ok for g in generations)
        elapsed = max(time.monotonic() - self._start, 1e-6)
        self._bar.update(len(generations))
        self._bar.set_postfix(tok_s=f"{self._tokens / elapsed:.1f}", errors=self._errors, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# --------------------------------------------------------------------------------------------
# transformers
# --------------------------------------------------------------------------------------------


class _RowSampler:
    """A logits processor that samples each row with its own seeded torch.Generator.

    ``generate`` runs greedy and this processor hands it, per sampled row, logits that are
    -inf everywhere but the sampled token. Each row draws only from its own generator, so a
    seeded request gives the same text whatever else shares its batch. Greedy rows pass
    through untouched.
    """

    def __init__(self, temperatures: list[float], top_ps: list[float], seeds: list[int]):
        import torch

        self.temperatures, self.top_ps = temperatures, top_ps
        self.generators = [torch.Generator(device="cpu").manual_seed(s) for s in seeds]

    def __call__(self, input_ids, scores):
        import torch

        out = scores.clone()
        for row, temperature in enumerate(self.temperatures):
            if temperature <= 0:
                continue
            probs = torch.softmax(scores[row].float().cpu() / temperature, dim=-1)
            if self.top_ps[row] < 1.0:
                probs = _nucleus(probs, self.top_ps[row])
            token = torch.multinomial(probs, 1, generator=self.generators[row]).item()
            out[row].fill_(float("-inf"))
            out[row, token] = 0.0
        return out


def _nucleus(probs, top_p: float):
    """Keep the smallest set of tokens whose mass reaches top_p, renormalised."""
    import torch

    sorted_probs, order = torch.sort(probs, descending=True)
    cumulative = torch.cumsum(sorted_probs, dim=-1)
    drop = cumulative - sorted_probs >= top_p  # tokens entirely past the nucleus
    sorted_probs[drop] = 0.0
    kept = torch.zeros_like(probs).scatter(0, order, sorted_probs)
    return kept / kept.sum()


class TransformersEngine:
    """Local batched generation with transformers (CPU by default).

    Requests are grouped by their token budget and sorted by prompt length, so left padding
    stays small and a row without EOS has run exactly its ``max_tokens``; results are put back
    in the caller's order. ``json_schema`` is not enforced here (the text is returned as is).
    """

    def __init__(self, config: EngineConfig):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.config = config
        torch.manual_seed(config.seed)
        self.tokenizer = AutoTokenizer.from_pretrained(config.model)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(config.model, dtype=config.dtype)
        self.model.to(config.device).eval()
        self.eos_ids = self._eos_ids()
        self.context_len = self._context_len()

    def _eos_ids(self) -> set[int]:
        """Every id that ends a turn: the generation config's, else the tokenizer's."""
        eos = getattr(self.model.generation_config, "eos_token_id", None)
        if eos is None:
            eos = self.model.config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        ids = eos if isinstance(eos, (list, tuple)) else [eos]
        return {int(i) for i in ids if i is not None}

    def _context_len(self) -> int:
        limit = getattr(self.model.config, "max_position_embeddings", None) or 10**9
        if self.config.max_model_len:
            limit = min(limit, self.config.max_model_len)
        return int(limit)

    def encode(self, request: ChatRequest) -> list[int]:
        """Prompt token ids: the chat template with the assistant turn opened."""
        text = self.tokenizer.apply_chat_template(request.messages, tokenize=False, add_generation_prompt=True)
        # verbose=False: an over-long prompt is reported as an error record, not a warning.
        return list(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def generate(self, requests: Sequence[ChatRequest], progress: bool = True) -> list[Generation]:
        results: list[Generation | None] = [None] * len(requests)
        bar = _Progress(len(requests), "transformers", progress)
        runnable: list[tuple[int, list[int], int]] = []  # (position, prompt ids, token budget)
        for pos, request in enumerate(requests):
            try:
                ids = self.encode(request)
            except Exception as exc:  # a malformed conversation fails alone
                results[pos] = error_generation(request.request_id, f"chat template failed: {exc}")
                continue
            too_long = context_error(len(ids), self.context_len)
            if too_long:
                results[pos] = error_generation(request.request_id, too_long, prompt_tokens=len(ids))
                continue
            # Generation past the context is cut, like vLLM does: finish_reason "length".
            runnable.append((pos, ids, min(request.max_tokens, self.context_len - len(ids))))
        bar.update([g for g in results if g is not None])

        runnable.sort(key=lambda item: (item[2], len(item[1])))
        for start in range(0, len(runnable), self.config.batch_size):
            chunk = runnable[start:start + self.config.batch_size]
            # One budget per batch: split the chunk where the budget changes.
            for budget in sorted({item[2] for item in chunk}):
                batch = [item for item in chunk if item[2] == budget]
                batch_results = self._run_batch([requests[pos] for pos, _, _ in batch],
                                                [ids for _, ids, _ in batch], budget)
                for (pos, _, _), generation in zip(batch, batch_results):
                    results[pos] = generation
                bar.update(batch_results)
        bar.close()
        return [g for g in results]  # every slot is filled above

    def _run_batch(self, batch: list[ChatRequest], prompts: list[list[int]], budget: int) -> list[Generation]:
        """Generate one left-padded batch; a failure marks this batch only."""
        try:
            return self._generate_batch(batch, prompts, budget)
        except Exception as exc:
            logger.exception("transformers batch of %d failed", len(batch))
            return [error_generation(r.request_id, f"generation failed: {type(exc).__name__}: {exc}", len(p))
                    for r, p in zip(batch, prompts)]

    def _generate_batch(self, batch: list[ChatRequest], prompts: list[list[int]], budget: int) -> list[Generation]:
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        width = max(len(p) for p in prompts)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=self.model.device)
        attention = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.model.device)
        sampler = _RowSampler([r.temperature for r in batch], [r.top_p for r in batch],
                              [request_seed(r, self.config.seed) for r in batch])
        # The checkpoint's own sampling defaults (temperature, penalties) must not silently
        # change what a request asked for: sampling is the _RowSampler's job.
        # Unset fields are filled from the checkpoint's config, so the neutral values are explicit.
        gen_config = GenerationConfig(max_new_tokens=budget, do_sample=False, eos_token_id=sorted(self.eos_ids),
                                      pad_token_id=pad, temperature=1.0, top_p=1.0, repetition_penalty=1.0)
        with torch.no_grad():
            output = self.model.generate(input_ids=input_ids, attention_mask=attention, generation_config=gen_config,
                                         logits_processor=LogitsProcessorList([sampler]))
        results = []
        for row, (request, prompt) in enumerate(zip(batch, prompts)):
            new = output[row, width:].tolist()
            end = next((i for i, tok in enumerate(new) if tok in self.eos_ids), None)
            if end is None:
                kept, finish, count = new, FINISH_LENGTH, len(new)
            else:
                kept, finish, count = new[:end], FINISH_STOP, end + 1
            text = self.tokenizer.decode(kept, skip_special_tokens=True)
            results.append(Generation(request.request_id, text, None, len(prompt), count, finish))
        return results

    def close(self) -> None:
        self.model = None
        self.tokenizer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------------------------
# openai-compatible HTTP
# --------------------------------------------------------------------------------------------


class _Retryable(Exception):
    """A failed attempt worth repeating; ``kind`` groups the final error message."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.kind, self.detail, self.retry_after = kind, detail, retry_after


class _Final(Exception):
    """A failed attempt that would fail the same way again (bad request, auth, ...)."""


def _retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIEngine:
    """Chat completions over HTTP against any OpenAI-compatible server.

    Up to ``max_concurrency`` requests are in flight. 429, 408/409/425, 5xx, connection errors,
    timeouts and unreadable bodies are retried ``max_retries`` times with exponential backoff and
    jitter (a ``Retry-After`` header wins); other statuses fail at once. ``timeout_s`` bounds
    each socket operation (connect, each read), as in ``urllib``.
    """

    def __init__(self, config: EngineConfig, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        self._api_key = os.environ.get(config.api_key_env) or None
        # A local server must not be sent through an HTTP(S)_PROXY the user set for the internet.
        loopback = urllib.parse.urlsplit(self.url).hostname in ("127.0.0.1", "localhost", "::1")
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}) if loopback else
                                                   urllib.request.ProxyHandler())
        self._sleep = sleep
        self._rng = random.Random(config.seed)
        self._rng_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAIEngine(url={_redact_url(self.url)!r}, model={self.config.model!r})"

    def _redact(self, text: str) -> str:
        """Remove the key from any text that might leave this object (errors, logs)."""
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, "***")
        return text

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body for one request."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": request.messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        elif request.temperature > 0:
            body["seed"] = request_seed(request, self.config.seed)
        if request.json_schema is not None:
            name = str(request.json_schema.get("title") or "response")
            name = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)[:64]
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": request.json_schema, "strict": True},
            }
        return body

    def generate(self, requests: Sequence[ChatRequest], progress: bool = True) -> list[Generation]:
        results: list[Generation | None] = [None] * len(requests)
        if not requests:
            return []
        bar = _Progress(len(requests), "openai", progress)
        with ThreadPoolExecutor(max_workers=min(self.config.max_concurrency, len(requests)),
                                thread_name_prefix="openai-engine") as pool:
            futures = {pool.submit(self._one, request): pos for pos, request in enumerate(requests)}
            for future in as_completed(futures):
                pos = futures[future]
                try:
                    results[pos] = future.result()
                except Exception as exc:  # a bug in one request must not lose the others
                    logger.exception("request %s crashed", requests[pos].request_id)
                    results[pos] = error_generation(requests[pos].request_id,
                                                    self._redact(f"internal error: {type(exc).__name__}: {exc}"))
                bar.update([results[pos]])
        bar.close()
        return [g for g in results]

    def _one(self, request: ChatRequest) -> Generation:
        """Run one request with retries; always returns a Generation."""
        body = json.dumps(self.payload(request)).encode()
        attempts = self.config.max_retries + 1
        last: _Retryable | None = None
        for attempt in range(1, attempts + 1):
            try:
                return self._parse(request, self._post(body))
            except _Final as exc:
                return error_generation(request.request_id, self._redact(str(exc)))
            except _Retryable as exc:
                last = exc
                if attempt == attempts:
                    break
                delay = self._delay(attempt, exc.retry_after)
                logger.warning("request %s: %s (attempt %d/%d), retrying in %.2fs",
                               request.request_id, self._redact(exc.detail), attempt, attempts, delay)
                self._sleep(delay)
        assert last is not None
        reason = f"{last.kind} after {attempts} attempts: {last.detail}"
        logger.error("request %s failed: %s", request.request_id, self._redact(reason))
        return error_generation(request.request_id, self._redact(reason))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gave one, else exponential backoff with jitter."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        with self._rng_lock:
            jitter = self._rng.uniform(0.5, 1.5)
        return min(self.config.backoff_s * (2 ** (attempt - 1)) * jitter, MAX_BACKOFF_S)

    def _post(self, body: bytes) -> dict[str, Any]:
        """One HTTP attempt; classifies every failure as retryable or final."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(req, timeout=self.config.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            if exc.code in RETRYABLE_STATUS or exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}", detail,
                                 _retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None))
            raise _Final(f"HTTP {exc.code}: {detail}")
        except (TimeoutError, socket.timeout):
            raise _Retryable("timeout", f"no answer within timeout_s={self.config.timeout_s}")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _Retryable("timeout", f"no answer within timeout_s={self.config.timeout_s}")
            raise _Retryable("connection error", str(exc.reason))
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise _Retryable("connection error", f"{type(exc).__name__}: {exc}")
        try:
            data = json.loads(raw)
        except ValueError:
            raise _Retryable("malformed response", f"body is not JSON: {raw[:200]!r}")
        if not isinstance(data, dict) or not data.get("choices"):
            raise _Retryable("malformed response", f"no choices in {str(data)[:200]}")
        return data

    def _parse(self, request: ChatRequest, data: dict[str, Any]) -> Generation:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        # Servers differ: vLLM used reasoning_content, newer ones and OpenRouter use reasoning.
        reasoning = message.get("reasoning_content")
        if reasoning is None:
            reasoning = message.get("reasoning")
        if reasoning is not None and not isinstance(reasoning, str):
            reasoning = json.dumps(reasoning)
        return Generation(
            request_id=request.request_id,
            text=message.get("content") or "",
            reasoning=reasoning,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            finish_reason=choice.get("finish_reason"),
        )

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The server's error message, short: OpenAI-style {"error": {"message": ...}} or raw text."""
    try:
        raw = exc.read()
    except Exception:
        raw = b""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
        err = data.get("error", data) if isinstance(data, dict) else data
        if isinstance(err, dict) and err.get("message"):
            text = str(err["message"])
        elif isinstance(err, str):
            text = err
    except ValueError:
        pass
    return (text.strip() or exc.reason or "no body")[:300]


# --------------------------------------------------------------------------------------------
# vLLM
# --------------------------------------------------------------------------------------------


def _structured_outputs(schema: dict):
    """SamplingParams kwargs enforcing a JSON schema, for the vLLM version installed.

    vLLM >= 0.11 has ``StructuredOutputsParams`` (``SamplingParams(structured_outputs=...)``);
    ``GuidedDecodingParams`` / ``guided_decoding=`` was removed in 0.12.
    """
    try:
        from vllm.sampling_params import StructuredOutputsParams
    except ImportError:
        from vllm.sampling_params import GuidedDecodingParams

        return {"guided_decoding": GuidedDecodingParams(json=schema)}
    return {"structured_outputs": StructuredOutputsParams(json=schema)}


class _VLLMReplica:
    """One ``vllm.LLM`` (tensor parallel inside, no data parallelism)."""

    def __init__(self, config: EngineConfig):
        from vllm import LLM

        self.config = config
        kwargs: dict[str, Any] = dict(
            model=config.model,
            tensor_parallel_size=config.tensor_parallel_size,
            gpu_memory_utilization=config.gpu_memory_utilization,
            dtype=config.dtype,
            seed=config.seed,
            # No free whitespace inside JSON: weak models otherwise loop on blanks inside the
            # grammar until max_tokens, and compact JSON is all a judge needs. vLLM 0.32 reads
            # this engine-wide only (the per-request field is ignored) and only with an explicit
            # xgrammar/guidance backend; xgrammar is what "auto" would pick first.
            structured_outputs_config={"backend": "xgrammar", "disable_any_whitespace": True},
        )
        if config.max_model_len:
            kwargs["max_model_len"] = config.max_model_len
        if config.reasoning_parser:
            # With a reasoning parser vLLM enforces a json_schema only after the end of the
            # reasoning block (</think>); LLM.chat itself still returns the raw text, split below.
            kwargs["reasoning_parser"] = config.reasoning_parser
        self.llm = LLM(**kwargs)
        self.tokenizer = self.llm.get_tokenizer()
        self.context_len = self._context_len()

    def _context_len(self) -> int | None:
        engine = self.llm.llm_engine
        for path in (("model_config",), ("vllm_config", "model_config")):
            obj = engine
            for attr in path:
                obj = getattr(obj, attr, None)
            if obj is not None and getattr(obj, "max_model_len", None):
                return int(obj.max_model_len)
        return self.config.max_model_len

    def _prompt_len(self, request: ChatRequest) -> int | None:
        """Prompt length under the chat template, or None when it cannot be computed here."""
        try:
            text = self.tokenizer.apply_chat_template(request.messages, tokenize=False, add_generation_prompt=True)
            return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        except Exception:
            return None

    def _sampling(self, request: ChatRequest):
        from vllm import SamplingParams

        extra = _structured_outputs(request.json_schema) if request.json_schema is not None else {}
        return SamplingParams(max_tokens=request.max_tokens, temperature=request.temperature, top_p=request.top_p,
                              seed=request_seed(request, self.config.seed), **extra)

    def generate(self, requests: Sequence[ChatRequest], progress: bool = True) -> list[Generation]:
        results: list[Generation | None] = [None] * len(requests)
        runnable = []
        for pos, request in enumerate(requests):
            n = self._prompt_len(request)
            # vLLM rejects the whole call when one prompt is too long, so catch it first.
            too_long = context_error(n, self.context_len) if n is not None and self.context_len else None
            if too_long:
                results[pos] = error_generation(request.request_id, too_long, n)
            else:
                runnable.append(pos)
        try:
            outputs = self._chat([requests[p] for p in runnable], progress)
        except Exception as exc:
            # One bad request fails the whole call: run them one by one to isolate it.
            logger.warning("vLLM batch failed (%s: %s); retrying requests one at a time", type(exc).__name__, exc)
            outputs = []
            for pos in runnable:
                try:
                    outputs.append(self._chat([requests[pos]], False)[0])
                except Exception as one_exc:
                    outputs.append(one_exc)
        for pos, output in zip(runnable, outputs):
            results[pos] = self._to_generation(requests[pos], output)
        return [g for g in results]

    def _chat(self, requests: list[ChatRequest], progress: bool):
        if not requests:
            return []
        return self.llm.chat([r.messages for r in requests], [self._sampling(r) for r in requests],
                             use_tqdm=progress)

    def _to_generation(self, request: ChatRequest, output) -> Generation:
        if isinstance(output, Exception):
            return error_generation(request.request_id, f"vLLM failed: {type(output).__name__}: {output}")
        prompt_tokens = len(output.prompt_token_ids or [])
        if not output.outputs:
            return error_generation(request.request_id, "vLLM returned no completion", prompt_tokens)
        completion = output.outputs[0]
        text, reasoning = completion.text, None
        if self.config.reasoning_parser:
            reasoning, text = split_think(text)
        finish = completion.finish_reason
        if finish == "abort":
            return error_generation(request.request_id, "vLLM aborted the request", prompt_tokens)
        return Generation(request.request_id, text, reasoning, prompt_tokens, len(completion.token_ids), finish)

    def close(self) -> None:
        self.llm = None
        import gc

        gc.collect()


def _vllm_worker(config_dict: dict, devices: str, inbox, outbox) -> None:
    """A data-parallel replica in its own process, pinned to its own GPUs."""
    os.environ["CUDA_VISIBLE_DEVICES"] = devices
    try:
        replica = _VLLMReplica(EngineConfig(**{**config_dict, "data_parallel_size": 1}))
    except Exception as exc:
        outbox.put(("failed", f"{type(exc).__name__}: {exc}"))
        return
    outbox.put(("ready", None))
    while True:
        job = inbox.get()
        if job is None:
            break
        job_id, request_dicts = job
        requests = [ChatRequest(**r) for r in request_dicts]
        outbox.put(("done", (job_id, [g.to_dict() for g in replica.generate(requests, progress=False)])))
    replica.close()


class VLLMEngine:
    """Offline vLLM: ``tensor_parallel_size`` GPUs per replica, ``data_parallel_size`` replicas.

    vLLM >= 0.11.1 refuses ``LLM(data_parallel_size>1)`` in one process (its DP needs one
    process per rank), so data parallelism here is independent replicas, each in a spawned
    process with its own ``CUDA_VISIBLE_DEVICES`` slice and its own shard of every batch.

    ``LLM.chat`` does not apply reasoning parsers, so with ``reasoning_parser`` set the text is
    split at ``</think>`` here (see :func:`split_think`).
    """

    def __init__(self, config: EngineConfig):
        self.config = config
        self._replica: _VLLMReplica | None = None
        self._workers: list[tuple[Any, Any, Any]] = []  # (process, inbox, outbox)
        if config.data_parallel_size == 1:
            self._replica = _VLLMReplica(config)
        else:
            self._start_workers()

    def _device_slices(self) -> list[str]:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        devices = [d for d in visible.split(",") if d] if visible else \
            [str(i) for i in range(self.config.data_parallel_size * self.config.tensor_parallel_size)]
        tp = self.config.tensor_parallel_size
        need = tp * self.config.data_parallel_size
        if len(devices) < need:
            raise ValueError(f"data_parallel_size x tensor_parallel_size = {need} GPUs, only {len(devices)} visible")
        return [",".join(devices[r * tp:(r + 1) * tp]) for r in range(self.config.data_parallel_size)]

    def _start_workers(self) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # CUDA cannot be forked
        atexit.register(self.close)  # runs before multiprocessing joins its children at exit
        for devices in self._device_slices():
            inbox, outbox = ctx.Queue(), ctx.Queue()
            # Not daemonic: vLLM starts its own engine-core process, which a daemon may not do.
            # close() (also run at exit) stops them.
            proc = ctx.Process(target=_vllm_worker, args=(asdict(self.config), devices, inbox, outbox))
            proc.start()
            self._workers.append((proc, inbox, outbox))
        for rank, (proc, _, outbox) in enumerate(self._workers):
            status, detail = outbox.get()
            if status != "ready":
                self.close()
                raise RuntimeError(f"vLLM data-parallel replica {rank} failed to start: {detail}")

    def generate(self, requests: Sequence[ChatRequest], progress: bool = True) -> list[Generation]:
        if self._replica is not None:
            return self._replica.generate(requests, progress)
        shards = _contiguous_shards(len(requests), len(self._workers))
        bar = _Progress(len(requests), "vllm", progress)
        for rank, (start, stop) in enumerate(shards):
            self._workers[rank][1].put((rank, [asdict(r) for r in requests[start:stop]]))
        results: list[Generation | None] = [None] * len(requests)
        for rank, (start, stop) in enumerate(shards):
            shard = self._collect(rank, requests[start:stop])
            results[start:stop] = shard
            bar.update(shard)
        bar.close()
        return [g for g in results]

    def _collect(self, rank: int, shard: Sequence[ChatRequest]) -> list[Generation]:
        """Wait for one replica's shard; a dead replica turns its shard into error records."""
        import queue

        proc, _, outbox = self._workers[rank]
        while True:
            try:
                status, payload = outbox.get(timeout=5)
            except queue.Empty:
                if not proc.is_alive():
                    reason = f"vLLM replica {rank} died (exit code {proc.exitcode})"
                    return [error_generation(r.request_id, reason) for r in shard]
                continue
            if status == "done":
                return [Generation(**g) for g in payload[1]]

    def close(self) -> None:
        if self._replica is not None:
            self._replica.close()
            self._replica = None
        for proc, inbox, _ in self._workers:
            if proc.is_alive():
                inbox.put(None)
        for proc, _, _ in self._workers:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.terminate()
        self._workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _contiguous_shards(n: int, parts: int) -> list[tuple[int, int]]:
    """Split range(n) into `parts` contiguous, nearly equal slices."""
    base, extra = divmod(n, parts)
    bounds, start = [], 0
    for rank in range(parts):
        stop = start + base + (1 if rank < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds
