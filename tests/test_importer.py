"""Import of existing trace corpora (`cdistill import`): real parquet / jsonl files, real
`datasets` loading (local and through the Hub emulator), the real verifier, and the Stage 1 layout
read back by `builders.generate`."""

import json
import uuid
from pathlib import Path

import pytest

from builders.generate import correct_traces, load_saved_questions
from builders.importer import ColumnSpec, CorpusError, ImportConfig, _RowProblem, parse_row, run_import
from builders.records import ConfigMismatch, read_records
from tests.conftest import HUB_TOKEN

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "import" / "openr1_math.yaml"

RIGHT_HALF = "<think>\nHalf of one is one over two.\n</think>\n\nSo the answer is $\\boxed{\\frac{1}{2}}$."
WRONG_HALF = "<think>\nI guess three.\n</think>\n\nThe answer is $\\boxed{3}$."


def openr1_rows():
    """OpenR1-Math-style rows: list-valued generations, some right, some wrong, some broken."""
    def row(uid, problem, answer, generations, source="amc_aime"):
        return {"problem": problem, "answer": answer, "generations": generations, "uuid": uid,
                "source": source, "finish_reasons": ["stop"] * len(generations),
                "correctness_math_verify": [True] * len(generations)}  # fmt: skip (flags not trusted)

    return [
        row("u0", "What is one half?", "\\frac{1}{2}", [RIGHT_HALF, WRONG_HALF], source="olympiads"),  # right, wrong
        row("u1", "What is 6 times 7?", "42", ["<think>6*7=43</think> \\boxed{43}", "<think>6*7=42</think> \\boxed{42}"]),
        row("u2", "What is 3 + 4?", "7", ["<think>3 + 4 is 7, the answer is \\boxed{7} but I", "\\boxed{7}"]),  # no </think>; no think
        row("u3", "What is 2 + 2?", None, ["<think>4</think> \\boxed{4}"]),  # missing gold
        row("u4", "What is 1 + 1?", "2", []),  # no completions
        row("u5", "What is 10 / 2?", "5", ["<think>10/2=5</think> \\boxed{5}", "  "]),  # one empty completion
        row("u6", "What is $x$?", "$$", ["<think>x</think> \\boxed{x}"]),  # gold that does not normalize
        row("u7", None, "1", ["<think>1</think> \\boxed{1}"]),  # missing question
        row("u0", "What is one half again?", "\\frac{1}{2}", [RIGHT_HALF]),  # duplicate id
        row(None, "What is $\\sqrt{9}$?", "3", ["<think>sqrt 9 = 3</think>\n\n\\boxed{3}"], source=None),  # no id
    ]


EXPECTED_QUARANTINE = {
    "missing gold answer": 1, "no completions": 1, "empty completion": 1,
    "gold answer does not normalize as latex": 1, "missing question": 1, "duplicate id": 1,
}  # fmt: skip


