"""Generation engines: the transformers engine on the tiny local model, and the openai engine
against a real OpenAI-compatible HTTP server on loopback.

The loopback server (builders.offline.openai_server) stands in for a hosted API or
``vllm serve``, which cannot run here (no GPU, no internet). It serves the same tiny model
through the transformers engine over real sockets, and injects the faults the openai engine
must survive: HTTP 500s, 429 with Retry-After, answers slower than the client timeout, garbled
bodies, wrong API keys. The vLLM engine test runs only where vLLM is installed.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from builders.engines import (
    ChatRequest,
    EngineConfig,
    Generation,
    OpenAIEngine,
    make_engine,
    split_think,
)
from builders.offline.openai_server import OpenAIServer

QUESTION = [{"role": "system", "content": "Think step by step."},
            {"role": "user", "content": "How many apples are 3 + 4 apples?"}]
SECRET = "sk-test-DO-NOT-LEAK-9f8e7d6c5b4a"


def ask(rid: str, text: str = "What is 2 + 2?", **kw) -> ChatRequest:
    kw.setdefault("max_tokens", 8)
    return ChatRequest(rid, [{"role": "user", "content": text}], **kw)


@pytest.fixture(scope="module")
def tf_engine(tiny_model_dir):
    engine = make_engine(EngineConfig(kind="transformers", model=str(tiny_model_dir), batch_size=4))
    yield engine
    engine.close()


@pytest.fixture
def serve(tiny_model_dir):
    """Start OpenAIServer(s) with the given faults; all are stopped after the test."""
    servers = []

    def start(**faults) -> OpenAIServer:
        server = OpenAIServer(tiny_model_dir, **faults).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def client(server: OpenAIServer, **overrides) -> OpenAIEngine:
    settings = dict(kind="openai", model=server.served_model_name, base_url=server.base_url,
                    max_retries=3, backoff_s=0.01, timeout_s=30, max_concurrency=4,
                    api_key_env="CDISTILL_TEST_API_KEY")
    settings.update(overrides)
    return make_engine(EngineConfig(**settings))


# --- config ------------------------------------------------------------------------------


def test_config_validation_and_fingerprint():
    with pytest.raises(ValueError, match="unknown engine kind"):
        EngineConfig(kind="llamacpp")
    with pytest.raises(ValueError, match="base_url"):
        EngineConfig(kind="openai", model="m")
    for bad in ({"max_concurrency": 0}, {"timeout_s": 0}, {"batch_size": 0}, {"max_retries": -1},
                {"gpu_memory_utilization": 1.5}, {"max_model_len": 0}, {"tensor_parallel_size": 0}):
        with pytest.raises(ValueError):
            EngineConfig(**bad)
    with pytest.raises(ValueError, match="unknown engine config keys"):
        EngineConfig.from_dict({"kind": "transformers", "api_key": "x"})
    with pytest.raises(ValueError, match="model is required"):
        make_engine(EngineConfig())

    cfg = EngineConfig(kind="openai", model="m", base_url="https://user:hunter2@api.example.com/v1?key=abc")
    fp = cfg.fingerprint_dict()
    assert fp["base_url"] == "https://api.example.com/v1"
    dumped = json.dumps(fp) + repr(cfg)
    assert "hunter2" not in dumped and "abc" not in dumped
    assert EngineConfig.from_dict(fp).fingerprint_dict() == fp


def test_request_validation():
    with pytest.raises(ValueError):
        ChatRequest("", QUESTION)
    with pytest.raises(ValueError):
        ChatRequest("a", [{"role": "user"}])
    with pytest.raises(ValueError):
        ChatRequest("a", QUESTION, max_tokens=0)
    with pytest.raises(ValueError):
        ChatRequest("a", QUESTION, top_p=0)


def test_split_think():
    assert split_think("<think>plan</think>\n\nanswer") == ("plan", "\n\nanswer")
    assert split_think("plan</think>answer") == ("plan", "answer")
    assert split_think("no reasoning here") == (None, "no reasoning here")
    assert split_think("<think>cut off mid-thought") == (None, "<think>cut off mid-thought")


# --- transformers engine ---------------------------------------------------------------------


def test_transformers_batch_order_counts_and_length(tf_engine):
    requests = [ask(f"q{i}", "apples " * (i * 7 + 1), max_tokens=4 + i) for i in range(6)]
    gens = tf_engine.generate(requests, progress=False)
    assert [g.request_id for g in gens] == [r.request_id for r in requests]
    for request, gen in zip(requests, gens):
        assert gen.ok and gen.error is None and gen.reasoning is None
        assert gen.prompt_tokens > 0 and 0 < gen.completion_tokens <= request.max_tokens
        assert gen.finish_reason in ("stop", "length")
    # prompts differ in length, so each row was left-padded differently: the counts must not
    # include padding
    assert len({g.prompt_tokens for g in gens}) == 6
    short = tf_engine.generate([ask("short", max_tokens=2)], progress=False)[0]
    assert (short.finish_reason, short.completion_tokens) == ("length", 2)


def test_transformers_long_prompt_is_an_error_record(tf_engine):
    requests = [ask("ok1"), ask("huge", "the answer is " * 2000), ask("ok2")]
    gens = tf_engine.generate(requests, progress=False)
    assert [g.request_id for g in gens] == ["ok1", "huge", "ok2"]
    assert gens[0].ok and gens[2].ok
    huge = gens[1]
    assert huge.finish_reason == "error" and huge.completion_tokens == 0 and huge.text == ""
    assert huge.error.startswith("prompt longer than context (") and "> 4096 tokens)" in huge.error
    assert huge.prompt_tokens > 4096


def test_transformers_context_cap_truncates_with_length(tiny_model_dir):
    engine = make_engine(EngineConfig(model=str(tiny_model_dir), max_model_len=40))
    prompt_len = engine.generate([ask("probe", max_tokens=1)], progress=False)[0].prompt_tokens
    gen = engine.generate([ask("capped", max_tokens=100)], progress=False)[0]
    assert gen.ok and gen.completion_tokens <= 40 - prompt_len
    assert gen.finish_reason in ("stop", "length")


def test_transformers_sampling_is_seeded_and_batch_independent(tf_engine):
    sampled = [ask(f"s{i}", temperature=1.0, top_p=0.9, max_tokens=12) for i in range(3)]
    first = tf_engine.generate(sampled, progress=False)
    again = tf_engine.generate(sampled, progress=False)
    assert [g.text for g in first] == [g.text for g in again]
    # the same request alone, or in another order, samples the same text: seeds are per request
    alone = tf_engine.generate([sampled[2]], progress=False)[0]
    assert alone.text == first[2].text
    # different request ids (or explicit seeds) give different samples
    assert len({g.text for g in first}) == 3
    seeded = [ask("x", temperature=1.0, seed=s, max_tokens=12) for s in (1, 1, 2)]
    a, b, c = tf_engine.generate(seeded, progress=False)
    assert a.text == b.text != c.text
    greedy = tf_engine.generate([ask("g1"), ask("g2")], progress=False)
    assert greedy[0].text == greedy[1].text  # temperature 0 is greedy: ids do not matter


# --- openai engine against the loopback server -------------------------------------------------


def test_openai_batch_matches_local_engine(serve, tf_engine):
    server = serve()
    engine = client(server)
    requests = [ask(f"q{i}", "apples " * (i + 1)) for i in range(5)] + [ChatRequest("sys", QUESTION, max_tokens=6)]
    gens = engine.generate(requests, progress=False)
    local = tf_engine.generate(requests, progress=False)
    assert [g.request_id for g in gens] == [r.request_id for r in requests]
    for remote, here in zip(gens, local):
        assert remote.ok and remote.error is None
        # greedy over HTTP equals greedy in process: same model, same template
        assert (remote.text, remote.prompt_tokens, remote.completion_tokens, remote.finish_reason) == \
               (here.text, here.prompt_tokens, here.completion_tokens, here.finish_reason)
    assert server.request_count == len(requests)
    assert engine.generate([], progress=False) == []


def test_openai_payload_fields(serve):
    server = serve()
    schema = {"title": "Verdict", "type": "object", "properties": {"correct": {"type": "boolean"}},
              "required": ["correct"]}
    client(server).generate([ask("j", json_schema=schema, temperature=0.7, top_p=0.5, seed=3)], progress=False)
    body = server.requests_seen[-1]
    assert body["model"] == server.served_model_name and body["max_tokens"] == 8
    assert (body["temperature"], body["top_p"], body["seed"]) == (0.7, 0.5, 3)
    assert body["response_format"] == {"type": "json_schema",
                                       "json_schema": {"name": "Verdict", "schema": schema, "strict": True}}


def test_openai_recovers_from_injected_500s(serve):
    server = serve(fail_first=3)
    gens = client(server, max_retries=4).generate([ask(f"q{i}") for i in range(3)], progress=False)
    assert all(g.ok for g in gens), [g.error for g in gens]
    assert server.request_count == 3 + 3


def test_openai_persistent_500_becomes_error_record(serve):
    server = serve(fail_every=1)
    gens = client(server, max_retries=2).generate([ask("a"), ask("b")], progress=False)
    for gen in gens:
        assert gen.finish_reason == "error" and gen.text == ""
        assert gen.error.startswith("HTTP 500 after 3 attempts")
    assert server.request_count == 2 * 3


def test_openai_timeout_is_retried(serve):
    server = serve(slow_first=1, delay_s=5.0)
    start = time.monotonic()
    gen = client(server, timeout_s=0.5, max_concurrency=1).generate([ask("slow")], progress=False)[0]
    assert gen.ok, gen.error
    assert time.monotonic() - start < 4.0  # did not wait for the slow answer
    assert server.request_count == 2


def test_openai_timeout_exhausted(serve):
    server = serve(slow_first=10, delay_s=5.0)
    gen = client(server, timeout_s=0.3, max_retries=1).generate([ask("slow")], progress=False)[0]
    assert gen.finish_reason == "error" and gen.error.startswith("timeout after 2 attempts")


def test_openai_rate_limit_respects_retry_after(serve):
    server = serve(rate_limit_first=2, retry_after=0)
    start = time.monotonic()
    # a 30 s backoff would blow the time budget: Retry-After: 0 must win
    gens = client(server, backoff_s=30, max_concurrency=1).generate([ask("a"), ask("b")], progress=False)
    assert all(g.ok for g in gens), [g.error for g in gens]
    assert time.monotonic() - start < 10
    assert server.request_count == 4


def test_openai_garbled_body_is_retried(serve):
    server = serve(garble_first=1)
    gen = client(server).generate([ask("g")], progress=False)[0]
    assert gen.ok and server.request_count == 2


def test_openai_long_prompt_is_not_retried(serve):
    server = serve()
    gens = client(server).generate([ask("huge", "the answer is " * 2000), ask("fine")], progress=False)
    assert gens[0].finish_reason == "error"
    assert gens[0].error.startswith("HTTP 400: prompt longer than context")
    assert gens[1].ok
    assert server.request_count == 2  # a 400 would fail again: no retry


def test_openai_unknown_model_and_unreachable_server(serve):
    server = serve()
    gen = client(server, model="no-such-model").generate([ask("m")], progress=False)[0]
    assert gen.finish_reason == "error" and gen.error.startswith("HTTP 404")
    port = server.port
    server.stop()
    gone = make_engine(EngineConfig(kind="openai", model="m", base_url=f"http://127.0.0.1:{port}/v1",
                                    max_retries=1, backoff_s=0.01, timeout_s=2))
    gen = gone.generate([ask("x")], progress=False)[0]
    assert gen.finish_reason == "error" and gen.error.startswith("connection error after 2 attempts")


def test_openai_reasoning_content_passthrough(serve):
    server = serve(reasoning_split=True)
    # The tiny model writes noise; give the served engine a reasoning model's answer instead.
    server._engine.generate = lambda requests, progress=False: [
        Generation(r.request_id, "<think>3 + 4 = 7</think>\n\nThe answer is 7.", None, 11, 13, "stop")
        for r in requests]
    gen = client(server).generate([ChatRequest("r", QUESTION)], progress=False)[0]
    assert (gen.reasoning, gen.text) == ("3 + 4 = 7", "\n\nThe answer is 7.")
    assert (gen.prompt_tokens, gen.completion_tokens, gen.finish_reason) == (11, 13, "stop")


def test_openai_reads_reasoning_field_variant():
    engine = OpenAIEngine(EngineConfig(kind="openai", model="m", base_url="http://127.0.0.1:9/v1"))
    data = {"choices": [{"message": {"content": None, "reasoning": "thinking"}, "finish_reason": "length"}]}
    gen = engine._parse(ask("v"), data)
    assert (gen.text, gen.reasoning, gen.finish_reason, gen.prompt_tokens) == ("", "thinking", "length", 0)


def test_openai_concurrency_is_bounded(serve):
    server = serve(latency_s=0.2)
    gens = client(server, max_concurrency=2).generate([ask(f"c{i}") for i in range(6)], progress=False)
    assert all(g.ok for g in gens)
    assert server.max_in_flight == 2


def test_openai_api_key_is_sent_and_never_leaks(serve, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CDISTILL_TEST_API_KEY", SECRET)
    good = serve(api_key=SECRET, fail_first=2)
    gens = client(good, max_retries=3).generate([ask("k1"), ask("k2")], progress=False)
    assert all(g.ok for g in gens), [g.error for g in gens]

    # A server that rejects the key and quotes it back, as some hosted APIs do.
    picky = serve(api_key="sk-some-other-key", echo_key_in_errors=True)
    bad = client(picky)
    gen = bad.generate([ask("k3")], progress=False)[0]
    assert gen.finish_reason == "error" and gen.error.startswith("HTTP 401")
    assert "***" in gen.error

    flaky = serve(fail_every=1)
    failed = client(flaky, max_retries=1).generate([ask("k4")], progress=False)[0]

    texts = [g.error or "" for g in [*gens, gen, failed]] + [caplog.text, repr(bad), repr(bad.config),
                                                               json.dumps(bad.config.fingerprint_dict())]
    assert caplog.text  # retries were logged ...
    assert not any(SECRET in t for t in texts)  # ... without the key


# --- vLLM -----------------------------------------------------------------------------------


@pytest.mark.vllm
def test_vllm_engine(tiny_model_dir):
    pytest.importorskip("vllm")
    # On vLLM-CPU gpu_memory_utilization is the fraction of host memory it reserves.
    engine = make_engine(EngineConfig(kind="vllm", model=str(tiny_model_dir), max_model_len=512,
                                      gpu_memory_utilization=0.3, dtype="float32"))
    try:
        schema = {"type": "object", "properties": {"correct": {"type": "boolean"}}, "required": ["correct"],
                  "additionalProperties": False}
        requests = [ask("a", max_tokens=6), ask("huge", "the answer is " * 400), ask("b", temperature=1.0, seed=1),
                    ask("json", "Is 7 correct?", max_tokens=32, json_schema=schema)]
        gens = engine.generate(requests, progress=False)
        assert [g.request_id for g in gens] == ["a", "huge", "b", "json"]
        assert gens[0].ok and gens[0].prompt_tokens > 0 and gens[0].completion_tokens > 0
        assert gens[0].finish_reason in ("stop", "length")
        assert gens[1].finish_reason == "error" and gens[1].error.startswith("prompt longer than context")
        assert gens[2].ok
        assert gens[3].finish_reason == "stop", gens[3]
        assert isinstance(json.loads(gens[3].text)["correct"], bool)
        # seeded sampling is reproducible
        assert engine.generate([requests[2]], progress=False)[0].text == gens[2].text
    finally:
        engine.close()
