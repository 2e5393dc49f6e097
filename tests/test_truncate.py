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
