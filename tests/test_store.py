"""The local release store and ``cdistill publish``: real git, pyarrow, datasets and huggingface_hub.

The Hugging Face Hub cannot be reached from the machines this project is built and tested on, so
the Hub emulator of ``builders.offline.hub_emulator`` (the ``hub_emulator`` fixture) stands in for
it: ``publish`` and ``datasets.load_dataset(repo, config, revision=tag)`` run their unmodified Hub
code paths against it. Nothing is mocked except, where said, a crash in the middle of a write.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from builders.contract import ContractError, PublishedRow, build_messages
from builders.store import (
    ALL_CONFIG, LocalStore, ReleaseNotFound, TagConflict, add_publish_command, configs_yaml,
    ensure_card_configs, load_release, publish, repo_name,
)  # fmt: skip

HUB_TOKEN = "hf_test_token_not_secret"  # the fake token tests/conftest.py gives the emulator
TEACHER = "Qwen/Qwen3.5-397B-A17B-FP8"
COMPRESSOR = "meta-llama/Llama-3.3-70B-Instruct"
CARD = "---\nlicense: apache-2.0\npretty_name: test release\n---\n# Test release\n\nRows for tests.\n"


def make_rows(variant: str, source: str, n: int, salt: str = "") -> list[dict]:
    """Published rows of one variant, built like the dataset builders do (contract + messages)."""
    rows = []
    for i in range(n):
        question = f"{source} question {i}{salt}: what is {i} + {i}?"
        raw = f"We add {i} and {i}. " * (i + 2) + salt
        reasoning = {"raw": raw, "compressed": f"{i}+{i}={2 * i}", "truncated": raw[: len(raw) // 3],
                     "answer_only": ""}[variant]
        response = f"The answer is \\boxed{{{2 * i}}}."
        rows.append(PublishedRow(
            id=f"{source}-train-{i:04d}", source=source, domain="math", question=question,
            answer=str(2 * i), answer_type="numeric", reasoning=reasoning, response=response,
            messages=build_messages(question, None if variant == "answer_only" else reasoning, response),
            teacher=TEACHER, compressor=COMPRESSOR if variant == "compressed" else "", variant=variant,
            reasoning_chars=len(reasoning), reasoning_tokens=len(reasoning.split()),
            compression_ratio=len(reasoning) / len(raw),
        ).to_dict())
    return rows


def release_rows(variant: str, salt: str = "") -> dict[str, list[dict]]:
    return {"gsm8k": make_rows(variant, "gsm8k", 3, salt), "medqa": make_rows(variant, "medqa", 2, salt)}


def unique_repo(variant: str = "raw") -> str:
    """A repo id of its own per test: the emulator lives for the whole session."""
    name = repo_name(TEACHER, variant, COMPRESSOR if variant == "compressed" else None)
    return f"{name}-{uuid.uuid4().hex[:6]}"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def as_list(dataset) -> list[dict]:
    return [dict(row) for row in dataset]


@pytest.fixture
def api(hub_emulator):
    from huggingface_hub import HfApi

    return HfApi(token=HUB_TOKEN)


def hub_commit_count(api, repo_id: str) -> int:
    return len(api.list_repo_commits(repo_id, repo_type="dataset"))


def hub_tags(api, repo_id: str) -> dict[str, str]:
    return {t.name: t.target_commit for t in api.list_repo_refs(repo_id, repo_type="dataset").tags}


# ----------------------------------------------------------------------------------------------
# Names and cards
# ----------------------------------------------------------------------------------------------
def test_repo_names_are_hub_valid_and_distinct():
    assert repo_name(TEACHER, "compressed", COMPRESSOR) == \
        "compress-distill/qwen3.5-397b-a17b-fp8-compressed-llama-3.3-70b-instruct"
    assert repo_name(TEACHER, "answer_only", organization="my-org") == "my-org/qwen3.5-397b-a17b-fp8-answer-only"
    long_a = repo_name("org/" + "a" * 90, "compressed", "x/" + "b" * 40)
    long_b = repo_name("org/" + "a" * 90, "compressed", "x/" + "c" * 40)
    assert long_a != long_b and all(len(n.split("/")[1]) <= 96 for n in (long_a, long_b))
    with pytest.raises(ValueError):
        repo_name(TEACHER, "compressed")  # which compressor?
    with pytest.raises(ValueError):
        repo_name(TEACHER, "raw", organization="bad org")
    with pytest.raises(ValueError):
        repo_name(TEACHER, "shortened")


def test_card_gets_configs_for_every_source_plus_all():
    configs = configs_yaml(["medqa", "gsm8k"])
    assert [(c["config_name"], c["data_files"][0]["path"]) for c in configs] == [
        ("all", "data/*/*.parquet"), ("gsm8k", "data/gsm8k/*.parquet"), ("medqa", "data/medqa/*.parquet")]
    assert configs[0]["default"] is True
    card = ensure_card_configs(CARD, ["gsm8k"])
    assert card.startswith("---\nlicense: apache-2.0\n") and "config_name: gsm8k" in card
    assert card.endswith("---\n# Test release\n\nRows for tests.\n")
    assert ensure_card_configs("# no header\n", ["gsm8k"]).startswith("---\nconfigs:\n")
    assert ensure_card_configs(card, ["gsm8k"]) == card  # a card that declares them is kept
    with pytest.raises(ValueError, match="declares configs"):
        ensure_card_configs(card, ["gsm8k", "medqa"])


# ----------------------------------------------------------------------------------------------
# The local store
# ----------------------------------------------------------------------------------------------
def test_write_release_then_load_each_release(tmp_path):
    store, repo_id = LocalStore(tmp_path / "store"), unique_repo()
    v1 = release_rows("raw")
    store.write_release(repo_id, v1, CARD, "v1.0", extra_files={"plots/lengths.png": b"\x89PNG fake"})
    assert store.releases(repo_id) == ["v1.0"]
    repo = store.repo_path(repo_id)
    assert git(repo, "ls-files").split() == [
        "README.md", "data/gsm8k/train-00000-of-00001.parquet", "data/medqa/train-00000-of-00001.parquet",
        "plots/lengths.png"]
    assert as_list(load_release(store, repo_id, "v1.0", "gsm8k")) == v1["gsm8k"]
    assert as_list(load_release(store.root, repo_id, "v1.0", ALL_CONFIG)) == v1["gsm8k"] + v1["medqa"]

    v2 = {"gsm8k": make_rows("raw", "gsm8k", 4, salt=" v2")}  # medqa and the plot are dropped
    store.write_release(repo_id, v2, CARD, "v1.1")
    assert store.releases(repo_id) == ["v1.0", "v1.1"]
    assert git(repo, "ls-files").split() == ["README.md", "data/gsm8k/train-00000-of-00001.parquet"]
    assert not (repo / "data" / "medqa").exists() and not (repo / "plots").exists()  # work tree follows
    assert as_list(load_release(store, repo_id, "v1.1")) == v2["gsm8k"]
    assert as_list(load_release(store, repo_id, "v1.0", "medqa")) == v1["medqa"]  # old release intact
    with pytest.raises(ReleaseNotFound):
        load_release(store, repo_id, "v9")


def test_identical_release_makes_no_commit_and_a_tag_never_moves(tmp_path):
    store, repo_id = LocalStore(tmp_path), unique_repo("compressed")
    rows = release_rows("compressed")
    first = store.write_release(repo_id, rows, CARD, "v1.0")
    assert store.write_release(repo_id, rows, CARD, "v1.0") == first  # rerun: no-op
    assert store.write_release(repo_id, rows, CARD, "v1.0-again") == first  # same content, new tag
    repo = store.repo_path(repo_id)
    assert git(repo, "rev-list", "--count", "main") == "1"
    with pytest.raises(ValueError) as err:
        store.write_release(repo_id, release_rows("compressed", salt=" changed"), CARD, "v1.0")
    assert "v1.0" in str(err.value) and first in str(err.value)
    assert git(repo, "rev-parse", "v1.0^{commit}") == first and git(repo, "rev-list", "--count", "main") == "1"
    assert git(repo, "log", "-1", "--format=%an", "main") == "compress-distill"


def test_a_crash_between_commit_and_tag_is_completed_by_a_rerun(tmp_path, monkeypatch):
    store, repo_id = LocalStore(tmp_path), unique_repo()
    rows = release_rows("raw")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed before the tag")

    with monkeypatch.context() as patch:
        patch.setattr(LocalStore, "_create_tag", staticmethod(crash))
        with pytest.raises(KeyboardInterrupt):
            store.write_release(repo_id, rows, CARD, "v1.0")
    assert store.releases(repo_id) == []  # no release is visible without its tag
    commit = store.write_release(repo_id, rows, CARD, "v1.0")
    assert store.releases(repo_id) == ["v1.0"]
    assert git(store.repo_path(repo_id), "rev-list", "--count", "main") == "1" and commit
    assert not list((store.repo_path(repo_id) / ".git").glob("cdistill-staging-*"))


def test_rows_must_follow_the_contract(tmp_path):
    store, repo_id = LocalStore(tmp_path), unique_repo()
    bad = release_rows("raw")
    del bad["gsm8k"][0]["reasoning_tokens"]
    with pytest.raises(ContractError, match="reasoning_tokens"):
        store.write_release(repo_id, bad, CARD, "v1.0")
    with pytest.raises(ValueError):
        store.write_release(repo_id, {"all": make_rows("raw", "x", 1)}, CARD, "v1.0")  # reserved
    assert store.releases(repo_id) == []


@pytest.mark.parametrize("column", ["answer", "reasoning_tokens", "messages", "message content"])
def test_null_values_are_refused_with_the_row_id(column, tmp_path):
    store, repo_id = LocalStore(tmp_path), unique_repo()
    rows = release_rows("raw")
    bad, expected = rows["gsm8k"][-1], column.replace("message content", "messages")
    if column == "message content":
        bad["messages"] = [dict(m) for m in bad["messages"]]
        bad["messages"][-1]["content"] = None
    else:
        bad[column] = None
    with pytest.raises(ContractError, match=rf"{bad['id']}.*null columns \['{expected}'\]"):
        store.write_release(repo_id, rows, CARD, "v1.0")
    assert store.releases(repo_id) == []


def test_a_git_failure_is_reported_and_leaves_no_release(tmp_path, monkeypatch):
    """A data file git cannot read (here: never written) stops the release with git's own message."""
    import builders.store as store_module

    store, repo_id = LocalStore(tmp_path), unique_repo()
    monkeypatch.setattr(store_module, "_write_parquet", lambda rows, path: None)
    with pytest.raises(RuntimeError, match=r"hash-object .* failed: .*train-00000-of-00001\.parquet"):
        store.write_release(repo_id, release_rows("raw"), CARD, "v1.0")
    assert store.releases(repo_id) == []
    assert not list((store.repo_path(repo_id) / ".git").glob("cdistill-staging-*"))


