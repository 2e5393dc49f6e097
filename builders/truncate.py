"""Length-matched truncation (seed 003, Sec. 3.3, the "traces-truncated" ablation).

For each example the raw reasoning is tokenized with the reference compressor's tokenizer and cut
to the token length of that compressor's compressed trace; the final answer is kept unchanged.

We cut at the character offset where the k-th token ends (the token's offsets, as
``return_offsets_mapping`` gives them) instead of decoding the first k token ids: the result is an
exact prefix of the teacher's text, with no decode artifacts (byte-level BPE can split a UTF-8
character across tokens, which decoding turns into U+FFFD). Re-encoding that prefix can still merge
differently at the cut, so its token count may differ from k by a token or two:
``TOKEN_TOLERANCE`` bounds it and the tests check it.

Speed and memory at paper scale (283k traces, ~2 GB of reasoning): texts go to the Rust tokenizer
behind a fast tokenizer (``backend_tokenizer.encode_batch``) in chunks of about ``CHUNK_CHARS``
characters. Counting and cutting then read only what they need from each encoding (its length, the
offsets of one token) instead of converting every id and offset to Python lists, and at most one
chunk's encodings are alive at a time. The backend is first put in exactly the state
``tokenizer(texts, add_special_tokens=False)`` uses (no truncation, no padding, the tokenizer's
special-token splitting); a slow tokenizer, or a backend that keeps other settings, takes the
plain ``tokenizer(...)`` path, chunked the same way. ``count_and_cut`` counts and cuts in one pass,
so the builder tokenizes each raw trace once. The batch encode runs on every core unless
``TOKENIZERS_PARALLELISM`` is false (the Makefile and the tests set it false); rates are measured
in ``scripts/bench_builders.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

TOKEN_TOLERANCE = 2  # |tokens(truncated) - tokens(compressed)| allowed after re-encoding
CHUNK_CHARS = 8_000_000  # characters per batch call: bounds the encodings held at once (~0.5 GB)


def _chunks(texts: Sequence[str], max_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Consecutive ``(start, end)`` index ranges of about ``max_chars`` characters (at least one text)."""
    start, size = 0, 0
    for end, text in enumerate(texts, 1):
        size += len(text)
        if size >= max_chars:
            yield start, end
            start, size = end, 0
    if start < len(texts):
        yield start, len(texts)


def _backend(tokenizer):
    """The Rust tokenizer of a fast tokenizer, in the state ``tokenizer(texts, add_special_tokens=False)``
    encodes with, or None when that cannot be guaranteed (then the caller uses ``tokenizer(...)``)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or not getattr(tokenizer, "is_fast", False) or not hasattr(backend, "encode_batch"):
        return None
    # transformers sets truncation, padding and special-token splitting on the backend before each
    # call; one tiny call applies exactly the settings a plain call uses.
    tokenizer([""], add_special_tokens=False)
    if backend.truncation is not None or backend.padding is not None:
        return None
    return backend


def count_tokens(tokenizer, texts: Sequence[str]) -> list[int]:
    """Token counts of many texts, batched (no special tokens: reasoning only)."""
    if not texts:
        return []
    texts = list(texts)
    backend = _backend(tokenizer)
    counts: list[int] = []
    for start, end in _chunks(texts):
        if backend is None:
            counts.extend(len(ids) for ids in tokenizer(texts[start:end], add_special_tokens=False)["input_ids"])
        else:
            encode = getattr(backend, "encode_batch_fast", backend.encode_batch)  # no offsets needed
            counts.extend(len(encoding) for encoding in encode(texts[start:end], add_special_tokens=False))
    return counts


def count_and_cut(tokenizer, texts: Sequence[str], lengths: Sequence[int | None]) -> tuple[list[int], list[str | None]]:
    """One tokenization of each text: its token count, and its cut to ``lengths[i]`` tokens.

    Returns ``(counts, cuts)``: ``cuts[i]`` is the prefix ending with token ``lengths[i]``
    (trailing whitespace dropped), the whole text when it has no more tokens than that, ``""``
    for a length <= 0, or None where ``lengths[i]`` is None (count only).
    """
    if len(texts) != len(lengths):
        raise ValueError(f"truncate: {len(texts)} texts but {len(lengths)} target lengths")
    texts = list(texts)
    backend = _backend(tokenizer)
    counts: list[int] = []
    cuts: list[str | None] = []
    for start, stop in _chunks(texts):
        batch = texts[start:stop]
        if backend is None:
            encoded = tokenizer(batch, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
            token_end = lambda offsets, k: offsets[k - 1][1]  # noqa: E731
        else:
            encoded = backend.encode_batch(batch, add_special_tokens=False)
            token_end = lambda encoding, k: encoding.token_to_chars(k - 1)[1]  # noqa: E731
        for text, item, k in zip(batch, encoded, lengths[start:stop]):
            n = len(item)
            counts.append(n)
            if k is None:
                cuts.append(None)
            elif k <= 0:
                cuts.append("")
            elif k >= n:
                cuts.append(text)
            else:
                cuts.append(text[: token_end(item, k)].rstrip())
        del encoded
    return counts, cuts


def truncate_to_lengths(tokenizer, texts: Sequence[str], lengths: Sequence[int]) -> list[str]:
    """Cut each text to its target token length: the prefix ending with the k-th token."""
    if len(texts) != len(lengths):
        raise ValueError(f"truncate: {len(texts)} texts but {len(lengths)} target lengths")
    if not texts:
        return []
    return count_and_cut(tokenizer, texts, lengths)[1]
