"""Stage 2 with the rule-based extractive compressor and a real model compressor (the tiny model
through the transformers engine): ratios, the unchanged response, re-verification, resume."""

import pytest

from builders.compress import CompressConfig, clean_compressor_output, read_compressions, run_compress
from builders.generate import correct_traces
from builders.records import ConfigMismatch


def compress_config(stage1_dir, out, tiny_model_dir, **overrides):
    fields = dict(input_dir=str(stage1_dir), output_dir=str(out), compressors=[
        {"name": "extractive"},
        {"name": "tiny-compressor", "engine": {"kind": "transformers", "model": str(tiny_model_dir)}, "max_tokens": 24},
    ])  # fmt: skip
    return CompressConfig(**(fields | overrides))


def test_every_correct_trace_is_compressed_by_every_compressor(stage1_dir, tmp_path, tiny_model_dir):
    stats = run_compress(compress_config(stage1_dir, tmp_path, tiny_model_dir))
    pool = {t["question_id"]: t for t in correct_traces(stage1_dir)}
    records = read_compressions(tmp_path)
    assert {(r.question_id, r.compressor) for r in records} == {
        (q, c) for q in pool for c in ("extractive", "tiny-compressor")
    }
    for record in records:
        raw = pool[record.question_id]
        assert record.response == raw["response"], "the final answer is re-appended unchanged"
        assert record.raw_chars == len(raw["reasoning"])
        assert record.compression_ratio == pytest.approx(record.compressed_chars / record.raw_chars)
    extractive = [r for r in records if r.compressor == "extractive"]
    assert all(r.error is None and 0 < r.compression_ratio < 1 for r in extractive)
    assert all(r.supports_answer for r in extractive), "the teacher's conclusion sentence is kept"
    model = [r for r in records if r.compressor == "tiny-compressor"]
    assert all(r.finish_reason in ("stop", "length") for r in model)
    assert all((r.error is not None) == (r.finish_reason == "length" or not r.reasoning) for r in model)
    assert stats["compressors"]["extractive"]["gsm8k"]["count"] == sum(1 for r in extractive if r.question_id.startswith("arith"))


def test_resume_skips_done_and_refuses_a_changed_prompt(stage1_dir, tmp_path, tiny_model_dir):
    config = compress_config(stage1_dir, tmp_path, tiny_model_dir, compressors=[{"name": "extractive"}])
    run_compress(config)
    before = (tmp_path / "compressions" / "records.jsonl").read_bytes()
    run_compress(config)
    assert (tmp_path / "compressions" / "records.jsonl").read_bytes() == before
    with pytest.raises(ConfigMismatch, match="prompt"):
        run_compress(compress_config(stage1_dir, tmp_path, tiny_model_dir, compressors=[{"name": "extractive"}],
                                     prompt="Shorten: {question} {reasoning}"))  # fmt: skip


@pytest.mark.parametrize("text, expected", [
    ("<think>I should keep the math.</think>\n\nStep: 3 + 4 = 7. Answer 7.", "Step: 3 + 4 = 7. Answer 7."),
    ("  Step: 3 + 4 = 7.  ", "Step: 3 + 4 = 7."),
    ("", ""),
])  # fmt: skip
def test_reasoning_compressor_output_keeps_what_follows_its_think_block(text, expected):
    assert clean_compressor_output(text) == expected


def test_config_validation():
    with pytest.raises(ValueError, match="needs an engine"):
        CompressConfig(input_dir="a", output_dir="b", compressors=[{"name": "llama"}])
    with pytest.raises(ValueError, match="unique"):
        CompressConfig(input_dir="a", output_dir="b", compressors=[{"name": "extractive"}] * 2)