@pytest.mark.parametrize("big_file_threshold", [None, "1k"])
def test_parquet_objects_are_not_compressed_twice(big_file_threshold, tmp_path):
    """Parquet is already compressed: its git objects are stored without zlib compression, as
    loose objects and, for files above ``core.bigFileThreshold`` (which git streams into a pack),
    in the pack, so a paper-scale release does not spend minutes recompressing."""
    store, repo_id, rows = LocalStore(tmp_path), unique_repo(), release_rows("raw")
    if big_file_threshold:
        store.write_release(repo_id, release_rows("raw", salt="first"), CARD, "v0.1")
        git(store.repo_path(repo_id), "config", "core.bigFileThreshold", big_file_threshold)
    store.write_release(repo_id, rows, CARD, "v1.0")
    repo = store.repo_path(repo_id)
    listing = git(repo, "ls-tree", "-r", "-l", "v1.0").splitlines()
    parquet = [line.split() for line in listing if line.endswith(".parquet")]
    assert len(parquet) == 2
    packs = list((repo / ".git" / "objects" / "pack").glob("*.pack"))
    assert bool(packs) == bool(big_file_threshold)
    if packs:
        assert sum(p.stat().st_size for p in packs) >= sum(int(size) for _, _, _, size, _ in parquet)
    else:
        for _, _, blob, size, _ in parquet:
            loose = repo / ".git" / "objects" / blob[:2] / blob[2:]
            assert loose.stat().st_size >= int(size)  # zlib level 0: stored blocks, never smaller
    assert as_list(load_release(store, repo_id, "v1.0")) == rows["gsm8k"] + rows["medqa"]
    assert git(repo, "status", "--porcelain") == ""  # the work tree shows the release
    metadata = pq.ParquetFile(repo / parquet[0][4]).metadata
    codecs = {metadata.row_group(0).column(i).compression for i in range(metadata.num_columns)}
    assert codecs == {"ZSTD"}, "the parquet itself is compressed, with zstd"


