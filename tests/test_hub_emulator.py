"""The real huggingface_hub and datasets clients against the local Hub emulator.

The Hugging Face Hub cannot be reached from the machines this project is built and tested on,
so ``builders.offline.hub_emulator`` stands in for it: a small HTTP server on 127.0.0.1 over
bare git repositories. These tests call the unmodified client code paths (no mocks) that the
project relies on - repo creation, commits with LFS files, tags and branches, downloads at a
revision, ``datasets.load_dataset`` at a tag, dataset cards - so that a client upgrade that
changes a URL, a header or a JSON shape shows up here. ``tests/conftest.py`` points
``HF_ENDPOINT`` at the emulator before huggingface_hub is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

HUB_TOKEN = "hf_test_token_not_secret"  # the fake token tests/conftest.py gives the emulator
PARQUET_ROWS_V1 = [1, 2, 3]


@pytest.fixture
def api(hub_emulator):
    from huggingface_hub import HfApi

    return HfApi(token=HUB_TOKEN)


def _new_repo(api, repo_type: str, **kwargs) -> str:
    repo_id = f"cdistill-user/{repo_type}-{uuid.uuid4().hex[:8]}"
    api.create_repo(repo_id, repo_type=repo_type, **kwargs)
    return repo_id


def _git(repo_path: Path, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={repo_path}", *args], check=True,
                          capture_output=True, text=True).stdout


def _parquet(path: Path, rows: list[int]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"x": rows}), path)
    return path


def _dataset_folder(folder: Path, rows: list[int]) -> Path:
    """A Hub-layout dataset: README.md with `configs:` and data/<config>/*.parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(
        "---\nconfigs:\n- config_name: small\n  data_files:\n  - split: train\n"
        "    path: data/small/*.parquet\n---\n# Test dataset\n"
    )
    _parquet(folder / "data" / "small" / "train-00000.parquet", rows)
    return folder


def test_client_versions_are_pinned():
    import datasets
    import huggingface_hub

    message = ("the Hub emulator was checked against huggingface_hub 2.4.0 and datasets 5.2.0; "
               "after upgrading, re-run tests/test_hub_emulator.py and update this pin")
    assert huggingface_hub.__version__ == "2.4.0", message
    assert datasets.__version__ == "5.2.0", message


def test_endpoint_comes_from_environment(hub_emulator):
    from huggingface_hub import constants

    assert hub_emulator.endpoint == os.environ["HF_ENDPOINT"] == constants.ENDPOINT


def test_whoami_and_write_auth(api):
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    assert api.whoami()["name"] == "cdistill-user"
    with pytest.raises(HfHubHTTPError):
        HfApi(token="hf_wrong").whoami()
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(token="hf_wrong").create_repo("cdistill-user/nope", repo_type="dataset")
    assert err.value.response.status_code == 401


def test_create_private_repo_exist_ok_and_delete(api, hub_emulator):
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    repo_id = _new_repo(api, "dataset", private=True)
    assert api.repo_exists(repo_id, repo_type="dataset")
    assert not HfApi(token=False).repo_exists(repo_id, repo_type="dataset")  # private: hidden
    assert not api.repo_exists(repo_id, repo_type="model")  # types are separate namespaces
    assert api.dataset_info(repo_id).private is True
    url = api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    assert (url.repo_id, url.repo_type) == (repo_id, "dataset")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo(repo_id, repo_type="dataset")
    assert err.value.response.status_code == 409
    assert (hub_emulator.repo_path(repo_id) / "HEAD").is_file()  # a bare git repository
    api.delete_repo(repo_id, repo_type="dataset")
    assert not api.repo_exists(repo_id, repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(repo_id, repo_type="dataset")
    api.delete_repo(repo_id, repo_type="dataset", missing_ok=True)


def test_upload_folder_stores_lfs_pointers_like_the_hub(api, hub_emulator, tmp_path):
    repo_id = _new_repo(api, "dataset")
    folder = _dataset_folder(tmp_path / "ds", PARQUET_ROWS_V1)
    (folder / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "notes.txt").write_text("plain text stays in git\n")
    info = api.upload_folder(folder_path=folder, repo_id=repo_id, repo_type="dataset", commit_message="Add data")

    tree = {e.path: e for e in api.list_repo_tree(repo_id, repo_type="dataset", recursive=True)}
    parquet = tree["data/small/train-00000.parquet"]
    assert parquet.lfs is not None and tree["figure.png"].lfs is not None
    assert tree["README.md"].lfs is None and tree["notes.txt"].lfs is None
    local = folder / "data/small/train-00000.parquet"
    assert parquet.size == local.stat().st_size and parquet.lfs.size == parquet.size
    # The git tree holds a pointer file, the content lives in the LFS store (as on the Hub).
    repo_path = hub_emulator.repo_path(repo_id)
    pointer = _git(repo_path, "cat-file", "-p", f"{info.oid}:data/small/train-00000.parquet")
    assert pointer.startswith("version https://git-lfs.github.com/spec/v1")
    assert f"oid sha256:{parquet.lfs.sha256}" in pointer and parquet.lfs.pointer_size == len(pointer)
    assert _git(repo_path, "cat-file", "-p", f"{info.oid}:notes.txt") == "plain text stays in git\n"
    assert info.oid == _git(repo_path, "rev-parse", "refs/heads/main").strip()


def test_create_commit_operations_and_parent_commit(api):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.errors import BadRequestError, HfHubHTTPError

    repo_id = _new_repo(api, "dataset")
    first = api.create_commit(repo_id, repo_type="dataset", commit_message="one", operations=[
        CommitOperationAdd("a.txt", b"a"), CommitOperationAdd("dir/b.txt", b"b"),
        CommitOperationAdd("dir/c.bin", b"\x00binary"),
    ])
    second = api.create_commit(repo_id, repo_type="dataset", commit_message="two",
                               commit_description="longer text", parent_commit=first.oid, operations=[
        CommitOperationDelete("a.txt"), CommitOperationAdd("d.txt", b"d"),
    ])
    assert set(api.list_repo_files(repo_id, repo_type="dataset")) == {".gitattributes", "dir/b.txt", "dir/c.bin", "d.txt"}
    with pytest.raises(HfHubHTTPError) as err:  # stale parent: someone committed since
        api.create_commit(repo_id, repo_type="dataset", commit_message="stale", parent_commit=first.oid,
                          operations=[CommitOperationAdd("e.txt", b"e")])
    assert err.value.response.status_code == 412
    with pytest.raises(BadRequestError):  # git would silently drop the file 'd.txt'
        api.create_commit(repo_id, repo_type="dataset", commit_message="clash",
                          operations=[CommitOperationAdd("d.txt/e.txt", b"e")])
    api.create_commit(repo_id, repo_type="dataset", commit_message="three",
                      operations=[CommitOperationDelete("dir/", is_folder=True)])
    assert set(api.list_repo_files(repo_id, repo_type="dataset")) == {".gitattributes", "d.txt"}
    commits = api.list_repo_commits(repo_id, repo_type="dataset")
    assert [c.title for c in commits] == ["three", "two", "one", "initial commit"]
    assert commits[1].commit_id == second.oid and commits[1].message == "longer text"
    assert commits[0].authors == ["cdistill-user"]


def test_tags_branches_and_refs(api):
    from huggingface_hub.errors import HfHubHTTPError, RevisionNotFoundError

    repo_id = _new_repo(api, "dataset")
    v1 = api.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo_id, repo_type="dataset")
    api.create_tag(repo_id, tag="v1.0", repo_type="dataset", tag_message="release")
    with pytest.raises(HfHubHTTPError) as err:  # a released tag is never moved
        api.create_tag(repo_id, tag="v1.0", repo_type="dataset")
    assert err.value.response.status_code == 409
    api.create_tag(repo_id, tag="v1.0", repo_type="dataset", exist_ok=True)
    api.create_branch(repo_id, branch="dev", revision="v1.0", repo_type="dataset")
    dev = api.upload_file(path_or_fileobj=b"dev", path_in_repo="f.txt", repo_id=repo_id,
                          repo_type="dataset", revision="dev")
    refs = api.list_repo_refs(repo_id, repo_type="dataset")
    assert {b.name: b.target_commit for b in refs.branches} == {"main": v1.oid, "dev": dev.oid}
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [("v1.0", "refs/tags/v1.0", v1.oid)]
    assert api.dataset_info(repo_id, revision="dev").sha == dev.oid
    api.delete_tag(repo_id, tag="v1.0", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(repo_id, revision="v1.0")
    with pytest.raises(RevisionNotFoundError):
        api.delete_tag(repo_id, tag="v1.0", repo_type="dataset")
    api.delete_branch(repo_id, branch="dev", repo_type="dataset")
    assert [b.name for b in api.list_repo_refs(repo_id, repo_type="dataset").branches] == ["main"]


def test_downloads_at_branch_tag_and_sha(api, tmp_path):
    from huggingface_hub import hf_hub_download, snapshot_download

    repo_id = _new_repo(api, "dataset")
    old = api.upload_file(path_or_fileobj=b"old", path_in_repo="f.txt", repo_id=repo_id, repo_type="dataset")
    api.upload_file(path_or_fileobj=_parquet(tmp_path / "t.parquet", [1]), path_in_repo="t.parquet",
                    repo_id=repo_id, repo_type="dataset")
    api.create_tag(repo_id, tag="v1", repo_type="dataset")
    api.upload_file(path_or_fileobj=b"new", path_in_repo="f.txt", repo_id=repo_id, repo_type="dataset")
    read = lambda rev: Path(hf_hub_download(repo_id, "f.txt", repo_type="dataset", revision=rev)).read_bytes()
    assert (read("main"), read("v1"), read(old.oid)) == (b"new", b"old", b"old")
    lfs_path = hf_hub_download(repo_id, "t.parquet", repo_type="dataset", revision="v1")
    assert Path(lfs_path).read_bytes() == (tmp_path / "t.parquet").read_bytes()
    snap = Path(snapshot_download(repo_id, repo_type="dataset", revision="v1", local_dir=tmp_path / "snap"))
    assert sorted(p.name for p in snap.iterdir() if not p.name.startswith(".")) == ["f.txt", "t.parquet"]
    assert (snap / "f.txt").read_bytes() == b"old"


def test_missing_things_raise_the_client_exceptions(api):
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    repo_id = _new_repo(api, "dataset")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("cdistill-user/does-not-exist", "README.md", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo_id, ".gitattributes", repo_type="dataset", revision="no-such-tag")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo_id, "missing.txt", repo_type="dataset")
    assert api.file_exists(repo_id, ".gitattributes", repo_type="dataset")
    assert not api.file_exists(repo_id, "missing.txt", repo_type="dataset")
    assert not api.file_exists(repo_id, ".gitattributes", repo_type="dataset", revision="nope")


def test_resolve_headers_and_ranges(api, hub_emulator):
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    repo_id = _new_repo(api, "model")
    weights = bytes(range(256)) * 4
    info = api.upload_file(path_or_fileobj=weights, path_in_repo="model.safetensors", repo_id=repo_id)
    url = hf_hub_url(repo_id, "model.safetensors", revision="main")
    meta = get_hf_file_metadata(url)
    entry = api.get_paths_info(repo_id, ["model.safetensors"])[0]
    assert meta.commit_hash == info.oid and meta.size == len(weights)
    assert meta.etag == entry.lfs.sha256  # LFS files are identified by their sha256
    request = urllib.request.Request(url, headers={"Range": "bytes=10-19"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206 and response.read() == weights[10:20]
        assert response.headers["Content-Range"] == f"bytes 10-19/{len(weights)}"


def test_model_repo_roundtrip(api):
    from huggingface_hub import hf_hub_download

    repo_id = _new_repo(api, "model")
    api.upload_file(path_or_fileobj=b'{"hidden_size": 64}', path_in_repo="config.json", repo_id=repo_id)
    api.upload_file(path_or_fileobj=b"\x00" * 100, path_in_repo="pytorch_model.bin", repo_id=repo_id)
    info = api.model_info(repo_id, files_metadata=True)
    siblings = {s.rfilename: s for s in info.siblings}
    assert siblings["pytorch_model.bin"].lfs is not None and siblings["config.json"].lfs is None
    assert info.id == repo_id and info.sha is not None
    assert Path(hf_hub_download(repo_id, "config.json")).read_bytes() == b'{"hidden_size": 64}'


def test_paths_info_and_tree_listing(api):
    from huggingface_hub import CommitOperationAdd
    from huggingface_hub.hf_api import RepoFile, RepoFolder

    repo_id = _new_repo(api, "dataset")
    api.create_commit(repo_id, repo_type="dataset", commit_message="files", operations=[
        CommitOperationAdd("data/x/1.txt", b"1"), CommitOperationAdd("data/y.txt", b"2")])
    infos = api.get_paths_info(repo_id, ["data", "data/y.txt", "absent"], repo_type="dataset", expand=True)
    assert [(type(i), i.path) for i in infos] == [(RepoFolder, "data"), (RepoFile, "data/y.txt")]
    assert infos[1].last_commit.title == "files"
    top = {e.path for e in api.list_repo_tree(repo_id, path_in_repo="data", repo_type="dataset")}
    assert top == {"data/x", "data/y.txt"}


def test_load_dataset_at_a_tag(api, tmp_path):
    import datasets

    repo_id = _new_repo(api, "dataset")
    api.upload_folder(folder_path=_dataset_folder(tmp_path / "v1", PARQUET_ROWS_V1), repo_id=repo_id,
                      repo_type="dataset", commit_message="v1")
    api.create_tag(repo_id, tag="v1.0", repo_type="dataset")
    api.upload_folder(folder_path=_dataset_folder(tmp_path / "v2", [7, 8]), repo_id=repo_id,
                      repo_type="dataset", commit_message="v2")
    at_tag = datasets.load_dataset(repo_id, "small", revision="v1.0", split="train")
    latest = datasets.load_dataset(repo_id, "small", split="train")
    assert at_tag["x"] == PARQUET_ROWS_V1 and latest["x"] == [7, 8]


def test_dataset_card_load_and_push(api, tmp_path):
    from huggingface_hub import DatasetCard

    repo_id = _new_repo(api, "dataset")
    api.upload_folder(folder_path=_dataset_folder(tmp_path / "ds", PARQUET_ROWS_V1), repo_id=repo_id,
                      repo_type="dataset")
    card = DatasetCard.load(repo_id, token=HUB_TOKEN)
    assert card.data.configs[0]["config_name"] == "small"
    card.data.license = "apache-2.0"
    card.push_to_hub(repo_id, token=HUB_TOKEN, commit_message="Add license")
    assert DatasetCard.load(repo_id).data.license == "apache-2.0"
    assert api.list_repo_commits(repo_id, repo_type="dataset")[0].title == "Add license"


def test_token_is_never_written_or_logged(tmp_path, capfd):
    from huggingface_hub import HfApi

    from builders.offline.hub_emulator import HubEmulator

    secret = "hf_must_not_leak_" + uuid.uuid4().hex
    hub = HubEmulator(tmp_path / "root", token=secret)
    hub.verbose = True  # even with request logging on
    with hub:
        api = HfApi(endpoint=hub.endpoint, token=secret)
        repo_id = _new_repo(api, "dataset")
        api.upload_file(path_or_fileobj=b"\x00lfs", path_in_repo="x.bin", repo_id=repo_id, repo_type="dataset")
        assert secret not in repr(hub)
    out, err = capfd.readouterr()
    assert secret not in out + err and "/api/repos/create" in err
    for path in (tmp_path / "root").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_command_line_serves_in_the_foreground(tmp_path):
    from huggingface_hub import HfApi

    from builders.offline.hub_emulator import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "builders.offline.hub_emulator", "--root", str(tmp_path), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        assert f"127.0.0.1:{port}" in proc.stdout.readline()
        api = HfApi(endpoint=f"http://127.0.0.1:{port}", token="any")
        repo_id = _new_repo(api, "model")
        assert api.repo_exists(repo_id)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
