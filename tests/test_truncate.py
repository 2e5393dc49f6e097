"""Length-matched truncation with a real fast tokenizer (the tiny model's byte-level BPE)."""

import random

import pytest
from transformers import AutoTokenizer

from builders.truncate import TOKEN_TOLERANCE, count_tokens, truncate_to_lengths

RAW = [
    "Okay, so the store sells 48 clips in April and half as many in May: 48 / 2 = 24. Total 72.",
    "Let me think. The mitochondrion produces ATP via oxidative phosphorylation; the ribosome does not.",
    "Unicode matters: café, naïve, 数学, ∑ x² = 42 — byte-level BPE splits these across tokens.",
    "short",
]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    return AutoTokenizer.from_pretrained(tiny_model_dir)


def test_cut_is_a_prefix_within_tolerance_of_the_target(tokenizer):
    rng = random.Random(0)
    texts = RAW * 25
    full = count_tokens(tokenizer, texts)
    targets = [rng.randint(1, n) for n in full]
    cut = truncate_to_lengths(tokenizer, texts, targets)
    for text, piece, target, n in zip(texts, cut, targets, count_tokens(tokenizer, cut)):
        assert text.startswith(piece)
        assert "\ufffd" not in piece, "no decode artifacts: the cut is an exact prefix"
        assert abs(n - target) <= TOKEN_TOLERANCE, (piece, n, target)


def test_edge_lengths(tokenizer):
    assert truncate_to_lengths(tokenizer, ["abc def", "abc"], [0, 999]) == ["", "abc"]
    assert truncate_to_lengths(tokenizer, [], []) == []
    with pytest.raises(ValueError, match="2 texts but 1"):
        truncate_to_lengths(tokenizer, ["a", "b"], [1])


def _reference_cut(tokenizer, texts, lengths):
    """The definition: offsets from the plain ``tokenizer(...)`` call, cut after token k."""
    offsets = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    return ["" if k <= 0 else text if k >= len(o) else text[: o[k - 1][1]].rstrip()
            for text, o, k in zip(texts, offsets, lengths)]


@pytest.mark.parametrize("path", ["pre-token counter", "backend", "plain"])
def test_every_path_equals_the_plain_tokenizer_call(tokenizer, monkeypatch, path):
    import builders.truncate as truncate

    rng = random.Random(1)
    texts = [" ".join(rng.sample(RAW, 2)) * rng.randint(1, 3) for _ in range(60)] + ["", "  ", "a  \n\n", "<think>x</think> y"]
    full = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    lengths = [rng.randint(-1, n + 2) for n in full]
    monkeypatch.setattr(truncate, "CHUNK_CHARS", 300)  # many chunks
    if path != "pre-token counter":
        monkeypatch.setattr(truncate, "_counter", lambda tok: None)
    if path == "plain":
        monkeypatch.setattr(truncate, "_backend", lambda tok: None)
    assert count_tokens(tokenizer, texts) == full
    assert truncate_to_lengths(tokenizer, texts, lengths) == _reference_cut(tokenizer, texts, lengths)
    counts, cuts = truncate.count_and_cut(tokenizer, texts, [None if i % 2 else k for i, k in enumerate(lengths)])
    assert counts == full
    assert cuts == [None if i % 2 else c for i, c in enumerate(_reference_cut(tokenizer, texts, lengths))]