# ----------------------------------------------------------------------------------------------
# Publishing to the Hub (emulator)
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["raw", "compressed", "truncated", "answer_only"])
def test_publish_round_trip_every_variant(variant, api, tmp_path):
    import datasets

    store, repo_id = LocalStore(tmp_path), unique_repo(variant)
    v1, v2 = release_rows(variant), release_rows(variant, salt=" (fixed)")
    store.write_release(repo_id, v1, CARD, "v1.0", extra_files={"plots/lengths.png": b"\x89PNG\x00fake"})
    store.write_release(repo_id, v2, CARD, "v1.1")
    before = hub_commit_count(api, repo_id) if api.repo_exists(repo_id, repo_type="dataset") else 1

    results = publish(store, repo_id, token=HUB_TOKEN)
    assert [(r["tag"], r["action"]) for r in results] == [("v1.0", "created"), ("v1.1", "created")]
    assert hub_commit_count(api, repo_id) == before + 2  # one commit per release
    assert hub_tags(api, repo_id) == {r["tag"]: r["commit"] for r in results}
    files_v1 = set(api.list_repo_files(repo_id, repo_type="dataset", revision="v1.0"))
    assert files_v1 == {".gitattributes", "README.md", "plots/lengths.png",
                        "data/gsm8k/train-00000-of-00001.parquet", "data/medqa/train-00000-of-00001.parquet"}
    assert "plots/lengths.png" not in api.list_repo_files(repo_id, repo_type="dataset", revision="v1.1")

    load = lambda config, tag: as_list(datasets.load_dataset(repo_id, config, revision=tag, split="train"))
    assert load("medqa", "v1.0") == v1["medqa"]
    assert load(ALL_CONFIG, "v1.1") == v2["gsm8k"] + v2["medqa"]

    again = publish(store, repo_id, token=HUB_TOKEN)  # re-publish: nothing to do
    assert [r["action"] for r in again] == ["exists", "exists"]
    assert [r["commit"] for r in again] == [r["commit"] for r in results]
    assert hub_commit_count(api, repo_id) == before + 2


