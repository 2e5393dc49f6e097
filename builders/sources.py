"""The benchmark registry: every dataset of the paper's Table 1 plus the OOD evaluation sets.

One declarative entry per benchmark names its real Hugging Face Hub repo, config(s), domain,
answer type and the train / eval splits of Table 1 (seed 003, Sec. 4). Each entry carries a small
row parser that turns one raw row, in that repo's real schema, into a ``contract.QuestionRecord``:

* multiple-choice options are rendered into the question with letters (``contract.render_choices``)
  and the gold answer is the option letter;
* numeric gold answers are plain numbers (GSM8k ``#### 1,234`` -> ``1234``);
* boolean gold answers are ``yes`` / ``no``.

A row that cannot be normalized (no gold answer, malformed choices, a label out of range) raises
``contract.SourceRowError`` naming the source and the row; ``load_questions`` turns those into
``QuarantineEntry`` records, so a long load never crashes and never drops a row silently.

Two datasets always list the correct option first (GPQA's ``Correct Answer`` column, TruthfulQA's
``mc1_targets``); their options are shuffled deterministically, seeded by the row's content, so the
gold letter is spread over A-D and identical on every machine and run.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any, Callable

from builders.answers import ANSWER_TYPES
from builders.contract import (
    DOMAINS,
    OPTION_LETTERS,
    ContractError,
    QuarantineEntry,
    QuestionRecord,
    SourceRowError,
    render_choices,
    stable_id,
)

try:  # the shared answer normalizer canonicalizes gold numbers the same way it scores answers
    from builders.answers import normalize_answer as _shared_normalize_answer
except ImportError:  # pragma: no cover - only while builders/answers.py lacks it
    _shared_normalize_answer = None

ROLES = ("train+eval", "train", "eval")


class BadRow(ValueError):
    """Raised by a row parser; ``Source.normalize`` adds the source name and row index."""


class SourceLoadError(RuntimeError):
    """A whole split could not be loaded from the Hub (repo, config, split or network)."""


@dataclass(frozen=True)
class Parsed:
    """What a row parser extracts from one raw row, before ids and contract checks."""

    question: str
    answer: str
    choices: list[str] | None = None
    native_id: str | None = None


@dataclass(frozen=True)
class Source:
    """One benchmark of the registry (see ``REGISTRY``)."""

    name: str
    hub_id: str
    configs: tuple[str, ...]
    domain: str
    answer_type: str
    train_split: str | None
    eval_split: str | None
    role: str
    parse: Callable[[dict[str, Any]], Parsed] = field(repr=False, compare=False)

    def __post_init__(self):
        if self.domain not in DOMAINS:
            raise ValueError(f"{self.name}: unknown domain {self.domain!r}; valid: {DOMAINS}")
        if self.answer_type not in ANSWER_TYPES:
            raise ValueError(f"{self.name}: unknown answer_type {self.answer_type!r}; valid: {ANSWER_TYPES}")
        if self.role not in ROLES:
            raise ValueError(f"{self.name}: unknown role {self.role!r}; valid: {ROLES}")

    @property
    def splits(self) -> tuple[str, ...]:
        """The splits this benchmark is used with, train first."""
        return tuple(s for s in (self.train_split, self.eval_split) if s)

    def normalize(self, row: dict[str, Any], index: int | str, split: str) -> QuestionRecord:
        """One raw row -> a ``QuestionRecord``; a bad row raises ``SourceRowError``."""
        try:
            parsed = self.parse(row)
            return QuestionRecord(
                id=stable_id(self.name, split, parsed.native_id,
                             {"question": parsed.question, "answer": parsed.answer}),
                source=self.name,
                split=split,
                domain=self.domain,
                question=parsed.question,
                answer=parsed.answer,
                answer_type=self.answer_type,
                choices=parsed.choices,
            )
        except BadRow as err:
            raise SourceRowError(self.name, index, str(err)) from err
        except ContractError as err:
            raise SourceRowError(self.name, index, f"violates the data contract: {err}") from err
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            raise SourceRowError(self.name, index, f"malformed row ({type(err).__name__}: {err})") from err


# ----------------------------------------------------------------------------------------------
# Small helpers shared by the row parsers
# ----------------------------------------------------------------------------------------------
def _text(row: dict[str, Any], column: str) -> str:
    """A required, non-empty text column."""
    value = row.get(column)
    if value is None or not str(value).strip():
        raise BadRow(f"empty or missing {column!r}")
    return str(value).strip()


def _gold_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _letter(index: int, n_choices: int) -> str:
    if not 0 <= index < n_choices:
        raise BadRow(f"gold label {index} out of range for {n_choices} choices")
    return OPTION_LETTERS[index]


def _clean_choices(choices: Any, expected: int | None = None) -> list[str]:
    """Options as stripped strings; too few, too many, or empty ones make the row malformed."""
    if not isinstance(choices, (list, tuple)):
        raise BadRow(f"choices are not a list: {choices!r}")
    cleaned = ["" if c is None else str(c).strip() for c in choices]
    if expected is not None and len(cleaned) != expected:
        raise BadRow(f"expected {expected} choices, got {len(cleaned)}")
    if not 2 <= len(cleaned) <= len(OPTION_LETTERS):
        raise BadRow(f"{len(cleaned)} choices (need 2..{len(OPTION_LETTERS)})")
    if any(not c for c in cleaned):
        raise BadRow("an answer option is empty")
    return cleaned


def _multiple_choice(stem: str, choices: list[str], gold_index: int, native_id: Any = None) -> Parsed:
    return Parsed(
        question=render_choices(stem, choices),
        answer=_letter(gold_index, len(choices)),
        choices=choices,
        native_id=None if native_id in (None, "") else str(native_id),
    )


def _int_label(value: Any) -> int:
    """An integer class label (int or digit string); missing or ``-1`` (unlabeled test) is no gold."""
    if _gold_missing(value) or value == -1 or value == "-1":
        raise BadRow(f"missing gold label ({value!r})")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRow(f"gold label {value!r} is not an integer") from None


def _content_seed(*parts: str) -> int:
    """A seed from the row's content: identical on every machine (unlike ``hash()``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _shuffled_with_gold(correct: str, others: list[str], seed_text: str) -> tuple[list[str], int]:
    """Correct + other options in a content-seeded order, and where the correct one landed."""
    options = [correct, *others]
    order = list(range(len(options)))
    random.Random(_content_seed(seed_text, *options)).shuffle(order)
    return [options[i] for i in order], order.index(0)


