"""Exact token counts and cuts for byte-level BPE tokenizers, one model call per distinct word.

A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen, Mistral's Tekken in its Hugging Face form) first
splits a text into pre-tokens with a regular expression, then runs BPE on each pre-token alone. So a
text's token count is the sum of its pre-tokens' counts, and across a corpus of reasoning traces the
same few hundred thousand words recur millions of times. ``PreTokenCounter`` splits with Python's
``regex`` (the tokenizer's own pattern, read from its ``tokenizer.json``), looks each word up in a
dictionary of counts and asks the tokenizer's BPE model only about words it has not seen. Measured
in ``scripts/bench_builders.py``, this is several times the Rust batch encoder's rate per core,
because the batch encoder builds a full ``Encoding`` (ids, token strings, offsets, masks) for every
token and we need only a count, or the offset of one token.

The counter is used only when it provably follows the tokenizer (``for_tokenizer`` returns None
otherwise): a BPE model without dropout or subword affixes; no normalizer, or NFC on texts that are
already NFC; a pre-tokenizer that is ``ByteLevel`` with its built-in pattern, or a regex ``Split``
(behavior ``Isolated``) followed by ``ByteLevel`` without regex, in both cases without a prefix
space. The Rust library's regex engine and Python's ``regex`` ship different Unicode versions, so
the counter counts only characters of ``COUNTED_RANGES`` that both split alike in every ``PROBES``
context (checked against the tokenizer's own pre-tokenizer when a counter is built). A text it
cannot follow (one holding an added token such as ``<think>``, another character, a text the
normalizer would change, a pattern that leaves characters unmatched) gets None from ``count`` and
``count_and_cut``, and the caller tokenizes it with the tokenizer itself. ``builders.truncate``
also checks the counter against the tokenizer on a sample of every call and drops it on any
difference.
"""

from __future__ import annotations

import json
import unicodedata
from bisect import bisect_left
from itertools import accumulate

import regex

# The pattern the Rust ByteLevel pre-tokenizer uses when ``use_regex`` is true (GPT-2's).
BYTE_LEVEL_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
MAX_WORDS = 2_000_000  # distinct words remembered; the dictionary is cleared when it grows past this
# Characters the counter handles itself: Latin, Greek, Cyrillic, IPA, combining marks, and the
# punctuation, letterlike, arrow, math and technical blocks (U+2000-2BFF). Their Unicode classes
# have been stable for decades, whereas the Rust library's regex engine and Python's ``regex`` ship
# different Unicode versions and disagree on ~17k recently assigned code points. Each of these is
# still checked against the tokenizer's own pre-tokenizer when a counter is built (``_agreeing``);
# a text with any other character goes to the tokenizer.
COUNTED_RANGES = ((0x0000, 0x052F), (0x2000, 0x2BFF))
# Contexts every counted character is tried in: after and before letters, digits, spaces, newlines,
# doubled, and next to an apostrophe (the patterns' contraction branch).
PROBES = ("a{c}b ", "A{c}a ", "{c}{c}1 ", " {c}\n", "1{c}'s ", "\n{c} x", "{c}")


def _byte_level_pattern(pre_tokenizer: dict | None) -> str | None:
    """The splitting regex of a supported byte-level pre-tokenizer, or None."""
    if not pre_tokenizer:
        return None
    if pre_tokenizer["type"] == "ByteLevel":
        if pre_tokenizer.get("add_prefix_space") or not pre_tokenizer.get("use_regex", True):
            return None
        return BYTE_LEVEL_PATTERN
    if pre_tokenizer["type"] != "Sequence" or len(pre_tokenizer.get("pretokenizers", [])) != 2:
        return None
    split, byte_level = pre_tokenizer["pretokenizers"]
    supported_split = (split["type"] == "Split" and "Regex" in split.get("pattern", {})
                       and split.get("behavior") == "Isolated" and not split.get("invert"))  # fmt: skip
    supported_byte_level = (byte_level["type"] == "ByteLevel" and not byte_level.get("add_prefix_space")
                            and not byte_level.get("use_regex", True))  # fmt: skip
    return split["pattern"]["Regex"] if supported_split and supported_byte_level else None


def _supported_model(model: dict) -> bool:
    return (model.get("type") == "BPE" and model.get("dropout") is None
            and not model.get("continuing_subword_prefix") and not model.get("end_of_word_suffix"))  # fmt: skip