def test_a_hub_tag_on_other_content_is_refused_and_not_moved(api, tmp_path):
    from huggingface_hub import CommitOperationAdd

    store, repo_id = LocalStore(tmp_path), unique_repo()
    store.write_release(repo_id, release_rows("raw"), CARD, "v1.0")
    store.write_release(repo_id, release_rows("raw", salt=" v2"), CARD, "v1.1")
    api.create_repo(repo_id, repo_type="dataset")
    other = api.create_commit(repo_id, [CommitOperationAdd("README.md", b"# someone else's v1.0\n")],
                              commit_message="other", repo_type="dataset")
    api.create_tag(repo_id, tag="v1.0", revision=other.oid, repo_type="dataset")
    commits = hub_commit_count(api, repo_id)

    with pytest.raises(TagConflict) as err:
        publish(store, repo_id, token=HUB_TOKEN)
    assert err.value.tag == "v1.0" and err.value.hub_commit == other.oid and "v1.0" in str(err.value)
    assert hub_tags(api, repo_id) == {"v1.0": other.oid}  # not moved, and v1.1 not pushed either
    assert hub_commit_count(api, repo_id) == commits


def test_private_publish(api, tmp_path):
    from huggingface_hub import HfApi

    store, repo_id = LocalStore(tmp_path), unique_repo("truncated")
    store.write_release(repo_id, release_rows("truncated"), CARD, "v1.0")
    hub_id = f"cdistill-user/private-{uuid.uuid4().hex[:6]}"
    publish(store, repo_id, token=HUB_TOKEN, private=True, hub_repo_id=hub_id)
    assert api.repo_info(hub_id, repo_type="dataset").private is True
    assert not HfApi(token=False).repo_exists(hub_id, repo_type="dataset")
    assert hub_tags(api, hub_id).keys() == {"v1.0"}

    public_id = f"cdistill-user/public-{uuid.uuid4().hex[:6]}"
    api.create_repo(public_id, repo_type="dataset")
    with pytest.raises(ValueError, match="public"):  # private data never goes into a public repo
        publish(store, repo_id, token=HUB_TOKEN, private=True, hub_repo_id=public_id)
    assert hub_tags(api, public_id) == {}


