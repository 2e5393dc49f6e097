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

Scale (paper: 283k traces, ~2 GB of raw reasoning; ``scripts/bench_builders.py``): tokenization
with the reference tokenizer dominates, so each raw trace is tokenized exactly once - its count and
its truncation cut come from one pass (``count_and_cut``), after the compressed traces are counted
(their token lengths are the cut targets). Variants are built and written one at a time, smallest
first and raw last, so only one variant's rows are in memory at once, and rows (``Row``) build their
``messages`` - which repeat the reasoning - only while the store writes their source config.
``run_build`` reports seconds per phase in the summary's ``timings``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.compress import read_compressions
from builders.contract import (DEFAULT_SYSTEM_PROMPT, PUBLISHED_COLUMNS, VARIANTS, ContractError, QuestionRecord,
                                build_messages)
from builders.generate import correct_traces, load_saved_questions
from builders.truncate import count_and_cut, count_tokens

logger = logging.getLogger(__name__)


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
    rows: dict[str, list["Row"]]  # per source config, sorted by id
    excluded: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class _Timer:
    """Accumulates wall-clock seconds per phase into ``timings`` (a no-op when it is None)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started


# -- phase 1-2: the pool -----------------------------------------------------------------------
def load_pool(config: BuildConfig, *, timings: dict[str, float] | None = None) -> Pool:
    timer = _Timer(timings)
    with timer("load_pool"):
        questions = load_saved_questions(config.stage1_dir)
        traces = {t["question_id"]: t for t in correct_traces(config.stage1_dir) if t["teacher"] == config.teacher}
    kept = [questions[qid] for qid in sorted(traces)]
    del questions
    report: dict[str, Any] = {"pool": len(kept)}
    if config.deduplicate or config.decontaminate:
        from builders.hygiene import clean_pool, decontaminate, eval_questions_from_registry

        with timer("hygiene_load_evals"):
            evals = eval_questions_from_registry() if config.decontaminate else []
        with timer("hygiene"):
            if config.deduplicate:
                kept, hygiene_report = clean_pool(kept, evals, near_threshold=config.near_duplicate_threshold)
                report |= hygiene_report.to_dict()
            else:
                kept, removed = decontaminate(kept, evals)
                report |= {"contaminated": len(removed), "removed": removed}
    ids = {q.id for q in kept}
    return Pool(questions={q.id: q for q in kept}, traces={k: v for k, v in traces.items() if k in ids}, hygiene=report)


# -- phase 3: variants -------------------------------------------------------------------------
_SCALAR_COLUMNS = tuple(c for c in PUBLISHED_COLUMNS if c != "messages")


class Row(Mapping):
    """One published row (``PUBLISHED_COLUMNS``) whose ``messages`` are built only when read.

    At paper scale the raw variant's messages repeat ~2 GB of reasoning. The store writes each
    source config by calling ``to_dict()`` on its rows, so the messages of one config exist at a
    time instead of those of the whole variant; cards and statistics read scalar columns only.
    ``reasoning=None`` is answer-only (no think block).
    """

    __slots__ = (*_SCALAR_COLUMNS, "_think", "_system_prompt")

    def __init__(self, question: QuestionRecord, trace: dict, reasoning: str | None, *, variant: str,
                 compressor: str, teacher: str, tokens: int, raw_chars: int, system_prompt: str | None):
        if variant not in VARIANTS:
            raise ContractError(f"{question.id}: unknown variant {variant!r}; valid: {VARIANTS}")
        text = reasoning or ""
        self.id, self.source, self.domain = question.id, question.source, question.domain
        self.question, self.answer, self.answer_type = question.question, question.answer, question.answer_type
        self.reasoning, self.response = text, trace["response"]
        self.teacher, self.compressor, self.variant = teacher, compressor, variant
        self.reasoning_chars, self.reasoning_tokens = len(text), tokens
        self.compression_ratio = len(text) / raw_chars if raw_chars else 0.0
        self._think, self._system_prompt = reasoning is not None, system_prompt

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.question, self.reasoning if self._think else None, self.response,
                              self._system_prompt)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The full row, columns in ``PUBLISHED_COLUMNS`` order."""
        return {c: self.messages() if c == "messages" else getattr(self, c) for c in PUBLISHED_COLUMNS}

    def __getitem__(self, column: str) -> Any:
        if column == "messages":
            return self.messages()
        if column not in _SCALAR_COLUMNS:
            raise KeyError(column)
        return getattr(self, column)

    def __iter__(self) -> Iterator[str]:
        return iter(PUBLISHED_COLUMNS)

    def __len__(self) -> int:
        return len(PUBLISHED_COLUMNS)

    def __repr__(self) -> str:
        return f"Row(id={self.id!r}, variant={self.variant!r}, compressor={self.compressor!r})"