_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _plain_number(value: Any) -> str:
    """A gold number as a plain decimal: ``"1,234"`` -> ``"1234"``, ``8.0`` -> ``"8"``, ``"$5.50"`` -> ``"5.5"``."""
    if isinstance(value, bool) or _gold_missing(value):
        raise BadRow(f"missing numeric gold answer ({value!r})")
    text = str(value).strip().replace(",", "").replace("$", "").rstrip(".")
    if not _NUMBER.fullmatch(text):
        raise BadRow(f"gold answer {value!r} is not a number")
    number = Decimal(text)  # exact for decimal text, unlike float; "1e3" is fine too
    if not number.is_finite():
        raise BadRow(f"gold answer {value!r} is not a finite number")
    plain = format(number.normalize(), "f")
    plain = "0" if plain in ("-0", "+0") else plain
    if _shared_normalize_answer is not None:  # idempotent on a plain decimal; keeps one canon
        plain = _shared_normalize_answer(plain, "numeric") or plain
    return plain


# ----------------------------------------------------------------------------------------------
# Row parsers, one per source schema (field names exactly as in the Hub repos)
# ----------------------------------------------------------------------------------------------
def parse_gsm8k(row: dict[str, Any]) -> Parsed:
    """openai/gsm8k: ``answer`` is a worked solution ending in ``#### <number>``."""
    solution = _text(row, "answer")
    if "####" not in solution:
        raise BadRow("answer has no '#### <number>' final line")
    return Parsed(_text(row, "question"), _plain_number(solution.rsplit("####", 1)[1]))


def parse_multiarith(row: dict[str, Any]) -> Parsed:
    """ChilleD/MultiArith: ``question`` and ``final_ans`` (a string)."""
    return Parsed(_text(row, "question"), _plain_number(row.get("final_ans")))


def parse_svamp(row: dict[str, Any]) -> Parsed:
    """ChilleD/SVAMP: the problem is ``Body`` + " " + ``Question``; ``Answer`` is a float."""
    question = f"{_text(row, 'Body')} {_text(row, 'Question')}"
    return Parsed(question, _plain_number(row.get("Answer")), native_id=row.get("ID") or None)


_AQUA_OPTION = re.compile(r"^\s*\(?([A-J])\s*\)\s*(.*)$", re.S)


