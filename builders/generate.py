"""Stage 1 - trace generation with rejection sampling (seed 003, Sec. 3.1, App. H.2).

Usage:
    cdistill generate --config recipes/generate/tiny_cpu.yaml [--set max_rounds=2 ...]

Phases, in order:
1. load the questions of every configured source through the registry (bad rows quarantined);
2. open the durable log in ``output_dir`` (a rerun resumes; a changed config is refused);
3. rejection-sampling rounds: all pending questions go to the engine in one batch, each answer is
   extracted and verified with the shared verifier, solved questions leave before the next round,
   for at most ``max_rounds`` attempts per question;
4. statistics (accuracy per round, attempts, tokens, wall-clock) into ``stats.json``.

Every attempt is kept (``traces/records.jsonl``), so rejection statistics can be computed; the
correct pool is derived from it by ``correct_traces``.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.answers import extract_answer, is_correct, split_reasoning
from builders.config import config_dict, engine_identity
from builders.contract import DEFAULT_SYSTEM_PROMPT, QuarantineEntry, QuestionRecord, TraceRecord
from builders.engines import ChatRequest, EngineConfig, Generation, make_engine
from builders.records import RecordLog, read_records

TRACE_KEY = ("question_id", "teacher", "attempt")


@dataclass
class GenerateConfig:
    teacher: str  # model id recorded in every trace (and in the dataset cards)
    engine: EngineConfig
    sources: list[str]  # registry names (`cdistill sources`); may be empty with questions_file
    output_dir: str
    questions_file: str | None = None  # JSONL of QuestionRecord dicts: your own questions
    split: str = "train"  # "train" or "eval": which registry split of each source
    limit: int | None = None  # questions per source (None: all)
    max_rounds: int = 4  # K: attempts per question, the first one included
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 16384
    chunk_size: int = 512  # requests per engine call: records are made durable after each chunk

    def __post_init__(self):
        if isinstance(self.engine, dict):
            self.engine = EngineConfig(**self.engine)
        if not self.sources and not self.questions_file:
            raise ValueError("generate: give sources (see `cdistill sources`) or a questions_file")
        if self.split not in ("train", "eval"):
            raise ValueError(f"generate: split must be 'train' or 'eval', not {self.split!r}")
        if self.max_rounds < 1 or self.max_tokens < 1 or self.chunk_size < 1:
            raise ValueError("generate: max_rounds, max_tokens and chunk_size must be positive")
        if not self.engine.model:
            self.engine.model = self.teacher

    def fingerprint_dict(self) -> dict[str, Any]:
        """What changes the outputs; bookkeeping (chunk size, concurrency, output folder) does not."""
        data = config_dict(self) | {"engine": engine_identity(self.engine)}
        for key in ("output_dir", "chunk_size", "limit", "sources", "questions_file"):
            data.pop(key)
        return data


# -- questions --------------------------------------------------------------------------------
def load_pool(config: GenerateConfig, log: RecordLog) -> list[QuestionRecord]:
    """The questions of every configured source; rows that cannot be normalized are quarantined."""
    from builders.sources import get_source, load_questions

    pool: list[QuestionRecord] = read_questions_file(config.questions_file, log) if config.questions_file else []
    for name in config.sources:
        source = get_source(name)
        split = source.train_split if config.split == "train" else source.eval_split
        if split is None:
            raise ValueError(f"generate: source {name!r} has no {config.split} split")
        questions, quarantined = load_questions(name, split, limit=config.limit)
        for entry in quarantined:
            log.quarantine(("load", entry.source, entry.row), entry.to_dict())
        pool.extend(questions)
    return pool


def read_questions_file(path: str, log: RecordLog) -> list[QuestionRecord]:
    """Questions from a JSONL file; a line that is not a valid QuestionRecord is quarantined."""
    questions = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                questions.append(QuestionRecord.from_dict(json.loads(line)))
            except (ValueError, TypeError) as error:  # JSONDecodeError and ContractError are ValueErrors
                entry = QuarantineEntry.of("load", path, number, str(error), line.strip())
                log.quarantine(("load", path, number), entry.to_dict())
    return questions


# -- one attempt -------------------------------------------------------------------------------
def build_request(question: QuestionRecord, attempt: int, config: GenerateConfig) -> ChatRequest:
    """One attempt's request. Its id names (question, attempt), and engines derive the sampling
    seed from the id and ``engine.seed``, so a resumed run samples each attempt exactly as an
    uninterrupted run would, whatever batch it lands in."""
    messages = [{"role": "system", "content": config.system_prompt}] if config.system_prompt else []
    messages.append({"role": "user", "content": question.question})
    return ChatRequest(
        request_id=f"{question.id}#{attempt}", messages=messages, max_tokens=config.max_tokens,
        temperature=config.temperature, top_p=config.top_p,
    )  # fmt: skip


def _failure_reason(generation: Generation, reasoning: str | None, response: str) -> str | None:
    """Why an attempt cannot be a training trace, or None; recorded on the trace, never dropped."""
    if generation.finish_reason == "error":
        return generation.error or "engine error"
    if not (generation.text or "").strip() and not (generation.reasoning or "").strip():
        return "empty generation"
    if generation.finish_reason == "length" and not response.strip():
        return "truncated at max_tokens before the answer"
    if reasoning is None:
        return "no <think> block"
    if not response.strip():
        return "no response after </think>"
    return None


def to_trace(question: QuestionRecord, attempt: int, teacher: str, generation: Generation) -> TraceRecord:
    """Split reasoning from response, extract and verify the answer."""
    if generation.reasoning is not None:  # the server's reasoning parser already split it
        reasoning, response = generation.reasoning, generation.text
    else:
        reasoning, response = split_reasoning(generation.text or "")
    error = _failure_reason(generation, reasoning, response)
    full_text = f"<think>{reasoning}</think>{response}" if reasoning is not None else response
    predicted = None if generation.finish_reason == "error" else extract_answer(full_text, question.answer_type)
    correct = error is None and is_correct(predicted, question.answer, question.answer_type)
    return TraceRecord(
        question_id=question.id, teacher=teacher, attempt=attempt, reasoning=reasoning,
        response=response, extracted_answer=predicted, correct=correct,
        prompt_tokens=generation.prompt_tokens, completion_tokens=generation.completion_tokens,
        finish_reason=generation.finish_reason, error=error,
    )  # fmt: skip


# -- rounds ------------------------------------------------------------------------------------
def _attempt_state(log_dir: Path, teacher: str) -> tuple[Counter, set[str]]:
    """Attempts made and questions solved so far, from the log (this is what makes resume work)."""
    attempts: Counter = Counter()
    solved: set[str] = set()
    for record in read_records(log_dir):
        if record["teacher"] == teacher:
            attempts[record["question_id"]] += 1
            if record["correct"]:
                solved.add(record["question_id"])
    return attempts, solved


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_generate(config: GenerateConfig, *, allow_config_change: bool = False, engine=None) -> dict[str, Any]:
    """Run (or resume) Stage 1; returns the statistics also written to ``stats.json``."""
    started = time.perf_counter()
    out = Path(config.output_dir)
    log = RecordLog(out / "traces", TRACE_KEY, config.fingerprint_dict(), allow_config_change=allow_config_change)
    try:
        pool = load_pool(config, log)
        _save_questions(out, pool)
        engine = engine or make_engine(config.engine)
        attempts, solved = _attempt_state(log.folder, config.teacher)
        while True:
            pending = [q for q in pool if q.id not in solved and attempts[q.id] < config.max_rounds]
            if not pending:
                break
            for chunk in _chunks(pending, config.chunk_size):
                requests = [build_request(q, attempts[q.id], config) for q in chunk]
                for question, generation in zip(chunk, engine.generate(requests)):
                    trace = to_trace(question, attempts[question.id], config.teacher, generation)
                    log.append(trace.to_dict())
                    attempts[question.id] += 1
                    if trace.correct:
                        solved.add(question.id)
        stats = generation_stats(pool, log.folder, config.teacher) | {
            "wall_clock_s": round(time.perf_counter() - started, 3),
            "quarantined": sum(1 for _ in read_records(log.folder, "quarantine.jsonl")),
        }
        log.write_stats(stats)
        return stats
    finally:
        log.close()


def _save_questions(out: Path, pool: list[QuestionRecord]) -> None:
    """The normalized questions next to the traces, so later stages need not reload the sources."""
    with RecordLog(out / "questions", ("id",), {"kind": "questions"}) as questions:
        for question in pool:
            questions.append(question.to_dict())


# -- statistics and the derived pool -----------------------------------------------------------
def generation_stats(pool: list[QuestionRecord], log_dir: Path, teacher: str) -> dict[str, Any]:
    """Per source: questions, attempts, solved, accuracy of each round among those attempted."""
    source_of = {q.id: q.source for q in pool}
    per_source: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    round_tries: dict[str, Counter] = defaultdict(Counter)
    round_hits: dict[str, Counter] = defaultdict(Counter)
    for record in read_records(log_dir):
        source = source_of.get(record["question_id"])
        if source is None or record["teacher"] != teacher:
            continue
        stats = per_source[source]
        stats["attempts"] += 1
        stats["solved"] += record["correct"]
        stats["errors"] += record["error"] is not None
        stats["prompt_tokens"] += record["prompt_tokens"]
        stats["completion_tokens"] += record["completion_tokens"]
        round_tries[source][record["attempt"]] += 1
        round_hits[source][record["attempt"]] += record["correct"]
    for question in pool:
        per_source[question.source]["questions"] += 1
    result = {}
    for source, stats in per_source.items():
        rounds = sorted(round_tries[source])
        result[source] = dict(stats) | {
            "accuracy": stats["solved"] / stats["questions"] if stats["questions"] else 0.0,
            "accuracy_per_round": [round_hits[source][r] / round_tries[source][r] for r in rounds],
        }
    return {"teacher": teacher, "sources": result}


def correct_traces(output_dir: str | Path) -> Iterator[dict[str, Any]]:
    """The verified pool: the first correct attempt of each solved question."""
    seen: set[tuple[str, str]] = set()
    for record in read_records(Path(output_dir) / "traces"):
        key = (record["question_id"], record["teacher"])
        if record["correct"] and key not in seen:
            seen.add(key)
            yield record


def load_saved_questions(output_dir: str | Path) -> dict[str, QuestionRecord]:
    return {r["id"]: QuestionRecord.from_dict(r) for r in read_records(Path(output_dir) / "questions")}


