"""Dataset builders - one verified pool, four variants (seed 003, Sec. 3.3, App. E, H.3).

Usage:
    cdistill build --config recipes/build/tiny_cpu.yaml [--set release=v1.1]

Phases, in order:
1. the verified pool: the first correct trace of each question from a Stage 1 folder;
2. hygiene: exact / near-duplicate removal and decontamination against every registry eval split;
3. variants, sharing ids:
   ``raw`` (the teacher's reasoning), ``compressed`` (one per compressor; rows that failed
   re-verification or were judged unfaithful are excluded by a configurable policy and counted),
   ``truncated`` (raw reasoning cut to the reference compressor's token length), ``answer_only``
   (no think block);
4. each variant is written as a release (a git tag) of its own dataset repo in the local store,
   with a card, per-source statistics and a token-length histogram.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.compress import read_compressions
from builders.contract import DEFAULT_SYSTEM_PROMPT, VARIANTS, PublishedRow, QuestionRecord, build_messages
from builders.generate import correct_traces, load_saved_questions
from builders.truncate import count_tokens, truncate_to_lengths


@dataclass
class ExclusionPolicy:
    """Which compressed rows are left out of a compressed dataset (each exclusion is counted)."""

    drop_errors: bool = True  # empty / truncated / failed compressions
    drop_unsupported_answer: bool = False  # compressed reasoning no longer yields the gold answer
    drop_verdicts: list[str] = field(default_factory=lambda: ["unfaithful"])  # judge verdicts
    drop_unjudged: bool = False  # rows the judge could not parse or did not see
    drop_longer_than_raw: bool = True  # a "compression" that grew the trace


@dataclass
class BuildConfig:
    stage1_dir: str
    store_dir: str  # the local store: one git repo per dataset repo
    teacher: str
    reference_tokenizer: str  # tokenizer for token counts and truncation (the paper: Ministral's)
    compress_dir: str | None = None
    judge_dir: str | None = None
    organization: str = "compress-distill"
    release: str = "v1.0"
    variants: list[str] = field(default_factory=lambda: list(VARIANTS))
    compressors: list[str] | None = None  # None: every compressor found in compress_dir
    reference_compressor: str | None = None  # for `truncated`; None: the first compressor
    exclusion: ExclusionPolicy = field(default_factory=ExclusionPolicy)
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    deduplicate: bool = True
    decontaminate: bool = True
    near_duplicate_threshold: float = 0.8
    license: str = "other"

    def __post_init__(self):
        if isinstance(self.exclusion, dict):
            self.exclusion = ExclusionPolicy(**self.exclusion)
        unknown = sorted(set(self.variants) - set(VARIANTS))
        if unknown:
            raise ValueError(f"build: unknown variants {unknown}; valid: {VARIANTS}")
        needs_compressions = {"compressed", "truncated"} & set(self.variants)
        if needs_compressions and not self.compress_dir:
            raise ValueError(f"build: variants {sorted(needs_compressions)} need compress_dir")


@dataclass
class Pool:
    """The verified pool after hygiene, with everything the variants and cards need."""

    questions: dict[str, QuestionRecord]
    traces: dict[str, dict[str, Any]]  # question id -> first correct trace
    hygiene: dict[str, Any]
    raw_tokens: dict[str, int] = field(default_factory=dict)


@dataclass
class VariantBuild:
    """One dataset repo's release: rows per source config, plus what the card reports."""

    repo_id: str
    variant: str
    compressor: str
    rows: dict[str, list[dict[str, Any]]]
    excluded: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


# -- phase 1-2: the pool -----------------------------------------------------------------------
def load_pool(config: BuildConfig) -> Pool:
    questions = load_saved_questions(config.stage1_dir)
    traces = {t["question_id"]: t for t in correct_traces(config.stage1_dir) if t["teacher"] == config.teacher}
    kept = [questions[qid] for qid in sorted(traces)]
    report: dict[str, Any] = {"pool": len(kept)}
    if config.deduplicate or config.decontaminate:
        from builders.hygiene import clean_pool, decontaminate, eval_questions_from_registry

        evals = eval_questions_from_registry() if config.decontaminate else []
        if config.deduplicate:
            kept, hygiene_report = clean_pool(kept, evals, near_threshold=config.near_duplicate_threshold)
            report |= hygiene_report.to_dict()
        else:
            kept, removed = decontaminate(kept, evals)
            report |= {"contaminated": len(removed), "removed": removed}
    ids = {q.id for q in kept}
    return Pool(questions={q.id: q for q in kept}, traces={k: v for k, v in traces.items() if k in ids}, hygiene=report)


