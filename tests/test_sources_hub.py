"""Each registry entry loads its fixture through the production code from the Hub emulator.

``seed_hub`` creates every benchmark repo under its real id with the real ``huggingface_hub``
client; ``load_questions`` then reads them with the real ``datasets.load_dataset`` exactly as it
would read the Hub (``HF_ENDPOINT`` points at the emulator, see ``conftest.py``).
"""

from __future__ import annotations

import pytest

from builders.offline.benchmark_fixtures import fixture_hub_ids, fixture_rows
from builders.sources import REGISTRY, SourceLoadError, get_source, load_questions

HUB_TOKEN = "hf_test_token_not_secret"  # the emulator's token (conftest.py); never a real one
SOURCE_SPLITS = [(name, split) for name, source in REGISTRY.items() for split in source.splits]


def expected_records(name: str, split: str):
    source = get_source(name)
    return [source.normalize(row, index, split)
            for config in source.configs
            for index, row in enumerate(fixture_rows(source.hub_id, config, split))]


def test_seed_hub_creates_every_registry_repo_under_its_real_id(seeded_hub):
    hub, repos = seeded_hub
    assert repos == fixture_hub_ids()
    assert {source.hub_id for source in REGISTRY.values()} <= set(repos)
    from huggingface_hub import HfApi

    files = HfApi(endpoint=hub.endpoint, token=HUB_TOKEN).list_repo_files("openai/gsm8k", repo_type="dataset")
    assert {"README.md", "main/train-00000-of-00001.parquet", "main/test-00000-of-00001.parquet"} <= set(files)


@pytest.mark.parametrize("name,split", SOURCE_SPLITS)
def test_registry_entry_loads_its_fixture_from_the_emulator(seeded_hub, name, split):
    records, quarantined = load_questions(name, split)
    assert quarantined == []
    expected = expected_records(name, split)
    assert len(records) == len(expected) > 0
    # Identical to normalizing the rows as written: the Hub round trip changes nothing, ids included.
    assert [r.to_dict() for r in records] == [r.to_dict() for r in expected]


def test_reloading_gives_the_same_ids(seeded_hub):
    first, _ = load_questions("mmlu_medical", "test")
    second, _ = load_questions("mmlu_medical", "test")
    assert [r.id for r in first] == [r.id for r in second]
    assert len({r.id for r in first}) == len(first)


def test_an_unlabelled_split_is_quarantined_not_a_crash(seeded_hub):
    records, quarantined = load_questions("commonsense_qa", "test")
    assert records == [] and len(quarantined) == 2
    assert {q.reason for q in quarantined} == {"missing gold answer (answerKey='')"}


def test_limit_and_revision_pin(seeded_hub):
    hub, _ = seeded_hub
    from huggingface_hub import HfApi

    sha = HfApi(endpoint=hub.endpoint, token=HUB_TOKEN).dataset_info("openai/gsm8k").sha
    records, _ = load_questions("gsm8k", "test", limit=2, revision=sha)
    assert [r.answer for r in records] == ["3", "20"]


def test_a_missing_split_raises_naming_the_source(seeded_hub):
    with pytest.raises(SourceLoadError, match="ChilleD/SVAMP config=default split=validation"):
        load_questions("svamp", "validation")
