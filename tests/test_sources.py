"""The benchmark registry: Table 1 splits, row normalizers on real-schema fixture rows, bad rows.

These tests need no Hub: normalizers run on the fixture rows directly, ``load_questions`` runs on
rows handed to it (quarantine) or on fixture folders written to disk and read by ``datasets``.
``test_sources_hub.py`` loads the same fixtures through the Hub emulator.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from builders import sources
from builders.contract import OPTION_LETTERS, QuestionRecord, SourceRowError
from builders.offline.benchmark_fixtures import fixture_hub_ids, fixture_rows, write_benchmark_repo
from builders.sources import REGISTRY, SourceLoadError, get_source, load_questions, registry_table

# Paper Table 1 (train / eval splits) and the OOD sets (eval only): name -> (train, eval, role).
EXPECTED_SPLITS = {
    "gsm8k": ("train", "test", "train+eval"),
    "multiarith": ("train", "test", "train+eval"),
    "svamp": ("train", None, "train"),
    "aqua_rat": ("train", "test", "train+eval"),
    "arc_challenge": ("train", "test", "train+eval"),
    "gpqa_diamond": ("train", None, "train"),
    "commonsense_qa": ("train", "validation", "train+eval"),
    "medqa": ("train", "test", "train+eval"),
    "medmcqa": ("train", "validation", "train+eval"),
    "medexpqa": ("train", "test", "train+eval"),
    "mmlu_stem": ("dev", "test", "train+eval"),
    "mmlu_medical": ("dev", "test", "train+eval"),
    "hellaswag": (None, "validation", "eval"),
    "winogrande": (None, "validation", "eval"),
    "piqa": (None, "validation", "eval"),
    "arc_easy": (None, "test", "eval"),
    "boolq": (None, "validation", "eval"),
    "truthfulqa": (None, "validation", "eval"),
    "mmlu_humanities": (None, "test", "eval"),
    "mmlu_social_sciences": (None, "test", "eval"),
    "mmlu_other": (None, "test", "eval"),
}

# cais/mmlu test sizes of the subjects the Table 1 groups use (Table 1: 1,274 and 1,417).
MMLU_TEST_SIZES = {
    "astronomy": 152, "college_biology": 144, "college_chemistry": 100,
    "college_computer_science": 100, "college_mathematics": 100, "electrical_engineering": 145,
    "high_school_mathematics": 270, "high_school_physics": 151, "machine_learning": 112,
    "anatomy": 135, "clinical_knowledge": 265, "college_medicine": 173, "medical_genetics": 100,
    "professional_medicine": 272, "nutrition": 306, "virology": 166,
}  # fmt: skip

SOURCE_SPLITS = [(name, split) for name, source in REGISTRY.items() for split in source.splits]


def normalize_fixture(name: str, split: str) -> list[QuestionRecord]:
    """Every fixture row of a source split, normalized (configs in registry order)."""
    source = get_source(name)
    records = []
    for config in source.configs:
        for index, row in enumerate(fixture_rows(source.hub_id, config, split)):
            records.append(source.normalize(row, index, split))
    return records


# ----------------------------------------------------------------------------------------------
# The registry table
# ----------------------------------------------------------------------------------------------
def test_registry_table_lists_all_21_sources_with_table1_splits():
    table = registry_table()
    assert [row["name"] for row in table] == list(EXPECTED_SPLITS)
    for row in table:
        assert (row["train_split"], row["eval_split"], row["role"]) == EXPECTED_SPLITS[row["name"]], row
        assert set(row) == {"name", "hub_id", "config", "domain", "answer_type", "train_split", "eval_split", "role"}


def test_registry_uses_the_canonical_hub_repos_and_configs():
    table = {row["name"]: row for row in registry_table()}
    assert (table["gsm8k"]["hub_id"], table["gsm8k"]["config"]) == ("openai/gsm8k", "main")
    assert (table["arc_challenge"]["hub_id"], table["arc_challenge"]["config"]) == ("allenai/ai2_arc", "ARC-Challenge")
    assert (table["gpqa_diamond"]["hub_id"], table["gpqa_diamond"]["config"]) == ("Idavidrein/gpqa", "gpqa_diamond")
    assert table["mmlu_stem"]["config"].count(",") == 8  # nine subjects, comma-joined
    assert table["boolq"]["answer_type"] == "boolean"
    assert {table[n]["answer_type"] for n in ("gsm8k", "multiarith", "svamp")} == {"numeric"}


def test_domains_follow_the_paper_groups():
    domains = {name: source.domain for name, source in REGISTRY.items()}
    assert domains["mmlu_stem"] == "science" and domains["mmlu_medical"] == "medical"
    assert {domains[n] for n in ("hellaswag", "winogrande", "piqa", "arc_easy", "boolq", "truthfulqa")} == {"ood_reasoning"}
    assert {domains[n] for n in ("mmlu_humanities", "mmlu_social_sciences", "mmlu_other")} == {"ood_knowledge"}


def test_mmlu_groups_match_table1_sizes_and_do_not_overlap():
    stem, medical = get_source("mmlu_stem").configs, get_source("mmlu_medical").configs
    assert (len(stem), len(medical)) == (9, 7)  # dev 45 / 35 at 5 dev questions per subject
    assert sum(MMLU_TEST_SIZES[s] for s in stem) == 1274
    assert sum(MMLU_TEST_SIZES[s] for s in medical) == 1417
    groups = [get_source(n).configs for n in REGISTRY if n.startswith("mmlu_")]
    every = [subject for group in groups for subject in group]
    assert len(every) == len(set(every)), "an MMLU subject belongs to two groups"


def test_get_source_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="valid sources: gsm8k, multiarith"):
        get_source("gsm8K")


def test_every_registry_repo_has_a_fixture():
    assert {source.hub_id for source in REGISTRY.values()} == set(fixture_hub_ids())


# ----------------------------------------------------------------------------------------------
# Normalizers on the real-schema fixture rows
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,split", SOURCE_SPLITS)
def test_normalizer_turns_every_fixture_row_into_a_contract_record(name, split):
    source = get_source(name)
    records = normalize_fixture(name, split)
    assert records, f"{name}/{split}: the fixture has no rows"
    for record in records:
        assert (record.source, record.split, record.domain, record.answer_type) == (
            name, split, source.domain, source.answer_type)
        assert record.question.strip() and record.id.startswith(f"{name}-{split}-")
        if source.answer_type == "letter":
            assert record.choices and record.answer in OPTION_LETTERS[: len(record.choices)]
            for letter, choice in zip(OPTION_LETTERS, record.choices):
                assert f"\n{letter}. {choice}" in record.question  # options rendered with letters
        elif source.answer_type == "numeric":
            assert record.choices is None and str(Decimal(record.answer)) == record.answer
        else:
            assert record.answer in ("yes", "no")
    assert len({r.id for r in records}) == len(records), "two rows share an id"


@pytest.mark.parametrize("name,split", SOURCE_SPLITS)
def test_ids_are_stable_across_loads(name, split):
    first, second = normalize_fixture(name, split), normalize_fixture(name, split)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in second]


def test_ids_use_the_native_id_when_the_dataset_has_one():
    arc = normalize_fixture("arc_challenge", "train")[0]
    assert arc.id == sources.stable_id("arc_challenge", "train", "Mercury_7001001", None)
    gpqa = normalize_fixture("gpqa_diamond", "train")[0]
    assert gpqa.id == sources.stable_id("gpqa_diamond", "train", "recA1b2C3d4E5f6G7h", None)


def test_gpqa_options_are_shuffled_deterministically_and_gold_is_the_correct_answer():
    rows = fixture_rows("Idavidrein/gpqa", "gpqa_diamond", "train")
    records = normalize_fixture("gpqa_diamond", "train")
    assert len({r.answer for r in records}) > 1, "the GPQA gold letter is always the same"
    for row, record in zip(rows, records):
        assert record.choices[OPTION_LETTERS.index(record.answer)] == row["Correct Answer"]
        assert sorted(record.choices) == sorted([row["Correct Answer"]] + [row[f"Incorrect Answer {i}"] for i in (1, 2, 3)])


def test_truthfulqa_gold_is_the_mc1_correct_choice_not_always_a():
    rows = fixture_rows("truthfulqa/truthful_qa", "multiple_choice", "validation")
    records = normalize_fixture("truthfulqa", "validation")
    assert len({r.answer for r in records}) > 1
    for row, record in zip(rows, records):
        correct = row["mc1_targets"]["choices"][row["mc1_targets"]["labels"].index(1)]
        assert record.choices[OPTION_LETTERS.index(record.answer)] == correct


def test_numeric_gold_is_a_plain_number():
    gsm8k = normalize_fixture("gsm8k", "train")
    assert [r.answer for r in gsm8k][-1] == "1000"  # "#### 1,000"
    svamp = normalize_fixture("svamp", "train")[0]
    assert svamp.answer == "13"  # Answer 13.0 (float64)
    assert svamp.question == "Jack had 8 pens and Mary had 5 pens. How many pens do they have in total?"
    assert normalize_fixture("multiarith", "test")[0].answer == "16"


def test_source_specific_label_conventions():
    assert normalize_fixture("aqua_rat", "train")[0].choices[:2] == ["30 km", "60 km"]  # "A)30 km"
    assert normalize_fixture("aqua_rat", "train")[0].answer == "D"
    arc_numeric = normalize_fixture("arc_challenge", "train")[3]  # labels "1".."4", answerKey "3"
    assert (arc_numeric.answer, arc_numeric.choices[2]) == ("C", "carbon dioxide")
    assert [r.answer for r in normalize_fixture("medmcqa", "validation")] == ["B", "C", "A", "D"]  # cop 1,2,0,3
    assert normalize_fixture("medqa", "test")[1].answer == "D"  # answer_idx "D"
    medexp = normalize_fixture("medexpqa", "train")
    assert [len(r.choices) for r in medexp] == [4, 4, 4, 4, 5, 4]  # option "5" is null on 4-option rows
    assert medexp[4].answer == "B"  # correct_option 2
    assert [r.answer for r in normalize_fixture("winogrande", "validation")] == ["A", "B", "A", "B"]  # "1"/"2"
    assert [r.answer for r in normalize_fixture("hellaswag", "validation")] == ["D", "D", "C", "A"]  # "3","3","2","0"
    assert [r.answer for r in normalize_fixture("piqa", "validation")] == ["B", "A", "A", "A"]  # 1,0,0,0
    assert [r.answer for r in normalize_fixture("boolq", "validation")] == ["yes", "no", "no", "yes"]
    assert [r.answer for r in normalize_fixture("mmlu_medical", "dev")][:2] == ["C", "C"]  # anatomy dev


def test_prompts_of_the_ood_sets_are_answerable_as_text():
    boolq = normalize_fixture("boolq", "validation")[0]
    assert "Question: Is water made of hydrogen and oxygen?" in boolq.question and "passage" not in boolq.question
    hellaswag = normalize_fixture("hellaswag", "validation")[3]
    assert "[title]" not in hellaswag.question and "[step]" not in hellaswag.question
    winogrande = normalize_fixture("winogrande", "validation")[0]
    assert "fills the blank" in winogrande.question and "_" in winogrande.question


# ----------------------------------------------------------------------------------------------
# Bad rows: a clear SourceRowError naming the source and the row
# ----------------------------------------------------------------------------------------------
def _with(name: str, split: str, **changes):
    source = get_source(name)
    row = dict(fixture_rows(source.hub_id, source.configs[0], split)[0])
    row.update(changes)
    return row


BAD_ROWS = [
    ("gsm8k", "train", {"answer": "She has 13 stickers left."}, "####"),
    ("gsm8k", "train", {"answer": "#### thirteen"}, "not a number"),
    ("multiarith", "train", {"final_ans": None}, "missing numeric gold"),
    ("svamp", "train", {"Answer": None}, "missing numeric gold"),
    ("aqua_rat", "train", {"options": ["A)1", "B)2", "D)3"]}, "not A, B, C"),
    ("aqua_rat", "train", {"correct": "F"}, "not among options"),
    ("arc_challenge", "train", {"answerKey": "E"}, "not among labels"),
    ("arc_challenge", "train", {"choices": {"text": ["x", "y"], "label": ["A"]}}, "malformed choices"),
    ("gpqa_diamond", "train", {"Correct Answer": ""}, "Correct Answer"),
    ("gpqa_diamond", "train", {"Incorrect Answer 3": None}, "Incorrect Answer 3"),
    ("commonsense_qa", "train", {"answerKey": ""}, "missing gold"),
    ("medqa", "train", {"answer_idx": "E"}, "not among options"),
    ("medqa", "train", {"options": {"A": "x", "C": "y"}}, "not A, B, C"),
    ("medmcqa", "train", {"cop": -1}, "missing gold"),
    ("medmcqa", "train", {"cop": 4}, "out of range"),
    ("medmcqa", "train", {"opb": "  "}, "option is empty"),
    ("medexpqa", "train", {"correct_option": 5}, "not among options"),
    ("mmlu_stem", "dev", {"answer": 7}, "out of range"),
    ("mmlu_stem", "dev", {"choices": ["only", "three", "options"]}, "expected 4 choices"),
    ("hellaswag", "validation", {"label": ""}, "missing gold"),
    ("hellaswag", "validation", {"label": "x"}, "not an integer"),
    ("winogrande", "validation", {"answer": "3"}, "out of range"),
    ("winogrande", "validation", {"answer": ""}, "missing gold"),
    ("piqa", "validation", {"label": -1}, "missing gold"),
    ("boolq", "validation", {"answer": None}, "not a boolean"),
    ("truthfulqa", "validation", {"mc1_targets": {"choices": ["a", "b"], "labels": [0, 0]}}, "exactly one correct"),
    ("mmlu_other", "test", {"question": ""}, "'question'"),
]


@pytest.mark.parametrize("name,split,changes,reason", BAD_ROWS, ids=[f"{b[0]}-{b[3]}" for b in BAD_ROWS])
def test_bad_row_raises_source_row_error_naming_source_and_row(name, split, changes, reason):
    with pytest.raises(SourceRowError) as caught:
        get_source(name).normalize(_with(name, split, **changes), 7, split)
    assert (caught.value.source, caught.value.row) == (name, 7)
    assert str(caught.value).startswith(f"{name} row 7: ")
    assert reason in caught.value.reason


def test_a_row_missing_a_column_is_a_source_row_error_too():
    row = _with("medmcqa", "train")
    del row["opc"]
    with pytest.raises(SourceRowError, match="medmcqa row 3"):
        get_source("medmcqa").normalize(row, 3, "train")


# ----------------------------------------------------------------------------------------------
# load_questions: quarantine, limit, errors
# ----------------------------------------------------------------------------------------------
def _serve_rows(monkeypatch, rows_by_config):
    """Make load_questions read these rows instead of the Hub (one list per config)."""
    monkeypatch.setattr(sources, "_load_split", lambda hub_id, config, split, revision: list(rows_by_config[config]))


def test_load_questions_quarantines_bad_rows_without_crashing(monkeypatch):
    good = fixture_rows("openlifescienceai/medmcqa", "default", "train")
    bad_gold, bad_options = dict(good[0], cop=-1), dict(good[1], opa=None)
    _serve_rows(monkeypatch, {"default": [good[2], bad_gold, good[3], bad_options]})
    records, quarantined = load_questions("medmcqa", "train")
    assert len(records) == 2 and len(quarantined) == 2
    assert [(q.stage, q.source, q.row) for q in quarantined] == [("load", "medmcqa", "1"), ("load", "medmcqa", "3")]
    assert "missing gold label" in quarantined[0].reason and "option is empty" in quarantined[1].reason
    assert '"cop": -1' in quarantined[0].record  # the offending row is kept, JSON-encoded


def test_load_questions_names_the_subject_of_a_bad_mmlu_row(monkeypatch):
    source = get_source("mmlu_medical")
    rows = {c: fixture_rows("cais/mmlu", c, "test") for c in source.configs}
    rows["virology"] = [dict(rows["virology"][0], answer=9)] + rows["virology"][1:]
    _serve_rows(monkeypatch, rows)
    records, quarantined = load_questions("mmlu_medical", "test")
    assert len(records) == 2 * len(source.configs) - 1
    assert [q.row for q in quarantined] == ["virology:0"]


def test_load_questions_limit_caps_rows_read_over_all_configs(monkeypatch):
    source = get_source("mmlu_stem")
    _serve_rows(monkeypatch, {c: fixture_rows("cais/mmlu", c, "dev") for c in source.configs})
    records, _ = load_questions("mmlu_stem", "dev", limit=3)
    assert len(records) == 3
    assert [r.question.split("\n")[0] for r in records][:2] == [
        "Which planet is closest to the Sun?", "What is the main source of the Sun's energy?"]


def test_load_questions_reports_an_unloadable_split_naming_the_source(monkeypatch, tmp_path):
    monkeypatch.setattr(sources, "_dataset_path", lambda hub_id: str(tmp_path / "missing"))
    with pytest.raises(SourceLoadError, match="openai/gsm8k config=main split=train"):
        load_questions("gsm8k", "train")


# ----------------------------------------------------------------------------------------------
# The production loader on the fixture folders, read by `datasets` from disk
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixture_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("benchmark-repos")
    return {hub_id: str(write_benchmark_repo(hub_id, root / hub_id.replace("/", "__"))) for hub_id in fixture_hub_ids()}


@pytest.mark.parametrize("name,split", SOURCE_SPLITS)
def test_production_loader_reads_each_fixture_folder(monkeypatch, fixture_folders, name, split):
    monkeypatch.setattr(sources, "_dataset_path", lambda hub_id: fixture_folders[hub_id])
    records, quarantined = load_questions(name, split)
    assert quarantined == []
    assert [r.to_dict() for r in records] == [r.to_dict() for r in normalize_fixture(name, split)]


def test_unlabelled_test_splits_are_quarantined_with_their_reason(monkeypatch, fixture_folders):
    monkeypatch.setattr(sources, "_dataset_path", lambda hub_id: fixture_folders[hub_id])
    for name in ("commonsense_qa", "medmcqa", "hellaswag", "winogrande", "piqa"):
        records, quarantined = load_questions(name, "test")
        assert records == [] and len(quarantined) == 2, name
        assert all(q.reason.startswith("missing gold") for q in quarantined), name
