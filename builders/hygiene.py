"""Pool hygiene before release: duplicate removal inside the pool and decontamination against evals.

Three passes, in this order (``clean_pool``):

1. **Exact duplicates** - questions whose *normalized* text (``normalize_text``: NFKC, case-folded,
   prose punctuation and spacing dropped, rendered options kept) is identical. The same normalized
   text is a duplicate whatever its gold answer: a student must not see one question with two
   labels. The first question by id is kept; the reason says when the golds conflicted.
2. **Near duplicates** - MinHash signatures over word shingles, LSH banding to find candidate pairs,
   then the exact Jaccard similarity of the two shingle sets decides (``>= near_threshold``). A
   question is removed only as a near copy of an earlier question that is *kept*, so every removal
   names a question that is still in the pool.
3. **Decontamination** - a pool question is contaminated when its normalized text equals an eval
   question's, or when it shares a word 13-gram with one (the GPT-3 / open-r1 convention). Every
   eval split of the registry counts (``eval_questions_from_registry``). Short questions are
   matched on exact text only, and a 13-gram that is mostly exam template ("... which of the
   following is the most appropriate next step in management") does not count - see
   ``decontaminate``.

Deduplication runs first on purpose: a near copy of a contaminated question that happens to miss
the 13-gram test is still removed (as the near duplicate of a question that is then removed as
contaminated); decontaminating first would remove the original and keep the copy.

Every removal becomes ``{"id", "source", "reason"}`` with a reason of the form
``exact_duplicate_of:<id>``, ``near_duplicate_of:<id> (jaccard=0.87)`` or
``contaminated:<eval source>/<eval id> (13-gram overlap)``; ``HygieneReport`` counts them overall
and per source for the dataset card.

Results are deterministic: questions are sorted by id before any pass (so "the first" means the
smallest id, whatever the input order), and every hash is a keyed, stable hash (blake2b, fixed
64-bit mixing) - never Python's per-process salted ``hash()``.

Speed: the text work (normalizing, splitting into words, one blake2b per *distinct* word) is plain
Python; everything per word position (n-gram hashes, MinHash, band keys, n-gram lookups) is
vectorized numpy over the whole corpus in document-aligned chunks. ``scripts/bench_hygiene.py``
measures it at paper scale (283k questions).
"""

from __future__ import annotations

import hashlib
import re
from array import array
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from builders.contract import QuestionRecord

# ----------------------------------------------------------------------------------------------
# Normalization
# ----------------------------------------------------------------------------------------------
# A token is a number (a decimal point kept inside it: "3.5" is not "3 5"), a run of letters and
# digits, or one math operator. Operators are kept because "What is 3+2?" and "What is 3-2?" are
# different questions; prose punctuation (.,;:!?'"()[] ...) and the underscore are dropped.
_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W_]+|[+\-*/=<>^%±√≤≥]")
# Operator look-alikes NFKC leaves alone.
_OPERATORS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00f7": "/", "\u22c5": "*"})


def normalize_text(text: str) -> str:
    """The text compared for duplicates and contamination: one space between lower-case tokens.

    Unicode NFKC (full-width letters, ligatures, non-breaking spaces become plain), case-folded,
    punctuation and extra whitespace dropped, math operators and decimal numbers kept. Rendered
    option lines are *kept* (``A. Aspirin`` -> ``a aspirin``): two questions with one stem and
    different options are different questions.
    """
    return " ".join(_tokens(text))


def _tokens(text: str) -> list[str]:
    """The words of ``normalize_text(text)``."""
    if text.isascii():  # already NFKC, and lower() is casefold() on ASCII: the common case, faster
        return _TOKEN.findall(text.lower())
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold().translate(_OPERATORS))