def parse_aqua_rat(row: dict[str, Any]) -> Parsed:
    """deepmind/aqua_rat: ``options`` like ``["A)21", "B)21.5", ...]``, ``correct`` a letter."""
    raw_options = row.get("options")
    if not isinstance(raw_options, (list, tuple)) or not raw_options:
        raise BadRow(f"options are not a list: {raw_options!r}")
    letters, texts = [], []
    for raw in raw_options:
        match = _AQUA_OPTION.match(str(raw))
        if not match:
            raise BadRow(f"option {raw!r} is not of the form 'A)text'")
        letters.append(match.group(1))
        texts.append(match.group(2))
    if letters != list(OPTION_LETTERS[: len(letters)]):
        raise BadRow(f"option letters {letters} are not A, B, C, ... in order")
    correct = str(row.get("correct") or "").strip().upper()
    if correct not in letters:
        raise BadRow(f"correct letter {row.get('correct')!r} not among options {letters}")
    return _multiple_choice(_text(row, "question"), _clean_choices(texts), letters.index(correct))


def _labelled_choices(row: dict[str, Any], key_column: str) -> Parsed:
    """ARC / CommonsenseQA: ``choices: {text, label}`` and the gold label in ``key_column``.

    ARC labels are usually A-E but some rows use 1-4; the gold is located by label, then re-lettered.
    """
    choices = row.get("choices") or {}
    texts, labels = choices.get("text"), choices.get("label")
    if not isinstance(texts, (list, tuple)) or not isinstance(labels, (list, tuple)) or len(texts) != len(labels):
        raise BadRow(f"malformed choices {choices!r}")
    key = row.get(key_column)
    if _gold_missing(key):
        raise BadRow(f"missing gold answer ({key_column}={key!r})")
    labels = [str(label).strip() for label in labels]
    if str(key).strip() not in labels:
        raise BadRow(f"gold {key_column}={key!r} not among labels {labels}")
    texts = _clean_choices(texts)
    return _multiple_choice(_text(row, "question"), texts, labels.index(str(key).strip()), row.get("id"))


def parse_arc(row: dict[str, Any]) -> Parsed:
    """allenai/ai2_arc: ``id``, ``question``, ``choices {text, label}``, ``answerKey``."""
    return _labelled_choices(row, "answerKey")


def parse_commonsense_qa(row: dict[str, Any]) -> Parsed:
    """tau/commonsense_qa: like ARC; the test split has an empty ``answerKey``."""
    return _labelled_choices(row, "answerKey")


def parse_gpqa(row: dict[str, Any]) -> Parsed:
    """Idavidrein/gpqa: the correct answer is always its own column, so the options are shuffled."""
    correct = _text(row, "Correct Answer")
    others = [_text(row, f"Incorrect Answer {i}") for i in (1, 2, 3)]
    question = _text(row, "Question")
    options, gold = _shuffled_with_gold(correct, others, question)
    return _multiple_choice(question, _clean_choices(options, 4), gold, row.get("Record ID"))


def parse_medqa(row: dict[str, Any]) -> Parsed:
    """GBaker/MedQA-USMLE-4-options: ``options`` is a dict ``{"A": ..., "D": ...}``, ``answer_idx`` a letter."""
    options = row.get("options")
    if not isinstance(options, dict) or not options:
        raise BadRow(f"options are not a letter->text mapping: {options!r}")
    keys = sorted(k for k in options if options[k] is not None)
    if keys != list(OPTION_LETTERS[: len(keys)]):
        raise BadRow(f"option keys {keys} are not A, B, C, ... in order")
    gold = str(row.get("answer_idx") or "").strip().upper()
    if gold not in keys:
        raise BadRow(f"answer_idx {row.get('answer_idx')!r} not among options {keys}")
    choices = _clean_choices([options[k] for k in keys])
    return _multiple_choice(_text(row, "question"), choices, keys.index(gold))


def parse_medmcqa(row: dict[str, Any]) -> Parsed:
    """openlifescienceai/medmcqa: ``opa``..``opd`` and ``cop`` (class label 0-3; -1 on the test split)."""
    choices = _clean_choices([row.get(c) for c in ("opa", "opb", "opc", "opd")], 4)
    return _multiple_choice(_text(row, "question"), choices, _int_label(row.get("cop")), row.get("id"))


