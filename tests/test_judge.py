"""The faithfulness judge (seed 003, App. G): schema validation of realistic judge outputs, middle
truncation, and a full judge run through the openai engine against a real OpenAI-compatible
server on loopback (standing in for `vllm serve`, which cannot run here) serving a tiny judge
model imprinted to answer with a JSON verdict - and failing on its first requests."""

import json

import pytest

from builders.compress import CompressConfig, read_compressions, run_compress
from builders.generate import correct_traces, load_saved_questions
from builders.judge import (
    COMPRESSED_LIMIT, JudgeConfig, judge_prompt, middle_truncate, parse_verdict, read_verdicts, run_judge,
)  # fmt: skip
from builders.offline.openai_server import OpenAIServer
from builders.offline.tiny_models import build_tiny_judge

VERDICT = {"faithfulness": 5, "coverage": 4, "clarity": 5, "verdict": "faithful", "answer_alignment": True,
           "failure_modes": [], "rationale": "Keeps the math."}  # fmt: skip


@pytest.mark.parametrize("text, problem", [
    (json.dumps(VERDICT), None),
    ("```json\n" + json.dumps(VERDICT, indent=2) + "\n```", None),
    (json.dumps(VERDICT | {"faithfulness": 7}), "faithfulness must be an integer 1-5"),
    (json.dumps(VERDICT | {"faithfulness": True}), "faithfulness must be an integer 1-5"),
    (json.dumps(VERDICT | {"verdict": "mostly"}), "verdict must be one of"),
    (json.dumps(VERDICT | {"failure_modes": ["typo"]}), "failure_modes must be a subset"),
    (json.dumps(VERDICT | {"answer_alignment": "yes"}), "answer_alignment must be a boolean"),
    (json.dumps({k: v for k, v in VERDICT.items() if k != "rationale"}), "missing keys ['rationale']"),
    (json.dumps(VERDICT | {"score": 1}), "unexpected keys ['score']"),
    ('{"faithfulness": 5, "coverage": 4, "clarity"', "no JSON object"),
    ('{"faithfulness": 5,, }', "invalid JSON"),
    ("", "no JSON object in the judge output (empty)"),
], ids=["valid", "fenced", "range", "bool-score", "verdict", "mode", "alignment", "missing", "extra",
        "truncated", "malformed", "empty"])  # fmt: skip
def test_parse_verdict(text, problem):
    verdict, reason = parse_verdict(text)
    if problem is None:
        assert verdict == VERDICT and reason is None
    else:
        assert verdict is None and problem in reason


def test_middle_truncation_keeps_both_ends():
    text = "START " + "x" * 50_000 + " END"
    cut = middle_truncate(text, COMPRESSED_LIMIT)
    assert len(cut) == COMPRESSED_LIMIT and cut.startswith("START") and cut.endswith("END")
    assert "characters omitted" in cut
    assert middle_truncate("short", 10) == "short"
    prompt = judge_prompt("Q?", "7", "a" * 100_000, "b" * 100_000)
    assert len(prompt) < 40_000 + 12_000 + 3_000


def judge_prompts(stage1_dir, compress_dir):
    questions = load_saved_questions(stage1_dir)
    originals = {t["question_id"]: t["reasoning"] for t in correct_traces(stage1_dir)}
    return [judge_prompt(questions[c.question_id].question, questions[c.question_id].answer,
                         originals[c.question_id], c.reasoning) for c in read_compressions(compress_dir)]  # fmt: skip


def test_judge_run_through_an_openai_compatible_server(stage1_dir, tmp_path):
    run_compress(CompressConfig(input_dir=str(stage1_dir), output_dir=str(tmp_path / "c"),
                                compressors=[{"name": "extractive"}]))  # fmt: skip
    # The tiny judge is imprinted to emit VERDICT on this run's prompts (it cannot really judge).
    tiny_judge_dir = build_tiny_judge(tmp_path / "tiny-judge", judge_prompts(stage1_dir, tmp_path / "c"),
                                      verdict=json.dumps(VERDICT))  # fmt: skip
    with OpenAIServer(tiny_judge_dir, served_model_name="tiny-judge", fail_first=2) as server:
        config = JudgeConfig(
            input_dir=str(stage1_dir), compress_dir=str(tmp_path / "c"), output_dir=str(tmp_path / "j"),
            judge="tiny-judge", max_tokens=96,
            engine={"kind": "openai", "base_url": server.base_url, "backoff_s": 0.01, "max_concurrency": 2},
        )  # fmt: skip
        stats = run_judge(config)
        assert server.request_count >= 2 + stats["compressors"]["extractive"]["judged"]  # 500s were retried
    verdicts = read_verdicts(tmp_path / "j")
    assert verdicts and len(verdicts) == stats["compressors"]["extractive"]["judged"]
    parsed = [v for v in verdicts if v.parse_error is None]
    assert parsed, "the imprinted judge must produce schema-valid verdicts"
    assert all(v.verdict == "faithful" and v.faithfulness == 5 for v in parsed)
    assert all(v.parse_error for v in verdicts if v.verdict is None), "failures are recorded, not dropped"
    assert stats["compressors"]["extractive"]["pct_faithful"] == 100.0
