"""Length-matched truncation (seed 003, Sec. 3.3, the "traces-truncated" ablation).

For each example the raw reasoning is tokenized with the reference compressor's tokenizer and cut
to the token length of that compressor's compressed trace; the final answer is kept unchanged.

We cut at the character offset where the k-th token ends (the token's offsets, as
``return_offsets_mapping`` gives them) instead of decoding the first k token ids: the result is an
exact prefix of the teacher's text, with no decode artifacts (byte-level BPE can split a UTF-8
character across tokens, which decoding turns into U+FFFD). Re-encoding that prefix can still merge
differently at the cut, so its token count may differ from k by a token or two:
``TOKEN_TOLERANCE`` bounds it and the tests check it.

Speed and memory at paper scale (283k traces, ~2 GB of reasoning). Byte-level BPE tokenizers (the
usual case) are counted by ``builders.pretokens.PreTokenCounter``: one BPE call per distinct word,
a dictionary lookup for every other occurrence, exactly the tokenizer's counts and cuts. In every
call it is checked against the tokenizer on the first ``VERIFY_TEXTS`` texts it counts and every
``VERIFY_EVERY``-th after them; on any difference it is dropped (with a warning) and the tokenizer
does the whole call. Other tokenizers, and the texts the counter leaves (an added token
such as ``<think>`` in the text, characters outside its verified set), go to the Rust tokenizer
behind a fast tokenizer (``backend_tokenizer.encode_batch``) in chunks of about ``CHUNK_CHARS``
characters; counting and cutting then read only what they need from each encoding (its length, the
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

import logging
import weakref
from collections.abc import Iterator, Sequence

from builders.pretokens import PreTokenCounter

logger = logging.getLogger(__name__)

TOKEN_TOLERANCE = 2  # |tokens(truncated) - tokens(compressed)| allowed after re-encoding
CHUNK_CHARS = 8_000_000  # characters per batch call: bounds the encodings held at once (~0.5 GB)
VERIFY_TEXTS = 64  # the first texts the pre-token counter counts in a call are also tokenized...
VERIFY_EVERY = 1000  # ...and every 1000th after them: on any difference the tokenizer does them all
_COUNTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tokenizer -> PreTokenCounter | None


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


def _progress(desc: str | None, total: int):
    """A tqdm bar over texts (on a terminal only), or a disabled one when ``desc`` is None."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="text", disable=True if desc is None else None, dynamic_ncols=True)


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