def parse_medexpqa(row: dict[str, Any]) -> Parsed:
    """HiTZ/MedExpQA: ``options {"1".."5"}`` (``"5"`` is null on 4-option questions), ``correct_option`` 1-based."""
    options = row.get("options")
    if not isinstance(options, dict) or not options:
        raise BadRow(f"options are not a number->text mapping: {options!r}")
    keys = sorted(options, key=lambda k: int(k))
    while keys and _gold_missing(options[keys[-1]]):  # trailing null options are absent ones
        keys.pop()
    choices = _clean_choices([options[k] for k in keys])
    correct = _int_label(row.get("correct_option"))
    if str(correct) not in keys:
        raise BadRow(f"correct_option {correct} not among options {keys}")
    return _multiple_choice(_text(row, "full_question"), choices, keys.index(str(correct)), row.get("id"))


def parse_mmlu(row: dict[str, Any]) -> Parsed:
    """cais/mmlu: ``question``, ``choices`` (4 strings), ``answer`` (class label 0-3)."""
    choices = _clean_choices(row.get("choices"), 4)
    return _multiple_choice(_text(row, "question"), choices, _int_label(row.get("answer")))


# The OOD sets are not questions by themselves (a context to continue, a blank to fill, a goal);
# a one-line instruction makes them answerable by a chat model that sees only the rendered text.
_WIKIHOW_TAG = re.compile(r"\s*\[[a-z]+\]\s*")


def _clean_hellaswag(text: str) -> str:
    """HellaSwag's WikiHow half carries ``[title]``/``[step]`` markup; keep the prose only."""
    return re.sub(r"\s{2,}", " ", _WIKIHOW_TAG.sub(" ", text.replace(" [title]", ". "))).strip()


def parse_hellaswag(row: dict[str, Any]) -> Parsed:
    """Rowan/hellaswag: ``ctx`` to continue, 4 ``endings``, ``label`` a string ("" on test)."""
    context = _clean_hellaswag(f"{_text(row, 'activity_label')}: {_text(row, 'ctx')}")
    stem = f"Choose the most plausible continuation.\n\n{context}"
    choices = _clean_choices([_clean_hellaswag(str(e)) for e in row.get("endings") or []], 4)
    return _multiple_choice(stem, choices, _int_label(row.get("label")), row.get("ind"))


def parse_winogrande(row: dict[str, Any]) -> Parsed:
    """allenai/winogrande: ``sentence`` with a ``_`` blank, ``option1``/``option2``, ``answer`` "1"/"2"."""
    sentence = _text(row, "sentence")
    if "_" not in sentence:
        raise BadRow("sentence has no '_' blank")
    choices = _clean_choices([row.get("option1"), row.get("option2")], 2)
    stem = f"Which option correctly fills the blank (_)?\n\n{sentence}"
    return _multiple_choice(stem, choices, _int_label(row.get("answer")) - 1)


def parse_piqa(row: dict[str, Any]) -> Parsed:
    """baber/piqa (parquet copy of ybisk/piqa): ``goal``, ``sol1``/``sol2``, ``label`` 0/1 (-1 on test)."""
    choices = _clean_choices([row.get("sol1"), row.get("sol2")], 2)
    stem = f"Which solution achieves the goal?\n\nGoal: {_text(row, 'goal')}"
    return _multiple_choice(stem, choices, _int_label(row.get("label")))


def parse_boolq(row: dict[str, Any]) -> Parsed:
    """google/boolq: ``question`` (lower case, no '?'), ``passage``, ``answer`` a bool."""
    answer = row.get("answer")
    if not isinstance(answer, bool):
        raise BadRow(f"answer {answer!r} is not a boolean")
    question = _text(row, "question").rstrip("?")
    stem = f"{_text(row, 'passage')}\n\nQuestion: {question[0].upper()}{question[1:]}?\nAnswer yes or no."
    return Parsed(stem, "yes" if answer else "no")


def parse_truthfulqa(row: dict[str, Any]) -> Parsed:
    """truthfulqa/truthful_qa (multiple_choice): ``mc1_targets {choices, labels}``, exactly one label 1.

    The correct choice is always listed first, so the options are shuffled like GPQA's.
    """
    targets = row.get("mc1_targets") or {}
    choices, labels = targets.get("choices"), targets.get("labels")
    if not isinstance(choices, (list, tuple)) or not isinstance(labels, (list, tuple)) or len(choices) != len(labels):
        raise BadRow(f"malformed mc1_targets {targets!r}")
    if list(labels).count(1) != 1:
        raise BadRow(f"mc1_targets needs exactly one correct label, got {list(labels)}")
    choices = _clean_choices(choices)
    gold = list(labels).index(1)
    question = _text(row, "question")
    options, gold_index = _shuffled_with_gold(choices[gold], choices[:gold] + choices[gold + 1:], question)
    return _multiple_choice(question, options, gold_index)


