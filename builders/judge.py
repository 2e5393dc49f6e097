"""Faithfulness judge for compressed traces (seed 003, App. G).

Usage:
    cdistill judge --config recipes/judge/tiny_cpu.yaml

For each compressed trace of a Stage 2 output folder, a judge model compares the compressed
reasoning with the original and emits a verdict constrained by ``VERDICT_SCHEMA``
(``response_format`` / structured outputs where the engine supports it): faithfulness, coverage
and clarity on 1-5, a verdict, answer alignment, failure modes from the paper's list, and a short
rationale. Both traces are middle-truncated (40k / 12k characters) so the judge always sees both
ends. Output that does not validate is recorded with its parse error, never dropped.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.compress import read_compressions
from builders.config import config_dict, engine_identity
from builders.contract import FAILURE_MODES, VERDICTS, JudgeRecord
from builders.engines import ChatRequest, EngineConfig, Generation, make_engine
from builders.generate import correct_traces, load_saved_questions
from builders.records import RecordLog, read_records

JUDGE_KEY = ("question_id", "teacher", "compressor", "judge")
ORIGINAL_LIMIT, COMPRESSED_LIMIT = 40_000, 12_000  # characters (App. G.1)

_SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "faithfulness": _SCORE,
        "coverage": _SCORE,
        "clarity": _SCORE,
        "verdict": {"type": "string", "enum": list(VERDICTS)},
        "answer_alignment": {"type": "boolean"},
        "failure_modes": {"type": "array", "items": {"type": "string", "enum": list(FAILURE_MODES)}},
        "rationale": {"type": "string"},
    },
    "required": ["faithfulness", "coverage", "clarity", "verdict", "answer_alignment", "failure_modes", "rationale"],
    "additionalProperties": False,
}

JUDGE_PROMPT = """You are checking whether a compressed reasoning trace is faithful to the original trace it was made from.

Rate the compressed trace:
- faithfulness (1-5): is every claim, calculation and conclusion in the compressed trace supported by or consistent with the original? Omitting redundant exploration, false starts and verbosity is acceptable; introducing unsupported claims is not.
- coverage (1-5): are the essential reasoning steps needed to support the canonical answer preserved?
- clarity (1-5): is the compressed trace coherent and usable as a deliberation?
- verdict: faithful, partially_faithful or unfaithful.
- answer_alignment: would the compressed trace, read on its own, support the canonical answer?
- failure_modes: any of {modes} (empty list if none).
- rationale: one or two sentences.

Answer with a single JSON object with exactly these keys.

Question:
{question}

Canonical answer: {answer}

Original reasoning:
{original}

