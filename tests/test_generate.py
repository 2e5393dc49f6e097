"""Stage 1 end to end with a real tiny teacher on CPU (transformers engine): rejection sampling,
quarantine of bad input, resume, config fingerprint, and SIGKILL at random points."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from builders.generate import GenerateConfig, correct_traces, run_generate
from builders.records import ConfigMismatch, read_records
from tests.stage_world import NEVER_SOLVED, QUESTIONS, write_questions

MAX_ROUNDS = 3


def config_for(tmp_path, teacher_dir, **overrides):
    fields = dict(
        teacher="tiny-teacher", engine={"kind": "transformers", "model": str(teacher_dir), "batch_size": 8},
        sources=[], questions_file=str(write_questions(tmp_path / "questions.jsonl", ('{"id": "broken"}', "not json"))),
        output_dir=str(tmp_path / "stage1"), max_rounds=MAX_ROUNDS, temperature=1.0, max_tokens=72,
    )  # fmt: skip
    return GenerateConfig(**(fields | overrides))


def test_rejection_sampling_rounds(tmp_path, tiny_teacher_dir):
    stats = run_generate(config_for(tmp_path, tiny_teacher_dir))
    traces = list(read_records(tmp_path / "stage1" / "traces"))
    by_question = {}
    for trace in traces:
        by_question.setdefault(trace["question_id"], []).append(trace)
    assert set(by_question) == {q.id for q in QUESTIONS}
    for qid, attempts in by_question.items():
        assert [t["attempt"] for t in attempts] == list(range(len(attempts)))
        solved = [t for t in attempts if t["correct"]]
        if solved:  # a solved question leaves: its correct attempt is its last
            assert len(solved) == 1 and attempts[-1]["correct"]
        else:
            assert len(attempts) == MAX_ROUNDS
    assert all(not t["correct"] for t in by_question["arith-9-9"])
    assert len(traces) > len(QUESTIONS), "some questions must need more than one round"
    pool = list(correct_traces(tmp_path / "stage1"))
    assert 0 < len(pool) < len(QUESTIONS)
    assert all(t["reasoning"] and t["extracted_answer"] for t in pool)
    gsm = stats["sources"]["gsm8k"]
    assert gsm["questions"] == 6 and gsm["attempts"] == len(by_question["arith-3-4"]) * 0 + sum(
        len(v) for k, v in by_question.items() if k.startswith("arith"))
    assert len(gsm["accuracy_per_round"]) >= 2
    assert stats["quarantined"] == 2  # the two malformed question lines, with reasons
    reasons = [q["reason"] for q in read_records(tmp_path / "stage1" / "traces", "quarantine.jsonl")]
    assert any("missing fields" in r for r in reasons) and any("Expecting value" in r for r in reasons)


def test_rerun_is_a_no_op_and_config_change_is_refused(tmp_path, tiny_teacher_dir):
    config = config_for(tmp_path, tiny_teacher_dir)
    run_generate(config)
    first = (tmp_path / "stage1" / "traces" / "records.jsonl").read_bytes()
    run_generate(config)
    assert (tmp_path / "stage1" / "traces" / "records.jsonl").read_bytes() == first
    with pytest.raises(ConfigMismatch, match="temperature"):
        run_generate(config_for(tmp_path, tiny_teacher_dir, temperature=0.5))


def test_context_overflow_and_truncation_are_recorded(tmp_path, tiny_teacher_dir):
    long_question = QUESTIONS[0].to_dict() | {"id": "too-long", "question": "apples " * 5000}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(long_question) + "\n" + json.dumps(QUESTIONS[1].to_dict()) + "\n")
    config = config_for(tmp_path, tiny_teacher_dir, questions_file=str(path), max_rounds=1, max_tokens=4)
    run_generate(config)
    traces = {t["question_id"]: t for t in read_records(tmp_path / "stage1" / "traces")}
    assert "prompt longer than context" in traces["too-long"]["error"]
    assert traces[QUESTIONS[1].id]["finish_reason"] == "length"
    assert traces[QUESTIONS[1].id]["error"] and not traces[QUESTIONS[1].id]["correct"]


RUNNER = """
import sys
from builders.config import load_config
from builders.generate import GenerateConfig, run_generate
run_generate(load_config(GenerateConfig, sys.argv[1]))
"""


def _run(config_path, env):
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(config_path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _record_set(folder):
    return sorted(json.dumps(r, sort_keys=True) for r in read_records(folder / "traces"))


@pytest.mark.slow
def test_sigkill_at_random_points_gives_the_uninterrupted_record_set(tmp_path, tiny_teacher_dir):
    import yaml

    env = dict(os.environ, PYTHONPATH=os.getcwd())
    configs = {}
    for name in ("reference", "killed"):
        config = config_for(tmp_path, tiny_teacher_dir, output_dir=str(tmp_path / name))
        config.engine = {"kind": "transformers", "model": str(tiny_teacher_dir), "batch_size": 2}
        configs[name] = tmp_path / f"{name}.yaml"
        configs[name].write_text(yaml.safe_dump({k: v for k, v in vars(config).items()}))
    assert _run(configs["reference"], env).wait() == 0
    rng, log_file, kills = random.Random(1), tmp_path / "killed" / "traces" / "records.jsonl", 0
    for _ in range(10):
        proc = _run(configs["killed"], env)
        before = log_file.stat().st_size if log_file.exists() else 0
        deadline = time.monotonic() + rng.uniform(0.5, 6.0)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        assert not log_file.exists() or log_file.stat().st_size >= before
    assert _run(configs["killed"], env).wait() == 0
    assert kills >= 5, "most runs must be killed mid-way for the test to mean anything"
    assert _record_set(tmp_path / "killed") == _record_set(tmp_path / "reference")