# ----------------------------------------------------------------------------------------------
# MMLU subject groups
# ----------------------------------------------------------------------------------------------
# MMLU-Medical (Table 1: 7 subjects, dev 35 / test 1,417). cais/mmlu test sizes:
# anatomy 135 + clinical_knowledge 265 + college_medicine 173 + medical_genetics 100
# + professional_medicine 272 + nutrition 306 + virology 166 = 1,417.
MMLU_MEDICAL = (
    "anatomy", "clinical_knowledge", "college_medicine", "medical_genetics",
    "professional_medicine", "nutrition", "virology",
)  # fmt: skip

# MMLU-STEM (Table 1: 9 subjects, dev 45 / test 1,274). The paper does not list the subjects and
# 52 nine-subject subsets of the STEM category (anatomy excluded, it is medical) sum to 1,274,
# because many subjects have exactly 100 test questions. We pick the subset that spans the most
# STEM fields (astronomy, biology, chemistry, CS, math x2, EE, physics, ML):
# astronomy 152 + college_biology 144 + college_chemistry 100 + college_computer_science 100
# + college_mathematics 100 + electrical_engineering 145 + high_school_mathematics 270
# + high_school_physics 151 + machine_learning 112 = 1,274.
MMLU_STEM = (
    "astronomy", "college_biology", "college_chemistry", "college_computer_science",
    "college_mathematics", "electrical_engineering", "high_school_mathematics",
    "high_school_physics", "machine_learning",
)  # fmt: skip

# The standard MMLU categories (Hendrycks et al., 2021), minus subjects used above.
MMLU_HUMANITIES = (
    "formal_logic", "high_school_european_history", "high_school_us_history",
    "high_school_world_history", "international_law", "jurisprudence", "logical_fallacies",
    "moral_disputes", "moral_scenarios", "philosophy", "prehistory", "professional_law",
    "world_religions",
)  # fmt: skip
MMLU_SOCIAL_SCIENCES = (
    "econometrics", "high_school_geography", "high_school_government_and_politics",
    "high_school_macroeconomics", "high_school_microeconomics", "high_school_psychology",
    "human_sexuality", "professional_psychology", "public_relations", "security_studies",
    "sociology", "us_foreign_policy",
)  # fmt: skip
MMLU_OTHER = (
    "business_ethics", "global_facts", "human_aging", "management", "marketing",
    "miscellaneous", "professional_accounting",
)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# The registry (Table 1, then the OOD evaluation sets)
# ----------------------------------------------------------------------------------------------
def _entry(name, hub_id, configs, domain, answer_type, train_split, eval_split, parse) -> Source:
    role = "train+eval" if train_split and eval_split else ("train" if train_split else "eval")
    return Source(name, hub_id, tuple(configs), domain, answer_type, train_split, eval_split, role, parse)


