"""The data contract: records validate themselves, ids are stable, the published schema is one."""

import pytest

from builders.answers import UnknownAnswerType
from builders.contract import (
    PUBLISHED_COLUMNS, ContractError, PublishedRow, QuarantineEntry, QuestionRecord, TraceRecord,
    assistant_content, build_messages, published_features, render_choices, stable_id,
)  # fmt: skip


def question(**overrides):
    fields = dict(id="q1", source="gsm8k", split="train", domain="math", question="2+3?", answer="5",
                  answer_type="numeric")  # fmt: skip
    return QuestionRecord(**(fields | overrides))


def test_stable_id_depends_on_content_not_order():
    a = stable_id("gsm8k", "train", None, {"question": "2+3?", "answer": "5"})
    b = stable_id("gsm8k", "train", None, {"answer": "5", "question": "2+3?"})
    c = stable_id("gsm8k", "train", None, {"question": "2+4?", "answer": "6"})
    assert a == b != c
    assert a.startswith("gsm8k-train-")


def test_stable_id_prefers_native_id():
    assert stable_id("arc", "test", "Mercury_1", {"x": 1}) == stable_id("arc", "test", "Mercury_1", {"x": 2})
    assert stable_id("arc", "test", "Mercury_1", {}) != stable_id("arc", "train", "Mercury_1", {})


def test_render_choices_letters_options():
    assert render_choices("Which?", ["red", "blue"]) == "Which?\n\nA. red\nB. blue"


@pytest.mark.parametrize(
    "overrides, error, match",
    [
        ({"answer_type": "essay"}, UnknownAnswerType, "essay"),
        ({"domain": "poetry"}, ContractError, "poetry"),
        ({"answer": " "}, ContractError, "empty gold"),
        ({"question": ""}, ContractError, "empty question"),
        ({"answer_type": "letter", "answer": "E", "choices": ["a", "b"]}, ContractError, "outside 2 choices"),
    ],
    ids=["answer-type", "domain", "gold", "question", "letter-range"],
)
def test_question_record_rejects_bad_input_with_its_id(overrides, error, match):
    with pytest.raises(error, match=match) as info:
        question(**overrides)
    assert "q1" in str(info.value)


def test_records_round_trip_and_name_missing_fields():
    trace = TraceRecord(question_id="q1", teacher="t", attempt=0, reasoning="r", response="5",
                        extracted_answer="5", correct=True)  # fmt: skip
    assert TraceRecord.from_dict(trace.to_dict()) == trace
    assert trace.key == ("q1", "t", 0)
    with pytest.raises(ContractError, match="correct"):
        TraceRecord.from_dict({k: v for k, v in trace.to_dict().items() if k != "correct"})


def test_quarantine_entry_clips_and_encodes():
    entry = QuarantineEntry.of("load", "gsm8k", 7, "missing gold answer", {"question": "x" * 5000})
    assert entry.row == "7" and len(entry.record) == 2000


def test_messages_think_block_and_answer_only():
    assert assistant_content("a\n", "B") == "<think>\na\n</think>\n\nB"
    assert assistant_content(None, " B ") == "B"
    messages = build_messages("Q?", None, "B", system_prompt=None)
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_published_row_matches_the_arrow_schema():
    from datasets import Dataset

    row = PublishedRow(
        id="q1", source="gsm8k", domain="math", question="Q?", answer="5", answer_type="numeric",
        reasoning="2+3=5", response="\\boxed{5}", messages=build_messages("Q?", "2+3=5", "\\boxed{5}"),
        teacher="t", compressor="", variant="raw", reasoning_chars=5, reasoning_tokens=4, compression_ratio=1.0,
    )  # fmt: skip
    dataset = Dataset.from_list([row.to_dict()], features=published_features())
    assert tuple(dataset.column_names) == PUBLISHED_COLUMNS
    assert dataset[0]["messages"][-1]["content"].startswith("<think>\n2+3=5")
    with pytest.raises(ContractError, match="variant"):
        PublishedRow(**(row.to_dict() | {"variant": "shortened"}))