def test_an_interrupted_publish_leaves_no_release_and_a_rerun_tags_the_commit(api, tmp_path, monkeypatch):
    from huggingface_hub import HfApi

    store, repo_id = LocalStore(tmp_path), unique_repo()
    store.write_release(repo_id, release_rows("raw"), CARD, "v1.0")

    def killed(self, *args, **kwargs):
        raise KeyboardInterrupt("killed between the commit and the tag")

    with monkeypatch.context() as patch:
        patch.setattr(HfApi, "create_tag", killed)
        with pytest.raises(KeyboardInterrupt):
            publish(store, repo_id, token=HUB_TOKEN)
    assert hub_tags(api, repo_id) == {}  # the commit exists, the release does not
    commits = hub_commit_count(api, repo_id)
    head = api.dataset_info(repo_id).sha

    results = publish(store, repo_id, token=HUB_TOKEN)
    assert results == [{"tag": "v1.0", "commit": head, "action": "tagged-existing-commit"}]
    assert hub_commit_count(api, repo_id) == commits and hub_tags(api, repo_id) == {"v1.0": head}


def test_the_token_is_never_written_nor_logged(api, hub_emulator, tmp_path, monkeypatch, caplog, capfd):
    import datasets

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HF_TOKEN", HUB_TOKEN)  # the CLI's only source of the token
    store, repo_id = LocalStore(tmp_path / "store"), unique_repo("answer_only")
    rows = release_rows("answer_only")
    store.write_release(repo_id, rows, CARD, "v1.0")

    parser = argparse.ArgumentParser(prog="cdistill")
    add_publish_command(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(SystemExit):  # no --token flag: it would land in the shell history
        parser.parse_args(["publish", "--store", str(store.root), "--repo", repo_id, "--token", "x"])
    args = parser.parse_args(["publish", "--store", str(store.root), "--repo", repo_id])
    assert args.func(args) == 0
    assert '"action": "created"' in capfd.readouterr().out
    assert as_list(datasets.load_dataset(repo_id, "gsm8k", revision="v1.0", split="train")) == rows["gsm8k"]

    out, err = capfd.readouterr()
    assert HUB_TOKEN not in out + err + caplog.text
    for root in (store.root, hub_emulator.root, Path(os.environ["HF_HOME"])):
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert HUB_TOKEN.encode() not in path.read_bytes(), path


KILLED_WRITER = """
import sys
from builders.store import LocalStore
from tests.test_store import CARD, release_rows
rows = {source: rows * 300 for source, rows in release_rows("raw").items()}
print("ready", flush=True)
LocalStore(sys.argv[1]).write_release(sys.argv[2], rows, CARD, "v1.0")
print("done", flush=True)
"""


def test_sigkill_during_write_release_never_leaves_a_partial_release(tmp_path):
    store, repo_id = LocalStore(tmp_path), unique_repo()
    expected = {source: rows * 300 for source, rows in release_rows("raw").items()}
    rng = random.Random(3)
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path), repo_id],
                                stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.8))  # the write itself takes ~0.5 s
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        assert store.releases(repo_id) in ([], ["v1.0"])  # all or nothing
    store.write_release(repo_id, expected, CARD, "v1.0")  # the rerun completes it
    assert store.releases(repo_id) == ["v1.0"]
    assert git(store.repo_path(repo_id), "rev-list", "--count", "main") == "1"
    assert as_list(load_release(store, repo_id, "v1.0", "medqa")) == expected["medqa"]