_ENTRIES = (
    # name                  hub_id                              configs                 domain           type       train    eval
    _entry("gsm8k",          "openai/gsm8k",                     ["main"],               "math",          "numeric", "train", "test",       parse_gsm8k),
    _entry("multiarith",     "ChilleD/MultiArith",               ["default"],            "math",          "numeric", "train", "test",       parse_multiarith),
    _entry("svamp",          "ChilleD/SVAMP",                    ["default"],            "math",          "numeric", "train", None,         parse_svamp),
    _entry("aqua_rat",       "deepmind/aqua_rat",                ["raw"],                "math",          "letter",  "train", "test",       parse_aqua_rat),
    _entry("arc_challenge",  "allenai/ai2_arc",                  ["ARC-Challenge"],      "science",       "letter",  "train", "test",       parse_arc),
    _entry("gpqa_diamond",   "Idavidrein/gpqa",                  ["gpqa_diamond"],       "science",       "letter",  "train", None,         parse_gpqa),
    _entry("commonsense_qa", "tau/commonsense_qa",               ["default"],            "commonsense",   "letter",  "train", "validation", parse_commonsense_qa),
    _entry("medqa",          "GBaker/MedQA-USMLE-4-options",     ["default"],            "medical",       "letter",  "train", "test",       parse_medqa),
    _entry("medmcqa",        "openlifescienceai/medmcqa",        ["default"],            "medical",       "letter",  "train", "validation", parse_medmcqa),
    _entry("medexpqa",       "HiTZ/MedExpQA",                    ["en"],                 "medical",       "letter",  "train", "test",       parse_medexpqa),
    _entry("mmlu_stem",      "cais/mmlu",                        MMLU_STEM,              "science",       "letter",  "dev",   "test",       parse_mmlu),
    _entry("mmlu_medical",   "cais/mmlu",                        MMLU_MEDICAL,           "medical",       "letter",  "dev",   "test",       parse_mmlu),
    # OOD evaluation only: the standard labelled eval split of each benchmark.
    _entry("hellaswag",      "Rowan/hellaswag",                  ["default"],            "ood_reasoning", "letter",  None,    "validation", parse_hellaswag),
    _entry("winogrande",     "allenai/winogrande",               ["winogrande_xl"],      "ood_reasoning", "letter",  None,    "validation", parse_winogrande),
    _entry("piqa",           "baber/piqa",                       ["default"],            "ood_reasoning", "letter",  None,    "validation", parse_piqa),
    _entry("arc_easy",       "allenai/ai2_arc",                  ["ARC-Easy"],           "ood_reasoning", "letter",  None,    "test",       parse_arc),
    _entry("boolq",          "google/boolq",                     ["default"],            "ood_reasoning", "boolean", None,    "validation", parse_boolq),
    _entry("truthfulqa",     "truthfulqa/truthful_qa",           ["multiple_choice"],    "ood_reasoning", "letter",  None,    "validation", parse_truthfulqa),
    _entry("mmlu_humanities", "cais/mmlu",                       MMLU_HUMANITIES,        "ood_knowledge", "letter",  None,    "test",       parse_mmlu),
    _entry("mmlu_social_sciences", "cais/mmlu",                  MMLU_SOCIAL_SCIENCES,   "ood_knowledge", "letter",  None,    "test",       parse_mmlu),
    _entry("mmlu_other",     "cais/mmlu",                        MMLU_OTHER,             "ood_knowledge", "letter",  None,    "test",       parse_mmlu),
)  # fmt: skip

REGISTRY: dict[str, Source] = {source.name: source for source in _ENTRIES}


def get_source(name: str) -> Source:
    """The registry entry called ``name``; an unknown name lists the valid ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; valid sources: {', '.join(REGISTRY)}") from None


def registry_table() -> list[dict[str, Any]]:
    """The registry as plain rows (what ``cdistill sources`` prints)."""
    return [
        {
            "name": s.name, "hub_id": s.hub_id, "config": ",".join(s.configs), "domain": s.domain,
            "answer_type": s.answer_type, "train_split": s.train_split, "eval_split": s.eval_split,
            "role": s.role,
        }
        for s in REGISTRY.values()
    ]  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Production loading
# ----------------------------------------------------------------------------------------------
def _dataset_path(hub_id: str) -> str:
    """Where ``load_dataset`` finds a repo: its Hub id (a test seam, nothing more)."""
    return hub_id


def _load_split(hub_id: str, config: str, split: str, revision: str | None):
    from datasets import load_dataset

    # A repo without a ``configs:`` card has one implicit config, "default"; passing None lets
    # datasets resolve it whichever way the card declares it.
    name = None if config == "default" else config
    try:
        return load_dataset(_dataset_path(hub_id), name, split=split, revision=revision)
    except Exception as err:  # noqa: BLE001 - re-raised with the source named, never swallowed
        raise SourceLoadError(f"cannot load {hub_id} config={config} split={split}: {err}") from err


def load_questions(
    name: str, split: str, *, limit: int | None = None, revision: str | None = None
) -> tuple[list[QuestionRecord], list[QuarantineEntry]]:
    """Load and normalize one split of a registry source from the Hub.

    Every config of the source is loaded in registry order (MMLU groups: one config per subject).
    ``limit`` caps the rows read over all configs together. Bad rows become
    ``QuarantineEntry(stage="load")`` with their reason; a split that cannot be loaded at all
    raises ``SourceLoadError``.
    """
    source = get_source(name)
    records: list[QuestionRecord] = []
    quarantined: list[QuarantineEntry] = []
    for config in source.configs:
        remaining = None if limit is None else limit - len(records) - len(quarantined)
        if remaining is not None and remaining <= 0:
            break
        rows = _load_split(source.hub_id, config, split, revision)
        for index, row in enumerate(islice(rows, remaining)):
            # With several configs the row index alone is ambiguous; name the subject too.
            where = index if len(source.configs) == 1 else f"{config}:{index}"
            try:
                records.append(source.normalize(row, where, split))
            except SourceRowError as err:
                quarantined.append(QuarantineEntry.of("load", name, where, err.reason, row))
    return records, quarantined