def _tokenizer_count_and_cut(tokenizer, texts: list[str], lengths: Sequence[int | None], bar=None):
    """``count_and_cut`` with the tokenizer itself, in chunks of about ``CHUNK_CHARS`` characters."""
    backend = _backend(tokenizer)
    counts: list[int] = []
    cuts: list[str | None] = []
    for start, stop in _chunks(texts):
        batch, targets = texts[start:stop], lengths[start:stop]
        if backend is None:
            encoded = tokenizer(batch, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
            token_end = lambda offsets, k: offsets[k - 1][1]  # noqa: E731
        elif all(k is None for k in targets):
            encode = getattr(backend, "encode_batch_fast", backend.encode_batch)  # counts only: no offsets
            encoded = encode(batch, add_special_tokens=False)
            token_end = None
        else:
            encoded = backend.encode_batch(batch, add_special_tokens=False)
            token_end = lambda encoding, k: encoding.token_to_chars(k - 1)[1]  # noqa: E731
        for text, item, k in zip(batch, encoded, targets):
            n = len(item)
            counts.append(n)
            if k is None:
                cuts.append(None)
            elif k <= 0:
                cuts.append("")
            else:
                cuts.append(text if k >= n else text[: token_end(item, k)].rstrip())
        del encoded
        if bar is not None:
            bar.update(stop - start)
    return counts, cuts


def _counter(tokenizer) -> PreTokenCounter | None:
    """The tokenizer's pre-token counter, kept with the tokenizer (its words carry over from call to
    call), or None where there is none or one was dropped."""
    try:
        return _COUNTERS[tokenizer]
    except KeyError:
        counter = _COUNTERS[tokenizer] = PreTokenCounter.for_tokenizer(tokenizer)
        return counter
    except TypeError:  # not weak-referenceable: no counter rather than one rebuilt at every call
        return None


def _counter_count_and_cut(counter: PreTokenCounter, texts: list[str], lengths: Sequence[int | None], bar=None):
    """Counts and cuts from the counter; None for the texts it leaves to the tokenizer."""
    counts: list[int | None] = []
    cuts: list[str | None] = []
    for i, (text, k) in enumerate(zip(texts, lengths), 1):
        if bar is not None and i % 1000 == 0:
            bar.update(1000)
        if k is None:
            counts.append(counter.count(text))
            cuts.append(None)
        else:
            done = counter.count_and_cut(text, k)
            counts.append(None if done is None else done[0])
            cuts.append(None if done is None else done[1])
    return counts, cuts


def _agrees_with_tokenizer(tokenizer, texts, lengths, counts, cuts, offset: int = 0) -> bool:
    """Whether the counter's results equal the tokenizer's on the first ``VERIFY_TEXTS`` texts it
    counted and every ``VERIFY_EVERY``-th after them (``offset``: index of ``counts[0]`` in texts)."""
    counted = [i for i, count in enumerate(counts) if count is not None]
    sample = counted[:VERIFY_TEXTS] + counted[VERIFY_TEXTS::VERIFY_EVERY]
    if not sample:
        return True
    expected = _tokenizer_count_and_cut(tokenizer, [texts[offset + i] for i in sample],
                                        [lengths[offset + i] for i in sample])  # fmt: skip
    for i, count, cut in zip(sample, *expected):
        if (counts[i], cuts[i]) != (count, cut):
            logger.warning("truncate: the pre-token counter disagrees with %s on text %d (%d vs %d tokens); "
                           "using the tokenizer itself", type(tokenizer).__name__, offset + i, counts[i], count)
            return False
    return True


def _count_and_cut_with(counter: PreTokenCounter, tokenizer, texts: list[str], lengths: list[int | None], bar):
    """The counter's counts and cuts, checked against the tokenizer (see ``_agrees_with_tokenizer``);
    None, and the counter dropped for this tokenizer, on any difference. The head of the texts is
    checked first, so a counter that is wrong throughout costs little."""
    head = 4 * VERIFY_TEXTS
    counts, cuts = _counter_count_and_cut(counter, texts[:head], lengths[:head])
    if _agrees_with_tokenizer(tokenizer, texts, lengths, counts, cuts):
        more = _counter_count_and_cut(counter, texts[head:], lengths[head:], bar)
        if _agrees_with_tokenizer(tokenizer, texts, lengths, *more, offset=head):
            return counts + more[0], cuts + more[1]
    _COUNTERS[tokenizer] = None
    return None


def count_and_cut(tokenizer, texts: Sequence[str], lengths: Sequence[int | None], *,
                  progress: str | None = None) -> tuple[list[int], list[str | None]]:  # fmt: skip
    """One tokenization of each text: its token count, and its cut to ``lengths[i]`` tokens.

    Returns ``(counts, cuts)``: ``cuts[i]`` is the prefix ending with token ``lengths[i]``
    (trailing whitespace dropped), the whole text when it has no more tokens than that, ``""``
    for a length <= 0, or None where ``lengths[i]`` is None (count only). ``progress``: the label
    of a progress bar (shown on a terminal).
    """
    if len(texts) != len(lengths):
        raise ValueError(f"truncate: {len(texts)} texts but {len(lengths)} target lengths")
    if not texts:
        return [], []
    texts, lengths = list(texts), list(lengths)
    with _progress(progress, len(texts)) as bar:
        counter = _counter(tokenizer)
        done = _count_and_cut_with(counter, tokenizer, texts, lengths, bar) if counter is not None else None
        if done is None:
            bar.reset()
            return _tokenizer_count_and_cut(tokenizer, texts, lengths, bar)
        counts, cuts = done
        left = [i for i, count in enumerate(counts) if count is None]  # texts the counter cannot follow
        if left:
            more = _tokenizer_count_and_cut(tokenizer, [texts[i] for i in left], [lengths[i] for i in left])
            for i, count, cut in zip(left, *more):
                counts[i], cuts[i] = count, cut
        bar.update(len(texts) - bar.n)
    return counts, cuts


def count_tokens(tokenizer, texts: Sequence[str], *, progress: str | None = None) -> list[int]:
    """Token counts of many texts, batched (no special tokens: reasoning only)."""
    return count_and_cut(tokenizer, texts, [None] * len(texts), progress=progress)[0]


def truncate_to_lengths(tokenizer, texts: Sequence[str], lengths: Sequence[int]) -> list[str]:
    """Cut each text to its target token length: the prefix ending with the k-th token."""
    if len(texts) != len(lengths):
        raise ValueError(f"truncate: {len(texts)} texts but {len(lengths)} target lengths")
    return count_and_cut(tokenizer, texts, lengths)[1]
