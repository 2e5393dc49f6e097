"""The data contract: every record that crosses a stage boundary is defined here, and only here.

Three records flow through the pipeline (seed 003, Sec. 3):

* ``QuestionRecord`` - one benchmark question, normalized from its source dataset row. Multiple
  choice options are rendered into ``question`` with letters, so a teacher, a student and an eval
  task all see the same text.
* ``TraceRecord`` - one teacher attempt at one question (Stage 1). Every attempt is kept so
  rejection-sampling statistics can be computed; the "correct pool" is derived from them.
* the published dataset row (``PUBLISHED_COLUMNS`` / ``published_features()``) - what every dataset
  variant (raw, compressed, truncated, answer-only) contains, with ``messages`` ready for TRL.

Bad input never crashes a long loop: it becomes a ``QuarantineEntry`` with its reason, counted and
kept next to the good records.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

from builders.answers import ANSWER_TYPES, UnknownAnswerType

DOMAINS = ("math", "science", "commonsense", "medical", "ood_reasoning", "ood_knowledge")
VARIANTS = ("raw", "compressed", "truncated", "answer_only")
OPTION_LETTERS = "ABCDEFGHIJ"

# One system prompt for training and evaluation: students are evaluated with the same chat
# template and prompt they were trained with (seed 003, Sec. 4).
DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant. Think step by step, then give the final answer. "
    "For multiple-choice questions answer with the option letter; put the final answer in \\boxed{}."
)


class ContractError(ValueError):
    """A record does not satisfy the data contract; the message names the record."""


class SourceRowError(ContractError):
    """A source dataset row cannot be normalized (missing gold answer, malformed choices, ...)."""

    def __init__(self, source: str, row: int | str, reason: str):
        self.source, self.row, self.reason = source, row, reason
        super().__init__(f"{source} row {row}: {reason}")


def stable_id(source: str, split: str, native_id: str | None, content: Any) -> str:
    """Id that a source row keeps across runs, machines and row order.

    A dataset's own id is used when it has one; otherwise the row's content is hashed, so the same
    row always maps to the same id (and exact duplicates collapse to one id, which is what dedup
    wants anyway).
    """
    key = native_id if native_id else json.dumps(content, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{source}\x1f{split}\x1f{key}".encode()).hexdigest()[:16]
    return f"{source}-{split}-{digest}"


def render_choices(question: str, choices: list[str]) -> str:
    """The question as prompted: the stem, then one ``A. option`` line per choice."""
    lines = [question.strip(), ""]
    lines += [f"{OPTION_LETTERS[i]}. {str(c).strip()}" for i, c in enumerate(choices)]
    return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[frozenset[str], tuple[str, ...]]:
    """A record class's field names and its required ones (read per record at paper scale)."""
    required = tuple(f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING)
    return frozenset(f.name for f in fields(cls)), required


@dataclass(frozen=True)
class _Record:
    """Shared (de)serialization for the contract's records."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names, required = _field_names(cls)
        missing = [name for name in required if name not in data]
        if missing:
            raise ContractError(f"{cls.__name__}: missing fields {missing} in {str(data)[:200]}")
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class QuestionRecord(_Record):
    id: str
    source: str
    split: str
    domain: str
    question: str  # as prompted: options rendered with letters for multiple choice
    answer: str  # gold, canonical form for its answer_type
    answer_type: str
    choices: list[str] | None = None

    def __post_init__(self):
        if self.answer_type not in ANSWER_TYPES:
            raise UnknownAnswerType(f"{self.id}: unknown answer_type {self.answer_type!r}; valid: {ANSWER_TYPES}")
        if self.domain not in DOMAINS:
            raise ContractError(f"{self.id}: unknown domain {self.domain!r}; valid: {DOMAINS}")
        if not self.question.strip():
            raise ContractError(f"{self.id}: empty question")
        if not str(self.answer).strip():
            raise ContractError(f"{self.id}: empty gold answer")
        if self.answer_type == "letter" and self.choices is not None:
            if self.answer not in OPTION_LETTERS[: len(self.choices)]:
                raise ContractError(f"{self.id}: gold letter {self.answer!r} outside {len(self.choices)} choices")


@dataclass(frozen=True)
class TraceRecord(_Record):
    """One teacher attempt (Stage 1). ``attempt`` counts rejection-sampling rounds from 0."""

    question_id: str
    teacher: str
    attempt: int
    reasoning: str | None
    response: str
    extracted_answer: str | None
    correct: bool
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    error: str | None = None  # why an attempt produced nothing usable (recorded, never dropped)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.question_id, self.teacher, self.attempt)


@dataclass(frozen=True)
class QuarantineEntry(_Record):
    """A record that could not be used, with the reason; kept and counted, never silently dropped."""

    stage: str
    source: str
    row: str
    reason: str
    record: str = ""  # the offending input, JSON-encoded and clipped

    @classmethod
    def of(cls, stage: str, source: str, row: int | str, reason: str, record: Any = None) -> "QuarantineEntry":
        text = json.dumps(record, default=str, ensure_ascii=False)[:2000] if record is not None else ""
        return cls(stage=stage, source=source, row=str(row), reason=reason, record=text)


# ----------------------------------------------------------------------------------------------
# The published dataset row, shared by every variant.
# ----------------------------------------------------------------------------------------------
PUBLISHED_COLUMNS = (
    "id", "source", "domain", "question", "answer", "answer_type", "reasoning", "response",
    "messages", "teacher", "compressor", "variant", "reasoning_chars", "reasoning_tokens",
    "compression_ratio",
)  # fmt: skip


def assistant_content(reasoning: str | None, response: str) -> str:
    """The assistant turn TRL trains on: a think block then the response; answer-only has none."""
    if reasoning is None:
        return response.strip()
    return f"<think>\n{reasoning.strip()}\n</think>\n\n{response.strip()}"


def build_messages(question: str, reasoning: str | None, response: str,
                   system_prompt: str | None = DEFAULT_SYSTEM_PROMPT) -> list[dict[str, str]]:
    """Chat messages for one training example (system prompt optional, same one as at eval)."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages.append({"role": "user", "content": question})
    messages.append({"role": "assistant", "content": assistant_content(reasoning, response)})
    return messages