# ----------------------------------------------------------------------------------------------
# Stable hashing, vectorized
# ----------------------------------------------------------------------------------------------
_U64 = np.uint64
_POLY = _U64(0x100000001B3)  # odd multiplier of the polynomial word-window hash
_MIX1, _MIX2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)  # splitmix64 finalizer
_CHUNK_WORDS = 1 << 20  # words per vectorized chunk: bounds memory at ~100 MB whatever the pool


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of one word (same value on every machine, run and Python version)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8, person=b"cdistill-w").digest(), "little")


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place: spreads every input bit over every output bit."""
    z ^= z >> _U64(30)
    z *= _MIX1
    z ^= z >> _U64(27)
    z *= _MIX2
    z ^= z >> _U64(31)
    return z


def _window_hashes(words: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashes of every n-word window inside each document, its document and its first word's position.

    ``words`` is the concatenation of the documents' word hashes, ``lengths`` their word counts.
    Windows that would straddle two documents are dropped; a document shorter than ``n`` words has
    none. The hash is a polynomial over the word hashes, then mixed, so it depends on word order.
    """
    m = len(words) - n + 1
    if m <= 0:
        return np.empty(0, _U64), np.empty(0, np.int64), np.empty(0, np.int64)
    with np.errstate(over="ignore"):
        acc = words[:m].copy()
        for k in range(1, n):
            acc *= _POLY
            acc += words[k : k + m]
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[:m]
    ends = np.cumsum(lengths)
    start = np.arange(m, dtype=np.int64)
    valid = start + n <= ends[doc]
    with np.errstate(over="ignore"):
        return _mix(acc[valid]), doc[valid], start[valid]


