"""The pre-token counter against real fast tokenizers: the tiny model's (GPT-2-style ``ByteLevel``) and
byte-level BPEs trained here with the pre-tokenizer layouts of Llama 3, Qwen 2 and Mistral's Tekken
(``Split`` regex + ``ByteLevel``, with Qwen's NFC normalizer). Production tokenizers cannot be
downloaded here, so their layouts are rebuilt with the ``tokenizers`` library itself."""

import logging
import random

import pytest
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

import builders.truncate as truncate
from builders import pretokens
from builders.pretokens import PreTokenCounter

SPLIT_PATTERNS = {  # as published in these models' tokenizer.json files
    "llama3": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "qwen2": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "tekken": r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?"
    r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
}
PIECES = [
    "Okay, so the store sells 48 clips in April and half as many in May: 48 / 2 = 24. Total 72.",
    "Let's check: it's 3.14159 and they'll say we'd re-do it.", "I'M SURE THEY'RE RIGHT",
    "café naïve Ωμέγα Привет ∑ x² = 42 → ≈ ½ — “quoted” ‘single’ …", "\n\n", "  ", "\t", "\r\n", " \n ",
    "1234567", "x=-3.5e10;y+=2", "(a+b)^2", "**Answer:** \\boxed{C}", "ǅ", "\u00a0", "\u2009", "\x0b", "\x1c",
    "\x85", "q\u0323\u0307",
]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + rng.choice(["", " ", "\n"]) for _ in range(rng.randint(1, 30)))
            for _ in range(count)]  # fmt: skip


