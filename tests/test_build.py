"""Dataset builders end to end: Stage 1 + 2 outputs of the tiny models -> four variants -> local
store -> publish to the Hub emulator (the real Hub cannot be reached here) -> the real
`load_dataset(repo, config, revision=tag)` returns exactly the built rows, for every variant."""

import os
from pathlib import Path

import pytest
from datasets import load_dataset
from transformers import AutoTokenizer

from builders.build import BuildConfig, run_build
from builders.compress import CompressConfig, run_compress
from builders.store import LocalStore, TagConflict, load_release, publish
from builders.truncate import TOKEN_TOLERANCE, count_tokens
from tests.conftest import HUB_TOKEN


@pytest.fixture(scope="module")
def built(stage1_dir, tiny_model_dir, tmp_path_factory, seeded_hub):
    root = tmp_path_factory.mktemp("build")
    run_compress(CompressConfig(input_dir=str(stage1_dir), output_dir=str(root / "stage2"), compressors=[
        {"name": "extractive"},
        {"name": "tiny-compressor", "engine": {"kind": "transformers", "model": str(tiny_model_dir)}, "max_tokens": 24},
    ]))  # fmt: skip
    config = BuildConfig(stage1_dir=str(stage1_dir), compress_dir=str(root / "stage2"), store_dir=str(root / "store"),
                         teacher="tiny-teacher", reference_tokenizer=str(tiny_model_dir),
                         reference_compressor="extractive")  # fmt: skip
    return config, run_build(config)


def rows_of(dataset):
    return sorted(dataset.to_list(), key=lambda r: r["id"])


def test_variants_share_ids_and_answers(built):
    config, summary = built
    repos = summary["repos"]
    assert {r["variant"] for r in repos.values()} == {"raw", "compressed", "truncated", "answer_only"}
    store = LocalStore(config.store_dir)
    loaded = {repo: rows_of(load_release(store, repo, "v1.0")) for repo in repos if repos[repo]["release"]}
    raw = next(rows for repo, rows in loaded.items() if repos[repo]["variant"] == "raw")
    by_id = {r["id"]: r for r in raw}
    assert len(raw) == summary["pool"] > 0
    for repo, rows in loaded.items():
        assert {r["id"] for r in rows} <= set(by_id)
        for row in rows:
            assert row["answer"] == by_id[row["id"]]["answer"]
            assert row["response"] == by_id[row["id"]]["response"], "the final answer is unchanged"
            assert row["messages"][-1]["role"] == "assistant"
            if row["variant"] == "answer_only":
                assert "<think>" not in row["messages"][-1]["content"] and row["reasoning"] == ""
            else:
                assert row["messages"][-1]["content"].startswith("<think>\n")


def test_truncated_matches_compressed_token_lengths(built, tiny_model_dir):
    config, summary = built
    store = LocalStore(config.store_dir)
    by_variant = {summary["repos"][r]["variant"] + summary["repos"][r]["compressor"]: r for r in summary["repos"]}
    truncated = rows_of(load_release(store, by_variant["truncatedextractive"], "v1.0"))
    compressed = {r["id"]: r for r in load_release(store, by_variant["compressedextractive"], "v1.0").to_list()}
    raw = {r["id"]: r for r in load_release(store, by_variant["raw"], "v1.0").to_list()}
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert truncated and {r["id"] for r in truncated} == set(compressed)
    for row, n in zip(truncated, count_tokens(tokenizer, [r["reasoning"] for r in truncated])):
        assert abs(n - compressed[row["id"]]["reasoning_tokens"]) <= TOKEN_TOLERANCE
        assert raw[row["id"]]["reasoning"].startswith(row["reasoning"]), "an exact prefix of the raw trace"


def test_exclusions_are_counted_and_the_card_reports_them(built):
    config, summary = built
    tiny = next(r for r in summary["repos"].values() if r["compressor"] == "tiny-compressor")
    assert tiny["rows"] + sum(tiny["excluded"].values()) == summary["pool"]
    repo = next(k for k, v in summary["repos"].items() if v["compressor"] == "extractive" and v["variant"] == "compressed")
    tiny = summary["repos"][repo]
    card = (LocalStore(config.store_dir).repo_path(repo) / "README.md").read_text()
    assert "configs:" in card and "size_categories" in card and "task_categories" in card
    for reason, n in tiny["excluded"].items():
        assert f"| {reason} | {n} |" in card
    assert (LocalStore(config.store_dir).repo_path(repo) / "plots" / "reasoning_tokens.png").read_bytes()[:4] == b"\x89PNG"


def test_rebuild_is_a_no_op_and_a_changed_release_cannot_move_the_tag(built):
    config, summary = built
    again = run_build(config)
    assert {k: v["commit"] for k, v in again["repos"].items()} == {k: v["commit"] for k, v in summary["repos"].items()}
    assert any(v["commit"] for v in again["repos"].values())
    config.system_prompt = "A different system prompt."
    with pytest.raises(ValueError, match="v1.0"):
        run_build(config)
    config.system_prompt = BuildConfig.__dataclass_fields__["system_prompt"].default


def test_publish_round_trip_for_every_variant(built, seeded_hub):
    config, summary = built
    hub, _ = seeded_hub
    store = LocalStore(config.store_dir)
    released = [repo for repo, entry in summary["repos"].items() if entry["release"]]
    assert len(released) >= 4
    for repo in released:
        actions = publish(store, repo, endpoint=hub.endpoint, token=HUB_TOKEN)
        assert [a["action"] for a in actions] == ["created"]
        local = rows_of(load_release(store, repo, "v1.0"))
        for source in {r["source"] for r in local}:
            remote = rows_of(load_dataset(repo, source, split="train", revision="v1.0"))
            assert remote == [r for r in local if r["source"] == source]
        assert rows_of(load_dataset(repo, "all", split="train", revision="v1.0")) == local
        assert [a["action"] for a in publish(store, repo, endpoint=hub.endpoint, token=HUB_TOKEN)] == ["exists"]
    for folder in (Path(config.store_dir), Path(hub.repo_path(next(iter(summary["repos"])))).parents[2],
                   Path(os.environ["HF_HOME"])):  # fmt: skip
        for path in folder.rglob("*"):
            if path.is_file():
                assert HUB_TOKEN.encode() not in path.read_bytes(), path
    _ = TagConflict  # the moved-tag refusal on the Hub side is covered in test_store.py