def _agreeing(pre_tokenizer, split: regex.Pattern) -> list[str]:
    """The characters of ``COUNTED_RANGES`` on which ``split`` and the tokenizer's pre-tokenizer
    start the same pre-tokens in every ``PROBES`` context."""
    chars = [chr(c) for start, end in COUNTED_RANGES for c in range(start, end + 1)]
    disagree = set()
    for probe in PROBES:
        width = len(probe.format(c="x"))
        text = "".join(probe.format(c=c) for c in chars)
        theirs = {start for _, (start, _) in pre_tokenizer.pre_tokenize_str(text)}
        ours = {match.start() for match in split.finditer(text)}
        disagree.update(chars[i // width] for i in theirs ^ ours)
    return [c for c in chars if c not in disagree]


def _char_class(chars: list[str]) -> str:
    """A regex character class body for sorted ``chars``, as ranges of consecutive code points."""
    runs: list[list[int]] = []
    for code in map(ord, chars):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in runs)


class PreTokenCounter:
    """Token counts and cuts of texts under one byte-level BPE tokenizer (see the module docstring)."""

    def __init__(self, backend, pattern: str, nfc: bool, added_tokens: list[str]):
        from tokenizers import pre_tokenizers

        split = regex.compile(pattern)
        self._split = split.findall
        self._nfc = nfc
        # Added tokens are matched before pre-tokenization, so texts holding one go to the tokenizer.
        self._added = regex.compile("|".join(map(regex.escape, added_tokens))).search if added_tokens else None
        agreeing = _agreeing(backend.pre_tokenizer, split)
        self._ascii_counted = set(map(chr, range(128))) <= set(agreeing)
        self._uncounted = regex.compile(f"[^{_char_class(agreeing)}]").search if agreeing else bool
        self._to_bytes = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False).pre_tokenize_str
        self._bpe = backend.model.tokenize
        self._counts: dict[str, int] = {}

    @classmethod
    def for_tokenizer(cls, tokenizer) -> PreTokenCounter | None:
        """A counter that follows ``tokenizer(text, add_special_tokens=False)`` exactly, or None."""
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None or not getattr(tokenizer, "is_fast", False):
            return None
        try:
            spec = json.loads(backend.to_str())
            normalizer = spec.get("normalizer")
            if normalizer is not None and normalizer.get("type") != "NFC":
                return None
            pattern = _byte_level_pattern(spec.get("pre_tokenizer"))
            if pattern is None or not _supported_model(spec.get("model", {})):
                return None
            added = [token["content"] for token in spec.get("added_tokens", []) if token.get("content")]
            return cls(backend, pattern, normalizer is not None, added)
        except (KeyError, TypeError, ValueError, regex.error):  # an unexpected tokenizer.json: use the tokenizer
            return None

    def _words(self, text: str) -> list[str] | None:
        if self._added is not None and self._added(text):
            return None
        if not (self._ascii_counted and text.isascii()) and self._uncounted(text):  # isascii is ~free
            return None
        if self._nfc and not unicodedata.is_normalized("NFC", text):
            return None
        words = self._split(text)
        return words if sum(map(len, words)) == len(text) else None  # a gap would be a pre-token of its own

    def _tokens_of(self, word: str) -> list:
        return self._bpe(self._to_bytes(word)[0][0])

    def _learn(self, words: list[str]) -> None:
        if len(self._counts) > MAX_WORDS:
            self._counts.clear()
        counts = self._counts
        for word in set(words).difference(counts):
            counts[word] = len(self._tokens_of(word))

    def _word_counts(self, words: list[str]) -> list[int]:
        try:
            return list(map(self._counts.__getitem__, words))
        except KeyError:
            self._learn(words)
            return list(map(self._counts.__getitem__, words))

    def count(self, text: str) -> int | None:
        """The number of tokens of ``text``, or None when the tokenizer must count it."""
        words = self._words(text)
        if words is None:
            return None
        return sum(self._word_counts(words))

    def count_and_cut(self, text: str, k: int) -> tuple[int, str] | None:
        """``(tokens, cut)``: the text's token count and its prefix ending with the k-th token
        (trailing whitespace dropped; the whole text when it has no more than k tokens), or None."""
        words = self._words(text)
        if words is None:
            return None
        ends = list(accumulate(self._word_counts(words)))
        n = ends[-1] if ends else 0
        if k <= 0:
            return n, ""
        if k >= n:
            return n, text
        i = bisect_left(ends, k)  # the word holding token k
        start = sum(map(len, words[:i]))
        before = ends[i - 1] if i else 0
        tokens = self._tokens_of(words[i])[: k - before]
        byte_end = sum(len(token.value) for token in tokens)  # one mapped character per byte
        # A token may end inside a multi-byte character: like the tokenizer's offsets, count that
        # character as covered (every byte that starts a character, up to byte_end).
        chars = sum(1 for byte in words[i].encode()[:byte_end] if byte & 0xC0 != 0x80)
        return n, text[: start + chars].rstrip()