def _trained(pattern: str, nfc: bool) -> PreTrainedTokenizerFast:
    core = Tokenizer(models.BPE())
    core.normalizer = normalizers.NFC() if nfc else None
    core.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
                                                  pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    core.train_from_iterator(_texts(0, 300), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|endoftext|>")
    tokenizer.add_tokens(["<think>", "</think>"])
    return tokenizer


@pytest.fixture(scope="module", params=["tiny", "llama3", "qwen2+nfc", "tekken"])
def tokenizer(request, tiny_model_dir):
    if request.param == "tiny":
        return AutoTokenizer.from_pretrained(tiny_model_dir)
    name, _, normalizer = request.param.partition("+")
    return _trained(SPLIT_PATTERNS[name], nfc=normalizer == "nfc")


def _reference(tokenizer, text: str, k: int | None):
    """The definition, from the plain ``tokenizer(...)`` call: the count, and the cut after token k."""
    offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    n = len(offsets)
    if k is None:
        return n, None
    return n, "" if k <= 0 else text if k >= n else text[: offsets[k - 1][1]].rstrip()


def test_counter_equals_the_tokenizer_on_every_count_and_cut(tokenizer):
    counter = PreTokenCounter.for_tokenizer(tokenizer)
    assert counter is not None
    followed = 0
    for text in _texts(1, 150):
        count = counter.count(text)
        if count is None:
            continue
        followed += 1
        n, _ = _reference(tokenizer, text, None)
        assert count == n, text
        for k in range(-1, n + 2):
            assert counter.count_and_cut(text, k) == _reference(tokenizer, text, k), (text, k)
    assert followed >= 100, "most of these texts hold only counted characters"


def test_texts_the_counter_cannot_follow_go_to_the_tokenizer(tokenizer):
    odd = ["reasoning <think> inside", "中文 数学", "\u0558 new in Unicode 16", "emoji 😀 here", "ﬁ\u3000x",
           "e\u0301 decomposed"]
    counter = PreTokenCounter.for_tokenizer(tokenizer)
    deferred = [counter.count(text) is None for text in odd]
    assert deferred[:5] == [True] * 5
    nfc = tokenizer.backend_tokenizer.normalizer is not None
    assert deferred[5] == nfc, "a text NFC would change goes to an NFC tokenizer; other tokenizers count it"
    texts = odd + _texts(2, 20)
    lengths = [i % 7 if i % 3 else None for i in range(len(texts))]
    counts, cuts = truncate.count_and_cut(tokenizer, texts, lengths)
    assert list(zip(counts, cuts)) == [_reference(tokenizer, t, k) for t, k in zip(texts, lengths)]


def test_unsupported_tokenizers_get_no_counter(tiny_model_dir):
    def fast(core):
        return PreTrainedTokenizerFast(tokenizer_object=core)

    word_piece = Tokenizer(models.WordPiece({"[UNK]": 0, "a": 1}, unk_token="[UNK]"))
    word_piece.pre_tokenizer = pre_tokenizers.Whitespace()
    dropout = Tokenizer(models.BPE(dropout=0.1))
    dropout.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    prefix_space = Tokenizer(models.BPE())
    prefix_space.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    lowercase = Tokenizer(models.BPE())
    lowercase.normalizer = normalizers.Lowercase()
    lowercase.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    metaspace = Tokenizer(models.BPE())
    metaspace.pre_tokenizer = pre_tokenizers.Metaspace()
    for core in (word_piece, dropout, prefix_space, lowercase, metaspace):
        assert PreTokenCounter.for_tokenizer(fast(core)) is None
    assert PreTokenCounter.for_tokenizer(object()) is None
    assert PreTokenCounter.for_tokenizer(AutoTokenizer.from_pretrained(tiny_model_dir)) is not None


def test_a_counter_that_disagrees_with_the_tokenizer_is_dropped(tiny_model_dir, monkeypatch, caplog):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    # A split that is not the tokenizer's, on characters the probe wrongly let through.
    monkeypatch.setattr(pretokens, "_agreeing", lambda pre_tokenizer, split: [chr(c) for c in range(0x530)])
    wrong = PreTokenCounter(tokenizer.backend_tokenizer, r"\S+|\s+", False, [])
    monkeypatch.setattr(PreTokenCounter, "for_tokenizer", classmethod(lambda cls, tok: wrong))
    texts = _texts(3, 40)
    with caplog.at_level(logging.WARNING, logger="builders.truncate"):
        counts, cuts = truncate.count_and_cut(tokenizer, texts, [5] * len(texts))
    assert list(zip(counts, cuts)) == [_reference(tokenizer, t, 5) for t in texts]
    assert "disagrees" in caplog.text
    assert truncate._COUNTERS[tokenizer] is None, "dropped for this tokenizer's later calls too"


def test_characters_the_regex_engines_classify_differently_are_not_counted(tiny_model_dir, monkeypatch):
    """U+0558 was assigned in Unicode 16: Python's ``regex`` knows it as a letter, the Rust library's
    engine does not yet. The probe must find that out by itself."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    monkeypatch.setattr(pretokens, "COUNTED_RANGES", ((0x0550, 0x055F),))
    split = pretokens.regex.compile(pretokens.BYTE_LEVEL_PATTERN)
    agreeing = pretokens._agreeing(tokenizer.backend_tokenizer.pre_tokenizer, split)
    assert "\u0551" in agreeing and "\u0558" not in agreeing
    monkeypatch.undo()
    words_and_spaces = PreTokenCounter(tokenizer.backend_tokenizer, r"\S+|\s+", False, [])  # not the tokenizer's
    assert words_and_spaces.count("a b") is None, "a space is split differently: even ASCII texts are not counted"
    assert not words_and_spaces._ascii_counted


def test_a_difference_late_in_a_call_is_caught_by_the_sparse_check(tiny_model_dir, monkeypatch, caplog):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    counter = PreTokenCounter.for_tokenizer(tokenizer)
    exact = counter.count
    monkeypatch.setattr(counter, "count", lambda text: exact(text) + ("WRONG" in text))  # off by one there only
    monkeypatch.setattr(PreTokenCounter, "for_tokenizer", classmethod(lambda cls, tok: counter))
    monkeypatch.setattr(truncate, "VERIFY_TEXTS", 2)  # head: 8 texts checked 2; then every 5th of the rest
    monkeypatch.setattr(truncate, "VERIFY_EVERY", 5)
    texts = [f"text {i} ok" for i in range(40)]
    texts[8 + 2 + 5 * 3] = "a WRONG one"  # the tail's counted texts 0, 1 (head checks), then 2, 7, 12, 17
    with caplog.at_level(logging.WARNING, logger="builders.truncate"):
        counts = truncate.count_tokens(tokenizer, texts)
    assert counts == [_reference(tokenizer, t, None)[0] for t in texts]
    assert "disagrees" in caplog.text and "text 25" in caplog.text
