"""Benchmark pool hygiene at paper scale: 283k questions against a 20k-question eval set.

The pool is synthetic but shaped like the real one: MedMCQA-like short stems with four rendered
options dominate (183k of 283k), MedQA-like long vignettes, and mid-length questions, all drawn
from a Zipf-distributed vocabulary and sharing exam boilerplate ("Which of the following is the
most likely diagnosis?"), so template text is everywhere, as in the real benchmarks. Planted:

* ~1% exact duplicates - a copy with case, spacing and punctuation changed;
* ~1% near duplicates - a copy of a long question (>= 60 words) with one word replaced;
* ~0.5% contaminated - an eval question embedded in a longer text (13-gram test), or a short eval
  question copied verbatim up to case and punctuation (exact test).

It times ``deduplicate`` and ``decontaminate`` separately, prints what each found against what was
planted (recall) and any unplanted removal (false positives), the rate in questions/s, and how the
near-duplicate pass (MinHash + LSH + verification) compares with the exact pass on the same data.

    .venv/bin/python scripts/bench_hygiene.py            # 283k pool, 20k evals
    .venv/bin/python scripts/bench_hygiene.py --n 20000  # smaller run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builders import hygiene  # noqa: E402
from builders.contract import OPTION_LETTERS, QuestionRecord, render_choices  # noqa: E402

TEMPLATES = (
    "Which of the following is the most likely diagnosis?",
    "Which of the following is the most appropriate next step in management?",
    "All of the following are true except:",
    "Which of the following is not a feature of",
    "Drug of choice for",
    "Most common site of",
)


class Synth:
    """Random question text from a Zipf vocabulary (deterministic for a seed)."""

    def __init__(self, seed: int, vocab_size: int = 40000):
        self.rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        sizes = self.rng.integers(3, 11, vocab_size)
        self.vocab = ["".join(self.rng.choice(letters, s)) for s in sizes]
        # Zipf-like with a flattened head: the very top of a real vocabulary is function words that
        # the templates already supply; content words (diseases, drugs) are far less concentrated.
        weights = 1.0 / (np.arange(1, vocab_size + 1) + 30.0)
        # Draw word indices in large batches: one weighted draw per call would dominate the run.
        self._cdf = np.cumsum(weights / weights.sum())
        self._stream = np.empty(0, np.int64)

    def words(self, count: int) -> list[str]:
        if len(self._stream) < count:
            fresh = np.searchsorted(self._cdf, self.rng.random(1 << 20) * self._cdf[-1])
            self._stream = np.concatenate([self._stream, fresh])
        drawn, self._stream = self._stream[:count], self._stream[count:]
        return [self.vocab[i] for i in drawn.tolist()]

    def sentence(self, count: int) -> str:
        words = self.words(count)
        words[0] = words[0].capitalize()
        return " ".join(words)

    def question(self, kind: str) -> tuple[str, list[str]]:
        """(stem, options): "short" MedMCQA-like, "long" vignette, "mid" anything in between."""
        rng = self.rng
        if kind == "short":
            stem = f"{self.sentence(int(rng.integers(2, 22)))} {TEMPLATES[rng.integers(2, 6)]} " \
                   f"{self.sentence(int(rng.integers(1, 4)))}?"
            options = [self.sentence(int(rng.integers(1, 5))) for _ in range(4)]
        elif kind == "long":
            sentences = [self.sentence(int(rng.integers(8, 20))) + "." for _ in range(int(rng.integers(6, 14)))]
            stem = " ".join(sentences) + " " + TEMPLATES[rng.integers(0, 2)]
            options = [self.sentence(int(rng.integers(1, 5))) for _ in range(4)]
        else:
            stem = " ".join(self.sentence(int(rng.integers(8, 18))) + "." for _ in range(int(rng.integers(2, 6))))
            options = [self.sentence(int(rng.integers(1, 6))) for _ in range(4)]
        return stem, options


def record(qid: str, source: str, split: str, stem: str, options: list[str], gold: int) -> QuestionRecord:
    return QuestionRecord(id=qid, source=source, split=split, domain="medical",
                          question=render_choices(stem, options), answer=OPTION_LETTERS[gold],
                          answer_type="letter", choices=options)


def perturb_surface(text: str, rng: np.random.Generator) -> str:
    """Same normalized text: case, spacing and punctuation changed."""
    text = text.upper() if rng.random() < 0.5 else text.lower()
    return "  " + text.replace(" ", "  ", 3).replace(".", " ;", 2) + " ?!"


def replace_one_word(text: str, rng: np.random.Generator, synth: Synth) -> str:
    words = text.split(" ")
    i = int(rng.integers(len(words) // 4, 3 * len(words) // 4))
    words[i] = "zz" + synth.words(1)[0]
    return " ".join(words)


def synthesize(n: int, n_eval: int, seed: int = 0):
    """(pool, evals, planted) with planted = {"exact"|"near"|"contaminated": {copy id: target id}}."""
    synth = Synth(seed)
    rng = synth.rng
    mix = [("medmcqa", "short", 183 / 283), ("medqa", "long", 40 / 283), ("mixed", "mid", 60 / 283)]

    def make(i: int, split: str) -> QuestionRecord:
        source, kind, _ = mix[int(rng.choice(3, p=[m[2] for m in mix]))]
        stem, options = synth.question(kind)
        return record(f"{source}-{split}-{i:07d}", source if split == "train" else f"eval_{source}", split,
                      stem, options, int(rng.integers(0, 4)))

    evals = [make(i, "test") for i in range(n_eval)]
    n_exact, n_near, n_cont = round(0.01 * n), round(0.01 * n), round(0.005 * n)
    base = [make(i, "train") for i in range(n - n_exact - n_near - n_cont)]
    planted: dict[str, dict[str, str]] = {"exact": {}, "near": {}, "contaminated": {}}
    extra = []
    for k, target in enumerate(rng.choice(len(base), n_exact, replace=False).tolist()):
        t = base[target]
        extra.append(QuestionRecord(**{**t.to_dict(), "id": f"dupx-{k:06d}", "question": perturb_surface(t.question, rng)}))
        planted["exact"][extra[-1].id] = t.id
    # Near copies get targets of their own, so each planted pair is checked on its own (a question
    # with both an exact and a near copy is found through the exact copy, and would blur recall).
    exact_targets = set(planted["exact"].values())
    long_ones = [i for i, q in enumerate(base) if len(q.question.split()) >= 60 and q.id not in exact_targets]
    for k, target in enumerate(rng.choice(long_ones, n_near, replace=False).tolist()):
        t = base[target]
        extra.append(QuestionRecord(**{**t.to_dict(), "id": f"dupn-{k:06d}",
                                       "question": replace_one_word(t.question, rng, synth)}))
        planted["near"][extra[-1].id] = t.id
    long_evals = [q for q in evals if len(hygiene.normalize_text(q.question).split()) >= 20]
    short_evals = [q for q in evals if len(hygiene.normalize_text(q.question).split()) < 20]
    # Each planted copy targets its own eval question (two copies of one would also be exact
    # duplicates of each other, and would be counted there).
    n_short = min(n_cont // 4, len(short_evals))
    targets = [short_evals[i] for i in rng.choice(len(short_evals), n_short, replace=False)] + \
              [long_evals[i] for i in rng.choice(len(long_evals), n_cont - n_short, replace=False)]
    for k, e in enumerate(targets):
        if k < n_short:  # a verbatim copy of a short eval question
            copy = QuestionRecord(**{**e.to_dict(), "id": f"cont-exact-{k:06d}", "source": "medmcqa", "split": "train",
                                     "question": perturb_surface(e.question, rng)})
        else:  # an eval question inside a longer text, with options of its own
            copy = record(f"cont-embed-{k:06d}", "medmcqa", "train",
                          f"{synth.sentence(12)}. {e.question}\n{synth.sentence(8)}.", ["x", "y", "z", "w"], 0)
        extra.append(copy)
        planted["contaminated"][copy.id] = e.id
    pool = base + extra
    rng.shuffle(pool)  # input order must not matter
    return pool, evals, planted


def recall(planted: dict[str, str], removed: list[dict], prefix: str) -> tuple[int, int]:
    """(found, planted): a planted pair counts when either side was removed citing the other."""
    found = 0
    by_id = {r["id"]: r["reason"] for r in removed if r["reason"].startswith(prefix)}
    for copy, target in planted.items():
        if target in by_id.get(copy, "") or copy in by_id.get(target, ""):
            found += 1
    return found, len(planted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=283_000, help="pool size (default: paper scale, 283k)")
    parser.add_argument("--n-eval", type=int, default=20_000, help="eval questions (default 20k)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    pool, evals, planted = synthesize(args.n, args.n_eval, args.seed)
    chars = np.array([len(q.question) for q in pool])
    print(f"synthesized {len(pool):,} pool + {len(evals):,} eval questions in {time.perf_counter() - t0:.1f}s; "
          f"question chars min/median/mean/max = {chars.min()}/{int(np.median(chars))}/{chars.mean():.0f}/{chars.max()}")
    embedded = sum(k.startswith("cont-embed") for k in planted["contaminated"])
    print(f"planted contamination: {embedded} eval questions embedded in longer text (13-gram test), "
          f"{len(planted['contaminated']) - embedded} short ones copied up to case/punctuation (exact test)")

    t0 = time.perf_counter()
    deduped, dup_removed = hygiene.deduplicate(pool)
    t_dedup = time.perf_counter() - t0
    t0 = time.perf_counter()
    kept, cont_removed = hygiene.decontaminate(deduped, evals)
    t_decont = time.perf_counter() - t0

    planted_ids = {k for p in planted.values() for pair in p.items() for k in pair}
    rows = [
        ("exact duplicates", *recall(planted["exact"], dup_removed, "exact_duplicate"),
         sum(r["reason"].startswith("exact") for r in dup_removed)),
        ("near duplicates", *recall(planted["near"], dup_removed, "near_duplicate"),
         sum(r["reason"].startswith("near") for r in dup_removed)),
        ("contaminated", *recall(planted["contaminated"], cont_removed, "contaminated"), len(cont_removed)),
    ]
    print(f"\n{'kind':<18}{'planted':>9}{'found':>9}{'recall':>9}{'removed':>9}")
    for name, found, n_planted, n_removed in rows:
        print(f"{name:<18}{n_planted:>9}{found:>9}{found / max(n_planted, 1):>9.1%}{n_removed:>9}")
    unplanted = [r for r in dup_removed + cont_removed if r["id"] not in planted_ids]
    print(f"unplanted removals (false positives): {len(unplanted)}" + (f"  e.g. {unplanted[:3]}" if unplanted else ""))

    print(f"\ndeduplicate   {t_dedup:7.1f}s  {len(pool) / t_dedup:>9,.0f} questions/s")
    print(f"decontaminate {t_decont:7.1f}s  {len(deduped) / t_decont:>9,.0f} questions/s  (vs {len(evals):,} evals)")
    print(f"total         {t_dedup + t_decont:7.1f}s  {len(pool) / (t_dedup + t_decont):>9,.0f} questions/s")

    # What the builder calls: both passes over one normalization of the pool.
    t0 = time.perf_counter()
    cleaned, report = hygiene.clean_pool(pool, evals)
    t_clean = time.perf_counter() - t0
    same = [q.id for q in cleaned] == [q.id for q in kept]
    print(f"clean_pool    {t_clean:7.1f}s  {len(pool) / t_clean:>9,.0f} questions/s  "
          f"(kept {report.kept:,}: {report.exact_duplicates} exact, {report.near_duplicates} near, "
          f"{report.contaminated} contaminated; same result as the two calls: {same})")

    # Where deduplicate's time goes, on the same data: the exact pass vs the MinHash/LSH pass.
    t0 = time.perf_counter()
    corpus = hygiene._Corpus.build(pool)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    keep, _ = hygiene._exact_pass(corpus)
    t_exact = time.perf_counter() - t0
    survivors = hygiene._subset(corpus, keep)
    t0 = time.perf_counter()
    hygiene._near_pass(survivors, 0.8, 5, 20, 5)
    t_near = time.perf_counter() - t0
    print(f"\nstages: normalize+encode {t_build:.1f}s | exact pass {t_exact:.2f}s | "
          f"near pass (shingles+MinHash+LSH+verify) {t_near:.1f}s")
    print(f"near/exact ratio: {t_near / t_exact:.0f}x the exact pass; "
          f"{t_near / (t_build + t_exact):.2f}x normalize+exact together")


if __name__ == "__main__":
    main()
