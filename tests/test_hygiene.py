"""Pool hygiene: exact and near-duplicate removal, decontamination against eval splits, the report.

Questions are built from a seeded pseudo-vocabulary, so two "different" questions share no long
word run by accident, and the planted overlaps are the only ones.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from builders import hygiene
from builders.contract import QuestionRecord, render_choices
from builders.hygiene import (
    HygieneReport,
    clean_pool,
    decontaminate,
    deduplicate,
    eval_questions_from_registry,
    ngrams,
    normalize_text,
)

SYLLABLES = ("ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bi", "do", "fe", "gu", "ha")
TEMPLATE = "Which of the following is the most appropriate next step in management?"


def words(seed: int, count: int) -> str:
    """``count`` pseudo-words, deterministic for ``seed`` (a vocabulary of 15**3 words)."""
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(count))


def q(qid: str, text: str, answer: str = "A", source: str = "medqa", split: str = "train",
      options: list[str] | None = None) -> QuestionRecord:
    options = options if options is not None else ["Aspirin", "Heparin", "Warfarin", "Observation"]
    return QuestionRecord(id=qid, source=source, split=split, domain="medical",
                          question=render_choices(text, options), answer=answer, answer_type="letter",
                          choices=options)


def removed_ids(removed: list[dict]) -> dict[str, str]:
    return {r["id"]: r["reason"] for r in removed}


# ----------------------------------------------------------------------------------------------
# Normalization and hashing
# ----------------------------------------------------------------------------------------------
def test_normalize_text_folds_case_spacing_punctuation_and_unicode():
    assert normalize_text("  What IS the  drug,\tof choice?!\n") == "what is the drug of choice"
    assert normalize_text("ＡＢＣ ﬁne café") == normalize_text("abc fine CAFÉ")  # NFKC + casefold
    # Options stay: two questions with one stem and different options normalize differently.
    assert normalize_text(render_choices("Pick one.", ["Aspirin", "Heparin"])) == "pick one a aspirin b heparin"
    # Math operators are tokens: 3+2 and 3-2 are different questions.
    assert normalize_text("What is 3+2?") == "what is 3 + 2"
    assert normalize_text("What is 3+2?") != normalize_text("What is 3-2?")
    assert normalize_text("x − y × z") == "x - y * z"


def test_ngrams_are_word_ngrams_of_the_normalized_text_and_stable_across_processes():
    text = words(1, 30)
    grams = ngrams(text, 13)
    assert len(grams) == 30 - 13 + 1
    assert ngrams(text.upper() + " !!", 13) == grams  # normalized first
    assert ngrams(words(1, 12), 13) == set()  # under n words: no n-gram at all
    assert ngrams(text, 5) != grams
    # Python's hash() is salted per process; ours must not be.
    code = f"from builders.hygiene import ngrams; print(sorted(ngrams({text!r}, 13))[:3])"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{sorted(grams)[:3]}\n"}


# ----------------------------------------------------------------------------------------------
# Deduplication
# ----------------------------------------------------------------------------------------------
def test_exact_duplicates_with_case_spacing_and_punctuation_variants_are_removed_with_reason():
    stem = "Drug of choice for absence seizures in children"
    pool = [
        q("q1", stem + "?"),
        q("q2", "  DRUG of choice, for absence seizures in   children!!"),
        q("q3", "drug of choice for absence seizures in children", answer="B"),  # conflicting gold
        q("q4", "Drug of choice for status epilepticus in children?"),
    ]
    kept, removed = deduplicate(pool)
    assert [k.id for k in kept] == ["q1", "q4"]
    reasons = removed_ids(removed)
    assert reasons["q2"] == "exact_duplicate_of:q1"
    assert reasons["q3"].startswith("exact_duplicate_of:q1 (conflicting gold: 'B' vs kept 'A')")
    assert all(r["source"] == "medqa" for r in removed)


def test_near_duplicate_one_word_changed_in_a_long_question_is_removed():
    text = words(2, 80)
    edited = text.split()
    edited[40] = "changedword"
    pool = [q("a1", text), q("a2", " ".join(edited)), q("a3", words(3, 80))]
    kept, removed = deduplicate(pool)
    assert [k.id for k in kept] == ["a1", "a3"]
    (only,) = removed
    assert only["id"] == "a2"
    assert only["reason"].startswith("near_duplicate_of:a1 (jaccard=0.")
    jaccard = float(only["reason"].split("jaccard=")[1].rstrip(")"))
    assert 0.8 <= jaccard < 1


def test_different_questions_sharing_boilerplate_are_kept():
    # A long shared vignette frame and the same template, but a different case in the middle.
    frame = "A patient presents to the emergency department with acute pain. Vital signs are normal."
    pool = [q(f"b{i}", f"{frame} {words(10 + i, 35)} {TEMPLATE}") for i in range(6)]
    kept, removed = deduplicate(pool)
    assert removed == []
    assert len(kept) == 6


def test_same_stem_with_different_options_is_kept():
    stem = "Which vitamin deficiency causes night blindness?"
    pool = [q("c1", stem, options=["Vitamin A", "Vitamin B12", "Vitamin C", "Vitamin D"]),
            q("c2", stem, options=["Vitamin K", "Vitamin E", "Vitamin A", "Niacin"], answer="C")]
    kept, removed = deduplicate(pool)
    assert [k.id for k in kept] == ["c1", "c2"] and removed == []


def test_near_duplicates_are_removed_exactly_when_their_jaccard_reaches_the_threshold():
    # 40 originals of 60-177 words, each with a copy that has one or two words changed: the LSH
    # stage must find every pair at or above 0.8 (exact shingle Jaccard), and none below is removed.
    pool, above, below = [], {}, set()
    for i in range(40):
        text = words(100 + i, 60 + i * 3).split()
        copy = list(text)
        copy[len(copy) // 2] = "editedword"
        if i % 2:
            copy[len(copy) // 3] = "anotheredit"
        original, edited = q(f"a-orig{i:03d}", " ".join(text)), q(f"b-copy{i:03d}", " ".join(copy))
        pool += [original, edited]  # ids sort the original first: it is the one kept
        a, b = ngrams(original.question, 5), ngrams(edited.question, 5)
        if len(a & b) / len(a | b) >= 0.8:
            above[edited.id] = original.id
        else:
            below.add(edited.id)
    assert len(above) >= 30 and below  # both sides of the threshold are exercised
    kept, removed = deduplicate(pool)
    reasons = removed_ids(removed)
    assert set(reasons) == set(above)
    assert all(reasons[c].startswith(f"near_duplicate_of:{o} ") for c, o in above.items())


def test_a_near_duplicate_is_removed_only_against_a_kept_question():
    # n1 ~ n2 ~ n3 in a chain; n3 is not near n1. n2 goes (near n1); n3 stays, because the only
    # question it is near to (n2) was removed - every reason names a question still in the pool.
    base = words(7, 60).split()
    n2 = list(base)
    for i in (10, 30, 50):
        n2[i] = f"edit{i}"
    n3 = list(n2)
    for i in (5, 20, 40):
        n3[i] = f"more{i}"
    kept, removed = deduplicate([q("n1", " ".join(base)), q("n2", " ".join(n2)), q("n3", " ".join(n3))],
                                near_threshold=0.6)
    kept_ids = {k.id for k in kept}
    assert "n1" in kept_ids and "n2" not in kept_ids
    for r in removed:
        assert r["reason"].split(":", 1)[1].split(" ")[0] in kept_ids


# ----------------------------------------------------------------------------------------------
# Decontamination
# ----------------------------------------------------------------------------------------------
def test_train_question_embedding_an_eval_question_is_contaminated_by_13gram_overlap():
    eval_q = q("mmlu-test-1", words(20, 40), source="mmlu_medical", split="test")
    leaked = q("t1", f"{words(21, 25)}. Consider this: {words(20, 40)} Now answer. {words(22, 10)}")
    clean = q("t2", words(23, 60))
    kept, removed = decontaminate([leaked, clean], [eval_q])
    assert [k.id for k in kept] == ["t2"]
    assert removed == [{"id": "t1", "source": "medqa",
                        "reason": "contaminated:mmlu_medical/mmlu-test-1 (13-gram overlap)"}]


def test_a_short_question_is_matched_by_exact_normalized_text_only():
    short_eval = q("e-short", "Most common site of carcinoid tumor?", source="medmcqa", split="validation")
    copy = q("t-copy", "MOST common site of carcinoid tumor")  # same normalized text, same options
    # 16 words with options: shorter than short_question_words, so its n-grams are not compared.
    fragment_eval = q("e-long", f"{words(30, 25)} most common site of carcinoid tumor {words(31, 10)}",
                      source="medmcqa", split="validation")
    kept, removed = decontaminate([copy, q("t-other", "Most common site of gastrinoma?")],
                                  [short_eval, fragment_eval])
    assert [k.id for k in kept] == ["t-other"]
    assert removed_ids(removed) == {"t-copy": "contaminated:medmcqa/e-short (exact match)"}


def test_same_topic_different_question_is_not_contaminated():
    # Same patient, drug names and options; shared phrases, but no 13-word run in common.
    eval_q = q("e1", "A 60-year-old man with diabetes has kidney disease. His creatinine is rising on metformin. "
                     f"{words(40, 20)} Which drug should be stopped first?", source="medqa", split="test")
    train = q("t1", "A 60-year-old woman with diabetes has kidney disease and takes metformin daily. "
                    f"{words(41, 20)} Which drug is safest to start?")
    kept, removed = decontaminate([train], [eval_q])
    assert removed == [] and [k.id for k in kept] == ["t1"]


def test_a_13gram_that_is_mostly_exam_template_does_not_count():
    # "<one word> + the 12-word template" is a 13-gram unrelated questions share; the template is in
    # many pool questions, so it is recognised as template text and ignored.
    pool = [q(f"p{i:02d}", f"{words(50 + i, 40)} finally {TEMPLATE}") for i in range(15)]
    eval_q = q("e1", f"{words(90, 40)} finally {TEMPLATE}", source="medqa", split="test")
    kept, removed = decontaminate(pool, [eval_q])
    assert removed == [] and len(kept) == 15
    # Without the template guard the shared 13-gram would count for every one of them.
    _, removed = decontaminate(pool, [eval_q], max_df=None)
    assert len(removed) == 15


def test_min_overlap_and_n_are_honoured():
    eval_q = q("e1", words(60, 40), source="gsm8k", split="test")
    # The train question shares exactly one 13-word run with the eval question.
    train = q("t1", f"{words(61, 20)} {' '.join(words(60, 40).split()[5:18])} {words(62, 20)}")
    assert len(decontaminate([train], [eval_q])[1]) == 1
    assert decontaminate([train], [eval_q], min_overlap=2)[1] == []
    assert decontaminate([train], [eval_q], n=14)[1] == []


# ----------------------------------------------------------------------------------------------
# Determinism, the report, the registry
# ----------------------------------------------------------------------------------------------
def _mixed_pool() -> tuple[list[QuestionRecord], list[QuestionRecord]]:
    long_text = words(70, 70)
    near = long_text.split()
    near[35] = "tweak"
    evals = [q("ev-1", words(71, 40), source="medqa", split="test"),
             q("ev-2", "Name the vitamin.", source="medmcqa", split="validation")]
    pool = [
        q("medqa-1", long_text), q("medqa-2", " ".join(near)),
        q("medqa-3", f"{words(72, 15)} {words(71, 40)}"),  # leaks ev-1
        q("medmcqa-1", "Name the vitamin", source="medmcqa"),  # exact copy of ev-2
        q("medmcqa-2", "What is the antidote for heparin?", source="medmcqa"),
        q("medmcqa-3", "what is the ANTIDOTE for heparin", source="medmcqa"),
        QuestionRecord(id="gsm8k-1", source="gsm8k", split="train", domain="math", answer="5",
                       question="Tom has 3 apples and buys 2 more. How many?", answer_type="numeric"),
    ]
    return pool, evals


def test_results_do_not_depend_on_input_order():
    pool, evals = _mixed_pool()
    reference = clean_pool(pool, evals)
    for seed in range(5):
        shuffled_pool, shuffled_evals = list(pool), list(evals)
        random.Random(seed).shuffle(shuffled_pool)
        random.Random(seed).shuffle(shuffled_evals)
        kept, report = clean_pool(shuffled_pool, shuffled_evals)
        assert kept == reference[0]
        assert report.to_dict() == reference[1].to_dict()
    assert [k.id for k in reference[0]] == sorted(k.id for k in reference[0])


def test_clean_pool_report_counts_by_source():
    pool, evals = _mixed_pool()
    kept, report = clean_pool(pool, evals)
    assert isinstance(report, HygieneReport)
    assert [k.id for k in kept] == ["gsm8k-1", "medmcqa-2", "medqa-1"]
    assert (report.exact_duplicates, report.near_duplicates, report.contaminated) == (1, 1, 2)
    assert report.input == 7 and report.kept == 3 and report.eval_questions == 2
    assert report.by_source == {
        "gsm8k": {"input": 1, "exact_duplicates": 0, "near_duplicates": 0, "contaminated": 0, "kept": 1},
        "medmcqa": {"input": 3, "exact_duplicates": 1, "near_duplicates": 0, "contaminated": 1, "kept": 1},
        "medqa": {"input": 3, "exact_duplicates": 0, "near_duplicates": 1, "contaminated": 1, "kept": 1},
    }
    assert report.contaminated_by_eval_source == {"medmcqa": 1, "medqa": 1}
    reasons = removed_ids(report.removed)
    assert reasons == {
        "medmcqa-3": "exact_duplicate_of:medmcqa-2",
        "medqa-2": reasons["medqa-2"],
        "medmcqa-1": "contaminated:medmcqa/ev-2 (exact match)",
        "medqa-3": "contaminated:medqa/ev-1 (13-gram overlap)",
    }
    assert reasons["medqa-2"].startswith("near_duplicate_of:medqa-1 (jaccard=")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["settings"]["n"] == 13 and data["settings"]["near_threshold"] == 0.8
    with pytest.raises(TypeError, match="unknown settings"):
        clean_pool(pool, evals, ngram=13)


def test_chunked_vectorized_passes_match_a_single_chunk(monkeypatch):
    # The word-window passes run in document-aligned chunks; tiny chunks must change nothing.
    pool, evals = _mixed_pool()
    pool += [q(f"extra-{i}", words(200 + i, 30 + i)) for i in range(30)]
    reference = clean_pool(pool, evals)
    monkeypatch.setattr(hygiene, "_CHUNK_WORDS", 7)
    chunked = clean_pool(pool, evals)
    assert chunked[0] == reference[0] and chunked[1].to_dict() == reference[1].to_dict()


def test_eval_questions_from_registry_loads_every_eval_split(monkeypatch):
    from builders import sources

    calls = []

    def fake_load(name, split, **_):
        calls.append((name, split))
        return [q(f"{name}-{split}-0", f"{name} question", source=name, split=split)], []

    monkeypatch.setattr(sources, "load_questions", fake_load)
    questions = eval_questions_from_registry()
    expected = [(s.name, s.eval_split) for s in sources.REGISTRY.values() if s.eval_split]
    assert calls == expected
    assert ("svamp", "train") not in calls and all(split for _, split in calls)
    assert [x.id for x in questions] == sorted(x.id for x in questions)
    assert eval_questions_from_registry(["gsm8k", "svamp"])[0].source == "gsm8k"
    assert calls[-1] == ("gsm8k", "test")


def test_questions_without_any_word_are_not_duplicates_of_each_other():
    def plain(qid: str, text: str) -> QuestionRecord:
        return QuestionRecord(id=qid, source="gsm8k", split="train", domain="math", question=text,
                              answer="1", answer_type="numeric")

    pool = [plain("s1", "∫∫ ?"), plain("s2", "→ ← !"), plain("s3", "Real words here")]
    assert normalize_text(pool[0].question) == normalize_text(pool[1].question) == ""
    kept, removed = deduplicate(pool)
    assert len(kept) == 3 and removed == []
    assert decontaminate(pool, [plain("e1", "‽")])[1] == []


def test_empty_inputs():
    pool, _ = _mixed_pool()
    kept, report = clean_pool(pool, [])  # the builder passes no evals when decontamination is off
    assert report.contaminated == 0 and report.exact_duplicates == 1 and report.near_duplicates == 1
    kept, report = clean_pool([], [])
    assert kept == [] and report.input == report.kept == 0 and report.by_source == {}
    assert decontaminate(pool[:1], [])[0] == pool[:1]