Compressed reasoning:
{compressed}"""


@dataclass
class JudgeConfig:
    input_dir: str  # the Stage 1 output folder (questions and original traces)
    compress_dir: str  # the Stage 2 output folder
    output_dir: str
    judge: str  # model id recorded in every verdict
    engine: EngineConfig
    max_tokens: int = 2048
    temperature: float = 0.0
    chunk_size: int = 512

    def __post_init__(self):
        if isinstance(self.engine, dict):
            self.engine = EngineConfig(**self.engine)
        if not self.engine.model:
            self.engine.model = self.judge

    def fingerprint_dict(self) -> dict[str, Any]:
        data = config_dict(self) | {"engine": engine_identity(self.engine)}
        for key in ("output_dir", "chunk_size", "input_dir", "compress_dir"):
            data.pop(key)
        return data


def middle_truncate(text: str, limit: int) -> str:
    """Keep both ends of a long trace: the judge must see how it starts and how it concludes."""
    if len(text) <= limit:
        return text
    marker = f"\n[... {len(text) - limit} characters omitted ...]\n"
    head = (limit - len(marker)) // 2
    tail = limit - len(marker) - head
    return text[:head] + marker + text[len(text) - tail :]


def judge_prompt(question: str, answer: str, original: str, compressed: str) -> str:
    return JUDGE_PROMPT.format(
        modes=", ".join(FAILURE_MODES), question=question, answer=answer,
        original=middle_truncate(original, ORIGINAL_LIMIT), compressed=middle_truncate(compressed, COMPRESSED_LIMIT),
    )  # fmt: skip


_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_verdict(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """(verdict, None) when ``text`` holds a JSON object that fits the schema, else (None, reason)."""
    match = _JSON_OBJECT.search(text or "")
    if not match:
        return None, "no JSON object in the judge output" + (" (empty)" if not (text or "").strip() else "")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg} at char {error.pos}"
    problem = schema_problem(data)
    return (None, problem) if problem else (data, None)


def schema_problem(data: Any) -> str | None:
    """The first way ``data`` violates ``VERDICT_SCHEMA`` (a small validator: no extra dependency)."""
    if not isinstance(data, dict):
        return "verdict is not a JSON object"
    properties = VERDICT_SCHEMA["properties"]
    missing = [k for k in VERDICT_SCHEMA["required"] if k not in data]
    extra = [k for k in data if k not in properties]
    if missing or extra:
        return f"missing keys {missing}" if missing else f"unexpected keys {extra}"
    for key in ("faithfulness", "coverage", "clarity"):
        if not isinstance(data[key], int) or isinstance(data[key], bool) or not 1 <= data[key] <= 5:
            return f"{key} must be an integer 1-5, got {data[key]!r}"
    if data["verdict"] not in VERDICTS:
        return f"verdict must be one of {VERDICTS}, got {data['verdict']!r}"
    if not isinstance(data["answer_alignment"], bool):
        return f"answer_alignment must be a boolean, got {data['answer_alignment']!r}"
    if not isinstance(data["failure_modes"], list) or any(m not in FAILURE_MODES for m in data["failure_modes"]):
        return f"failure_modes must be a subset of {FAILURE_MODES}, got {data['failure_modes']!r}"
    if not isinstance(data["rationale"], str):
        return "rationale must be a string"
    return None


def to_judge_record(compression: dict, judge: str, generation: Generation) -> JudgeRecord:
    base = dict(question_id=compression["question_id"], teacher=compression["teacher"],
                compressor=compression["compressor"], judge=judge, finish_reason=generation.finish_reason)  # fmt: skip
    if generation.finish_reason == "error":
        return JudgeRecord(**base, parse_error=f"engine error: {generation.error}")
    verdict, problem = parse_verdict(generation.text)
    if verdict is None:
        if generation.finish_reason == "length":
            problem = f"truncated at max_tokens ({problem})"
        return JudgeRecord(**base, parse_error=problem)
    return JudgeRecord(**base, **verdict)


def run_judge(config: JudgeConfig, *, allow_config_change: bool = False, engine=None) -> dict[str, Any]:
    """Run (or resume) the judge over every compressed trace; returns and writes stats."""
    started = time.perf_counter()
    log = RecordLog(Path(config.output_dir) / "verdicts", JUDGE_KEY, config.fingerprint_dict(),
                    allow_config_change=allow_config_change)  # fmt: skip
    try:
        questions = load_saved_questions(config.input_dir)
        originals = {(t["question_id"], t["teacher"]): t["reasoning"] for t in correct_traces(config.input_dir)}
        # A compression that failed (empty, truncated, engine error) has nothing to judge: the
        # builders exclude it by its recorded error.
        todo = [c.to_dict() for c in read_compressions(config.compress_dir)
                if c.error is None and (c.question_id, c.teacher, c.compressor, config.judge) not in log]  # fmt: skip
        engine = engine or (make_engine(config.engine) if todo else None)
        for start in range(0, len(todo), config.chunk_size):
            chunk = todo[start : start + config.chunk_size]
            requests = [_judge_request(c, questions, originals, config) for c in chunk]
            for compression, generation in zip(chunk, engine.generate(requests)):
                log.append(to_judge_record(compression, config.judge, generation).to_dict())
        stats = verdict_stats(log.folder) | {"wall_clock_s": round(time.perf_counter() - started, 3)}
        log.write_stats(stats)
        return stats
    finally:
        log.close()


def _judge_request(compression: dict, questions: dict, originals: dict, config: JudgeConfig) -> ChatRequest:
    question = questions[compression["question_id"]]
    original = originals.get((compression["question_id"], compression["teacher"]), "")
    prompt = judge_prompt(question.question, question.answer, original, compression["reasoning"])
    return ChatRequest(
        request_id=f"{question.id}#{compression['compressor']}#judge",
        messages=[{"role": "user", "content": prompt}], max_tokens=config.max_tokens,
        temperature=config.temperature, json_schema=VERDICT_SCHEMA,
    )  # fmt: skip


def verdict_stats(log_dir: Path) -> dict[str, Any]:
    """Per compressor: judged, parse failures, mean faithfulness, % faithful, % aligned (Table 10)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in read_records(log_dir):
        groups[record["compressor"]].append(record)
    result = {}
    for compressor, records in sorted(groups.items()):
        parsed = [r for r in records if r["parse_error"] is None]
        n = len(parsed) or 1
        result[compressor] = {
            "judged": len(records),
            "parse_failures": len(records) - len(parsed),
            "mean_faithfulness": sum(r["faithfulness"] for r in parsed) / n,
            "pct_faithful": 100 * sum(r["verdict"] == "faithful" for r in parsed) / n,
            "pct_aligned": 100 * sum(bool(r["answer_alignment"]) for r in parsed) / n,
            "failure_modes": dict(Counter(m for r in parsed for m in r["failure_modes"])),
        }
    return {"compressors": result}


def read_verdicts(output_dir: str | Path) -> list[JudgeRecord]:
    return [JudgeRecord.from_dict(r) for r in read_records(Path(output_dir) / "verdicts")]
