"""Import an existing trace corpus into the Stage 1 layout, verified with the shared verifier.

Usage:
    cdistill import --config recipes/import/openr1_math.yaml [--set limit=1000 ...]
    cdistill import --set dataset=my_traces.jsonl --set output_dir=out/imported \\
        --set teacher=my-teacher --set columns.messages=messages --set columns.id=null \\
        --set columns.source=null

Users who already have reasoning traces (OpenR1-Math-220k, their own distillation runs) can
compress and build datasets from them without regenerating anything: a small column spec
(``ColumnSpec``) says which columns hold the question, the gold answer and the completion(s), and
every row becomes a ``QuestionRecord`` plus one ``TraceRecord`` per completion, written exactly as
``cdistill generate`` writes them::

    <output_dir>/questions/   RecordLog keyed by ("id",)
    <output_dir>/traces/      RecordLog keyed by ("question_id", "teacher", "attempt"), stats.json

so ``builders.generate.correct_traces`` / ``load_saved_questions``, ``cdistill compress`` and
``cdistill build`` consume the result unchanged.

Verification: a corpus' own correctness flags are not trusted; every completion is split, its
answer extracted and compared with the gold by ``builders.answers`` (the same rules as Stage 1),
so an imported pool and a generated pool mean the same thing. A completion that fails is kept in
the log with ``correct=False`` and so stays out of the pool (``keep_unverified`` overrides this).

Bad rows (no question, no or unusable gold, no completion, wrong column types, duplicate ids) are
quarantined with their reason and counted; a column named in the spec that the dataset lacks is
an error before anything is written, listing the dataset's columns.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.answers import ANSWER_TYPES, normalize_answer
from builders.config import ConfigError, config_dict
from builders.contract import DOMAINS, ContractError, QuarantineEntry, QuestionRecord, TraceRecord, stable_id
from builders.engines import Generation
from builders.generate import TRACE_KEY, generation_stats, load_saved_questions, to_trace
from builders.records import RecordLog, read_records

STAGE = "import"
_LOCAL_FORMATS = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}
# The questions log is shared with Stage 1 (same config), so either stage may fill it.
_QUESTIONS_CONFIG = {"kind": "questions"}


class CorpusError(ConfigError):
    """The corpus cannot be imported at all (unloadable, or the spec names missing columns): a
    config that does not fit its dataset, so the CLI reports it as a message, not a traceback."""


class _RowProblem(Exception):
    """A row (or one completion of it) that cannot be imported; ``reason`` is quarantined."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ColumnSpec:
    """How a corpus' columns map onto the data contract (``None``: the corpus has no such column)."""

    question: str = "problem"
    answer: str = "answer"  # the gold answer, normalized with ``normalize_answer``
    # A column holding the reasoning alone; None when it sits inside ``response`` as <think>...</think>.
    reasoning: str | None = None
    # The completion: a string, or a list of completions (OpenR1-Math "generations"), each an attempt.
    response: str = "generation"
    response_index: int | None = None  # with a list: import only this completion (None: all of them)
    id: str | None = "uuid"  # the corpus' own id; None: a hash of the row's content
    source: str | None = "source"  # the sub-source of each row; None: ``ImportConfig.source_name``
    # A chat column ([{role, content}, ...]): the first user turn is the question and the last
    # assistant turn the completion; ``question`` and ``response`` are then not read.
    messages: str | None = None
    # Optional per-completion metadata (a scalar, or a list aligned with the completions).
    prompt_tokens: str | None = None
    completion_tokens: str | None = None
    finish_reason: str | None = None

    def __post_init__(self):
        for name in ("question", "answer", "response"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"import: columns.{name} must be a column name, not {getattr(self, name)!r}")
        for name in ("reasoning", "id", "source", "messages", "prompt_tokens", "completion_tokens", "finish_reason"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"import: columns.{name} must be a column name or null, not {value!r}")
        if self.response_index is not None and (
            isinstance(self.response_index, bool) or not isinstance(self.response_index, int) or self.response_index < 0
        ):
            raise ValueError(f"import: columns.response_index must be a non-negative integer, not {self.response_index!r}")

    def named_columns(self) -> dict[str, str]:
        """Spec field -> dataset column, for every column this spec will read."""
        names = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "response_index"}
        if self.messages:  # the chat column replaces the question and response columns
            names.pop("question")
            names.pop("response")
        return {key: value for key, value in names.items() if value}


