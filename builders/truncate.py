"""Length-matched truncation (seed 003, Sec. 3.3, the "traces-truncated" ablation).

For each example the raw reasoning is tokenized with the reference compressor's tokenizer and cut
to the token length of that compressor's compressed trace; the final answer is kept unchanged.

We cut at the character offset where the k-th token ends (``return_offsets_mapping``) instead of
decoding the first k token ids: the result is an exact prefix of the teacher's text, with no
decode artifacts (byte-level BPE can split a UTF-8 character across tokens, which decoding turns
into U+FFFD). Re-encoding that prefix can still merge differently at the cut, so its token count
may differ from k by a token or two: ``TOKEN_TOLERANCE`` bounds it and the tests check it.

Each list of texts is tokenized in one batched call of the fast tokenizer, so the cost is close
to the bare tokenizer's batch rate (measured in ``scripts/bench_builders.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

TOKEN_TOLERANCE = 2  # |tokens(truncated) - tokens(compressed)| allowed after re-encoding


def count_tokens(tokenizer, texts: Sequence[str]) -> list[int]:
    """Token counts of many texts in one batched call (no special tokens: reasoning only)."""
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


def truncate_to_lengths(tokenizer, texts: Sequence[str], lengths: Sequence[int]) -> list[str]:
    """Cut each text to its target token length: the prefix ending with the k-th token."""
    if len(texts) != len(lengths):
        raise ValueError(f"truncate: {len(texts)} texts but {len(lengths)} target lengths")
    if not texts:
        return []
    encoded = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)
    cut = []
    for text, offsets, k in zip(texts, encoded["offset_mapping"], lengths):
        if k <= 0:
            cut.append("")
        elif k >= len(offsets):
            cut.append(text)
        else:
            cut.append(text[: offsets[k - 1][1]].rstrip())
    return cut