@dataclass(frozen=True)
class PublishedRow(_Record):
    id: str
    source: str
    domain: str
    question: str
    answer: str
    answer_type: str
    reasoning: str  # "" for answer-only
    response: str
    messages: list[dict[str, str]]
    teacher: str
    compressor: str  # "" for raw, truncated (reference tokenizer named in the card) and answer-only
    variant: str
    reasoning_chars: int
    reasoning_tokens: int
    compression_ratio: float  # reasoning chars of this variant / raw reasoning chars
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ContractError(f"{self.id}: unknown variant {self.variant!r}; valid: {VARIANTS}")

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("extra")
        return row


def published_features():
    """The Arrow/`datasets` schema of a published row (one schema for every variant)."""
    from datasets import Features, List, Value

    message = {"role": Value("string"), "content": Value("string")}
    return Features({
        "id": Value("string"), "source": Value("string"), "domain": Value("string"),
        "question": Value("string"), "answer": Value("string"), "answer_type": Value("string"),
        "reasoning": Value("string"), "response": Value("string"), "messages": List(message),
        "teacher": Value("string"), "compressor": Value("string"), "variant": Value("string"),
        "reasoning_chars": Value("int64"), "reasoning_tokens": Value("int64"),
        "compression_ratio": Value("float64"),
    })  # fmt: skip


@dataclass(frozen=True)
class CompressionRecord(_Record):
    """One compressed trace (Stage 2): the teacher's reasoning rewritten by one compressor.

    The response (and so the final answer) is re-appended unchanged; ``supports_answer`` records
    whether the compressed reasoning, read alone, still yields the gold answer (beyond the paper).
    """

    question_id: str
    teacher: str
    compressor: str
    reasoning: str
    response: str
    raw_chars: int
    compressed_chars: int
    compression_ratio: float  # compressed chars / raw chars (seed 003, Sec. 3.2)
    reextracted_answer: str | None
    supports_answer: bool
    prompt_sha: str = ""  # hash of the prompt template used, for the card
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    error: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question_id, self.teacher, self.compressor)


FAILURE_MODES = (
    "contradiction", "unsupported_claim", "omitted_key_step", "answer_mismatch", "overcompression",
    "incoherent", "empty_original", "empty_compressed",
)  # fmt: skip (seed 003, App. G.1)
VERDICTS = ("faithful", "partially_faithful", "unfaithful")


@dataclass(frozen=True)
class JudgeRecord(_Record):
    """The faithfulness verdict on one compressed trace (seed 003, App. G); ``parse_error`` is set,
    and the scores are None, when the judge's output did not validate against the schema."""

    question_id: str
    teacher: str
    compressor: str
    judge: str
    faithfulness: int | None = None
    coverage: int | None = None
    clarity: int | None = None
    verdict: str | None = None
    answer_alignment: bool | None = None
    failure_modes: list[str] = field(default_factory=list)
    rationale: str = ""
    parse_error: str | None = None
    finish_reason: str | None = None