@dataclass
class _Corpus:
    """Questions sorted by id, with their normalized text and word hashes laid end to end."""

    records: list[QuestionRecord]
    texts: list[str]  # normalized
    words: np.ndarray  # uint64 word hashes, all documents concatenated
    lengths: np.ndarray  # int64 word count per document

    @classmethod
    def build(cls, questions: Iterable[QuestionRecord]) -> "_Corpus":
        records = _sorted(questions)
        tokens = [_tokens(q.question) for q in records]
        return cls(records, [" ".join(t) for t in tokens], *_encode(tokens))

    def chunks(self) -> Iterator[tuple[int, int, int]]:
        """Document-aligned chunks ``(first doc, end doc, first word)`` of about _CHUNK_WORDS words."""
        starts = np.concatenate([[0], np.cumsum(self.lengths)])
        doc = 0
        while doc < len(self.lengths):
            end = int(np.searchsorted(starts, starts[doc] + _CHUNK_WORDS, side="right")) - 1
            end = max(end, doc + 1)
            yield doc, min(end, len(self.lengths)), int(starts[doc])
            doc = end

    def windows(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``_window_hashes`` over the whole corpus, chunk by chunk (documents and positions global)."""
        hashes, docs, starts = [], [], []
        for first, end, word0 in self.chunks():
            lengths = self.lengths[first:end]
            h, d, p = _window_hashes(self.words[word0 : word0 + int(lengths.sum())], lengths, n)
            hashes.append(h)
            docs.append(d + first)
            starts.append(p + word0)
        if not hashes:
            return np.empty(0, _U64), np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(hashes), np.concatenate(docs), np.concatenate(starts)


class _Vocabulary(dict):
    """word -> dense index, a new word getting the next one (``__missing__`` runs once per word)."""

    def __missing__(self, word: str) -> int:
        self[word] = index = len(self)
        return index


def _encode(documents: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of tokenized documents, concatenated, and the word count of each document."""
    # One blake2b per distinct word; each word position costs a C-level dict lookup (map, no
    # Python frame), and the indices go straight into a typed buffer, not a list of ints.
    vocab = _Vocabulary()
    index = array("q")
    for tokens in documents:
        index.extend(map(vocab.__getitem__, tokens))
    lengths = np.fromiter(map(len, documents), np.int64, count=len(documents))
    table = np.fromiter(map(_word_hash, vocab), _U64, count=len(vocab))
    return table[np.frombuffer(index, np.int64)] if len(index) else np.empty(0, _U64), lengths


def _sorted(questions: Iterable[QuestionRecord]) -> list[QuestionRecord]:
    """Stable processing order: by id, ties (the same id twice) broken by content, never by input order."""
    return sorted(questions, key=lambda q: (q.id, q.source, q.split, q.question, q.answer))


def ngrams(text: str, n: int = 13) -> set[int]:
    """Stable 64-bit hashes of the word n-grams of ``normalize_text(text)``; empty under ``n`` words.

    The same hashes the vectorized passes compute (one code path), so a test can check a pair by hand.
    """
    words, lengths = _encode([_tokens(text)])
    return set(_window_hashes(words, lengths, n)[0].tolist())


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
# Reason prefix -> the count it adds to (report fields and per-source columns).
_COUNT_KEYS = {"exact_duplicate": "exact_duplicates", "near_duplicate": "near_duplicates",
               "contaminated": "contaminated"}


@dataclass
class HygieneReport:
    """What hygiene removed, for the dataset card: totals, per-source counts and every removal."""

    exact_duplicates: int
    near_duplicates: int
    contaminated: int
    removed: list[dict]  # {id, source, reason}, in removal order (pass, then id)
    by_source: dict[str, dict[str, int]]  # source -> {input, exact_duplicates, near_duplicates, contaminated, kept}
    input: int = 0
    kept: int = 0
    conflicting_golds: int = 0  # exact duplicates whose gold answer differed from the kept question's
    contaminated_by_eval_source: dict[str, int] = field(default_factory=dict)
    eval_questions: int = 0
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _reason_kind(reason: str) -> str:
    """``exact_duplicate_of:x (...)`` -> ``exact_duplicate``; ``contaminated:...`` -> ``contaminated``."""
    return reason.split(":", 1)[0].removesuffix("_of")


def _removal(q: QuestionRecord, reason: str) -> dict:
    return {"id": q.id, "source": q.source, "reason": reason}


# ----------------------------------------------------------------------------------------------
# Deduplication
# ----------------------------------------------------------------------------------------------
def _exact_pass(corpus: _Corpus) -> tuple[np.ndarray, list[dict]]:
    """Keep mask and removals for identical normalized texts (first by id kept)."""
    keep = np.ones(len(corpus.records), bool)
    first: dict[str, int] = {}
    removed = []
    for i, text in enumerate(corpus.texts):
        if not text:  # nothing but punctuation/symbols: no text to compare, not "equal" to others
            continue
        j = first.setdefault(text, i)
        if j == i:
            continue
        keep[i] = False
        kept, dup = corpus.records[j], corpus.records[i]
        reason = f"exact_duplicate_of:{kept.id}"
        if dup.answer.strip() != kept.answer.strip():
            reason += f" (conflicting gold: {dup.answer!r} vs kept {kept.answer!r})"
        removed.append(_removal(dup, reason))
    return keep, removed


def _subset(corpus: _Corpus, keep: np.ndarray) -> _Corpus:
    """The documents under ``keep``, still concatenated and in id order."""
    idx = np.flatnonzero(keep)
    return _Corpus([corpus.records[i] for i in idx], [corpus.texts[i] for i in idx],
                   corpus.words[np.repeat(keep, corpus.lengths)], corpus.lengths[keep])


def _minhash_params(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed (a, b) of the hash family ``a*h + b mod 2**32`` (a odd), derived from their index."""
    raw = [hashlib.blake2b(f"minhash-{j}".encode(), digest_size=8, person=b"cdistill-m").digest()
           for j in range(num_perm)]
    a = np.array([int.from_bytes(r[:4], "little") | 1 for r in raw], np.uint32)
    b = np.array([int.from_bytes(r[4:], "little") for r in raw], np.uint32)
    return a, b


def _shingles(corpus: _Corpus, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Word k-shingle hashes grouped by document (``hashes``, ``offsets``).

    A document shorter than k words (but not empty) gets one shingle, the hash of its whole text,
    so it is still comparable; an empty one gets none and is left to the exact pass.
    """
    hashes, docs, _ = corpus.windows(k)
    short = np.flatnonzero((corpus.lengths > 0) & (corpus.lengths < k))
    if len(short):
        extra = np.array([_word_hash("\x00short\x00" + corpus.texts[i]) for i in short], _U64)
        hashes, docs = np.concatenate([hashes, extra]), np.concatenate([docs, short])
        order = np.argsort(docs, kind="stable")
        hashes, docs = hashes[order], docs[order]
    offsets = np.searchsorted(docs, np.arange(len(corpus.lengths) + 1))
    return hashes, offsets


def _signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signatures, docs x num_perm (uint32).

    32-bit arithmetic on the low half of each (already mixed) shingle hash: half the memory
    traffic of 64-bit, and two shingles of one pair collide with odds 2**-32 - irrelevant next to
    the estimator's own spread. Documents without shingles get all-ones rows; the caller leaves
    them out of banding.
    """
    a, b = _minhash_params(num_perm)
    low = hashes.astype(np.uint32)  # truncation keeps the low 32 bits
    n_docs = len(offsets) - 1
    sig = np.full((n_docs, num_perm), np.iinfo(np.uint32).max, np.uint32)
    has = np.flatnonzero(offsets[1:] > offsets[:-1])
    # Chunks of ~16k shingles keep the (num_perm x shingles) matrix cache-sized (~4 MB at 64);
    # permutations on rows, so each document's minimum is a reduction over contiguous memory.
    step = 16384
    a, b = a[:, None], b[:, None]
    i = 0
    while i < len(has):
        j = max(int(np.searchsorted(offsets[has + 1], offsets[has[i]] + step, side="right")), i + 1)
        docs = has[i:j]
        lo, hi = offsets[docs[0]], offsets[docs[-1] + 1]
        with np.errstate(over="ignore"):
            perm = a * low[None, lo:hi] + b
        sig[docs] = np.minimum.reduceat(perm, offsets[docs] - lo, axis=1).T
        i = j
    return sig


def _band_collisions(sig: np.ndarray, active: np.ndarray, bands: int, rows: int) -> dict[int, list[np.ndarray]]:
    """For each document, the earlier documents it shares at least one LSH band with.

    Returned as doc -> list of arrays of earlier doc indices (one per colliding band), sorted.
    """
    candidates: dict[int, list[np.ndarray]] = {}
    docs = np.flatnonzero(active)
    for band in range(bands):
        cols = sig[docs, band * rows : (band + 1) * rows].astype(_U64)
        with np.errstate(over="ignore"):
            key = cols[:, 0].copy()
            for c in range(1, rows):
                key *= _POLY
                key += cols[:, c]
        order = np.argsort(key, kind="stable")  # stable: ties stay in id order
        sk = key[order]
        starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
        ends = np.concatenate([starts[1:], [len(sk)]])
        for s, e in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
            members = docs[order[s:e]]
            for pos in range(1, len(members)):
                candidates.setdefault(int(members[pos]), []).append(members[:pos])
    return candidates


def _near_pass(corpus: _Corpus, threshold: float, shingle: int, bands: int, rows: int
               ) -> tuple[np.ndarray, list[dict]]:
    """Keep mask and removals for near duplicates (MinHash + LSH, verified by exact Jaccard)."""
    n_docs = len(corpus.records)
    keep = np.ones(n_docs, bool)
    if n_docs < 2:
        return keep, []
    hashes, offsets = _shingles(corpus, shingle)
    sig = _signatures(hashes, offsets, bands * rows)
    candidates = _band_collisions(sig, offsets[1:] > offsets[:-1], bands, rows)

    sets: dict[int, frozenset[int]] = {}

    def shingle_set(d: int) -> frozenset[int]:
        if d not in sets:
            sets[d] = frozenset(hashes[offsets[d] : offsets[d + 1]].tolist())
        return sets[d]

    removed = []
    # Ascending doc order: every candidate is earlier, so its keep/remove status is already final.
    for d in sorted(candidates):
        cand = np.unique(np.concatenate(candidates[d]))
        cand = cand[keep[cand]]
        if not len(cand):
            continue
        # Cheap screen before the exact check: the signature agreement estimates the Jaccard
        # (measured std ~0.03 at 100 permutations), so a 0.2 margin loses no true pair in practice while
        # sparing big boilerplate buckets from set intersections.
        agree = (sig[cand] == sig[d]).mean(axis=1)
        mine = shingle_set(d)
        for e in cand[agree >= threshold - 0.2].tolist():
            other = shingle_set(e)
            inter = len(mine & other)
            jaccard = inter / (len(mine) + len(other) - inter)
            if jaccard >= threshold:
                keep[d] = False
                removed.append(_removal(corpus.records[d],
                                        f"near_duplicate_of:{corpus.records[e].id} (jaccard={jaccard:.2f})"))
                break
    return keep, removed


def _dedup_corpus(corpus: _Corpus, near_threshold: float, shingle: int, bands: int, rows: int
                  ) -> tuple[_Corpus, list[dict]]:
    keep, removed = _exact_pass(corpus)
    corpus = _subset(corpus, keep)
    keep, near = _near_pass(corpus, near_threshold, shingle, bands, rows)
    return _subset(corpus, keep), removed + near


def deduplicate(questions: Iterable[QuestionRecord], *, near_threshold: float = 0.8, shingle: int = 5,
                bands: int = 20, rows: int = 5) -> tuple[list[QuestionRecord], list[dict]]:
    """Remove exact, then near, duplicates; returns (kept questions in id order, removals).

    Exact: the same normalized text, whatever the gold (a conflicting gold is named in the reason).
    Near: word ``shingle``-grams, MinHash with ``bands * rows`` permutations and LSH banding (the
    band threshold ``(1/bands)**(1/rows)`` ~ 0.55 by default sits well under ``near_threshold``, so a
    true 0.8 pair collides with probability > 0.999), every candidate pair confirmed with the exact
    Jaccard ``>= near_threshold``. The first question by id is kept. A short question's one-word
    edit changes a large share of its shingles, so near-dup removal effectively applies to long
    questions only; short ones are covered by the exact pass.
    """
    kept, removed = _dedup_corpus(_Corpus.build(questions), near_threshold, shingle, bands, rows)
    return kept.records, removed


# ----------------------------------------------------------------------------------------------
# Decontamination
# ----------------------------------------------------------------------------------------------
def _lookup(table: np.ndarray, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``needles`` are in the sorted hash array ``table``: (positions in needles, slots in table).

    A bitmap over the hashes' low bits answers "certainly absent" for almost every needle with one
    memory read, so the binary search runs only on the few that may match - a plain searchsorted of
    15M needles into a table of millions is cache-miss bound and several times slower.
    """
    if not len(table) or not len(needles):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    bits = int(min(26, max(10, np.ceil(np.log2(len(table))) + 5)))  # ~32 bitmap cells per entry
    mask = _U64((1 << bits) - 1)
    bitmap = np.zeros(1 << bits, bool)
    bitmap[(table & mask).astype(np.intp)] = True
    maybe = np.flatnonzero(bitmap[(needles & mask).astype(np.intp)])
    slot = np.minimum(np.searchsorted(table, needles[maybe]), len(table) - 1)
    found = table[slot] == needles[maybe]
    return maybe[found], slot[found]


_TEMPLATE_GRAM = 8  # words of the shorter window used to spot template text inside an n-gram


def _template_words(corpus: _Corpus, evals: _Corpus, starts: np.ndarray, n: int, max_df: int) -> np.ndarray:
    """For each n-gram window starting at ``starts`` (corpus word positions): how many of its words
    are template text, i.e. lie inside an 8-word window that occurs more than ``max_df`` times in the
    pool and the evals together (exam phrasing such as "which of the following is the most
    appropriate next step in management" is in thousands of questions; a leaked question in two).

    Only the 8-grams around the given windows are looked up, so the cost is one 8-gram pass over
    both corpora plus a binary search per position, whatever the number of windows.
    """
    k = min(_TEMPLATE_GRAM, n)
    c_hash, _, c_start = corpus.windows(k)
    e_hash = evals.windows(k)[0]
    # Every k-gram that can cover a word of a window starts between start-(k-1) and start+n-1.
    around = starts[:, None] + np.arange(-(k - 1), n)
    idx = np.minimum(np.searchsorted(c_start, around), len(c_start) - 1)
    exists = c_start[idx] == around
    wanted = np.unique(c_hash[idx[exists]])
    count = np.zeros(len(wanted), np.int64)
    for hashes in (c_hash, e_hash):  # occurrences of the wanted k-grams in each corpus
        count += np.bincount(_lookup(wanted, hashes)[1], minlength=len(wanted))
    frequent = exists & (count[np.searchsorted(wanted, c_hash[idx])] > max_df)
    # Word t of a window is covered when a frequent k-gram starts in columns t .. t+k-1.
    covered = np.concatenate([np.zeros((len(starts), 1), np.int64), np.cumsum(frequent, axis=1)], axis=1)
    return ((covered[:, k : k + n] - covered[:, :n]) > 0).sum(axis=1)


def _decontaminate_corpus(corpus: _Corpus, evals: _Corpus, n: int, min_overlap: int,
                          short_question_words: int, max_df: int | None) -> tuple[_Corpus, list[dict]]:
    """The pool without contaminated questions, and the removals."""
    n_docs = len(corpus.records)
    reasons: dict[int, str] = {}

    # 1. Exact normalized text, any length (the only test for short questions).
    first_eval: dict[str, int] = {}
    for j, text in enumerate(evals.texts):
        first_eval.setdefault(text, j)
    for i, text in enumerate(corpus.texts):
        j = first_eval.get(text) if text else None
        if j is not None:
            e = evals.records[j]
            reasons[i] = f"contaminated:{e.source}/{e.id} (exact match)"

    # 2. Word n-grams, long questions on both sides only (see decontaminate's docstring).
    long_words = max(n, short_question_words)
    e_hash, e_doc, _ = evals.windows(n)
    keep_e = evals.lengths[e_doc] >= long_words
    e_hash, e_doc = e_hash[keep_e], e_doc[keep_e]
    t_hash, t_doc, t_start = corpus.windows(n)
    if len(e_hash) and len(t_hash):
        # Eval table: each distinct n-gram and the first eval question (id order) holding it.
        order = np.lexsort((e_doc, e_hash))
        e_hash, e_doc = e_hash[order], e_doc[order]
        first = np.concatenate([[True], e_hash[1:] != e_hash[:-1]])
        table, table_doc = e_hash[first], e_doc[first]

        at, slot = _lookup(table, t_hash)
        long_train = corpus.lengths[t_doc[at]] >= long_words
        slot, doc, start = slot[long_train], t_doc[at][long_train], t_start[at][long_train]
        if len(slot) and max_df is not None:
            # A shared n-gram that is mostly template text says "same exam format", not "copied":
            # it counts only when at least half its words are not template.
            informative = n - _template_words(corpus, evals, start, n, max_df) >= (n + 1) // 2
            slot, doc = slot[informative], doc[informative]
        if len(slot):
            # Distinct (train doc, eval doc, n-gram) triples -> shared n-grams per (train, eval) pair.
            triples = np.unique(np.stack([doc, table_doc[slot], slot], axis=1), axis=0)
            pairs, shared = np.unique(triples[:, :2], axis=0, return_counts=True)
            per_doc = np.bincount(pairs[:, 0], weights=shared, minlength=n_docs)
            # Cite the eval question sharing the most n-grams (ties: the first by id).
            best = pairs[np.lexsort((pairs[:, 1], -shared, pairs[:, 0]))]
            best = best[np.concatenate([[True], best[1:, 0] != best[:-1, 0]])]
            for i, e_idx in best.tolist():
                if per_doc[i] >= min_overlap and i not in reasons:
                    e = evals.records[e_idx]
                    reasons[i] = f"contaminated:{e.source}/{e.id} ({n}-gram overlap)"

    keep = np.ones(n_docs, bool)
    removed = []
    for i in sorted(reasons):
        keep[i] = False
        removed.append(_removal(corpus.records[i], reasons[i]))
    return _subset(corpus, keep), removed


def decontaminate(questions: Iterable[QuestionRecord], eval_questions: Iterable[QuestionRecord], *,
                  n: int = 13, min_overlap: int = 1, short_question_words: int = 20,
                  max_df: int | None = 10) -> tuple[list[QuestionRecord], list[dict]]:
    """Remove pool questions that leak an eval question; returns (kept questions in id order, removals).

    A question is contaminated when its normalized text equals an eval question's (any length), or
    when it shares at least ``min_overlap`` word ``n``-grams with eval questions.

    The n-gram test applies only where both questions have at least ``max(n, short_question_words)``
    words; shorter ones are matched on their exact normalized text alone. Below ``n`` words there is
    no n-gram at all; and in a question of barely more than n words (rendered options included) one
    13-gram is most of the question, often template plus options ("which of the following is not a
    feature of ... a ... b ..."), so an overlap there says "same topic and format", not "copied".
    A verbatim short copy is still caught by the exact test.

    ``max_df`` guards against template text: a word is *template* when it lies in an 8-word
    window found more than ``max_df`` times in the pool and the evals together ("which of the
    following is the most appropriate next step in management", "which of the following is not a
    feature of"), and a shared n-gram counts only when at least half its words are not template.
    Without it, one varying word next to a 12-word exam template makes a 13-gram that unrelated
    questions share. A leaked question occurs twice (its eval copy and the pool copy), far below
    the threshold - so run this after deduplication (``clean_pool`` does), or a question copied
    many times into the pool would look like template. ``None`` counts every n-gram.
    """
    kept, removed = _decontaminate_corpus(_Corpus.build(questions), _Corpus.build(eval_questions),
                                          n, min_overlap, short_question_words, max_df)
    return kept.records, removed


def eval_questions_from_registry(names: list[str] | None = None) -> list[QuestionRecord]:
    """Every eval split of the registry (or of the sources ``names``), loaded with ``load_questions``.

    A split that cannot be loaded raises ``SourceLoadError``: releasing a pool that was silently not
    decontaminated against one benchmark is worse than a failed build. Quarantined eval rows (no
    usable gold) are not returned - without a gold there is no ``QuestionRecord`` to compare.
    """
    from builders import sources  # module attribute lookup, so tests can substitute load_questions

    chosen = list(sources.REGISTRY) if names is None else names
    questions: list[QuestionRecord] = []
    for name in chosen:
        source = sources.get_source(name)
        if source.eval_split:
            records, _quarantined = sources.load_questions(name, source.eval_split)
            questions.extend(records)
    return _sorted(questions)


# ----------------------------------------------------------------------------------------------
# Both passes, with the report
# ----------------------------------------------------------------------------------------------
_DEDUP_KWARGS = {"near_threshold": 0.8, "shingle": 5, "bands": 20, "rows": 5}
_DECONTAM_KWARGS = {"n": 13, "min_overlap": 1, "short_question_words": 20, "max_df": 10}


def clean_pool(questions: Iterable[QuestionRecord], eval_questions: Iterable[QuestionRecord], **kwargs
               ) -> tuple[list[QuestionRecord], HygieneReport]:
    """Deduplicate, then decontaminate; returns (kept questions in id order, the report).

    ``kwargs`` are those of ``deduplicate`` and ``decontaminate``; an unknown one is a TypeError.
    """
    unknown = set(kwargs) - set(_DEDUP_KWARGS) - set(_DECONTAM_KWARGS)
    if unknown:
        raise TypeError(f"clean_pool: unknown settings {sorted(unknown)}")
    settings = {**_DEDUP_KWARGS, **_DECONTAM_KWARGS, **kwargs}
    corpus = _Corpus.build(questions)
    evals = _Corpus.build(eval_questions)
    deduped, dup_removed = _dedup_corpus(corpus, *(settings[k] for k in _DEDUP_KWARGS))
    kept, cont_removed = _decontaminate_corpus(deduped, evals, *(settings[k] for k in _DECONTAM_KWARGS))
    removed = dup_removed + cont_removed
    return kept.records, _report(corpus.records, kept.records, removed, len(evals.records), settings)


def _report(inputs: list[QuestionRecord], kept: list[QuestionRecord], removed: list[dict],
            n_eval: int, settings: dict) -> HygieneReport:
    kinds = [_reason_kind(r["reason"]) for r in removed]
    by_source: dict[str, dict[str, int]] = {}
    for q in inputs:
        row = by_source.setdefault(q.source, dict.fromkeys(("input", *_COUNT_KEYS.values(), "kept"), 0))
        row["input"] += 1
    for q in kept:
        by_source[q.source]["kept"] += 1
    against: dict[str, int] = {}
    for r, kind in zip(removed, kinds):
        by_source[r["source"]][_COUNT_KEYS[kind]] += 1
        if kind == "contaminated":  # "contaminated:<eval source>/<eval id> (...)"
            src = r["reason"].split(":", 1)[1].split("/", 1)[0]
            against[src] = against.get(src, 0) + 1
    return HygieneReport(
        exact_duplicates=kinds.count("exact_duplicate"),
        near_duplicates=kinds.count("near_duplicate"),
        contaminated=kinds.count("contaminated"),
        removed=removed,
        by_source=dict(sorted(by_source.items())),
        input=len(inputs),
        kept=len(kept),
        conflicting_golds=sum("conflicting gold" in r["reason"] for r in removed),
        contaminated_by_eval_source=dict(sorted(against.items())),
        eval_questions=n_eval,
        settings=settings,
    )