# -- phase 3: variants -------------------------------------------------------------------------
def make_row(question: QuestionRecord, trace: dict, reasoning: str | None, *, variant: str, compressor: str,
             teacher: str, tokens: int, raw_chars: int, system_prompt: str | None) -> dict[str, Any]:
    """One published row; ``reasoning=None`` is answer-only (no think block)."""
    return PublishedRow(
        id=question.id, source=question.source, domain=question.domain, question=question.question,
        answer=question.answer, answer_type=question.answer_type, reasoning=reasoning or "",
        response=trace["response"], messages=build_messages(question.question, reasoning, trace["response"], system_prompt),
        teacher=teacher, compressor=compressor, variant=variant, reasoning_chars=len(reasoning or ""),
        reasoning_tokens=tokens, compression_ratio=len(reasoning or "") / raw_chars if raw_chars else 0.0,
    ).to_dict()  # fmt: skip


def _by_source(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        grouped[row["source"]].append(row)
    return dict(sorted(grouped.items()))


def build_raw(pool: Pool, config: BuildConfig, variant: str = "raw") -> list[dict]:
    rows = []
    for qid, trace in sorted(pool.traces.items()):
        raw_chars = len(trace["reasoning"])
        reasoning = trace["reasoning"] if variant == "raw" else None
        tokens = pool.raw_tokens[qid] if variant == "raw" else 0
        rows.append(make_row(pool.questions[qid], trace, reasoning, variant=variant, compressor="",
                             teacher=config.teacher, tokens=tokens, raw_chars=raw_chars,
                             system_prompt=config.system_prompt))  # fmt: skip
    return rows


def exclusion_reason(compression, verdict, policy: ExclusionPolicy) -> str | None:
    """Why a compressed row is left out under ``policy``, or None to keep it."""
    if compression.error and policy.drop_errors:
        return f"compression error: {compression.error}"
    if policy.drop_longer_than_raw and compression.compression_ratio > 1:
        return "compressed trace longer than raw"
    if policy.drop_unsupported_answer and not compression.supports_answer:
        return "compressed reasoning does not support the gold answer"
    if verdict is None:
        return "not judged" if policy.drop_unjudged else None
    if verdict.parse_error:
        return "judge output unparseable" if policy.drop_unjudged else None
    if verdict.verdict in policy.drop_verdicts:
        return f"judged {verdict.verdict}"
    return None


def _verdicts(config: BuildConfig) -> dict[tuple[str, str], Any]:
    if not config.judge_dir:
        return {}
    from builders.judge import read_verdicts

    return {(v.question_id, v.compressor): v for v in read_verdicts(config.judge_dir) if v.teacher == config.teacher}


def build_compressed(pool: Pool, config: BuildConfig, compressions: dict[str, dict[str, Any]], tokenizer,
                     compressor: str) -> tuple[list[dict], Counter]:
    """The compressed variant of one compressor; returns rows and exclusion counts by reason."""
    verdicts = _verdicts(config)
    kept, excluded = [], Counter()
    for qid in sorted(pool.traces):
        compression = compressions[compressor].get(qid)
        if compression is None:
            excluded["not compressed"] += 1
            continue
        reason = exclusion_reason(compression, verdicts.get((qid, compressor)), config.exclusion)
        if reason:
            excluded[reason] += 1
            continue
        kept.append(compression)
    tokens = count_tokens(tokenizer, [c.reasoning for c in kept])
    rows = [
        make_row(pool.questions[c.question_id], pool.traces[c.question_id], c.reasoning, variant="compressed",
                 compressor=compressor, teacher=config.teacher, tokens=n, raw_chars=c.raw_chars,
                 system_prompt=config.system_prompt)  # fmt: skip
        for c, n in zip(kept, tokens)
    ]
    return rows, excluded


def build_truncated(pool: Pool, config: BuildConfig, compressed_rows: list[dict], tokenizer,
                    compressor: str) -> list[dict]:
    """Raw reasoning cut to the token length of the reference compressor's trace, same rows."""
    ids = [row["id"] for row in compressed_rows]
    targets = [row["reasoning_tokens"] for row in compressed_rows]
    cut = truncate_to_lengths(tokenizer, [pool.traces[qid]["reasoning"] for qid in ids], targets)
    tokens = count_tokens(tokenizer, cut)
    return [
        make_row(pool.questions[qid], pool.traces[qid], text, variant="truncated", compressor=compressor,
                 teacher=config.teacher, tokens=n, raw_chars=len(pool.traces[qid]["reasoning"]),
                 system_prompt=config.system_prompt)  # fmt: skip
        for qid, text, n in zip(ids, cut, tokens)
    ]


def _compressions_by_compressor(config: BuildConfig) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = defaultdict(dict)
    for record in read_compressions(config.compress_dir) if config.compress_dir else []:
        if record.teacher == config.teacher:
            grouped[record.compressor][record.question_id] = record
    return dict(grouped)


def build_variants(config: BuildConfig, pool: Pool, tokenizer) -> list[VariantBuild]:
    """Every requested variant of the pool, as VariantBuilds ready for the store."""
    from builders.store import repo_name

    pool.raw_tokens = dict(zip(sorted(pool.traces), count_tokens(tokenizer, [pool.traces[q]["reasoning"] for q in sorted(pool.traces)])))
    builds: list[VariantBuild] = []

    def add(variant: str, compressor: str, rows: list[dict], excluded: Counter | None = None) -> None:
        repo = repo_name(config.teacher, variant, compressor or None, config.organization)
        builds.append(VariantBuild(repo, variant, compressor, _by_source(rows), excluded or Counter()))

    for variant in ("raw", "answer_only"):
        if variant in config.variants:
            add(variant, "", build_raw(pool, config, variant))
    compressions = _compressions_by_compressor(config)
    names = config.compressors or sorted(compressions)
    missing = sorted(set(names) - set(compressions))
    if missing and {"compressed", "truncated"} & set(config.variants):
        raise ValueError(f"build: no compressions for {missing} in {config.compress_dir}; found {sorted(compressions)}")
    compressed: dict[str, list[dict]] = {}
    for name in names if {"compressed", "truncated"} & set(config.variants) else []:
        compressed[name], excluded = build_compressed(pool, config, compressions, tokenizer, name)
        if "compressed" in config.variants:
            add("compressed", name, compressed[name], excluded)
    if "truncated" in config.variants:
        reference = config.reference_compressor or names[0]
        add("truncated", reference, build_truncated(pool, config, compressed[reference], tokenizer, reference))
    return builds


def source_statistics(build: VariantBuild, pool: Pool) -> list[dict[str, Any]]:
    """Per source dataset: rows, mean reasoning chars and tokens, mean compression ratio (Tables 4/5)."""
    table = []
    for source, rows in build.rows.items():
        table.append({
            "source": source, "rows": len(rows),
            "mean_raw_chars": statistics.fmean(len(pool.traces[r["id"]]["reasoning"]) for r in rows),
            "mean_chars": statistics.fmean(r["reasoning_chars"] for r in rows),
            "mean_tokens": statistics.fmean(r["reasoning_tokens"] for r in rows),
            "mean_ratio": statistics.fmean(r["compression_ratio"] for r in rows),
        })  # fmt: skip
    return table


# -- phase 4: write ----------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def stage_provenance(config: BuildConfig) -> dict[str, Any]:
    """Manifests and stats of the stages that made the pool, for the card."""
    logs = {"generate": (config.stage1_dir, "traces"), "compress": (config.compress_dir, "compressions"),
            "judge": (config.judge_dir, "verdicts")}  # fmt: skip
    provenance = {}
    for stage, (folder, log) in logs.items():
        if folder and (Path(folder) / log / "manifest.json").exists():
            provenance[stage] = {"manifest": _read_json(Path(folder) / log / "manifest.json"),
                                 "stats": _read_json(Path(folder) / log / "stats.json")}  # fmt: skip
    return provenance


def run_build(config: BuildConfig, *, allow_config_change: bool = False) -> dict[str, Any]:
    """Build every variant and write each as a release of its repo in the local store."""
    from transformers import AutoTokenizer

    from builders.cards import render_dataset_card
    from builders.store import LocalStore

    tokenizer = AutoTokenizer.from_pretrained(config.reference_tokenizer)
    pool = load_pool(config)
    store = LocalStore(config.store_dir)
    provenance = stage_provenance(config)
    summary = {"pool": len(pool.traces), "hygiene": pool.hygiene, "repos": {}}
    for build in build_variants(config, pool, tokenizer):
        entry = {"variant": build.variant, "compressor": build.compressor, "rows": build.count,
                 "excluded": dict(build.excluded), "release": None, "commit": None}  # fmt: skip
        if build.count:  # a variant whose every row was excluded is reported, not released empty
            card, extra_files = render_dataset_card(build, pool, config, provenance, source_statistics(build, pool))
            entry["commit"] = store.write_release(build.repo_id, build.rows, card, config.release, extra_files=extra_files)
            entry["release"] = config.release
        summary["repos"][build.repo_id] = entry
    return summary