def make_row(question: QuestionRecord, trace: dict, reasoning: str | None, *, variant: str, compressor: str,
             teacher: str, tokens: int, raw_chars: int, system_prompt: str | None) -> dict[str, Any]:
    """One published row as a dict (``PublishedRow.to_dict()``'s columns, in ``PUBLISHED_COLUMNS``
    order); ``reasoning=None`` is answer-only (no think block). The builders keep rows as ``Row``."""
    return Row(question, trace, reasoning, variant=variant, compressor=compressor, teacher=teacher, tokens=tokens,
               raw_chars=raw_chars, system_prompt=system_prompt).to_dict()  # fmt: skip


def _by_source(rows: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        grouped[row["source"]].append(row)
    return dict(sorted(grouped.items()))


def build_raw(pool: Pool, config: BuildConfig, variant: str = "raw") -> list[Row]:
    rows = []
    for qid, trace in sorted(pool.traces.items()):
        raw_chars = len(trace["reasoning"])
        reasoning = trace["reasoning"] if variant == "raw" else None
        tokens = pool.raw_tokens[qid] if variant == "raw" else 0
        rows.append(Row(pool.questions[qid], trace, reasoning, variant=variant, compressor="",
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


def select_compressed(pool: Pool, config: BuildConfig, compressions: dict[str, dict[str, Any]], compressor: str,
                      verdicts: dict[tuple[str, str], Any] | None = None) -> tuple[list, Counter]:
    """The compression records of one compressor kept under the exclusion policy, by question id,
    and the exclusion counts by reason."""
    verdicts = _verdicts(config) if verdicts is None else verdicts
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
    return kept, excluded


def compressed_rows(pool: Pool, config: BuildConfig, kept: list, tokens: list[int], compressor: str) -> list[Row]:
    return [
        Row(pool.questions[c.question_id], pool.traces[c.question_id], c.reasoning, variant="compressed",
            compressor=compressor, teacher=config.teacher, tokens=n, raw_chars=c.raw_chars,
            system_prompt=config.system_prompt)  # fmt: skip
        for c, n in zip(kept, tokens)
    ]


def truncated_rows(pool: Pool, config: BuildConfig, ids: list[str], cut: list[str], tokens: list[int],
                   compressor: str) -> list[Row]:
    return [
        Row(pool.questions[qid], pool.traces[qid], text, variant="truncated", compressor=compressor,
            teacher=config.teacher, tokens=n, raw_chars=len(pool.traces[qid]["reasoning"]),
            system_prompt=config.system_prompt)  # fmt: skip
        for qid, text, n in zip(ids, cut, tokens)
    ]


def build_compressed(pool: Pool, config: BuildConfig, compressions: dict[str, dict[str, Any]], tokenizer,
                     compressor: str) -> tuple[list[dict], Counter]:
    """The compressed variant of one compressor; returns rows and exclusion counts by reason."""
    kept, excluded = select_compressed(pool, config, compressions, compressor)
    tokens = count_tokens(tokenizer, [c.reasoning for c in kept])
    return compressed_rows(pool, config, kept, tokens, compressor), excluded


def build_truncated(pool: Pool, config: BuildConfig, compressed_rows: list[dict], tokenizer,
                    compressor: str) -> list[dict]:
    """Raw reasoning cut to the token length of the reference compressor's trace, same rows."""
    ids = [row["id"] for row in compressed_rows]
    targets = [row["reasoning_tokens"] for row in compressed_rows]
    _, cut = count_and_cut(tokenizer, [pool.traces[qid]["reasoning"] for qid in ids], targets)
    return truncated_rows(pool, config, ids, cut, count_tokens(tokenizer, cut), compressor)


def _compressions_by_compressor(config: BuildConfig) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = defaultdict(dict)
    for record in read_compressions(config.compress_dir) if config.compress_dir else []:
        if record.teacher == config.teacher:
            grouped[record.compressor][record.question_id] = record
    return dict(grouped)


def iter_variants(config: BuildConfig, pool: Pool, tokenizer, *,
                  timings: dict[str, float] | None = None) -> Iterator[VariantBuild]:
    """Every requested variant of the pool, one VariantBuild at a time (answer-only, compressed per
    compressor, truncated, raw: smallest first), so the caller can write and drop each before the
    next is built.

    Tokenization comes first: the kept compressed traces of every compressor are counted, then each
    raw trace is tokenized once for its count (``pool.raw_tokens``) and, for the reference
    compressor's rows, its cut to that compressor's token length.
    """
    from builders.store import repo_name

    timer = _Timer(timings)

    def make(variant: str, compressor: str, rows: list[Row], excluded: Counter | None = None) -> VariantBuild:
        repo = repo_name(config.teacher, variant, compressor or None, config.organization)
        return VariantBuild(repo, variant, compressor, _by_source(rows), excluded or Counter())

    wanted = set(config.variants)
    with timer("load_compressions"):
        compressions = _compressions_by_compressor(config)
    names = config.compressors or sorted(compressions)
    missing = sorted(set(names) - set(compressions))
    if missing and {"compressed", "truncated"} & wanted:
        raise ValueError(f"build: no compressions for {missing} in {config.compress_dir}; found {sorted(compressions)}")
    selected: dict[str, tuple[list, Counter, list[int]]] = {}
    verdicts = _verdicts(config) if {"compressed", "truncated"} & wanted else {}
    for name in names if {"compressed", "truncated"} & wanted else []:
        with timer("rows"):
            kept, excluded = select_compressed(pool, config, compressions, name, verdicts)
        with timer("tokenize_compressed"):
            tokens = count_tokens(tokenizer, [c.reasoning for c in kept], progress=f"tokenize {name}")
            selected[name] = (kept, excluded, tokens)
    del compressions
    reference = (config.reference_compressor or names[0]) if "truncated" in wanted else None
    targets: dict[str, int] = {}
    if reference is not None:
        kept, _, tokens = selected[reference]
        targets = {c.question_id: n for c, n in zip(kept, tokens)}

    ids = sorted(pool.traces)
    with timer("tokenize_raw"):  # one pass: every raw count, and the cuts for the truncated variant
        counts, cuts = count_and_cut(tokenizer, [pool.traces[q]["reasoning"] for q in ids], [targets.get(q) for q in ids],
                                     progress="tokenize raw traces")  # fmt: skip
    pool.raw_tokens = dict(zip(ids, counts))
    cut_of = {qid: text for qid, text in zip(ids, cuts) if text is not None}
    del counts, cuts

    # Smallest first and raw last: each variant's inputs are freed once it is written, so the raw
    # variant (the big one) is written with nothing else of the build left in memory.
    if "answer_only" in wanted:
        with timer("rows"):
            build = make("answer_only", "", build_raw(pool, config, "answer_only"))
        yield build
        del build  # the caller's reference is the last one: the rows go once it is done
    for name in names if "compressed" in wanted else []:
        kept, excluded, tokens = selected[name]
        with timer("rows"):
            build = make("compressed", name, compressed_rows(pool, config, kept, tokens, name), excluded)
        del kept, excluded, tokens
        if name != reference:
            del selected[name]
        yield build
        del build
    if reference is not None:
        truncated_ids = [c.question_id for c in selected.pop(reference)[0]]
        cut = [cut_of[qid] for qid in truncated_ids]
        with timer("truncate_recount"):  # the published token count of each cut text
            tokens = count_tokens(tokenizer, cut)
        with timer("rows"):
            build = make("truncated", reference, truncated_rows(pool, config, truncated_ids, cut, tokens, reference))
        del cut, tokens
        yield build
        del build
    selected.clear()
    cut_of.clear()
    if "raw" in wanted:
        with timer("rows"):
            build = make("raw", "", build_raw(pool, config, "raw"))
        yield build
        del build


def variant_order(build: VariantBuild, compressors: list[str]) -> tuple[int, int]:
    """The order variants are reported in: raw, answer-only, compressed (compressor order), truncated."""
    rank = {"raw": 0, "answer_only": 1, "compressed": 2, "truncated": 3}[build.variant]
    return rank, compressors.index(build.compressor) if build.compressor in compressors else 0


def build_variants(config: BuildConfig, pool: Pool, tokenizer) -> list[VariantBuild]:
    """Every requested variant of the pool, as VariantBuilds ready for the store, in report order
    (all in memory; ``run_build`` uses ``iter_variants`` to hold one at a time)."""
    builds = list(iter_variants(config, pool, tokenizer))
    compressors = [b.compressor for b in builds if b.variant == "compressed"]
    return sorted(builds, key=lambda b: variant_order(b, compressors))


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
    """Build every variant and write each as a release of its repo in the local store.

    The summary's ``timings`` gives wall-clock seconds per phase (``write_release`` is the parquet
    files plus the git commit and tag of the local store).
    """
    from transformers import AutoTokenizer

    from builders.cards import render_dataset_card
    from builders.store import LocalStore

    started = time.perf_counter()
    timings: dict[str, float] = {}
    timer = _Timer(timings)
    with timer("load_tokenizer"):
        tokenizer = AutoTokenizer.from_pretrained(config.reference_tokenizer)
    pool = load_pool(config, timings=timings)
    store = LocalStore(config.store_dir)
    provenance = stage_provenance(config)
    entries: list[tuple[tuple[int, int], str, dict[str, Any]]] = []
    compressors: list[str] = []
    for build in iter_variants(config, pool, tokenizer, timings=timings):
        entry = {"variant": build.variant, "compressor": build.compressor, "rows": build.count,
                 "excluded": dict(build.excluded), "release": None, "commit": None}  # fmt: skip
        if build.count:  # a variant whose every row was excluded is reported, not released empty
            with timer("cards"):
                card, extra_files = render_dataset_card(build, pool, config, provenance, source_statistics(build, pool))
            with timer("write_release"):
                entry["commit"] = store.write_release(build.repo_id, build.rows, card, config.release,
                                                      extra_files=extra_files)
            entry["release"] = config.release
            logger.info("released %s@%s: %d rows", build.repo_id, config.release, build.count)
        if build.variant == "compressed":
            compressors.append(build.compressor)
        entries.append((variant_order(build, compressors), build.repo_id, entry))
        del build  # free this variant's rows before the next one is built
    # Reported in the usual order (raw, answer-only, compressed, truncated), whatever the build order.
    summary = {"pool": len(pool.traces), "hygiene": pool.hygiene,
               "repos": {repo: entry for _, repo, entry in sorted(entries, key=lambda e: e[0])}}
    timings["total"] = time.perf_counter() - started
    summary["timings"] = {phase: round(seconds, 3) for phase, seconds in timings.items()}
    return summary