def write_parquet(path, rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def openr1_config(dataset, out, **overrides):
    fields = dict(
        dataset=str(dataset), output_dir=str(out), teacher="deepseek-ai/DeepSeek-R1", source_name="openr1",
        columns={"question": "problem", "answer": "answer", "response": "generations", "id": "uuid",
                 "source": "source", "finish_reason": "finish_reasons"},
    )  # fmt: skip
    return ImportConfig(**(fields | overrides))


@pytest.fixture(scope="module")
def openr1_parquet(tmp_path_factory):
    return write_parquet(tmp_path_factory.mktemp("corpus") / "openr1.parquet", openr1_rows())


@pytest.fixture(scope="module")
def imported(openr1_parquet, tmp_path_factory):
    out = tmp_path_factory.mktemp("imported") / "stage1"
    return out, run_import(openr1_config(openr1_parquet, out))


def _by_question_text(out):
    return {q.question: q for q in load_saved_questions(out).values()}


def test_openr1_corpus_in_stage1_layout(imported):
    out, stats = imported
    questions = _by_question_text(out)
    # Rows with at least one usable completion become questions, gold normalized.
    assert set(questions) == {"What is one half?", "What is 6 times 7?", "What is 3 + 4?", "What is 10 / 2?",
                              "What is $\\sqrt{9}$?"}  # fmt: skip
    half = questions["What is one half?"]
    assert (half.source, half.answer, half.answer_type, half.domain, half.split) == (
        "olympiads", "\\frac{1}{2}", "latex", "math", "train")
    assert questions["What is $\\sqrt{9}$?"].source == "openr1"  # no sub-source: the corpus name
    assert half.id.startswith("openr1-train-") and half.id != questions["What is 6 times 7?"].id

    traces = {(t["question_id"], t["attempt"]): t for t in read_records(out / "traces")}
    assert len(traces) == 8
    assert all(t["teacher"] == "deepseek-ai/DeepSeek-R1" and t["finish_reason"] == "stop" for t in traces.values())
    right, wrong = traces[(half.id, 0)], traces[(half.id, 1)]
    assert right["correct"] and right["reasoning"] == "Half of one is one over two." and right["error"] is None
    assert right["extracted_answer"] is not None and "boxed" in right["response"]
    assert not wrong["correct"] and wrong["extracted_answer"] == "3"
    seven = questions["What is 3 + 4?"].id
    unclosed, bare = traces[(seven, 0)], traces[(seven, 1)]
    assert not unclosed["correct"] and unclosed["response"] == "" and unclosed["error"] == "no response after </think>"
    assert not bare["correct"] and bare["reasoning"] is None and bare["error"] == "no <think> block"
    five = questions["What is 10 / 2?"].id
    assert (five, 1) not in traces  # the empty completion was quarantined, not logged as a trace

    # The pool is exactly the verified traces: the first correct attempt of each question.
    pool = {(t["question_id"], t["attempt"]) for t in correct_traces(out)}
    assert pool == {(half.id, 0), (questions["What is 6 times 7?"].id, 1), (five, 0),
                    (questions["What is $\\sqrt{9}$?"].id, 0)}  # fmt: skip

    assert stats["rows_read"] == 10 and stats["questions"] == 5 and stats["traces"] == 8
    assert stats["verified_correct"] == 4 and stats["incorrect"] == 4 and stats["trace_errors"] == 2
    assert stats["quarantined_by_reason"] == EXPECTED_QUARANTINE and stats["quarantined"] == 6
    assert stats["sources"]["olympiads"]["solved"] == 1 and stats["sources"]["amc_aime"]["questions"] == 3
    assert json.loads((out / "traces" / "stats.json").read_text())["verified_correct"] == 4
    entries = list(read_records(out / "traces", "quarantine.jsonl"))
    assert all(e["stage"] == "import" and e["source"] == "openr1" and e["record"] for e in entries)
    assert {e["row"] for e in entries if e["reason"] == "empty completion"} == {"5:1"}


def test_rerun_is_a_no_op_and_config_change_is_refused(imported, openr1_parquet):
    out, first = imported
    before = {name: (out / "traces" / name).read_bytes() for name in ("records.jsonl", "quarantine.jsonl")}
    again = run_import(openr1_config(openr1_parquet, out))
    assert again["new_traces"] == 0 and first["new_traces"] == 8
    for key in ("questions", "traces", "verified_correct", "quarantined_by_reason", "sources"):
        assert again[key] == first[key]
    assert {name: (out / "traces" / name).read_bytes() for name in before} == before
    with pytest.raises(ConfigMismatch):
        run_import(openr1_config(openr1_parquet, out, keep_unverified=True))


def test_resume_after_a_partial_import(openr1_parquet, imported, tmp_path):
    out, full = imported
    partial = run_import(openr1_config(openr1_parquet, tmp_path / "stage1", limit=3))
    assert partial["rows_read"] == 3 and partial["traces"] == 6
    rest = run_import(openr1_config(openr1_parquet, tmp_path / "stage1"))  # limit is not in the fingerprint
    assert rest["new_traces"] == 2
    assert sorted(map(json.dumps, read_records(tmp_path / "stage1" / "traces"))) == sorted(
        map(json.dumps, read_records(out / "traces")))


def test_keep_unverified_trusts_the_corpus(openr1_parquet, tmp_path):
    rows = openr1_rows()[:3] + [
        {**openr1_rows()[1], "uuid": "u8", "problem": "What is 6 times 7 (again)?",
         "generations": ["<think>6*7=41</think> \\boxed{41}", "<think>6*7=40</think> \\boxed{40}"]},
    ]  # fmt: skip
    out = tmp_path / "out"
    stats = run_import(openr1_config(write_parquet(tmp_path / "c.parquet", rows), out, keep_unverified=True))
    # Verified traces are preferred; a question with none keeps its first sound completion.
    assert stats["verified_correct"] == 2 and stats["unverified_kept"] == 1
    assert stats["incorrect"] == 5 and stats["trace_errors"] == 2  # broken traces never enter
    again = _by_question_text(out)["What is 6 times 7 (again)?"].id
    pool = {(t["question_id"], t["attempt"]) for t in correct_traces(out)}
    assert len(pool) == 3 and (again, 0) in pool
    assert _by_question_text(out)["What is 3 + 4?"].id not in {qid for qid, _ in pool}


def test_missing_column_is_refused_up_front_listing_the_columns(openr1_parquet, tmp_path):
    config = openr1_config(openr1_parquet, tmp_path / "out", columns={"question": "problem", "reasoning": "thoughts"})
    with pytest.raises(CorpusError) as error:
        run_import(config)
    message = str(error.value)
    assert "columns.response='generation'" in message and "columns.reasoning='thoughts'" in message
    assert "problem, answer, generations, uuid, source, finish_reasons" in message
    assert not (tmp_path / "out").exists()  # nothing written
    from builders.cli import main  # the CLI reports it as a message and exit status 2

    assert main(["import", "--set", f"dataset={openr1_parquet}", "--set", f"output_dir={tmp_path / 'out'}",
                 "--set", "teacher=t"]) == 2  # fmt: skip


def test_chat_format_jsonl(tmp_path):
    def chat(question, answer_text, gold, assistant=True):
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}]
        if assistant:
            messages.append({"role": "assistant", "content": answer_text})
        return {"messages": messages, "gold": gold}

    path = tmp_path / "chats.jsonl"
    rows = [
        chat("Tom has 5 apples and gets 7 more. How many?", "<think>5 + 7 = 12</think>\n\nThe answer is 12.", 12),
        chat("What is 9 - 4?", "<think>9 - 4 = 6</think>\n\nThe answer is 6.", 5),
        chat("What is 2 * 8?", "", 16, assistant=False),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = ImportConfig(dataset=str(path), output_dir=str(tmp_path / "out"), teacher="my-teacher",
                          answer_type="numeric",
                          columns={"messages": "messages", "answer": "gold", "id": None, "source": None})  # fmt: skip
    stats = run_import(config)
    questions = _by_question_text(tmp_path / "out")
    assert set(questions) == {rows[0]["messages"][1]["content"], "What is 9 - 4?"}
    apples = questions[rows[0]["messages"][1]["content"]]
    assert (apples.answer, apples.source, apples.answer_type) == ("12", "chats", "numeric")
    pool = list(correct_traces(tmp_path / "out"))
    assert [(t["question_id"], t["reasoning"], t["response"]) for t in pool] == [
        (apples.id, "5 + 7 = 12", "The answer is 12.")]
    assert stats["incorrect"] == 1 and stats["quarantined_by_reason"] == {"no completions": 1}
    # Content-hashed ids are stable: a second import elsewhere gives the same ids.
    run_import(ImportConfig(**{**config.__dict__, "output_dir": str(tmp_path / "again"), "columns": config.columns}))
    assert set(load_saved_questions(tmp_path / "again")) == set(load_saved_questions(tmp_path / "out"))


def test_bad_cells_are_row_problems_not_crashes():
    config = openr1_config("x.parquet", "out", columns={"question": "problem", "response": "generations",
                                                         "id": "uuid", "source": None,
                                                         "completion_tokens": "tokens"})  # fmt: skip
    good = {"problem": "Q?", "answer": "1", "generations": ["<think>a</think> \\boxed{1}"], "uuid": "a", "tokens": [12]}
    parsed = parse_row(good, config)
    assert parsed.completions[0].completion_tokens == 12 and parsed.completions[0].problem is None
    for cell, value, reason in [
        ("problem", ["a list"], "expected a string question"),
        ("answer", {"a": 1}, "expected a scalar gold answer"),
        ("uuid", [1], "column 'uuid': expected a string"),
        ("tokens", [1, 2], "column 'tokens': expected one value per completion"),
        ("tokens", ["12"], "column 'tokens': expected int values"),
    ]:
        with pytest.raises(_RowProblem, match=reason):
            parse_row(good | {cell: value}, config)
    odd = parse_row(good | {"generations": [7, None], "tokens": [3, None]}, config).completions
    assert [c.problem for c in odd] == ["column 'generations': expected a string completion, got int", "empty completion"]
    single = ImportConfig(**{**config.__dict__, "columns": ColumnSpec(response="generations", response_index=1,
                                                                      source=None)})  # fmt: skip
    assert [c.attempt for c in parse_row(good | {"generations": ["x", "<think>y</think> 1"]}, single).completions] == [1]
    with pytest.raises(ValueError, match="answer_type"):
        ImportConfig(dataset="d", output_dir="o", teacher="t", answer_type="free-text")
    with pytest.raises(ValueError, match="columns.response_index"):
        ColumnSpec(response_index=-1)


def test_hub_repo_on_the_emulator_and_the_cli(hub_emulator, openr1_parquet, tmp_path):
    from huggingface_hub import HfApi

    from builders.cli import main

    repo_id = f"cdistill-user/openr1-style-{uuid.uuid4().hex[:8]}"
    api = HfApi(endpoint=hub_emulator.endpoint, token=HUB_TOKEN)
    api.create_repo(repo_id, repo_type="dataset")
    api.upload_file(path_or_fileobj=str(openr1_parquet), path_in_repo="data/train-00000-of-00001.parquet",
                    repo_id=repo_id, repo_type="dataset")  # fmt: skip
    out = tmp_path / "from_hub"
    # The example recipe, pointed at the emulator repo: the production load_dataset(repo) path.
    assert main(["import", "--config", str(RECIPE), "--set", f"dataset={repo_id}",
                 "--set", f"output_dir={out}", "--set", "source_name=openr1"]) == 0  # fmt: skip
    stats = json.loads((out / "traces" / "stats.json").read_text())
    assert stats["dataset"] == repo_id and stats["traces"] == 8 and stats["verified_correct"] == 4
    assert stats["quarantined_by_reason"] == EXPECTED_QUARANTINE
    assert len(list(correct_traces(out))) == 4
