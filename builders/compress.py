"""Stage 2 - trace compression (seed 003, Sec. 3.2, App. H.2).

Usage:
    cdistill compress --config recipes/compress/tiny_cpu.yaml [--set compressors.0.temperature=0.2]

Phases, in order:
1. read the verified pool of a Stage 1 output folder (first correct attempt per question);
2. for each compressor - an instruction-tuned model behind an engine, or the rule-based
   ``extractive`` compressor that needs none - rewrite each trace with the paper's single generic
   prompt (optionally a per-domain addition), at temperature 0.3 by default;
3. keep the response unchanged, measure the character compression ratio, and - beyond the paper -
   re-extract the answer from the compressed reasoning to flag traces that no longer support it;
4. append every result to a durable log keyed by (question, teacher, compressor); write stats.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.answers import extract_answer, is_correct, split_reasoning
from builders.config import config_dict, engine_identity
from builders.contract import CompressionRecord, QuestionRecord
from builders.engines import ChatRequest, EngineConfig, Generation, make_engine
from builders.extractive import compress_extractive
from builders.generate import correct_traces, load_saved_questions
from builders.records import RecordLog, read_records

COMPRESSION_KEY = ("question_id", "teacher", "compressor")
EXTRACTIVE = "extractive"

# The paper's single generic prompt (Sec. 3.2): a shorter version of the reasoning that keeps the
# essential logical steps, the key insights and the final answer.
GENERIC_PROMPT = """You are given a question, its correct answer, and a step-by-step reasoning trace that reaches that answer.
Rewrite the reasoning as a much shorter version that preserves the essential logical steps, the key insights, and the final answer.
Remove repetition, false starts, hedging and re-checking. Do not add facts or steps that are not in the original.
Output only the shortened reasoning, with no preamble.

Question:
{question}

Correct answer: {answer}