@dataclass
class ImportConfig:
    dataset: str  # a Hub repo id, or a local folder / .jsonl / .json / .parquet file
    output_dir: str  # written in the Stage 1 layout
    teacher: str  # the model that wrote the traces, recorded on every trace
    config_name: str | None = None
    split: str = "train"
    revision: str | None = None
    columns: ColumnSpec = field(default_factory=ColumnSpec)
    answer_type: str = "latex"
    domain: str = "math"
    source_name: str | None = None  # default: the dataset's basename; also seeds the question ids
    limit: int | None = None  # rows read (None: all)
    # False: a completion the verifier rejects is logged with correct=False (out of the pool).
    # True: trust the corpus - a question none of whose completions verifies still enters the pool
    # with its first completion free of structural errors (no think block, no response); stats
    # count these as unverified_kept.
    keep_unverified: bool = False

    def __post_init__(self):
        if isinstance(self.columns, dict):
            self.columns = ColumnSpec(**self.columns)
        if not isinstance(self.columns, ColumnSpec):
            raise ValueError(f"import: columns must be a mapping of column names, not {self.columns!r}")
        for name in ("dataset", "output_dir", "teacher", "split"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise ValueError(f"import: {name} must be a non-empty string")
        if self.answer_type not in ANSWER_TYPES:
            raise ValueError(f"import: unknown answer_type {self.answer_type!r}; valid: {', '.join(ANSWER_TYPES)}")
        if self.domain not in DOMAINS:
            raise ValueError(f"import: unknown domain {self.domain!r}; valid: {', '.join(DOMAINS)}")
        if self.limit is not None and (isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1):
            raise ValueError(f"import: limit must be a positive integer or null, not {self.limit!r}")
        if self.source_name is None:
            self.source_name = _basename(self.dataset)
        if not self.source_name:
            raise ValueError("import: source_name is empty; set it explicitly")

    def fingerprint_dict(self) -> dict[str, Any]:
        """What changes the records; the output folder and the row limit (a resume may read more
        rows) do not."""
        data = config_dict(self)
        for key in ("output_dir", "limit"):
            data.pop(key)
        return data


def _basename(dataset: str) -> str:
    """``open-r1/OpenR1-Math-220k`` -> ``OpenR1-Math-220k``; ``/data/traces.jsonl`` -> ``traces``."""
    path = Path(dataset.rstrip("/"))
    return path.stem if path.suffix in _LOCAL_FORMATS else path.name


# -- loading -----------------------------------------------------------------------------------
def load_corpus(config: ImportConfig):
    """The corpus as a ``datasets.Dataset``: a local file or folder, else a Hub repo."""
    from datasets import load_dataset

    path = Path(config.dataset).expanduser()
    try:
        if path.is_file():
            kind = _LOCAL_FORMATS.get(path.suffix)
            if kind is None:
                raise CorpusError(f"import: {path} is not a .jsonl, .json or .parquet file")
            return load_dataset(kind, data_files={config.split: str(path)}, split=config.split)
        if path.is_dir():  # a Hub-layout folder (README configs, data/*.parquet, ...)
            return load_dataset(str(path), config.config_name, split=config.split)
        # A repo without a `configs:` card has one implicit config, "default"; None lets datasets
        # resolve it whichever way the card declares it (as builders.sources does).
        name = None if config.config_name == "default" else config.config_name
        return load_dataset(config.dataset, name, split=config.split, revision=config.revision)
    except CorpusError:
        raise
    except Exception as error:  # noqa: BLE001 - re-raised with the dataset named, never swallowed
        raise CorpusError(
            f"import: cannot load {config.dataset} (config={config.config_name}, split={config.split}, "
            f"revision={config.revision}): {error}"
        ) from error


def check_columns(spec: ColumnSpec, columns: list[str], dataset: str) -> None:
    """Refuse, before writing anything, a spec naming columns the dataset does not have."""
    missing = {key: name for key, name in spec.named_columns().items() if name not in columns}
    if missing:
        named = ", ".join(f"columns.{key}={name!r}" for key, name in missing.items())
        raise CorpusError(
            f"import: {dataset} has no column for {named}; its columns are: {', '.join(columns)}. "
            "Set the spec to the right column, or to null for an optional one (id, source, reasoning)."
        )


# -- one row -----------------------------------------------------------------------------------
@dataclass
class Completion:
    """One completion of a row, before verification. ``problem`` is set when it is unusable."""

    attempt: int
    text: str
    reasoning: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    problem: str | None = None


@dataclass
class ParsedRow:
    question: QuestionRecord
    completions: list[Completion]


def parse_row(row: dict[str, Any], config: ImportConfig) -> ParsedRow:
    """A corpus row as a question and its completions; raises ``_RowProblem`` for a bad row.

    Cheap by design (no verification): on a resume every row is parsed again, and only the
    completions missing from the log are verified.
    """
    spec = config.columns
    if spec.messages:
        question_text, texts = _from_messages(row.get(spec.messages), spec.messages)
    else:
        question_text = row.get(spec.question)
        texts = row.get(spec.response)
    if question_text is None or (isinstance(question_text, str) and not question_text.strip()):
        raise _RowProblem("missing question")
    if not isinstance(question_text, str):
        raise _RowProblem(f"column {spec.messages or spec.question!r}: expected a string question, "
                          f"got {type(question_text).__name__}")  # fmt: skip
    gold = _gold(row.get(spec.answer), config)
    source = _text_or_none(row.get(spec.source), spec.source) if spec.source else None
    native_id = _text_or_none(row.get(spec.id), spec.id) if spec.id else None
    # The id hashes the corpus name with the native id, or with the content when there is none,
    # so the same corpus row always gets the same id, whatever its position or sub-source.
    question_id = stable_id(config.source_name, config.split, native_id, {"question": question_text, "answer": gold})
    question = QuestionRecord(
        id=question_id, source=source or config.source_name, split=config.split, domain=config.domain,
        question=question_text.strip(), answer=gold, answer_type=config.answer_type,
    )  # fmt: skip
    return ParsedRow(question, _completions(row, texts, config))


def _from_messages(messages: Any, column: str) -> tuple[Any, Any]:
    """(first user turn, last assistant turn) of a chat column."""
    if messages is None:
        raise _RowProblem("missing messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise _RowProblem(f"column {column!r}: expected a list of {{role, content}} messages")
    users = [m.get("content") for m in messages if m.get("role") == "user"]
    assistants = [m.get("content") for m in messages if m.get("role") == "assistant"]
    if not users:
        raise _RowProblem("missing question")  # a chat without a user turn has no question
    if not assistants:
        raise _RowProblem("no completions")
    return users[0], assistants[-1]


def _gold(value: Any, config: ImportConfig) -> str:
    """The gold answer in canonical form, or ``_RowProblem`` (missing / not normalizable)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _RowProblem("missing gold answer")
    if isinstance(value, (list, dict)):
        raise _RowProblem(f"column {config.columns.answer!r}: expected a scalar gold answer, got {type(value).__name__}")
    gold = normalize_answer(value, config.answer_type)
    if gold is None or not gold.strip():
        raise _RowProblem(f"gold answer does not normalize as {config.answer_type}")
    return gold


def _text_or_none(value: Any, column: str) -> str | None:
    """An optional text cell (id, source): numbers are accepted as their text, lists are not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _RowProblem(f"column {column!r}: expected a string, got {type(value).__name__}")
    return str(value).strip()


def _completions(row: dict[str, Any], texts: Any, config: ImportConfig) -> list[Completion]:
    """The row's completions with their attempt number (their index in the row's list)."""
    spec = config.columns
    column = spec.messages or spec.response
    if texts is None:
        raise _RowProblem("no completions")
    single = not isinstance(texts, list)
    texts = [texts] if single else texts
    if not texts:
        raise _RowProblem("no completions")
    reasonings = _aligned(row, spec.reasoning, len(texts), single, str) if spec.reasoning else [None] * len(texts)
    prompt_tokens = _aligned(row, spec.prompt_tokens, len(texts), single, int)
    completion_tokens = _aligned(row, spec.completion_tokens, len(texts), single, int)
    finish_reasons = _aligned(row, spec.finish_reason, len(texts), single, str)
    attempts = range(len(texts))
    if spec.response_index is not None and not single:
        if spec.response_index >= len(texts):
            raise _RowProblem(f"columns.response_index {spec.response_index} out of range")
        attempts = [spec.response_index]
    completions = []
    for attempt in attempts:
        text = texts[attempt]
        completion = Completion(
            attempt=attempt, text=text if isinstance(text, str) else "", reasoning=reasonings[attempt],
            prompt_tokens=prompt_tokens[attempt] or 0, completion_tokens=completion_tokens[attempt] or 0,
            finish_reason=finish_reasons[attempt] or "stop",
        )  # fmt: skip
        if text is not None and not isinstance(text, str):
            completion.problem = f"column {column!r}: expected a string completion, got {type(text).__name__}"
        elif not (text or "").strip() and not (completion.reasoning or "").strip():
            completion.problem = "empty completion"
        completions.append(completion)
    return completions


def _aligned(row: dict[str, Any], column: str | None, count: int, single: bool, kind: type) -> list[Any]:
    """A per-completion column as one value per completion: a scalar applies to a single
    completion, a list must have one entry per completion. None where the column is unset."""
    if not column:
        return [None] * count
    value = row.get(column)
    values = [value] if single and not isinstance(value, list) else value
    if values is None:
        return [None] * count
    if not isinstance(values, list) or len(values) != count:
        raise _RowProblem(f"column {column!r}: expected one value per completion")
    for item in values:
        if item is not None and (not isinstance(item, kind) or isinstance(item, bool)):
            raise _RowProblem(f"column {column!r}: expected {kind.__name__} values, got {type(item).__name__}")
    return values


def verify(question: QuestionRecord, completion: Completion, config: ImportConfig) -> TraceRecord:
    """The trace of one completion, split and verified exactly as Stage 1 does (``to_trace``)."""
    generation = Generation(
        request_id=f"{question.id}#{completion.attempt}", text=completion.text, reasoning=completion.reasoning,
        prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
        finish_reason=completion.finish_reason,
    )  # fmt: skip
    return to_trace(question, completion.attempt, config.teacher, generation)


def trust_corpus(traces: list[TraceRecord]) -> list[TraceRecord]:
    """``keep_unverified``: a row none of whose completions verifies still enters the pool with
    its first structurally sound completion (marked correct); a verified one is always preferred,
    since the pool takes the first correct attempt of each question."""
    if any(t.correct for t in traces):
        return traces
    sound = next((i for i, t in enumerate(traces) if t.error is None), None)
    if sound is None:
        return traces
    return [dataclasses.replace(t, correct=True) if i == sound else t for i, t in enumerate(traces)]


# -- the run -----------------------------------------------------------------------------------
def _rows(dataset, limit: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    from tqdm.auto import tqdm

    total = len(dataset) if limit is None else min(limit, len(dataset))
    rows = dataset if limit is None or limit >= len(dataset) else dataset.select(range(limit))
    # disable=None: a bar on a terminal, silence in logs and CI.
    yield from enumerate(tqdm(rows, total=total, desc="import", unit="row", disable=None, dynamic_ncols=True))


def run_import(config: ImportConfig, *, allow_config_change: bool = False) -> dict[str, Any]:
    """Import (or resume importing) a corpus; returns the stats also written to ``traces/stats.json``."""
    started = time.perf_counter()
    dataset = load_corpus(config)  # before any folder exists: a bad dataset or spec writes nothing
    check_columns(config.columns, list(dataset.column_names), config.dataset)
    out = Path(config.output_dir)
    traces = RecordLog(out / "traces", TRACE_KEY, config.fingerprint_dict(), allow_config_change=allow_config_change)
    questions = RecordLog(out / "questions", ("id",), _QUESTIONS_CONFIG)
    rows_read = new_traces = 0
    first_row_of: dict[str, int] = {}  # question id -> first row with it, to catch duplicates
    try:
        for index, row in _rows(dataset, config.limit):
            rows_read += 1
            new_traces += _import_row(index, row, config, traces, questions, first_row_of)
        stats = import_stats(config, out, rows_read) | {
            "new_traces": new_traces, "wall_clock_s": round(time.perf_counter() - started, 3),
        }  # fmt: skip
        traces.write_stats(stats)
        return stats
    finally:
        questions.close()
        traces.close()


def _import_row(index: int, row: dict[str, Any], config: ImportConfig, traces: RecordLog,
                questions: RecordLog, first_row_of: dict[str, int]) -> int:
    """Parse, verify and log one row; returns the number of traces newly written."""
    try:
        parsed = parse_row(row, config)
    except (_RowProblem, ContractError) as problem:
        _quarantine(traces, (index,), getattr(problem, "reason", str(problem)), config, row)
        return 0
    question = parsed.question
    if first_row_of.setdefault(question.id, index) != index:
        _quarantine(traces, (index,), "duplicate id", config, row)
        return 0
    usable = [c for c in parsed.completions if c.problem is None]
    for completion in parsed.completions:
        if completion.problem is not None:
            _quarantine(traces, (index, completion.attempt), completion.problem, config,
                        {"id": question.id, "attempt": completion.attempt, "completion": completion.text})  # fmt: skip
    if not usable:
        return 0
    questions.append(question.to_dict())  # before its traces: a kill in between only repeats a no-op
    if all((question.id, config.teacher, c.attempt) in traces for c in usable):
        return 0  # resumed: this row is already verified and logged
    # The whole row is verified (again, for a row cut short by a kill) because keep_unverified
    # decides per row; verification is deterministic, so logged traces come out the same.
    records = [verify(question, completion, config) for completion in usable]
    if config.keep_unverified:
        records = trust_corpus(records)
    return sum(traces.append(record.to_dict()) for record in records)


def _quarantine(log: RecordLog, where: tuple, reason: str, config: ImportConfig, record: Any) -> None:
    """Keyed by row position (and attempt), so a rerun over the same corpus adds no duplicates."""
    row = ":".join(str(part) for part in where)
    entry = QuarantineEntry.of(STAGE, config.source_name, row, reason, record)
    log.quarantine((STAGE, config.source_name, *where), entry.to_dict())


def import_stats(config: ImportConfig, out: Path, rows_read: int) -> dict[str, Any]:
    """Counts over the whole log (not just this run), so a resumed import reports the same totals."""
    traces = [t for t in read_records(out / "traces") if t["teacher"] == config.teacher]
    quarantined = [q for q in read_records(out / "traces", "quarantine.jsonl") if q.get("stage") == STAGE]
    saved = load_saved_questions(out)
    imported_ids = {t["question_id"] for t in traces}
    pool = [q for qid, q in saved.items() if qid in imported_ids]
    verified = [_verified(t, saved, config) for t in traces]
    return {
        "teacher": config.teacher,
        "dataset": config.dataset,
        "rows_read": rows_read,
        "questions": len(pool),
        "traces": len(traces),
        "verified_correct": sum(1 for t in verified if t),
        "incorrect": sum(1 for t in traces if not t["correct"]),
        "trace_errors": sum(1 for t in traces if t["error"] is not None),
        "unverified_kept": sum(1 for t, ok in zip(traces, verified) if t["correct"] and not ok),
        "quarantined": len(quarantined),
        "quarantined_by_reason": dict(Counter(q["reason"] for q in quarantined).most_common()),
        "sources": generation_stats(pool, out / "traces", config.teacher)["sources"],
    }


def _verified(trace: dict[str, Any], saved: dict[str, QuestionRecord], config: ImportConfig) -> bool:
    """Whether the verifier itself accepts a logged trace (differs from ``correct`` only with
    ``keep_unverified``, so the check is skipped otherwise)."""
    if not config.keep_unverified:
        return trace["correct"]
    from builders.answers import is_correct

    question = saved.get(trace["question_id"])
    if question is None or trace["error"] is not None:  # a broken trace is never verified
        return False
    return is_correct(trace["extracted_answer"], question.answer, question.answer_type)