Reasoning:
{reasoning}"""

# Optional per-domain additions (the paper's Limitations name this as future work).
DOMAIN_PROMPTS = {
    "math": "Preserve all symbolic computation verbatim.",
    "medical": "Keep every drug name, dosage, finding and contraindication that the reasoning relies on.",
}


@dataclass
class CompressorSpec:
    name: str  # recorded as `compressor` in every record and dataset row
    engine: EngineConfig | None = None  # None only for the extractive compressor
    temperature: float = 0.3
    top_p: float = 1.0
    max_tokens: int = 4096

    def __post_init__(self):
        if isinstance(self.engine, dict):
            self.engine = EngineConfig(**self.engine)
        if self.engine is None and self.name != EXTRACTIVE:
            raise ValueError(f"compressor {self.name!r}: needs an engine (only {EXTRACTIVE!r} runs without)")
        if self.engine is not None and not self.engine.model:
            self.engine.model = self.name


@dataclass
class CompressConfig:
    input_dir: str  # a Stage 1 output folder
    output_dir: str
    compressors: list[CompressorSpec]
    prompt: str = GENERIC_PROMPT
    domain_prompts: dict[str, str] = field(default_factory=dict)  # e.g. DOMAIN_PROMPTS
    chunk_size: int = 1024

    def __post_init__(self):
        self.compressors = [CompressorSpec(**c) if isinstance(c, dict) else c for c in self.compressors]
        if not self.compressors:
            raise ValueError("compress: at least one compressor is needed")
        names = [c.name for c in self.compressors]
        if len(set(names)) != len(names):
            raise ValueError(f"compress: compressor names must be unique, got {names}")
        for placeholder in ("{question}", "{reasoning}"):
            if placeholder not in self.prompt:
                raise ValueError(f"compress: the prompt must contain {placeholder}")

    def fingerprint_dict(self) -> dict[str, Any]:
        data = config_dict(self)
        data["compressors"] = [
            config_dict(c) | {"engine": engine_identity(c.engine) if c.engine else None} for c in self.compressors
        ]
        for key in ("output_dir", "chunk_size", "input_dir"):
            data.pop(key)
        return data


def prompt_sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def compression_prompt(config: CompressConfig, question: QuestionRecord, reasoning: str) -> str:
    prompt = config.prompt.format(question=question.question, answer=question.answer, reasoning=reasoning)
    extra = config.domain_prompts.get(question.domain)
    return f"{prompt}\n\n{extra}" if extra else prompt


def clean_compressor_output(text: str) -> str:
    """A reasoning compressor may think first: keep what follows its think block."""
    reasoning, response = split_reasoning(text or "")
    return (response if reasoning is not None and response.strip() else text or "").strip()


def to_record(trace: dict[str, Any], question: QuestionRecord, compressor: str, compressed: str,
              generation: Generation | None, sha: str) -> CompressionRecord:
    """Measure, re-verify and flag one compressed trace."""
    raw = trace["reasoning"] or ""
    error = None
    if generation is not None and generation.finish_reason == "error":
        error = generation.error or "engine error"
    elif generation is not None and generation.finish_reason == "length":
        error = "compression truncated at max_tokens"
    elif not compressed:
        error = "empty compression"
    reextracted = extract_answer(compressed, question.answer_type) if compressed else None
    return CompressionRecord(
        question_id=question.id, teacher=trace["teacher"], compressor=compressor,
        reasoning=compressed, response=trace["response"], raw_chars=len(raw),
        compressed_chars=len(compressed), compression_ratio=len(compressed) / len(raw) if raw else 0.0,
        reextracted_answer=reextracted,
        supports_answer=is_correct(reextracted, question.answer, question.answer_type),
        prompt_sha=sha, prompt_tokens=generation.prompt_tokens if generation else 0,
        completion_tokens=generation.completion_tokens if generation else 0,
        finish_reason=generation.finish_reason if generation else "stop", error=error,
    )  # fmt: skip


def _model_compress(spec: CompressorSpec, config: CompressConfig, todo: list[tuple[dict, QuestionRecord]],
                    log: RecordLog, engine) -> None:
    sha = prompt_sha(config.prompt)
    for start in range(0, len(todo), config.chunk_size):
        chunk = todo[start : start + config.chunk_size]
        requests = [
            ChatRequest(
                request_id=f"{q.id}#{spec.name}",
                messages=[{"role": "user", "content": compression_prompt(config, q, t["reasoning"])}],
                max_tokens=spec.max_tokens, temperature=spec.temperature, top_p=spec.top_p,
            )  # fmt: skip
            for t, q in chunk
        ]
        for (trace, question), generation in zip(chunk, engine.generate(requests)):
            compressed = clean_compressor_output(generation.text)
            log.append(to_record(trace, question, spec.name, compressed, generation, sha).to_dict())


def _extractive_compress(todo: list[tuple[dict, QuestionRecord]], log: RecordLog) -> None:
    sha = prompt_sha("extractive-rules-v1")
    for trace, question in todo:
        compressed = compress_extractive(trace["reasoning"], question.question)
        log.append(to_record(trace, question, EXTRACTIVE, compressed, None, sha).to_dict())


def run_compress(config: CompressConfig, *, allow_config_change: bool = False, engines: dict | None = None) -> dict:
    """Run (or resume) Stage 2 for every compressor; returns the stats also written to stats.json."""
    started = time.perf_counter()
    log = RecordLog(Path(config.output_dir) / "compressions", COMPRESSION_KEY, config.fingerprint_dict(),
                    allow_config_change=allow_config_change)  # fmt: skip
    try:
        questions = load_saved_questions(config.input_dir)
        pool = [(t, questions[t["question_id"]]) for t in correct_traces(config.input_dir)]
        for spec in config.compressors:
            todo = [(t, q) for t, q in pool if (q.id, t["teacher"], spec.name) not in log]
            if spec.engine is None:
                _extractive_compress(todo, log)
            elif todo:
                engine = (engines or {}).get(spec.name) or make_engine(spec.engine)
                _model_compress(spec, config, todo, log, engine)
        stats = compression_stats(log.folder, questions) | {"wall_clock_s": round(time.perf_counter() - started, 3)}
        log.write_stats(stats)
        return stats
    finally:
        log.close()


def compression_stats(log_dir: Path, questions: dict[str, QuestionRecord]) -> dict[str, Any]:
    """Per compressor and source: count, mean chars raw/compressed, mean ratio, flags (Table 5)."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in read_records(log_dir):
        groups[(record["compressor"], questions[record["question_id"]].source)].append(record)
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    for (compressor, source), records in sorted(groups.items()):
        ok = [r for r in records if r["error"] is None]
        result[compressor][source] = {
            "count": len(records),
            "errors": len(records) - len(ok),
            "mean_raw_chars": statistics.fmean(r["raw_chars"] for r in ok) if ok else 0.0,
            "mean_compressed_chars": statistics.fmean(r["compressed_chars"] for r in ok) if ok else 0.0,
            "mean_ratio": statistics.fmean(r["compression_ratio"] for r in ok) if ok else 0.0,
            "answer_not_supported": sum(not r["supports_answer"] for r in ok),
            "longer_than_raw": sum(r["compression_ratio"] > 1 for r in ok),
        }
    return {"compressors": dict(result)}


def read_compressions(output_dir: str | Path) -> list[CompressionRecord]:
    return [CompressionRecord.from_dict(r) for r in read_records(Path(output_dir) / "compressions")]
