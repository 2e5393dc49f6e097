"""Store and publish the dataset releases: a local git store laid out like Hub dataset repos.

The local store is the embedded default. Under its root, ``<org>/<name>/`` is an ordinary
(non-bare) git repository holding exactly what the Hub dataset repo will hold::

    README.md                                   the card; its YAML header declares the configs
    data/<config>/train-00000-of-00001.parquet  one folder per source dataset (config)
    plots/...                                   optional extra files of the release

The card's ``configs:`` declare one config per source (``data/<config>/*.parquet``) plus ``all``
(the default, ``data/*/*.parquet``), so no data is stored twice. Each release is a git tag; a
release exists once its tag exists. ``load_release`` exports a tag's tree into a folder and loads
it with ``datasets.load_dataset`` (which reads a Hub-layout folder but ignores ``revision=``,
hence the export).

``publish`` replays the local tags onto a Hub dataset repo with ``huggingface_hub``: one Hub
commit per release, then the Hub tag on it. Tags are created only after their commit, so an
interrupted publish leaves at most an untagged commit, which a rerun recognizes (same content)
and tags. Identical content is never committed twice, and a published tag is never moved: a Hub
tag on different content raises ``TagConflict``. The token goes to ``HfApi`` and nowhere else.

Repository names come from ``repo_name``: one repo per (teacher, variant[, compressor]).
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from builders.contract import PUBLISHED_COLUMNS, VARIANTS, ContractError

__all__ = [
    "ALL_CONFIG", "DEFAULT_ORGANIZATION", "LocalStore", "ReleaseNotFound", "TagConflict",
    "add_publish_command", "configs_yaml", "ensure_card_configs", "load_release", "publish",
    "repo_name",
]  # fmt: skip

logger = logging.getLogger(__name__)

DEFAULT_ORGANIZATION = "compress-distill"
ALL_CONFIG = "all"
DATA_FILE = "train-00000-of-00001.parquet"
# Parquet's zstd at level 1 stores the reasoning text ~30% smaller than the default snappy at the
# same encoding speed; the store writes every byte three times (the file, git's object, the work
# tree) and users download it (level 3: ~25% smaller again, ~25% slower to write; docs/benchmarks.md).
PARQUET_ZSTD_LEVEL = 1
SPLIT = "train"
# The Hub adds this file to every new repo (LFS rules); it is the Hub's, not part of a release.
HUB_GITATTRIBUTES = ".gitattributes"

# Hub repo and organisation names: letters, digits, '-', '_', '.', at most 96 characters.
_HUB_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
_CONFIG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MAX_NAME = 96
_AUTHOR = "compress-distill"
_EMAIL = "compress-distill@users.noreply.localhost"


class TagConflict(RuntimeError):
    """A Hub tag already names a release with different content; tags are never moved."""

    def __init__(self, tag: str, hub_repo_id: str, hub_commit: str, local_commit: str, detail: str):
        self.tag, self.hub_repo_id = tag, hub_repo_id
        self.hub_commit, self.local_commit = hub_commit, local_commit
        super().__init__(
            f"tag {tag!r} of {hub_repo_id} points to Hub commit {hub_commit}, whose files differ from "
            f"the local release {tag!r} (local commit {local_commit}): {detail}. A published tag is "
            f"never moved; release the new content under a new tag."
        )


class ReleaseNotFound(LookupError):
    """The local store has no such release tag."""


# ----------------------------------------------------------------------------------------------
# Repository names
# ----------------------------------------------------------------------------------------------
def _slug(text: str) -> str:
    """Lower-case slug of a model id's basename ("Qwen/Qwen3.5-397B-A17B-FP8" -> "qwen3.5-397b-a17b-fp8")."""
    base = str(text).strip().rstrip("/").rsplit("/", 1)[-1].lower()
    slug = re.sub(r"[^a-z0-9.]+", "-", base)  # '_' too: one separator style in repo names
    slug = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", slug)).strip("-.")
    if not slug:
        raise ValueError(f"cannot make a repo name part out of {text!r}")
    return slug


def _check_hub_name(name: str, what: str) -> str:
    """Refuse names the Hub refuses ('--' and '..' are reserved there too)."""
    if not _HUB_NAME_RE.match(name or "") or "--" in name or ".." in name or name.endswith(".git"):
        raise ValueError(f"invalid Hub {what} {name!r}: use letters, digits, '-', '_', '.' (at most 96)")
    return name


def repo_name(teacher: str, variant: str, compressor: str | None = None,
              organization: str = DEFAULT_ORGANIZATION) -> str:
    """The dataset repo id of one (teacher, variant[, compressor]): ``org/teacher-variant[-compressor]``.

    Model ids are reduced to their slugified basename. A name longer than the Hub allows is
    clipped and suffixed with a hash of the full name, so distinct inputs stay distinct.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {VARIANTS}")
    if variant == "compressed" and not compressor:
        raise ValueError("a compressed variant needs its compressor in the repo name")
    parts = [_slug(teacher), _slug(variant)] + ([_slug(compressor)] if compressor else [])
    name = "-".join(parts)
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:_MAX_NAME - 9].rstrip('-.')}-{digest}"
    return f"{_check_hub_name(organization, 'organization')}/{_check_hub_name(name, 'repo name')}"


def _split_repo_id(repo_id: str) -> tuple[str, str]:
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2:
        raise ValueError(f"repo id must be 'org/name', got {repo_id!r}")
    return _check_hub_name(parts[0], "organization"), _check_hub_name(parts[1], "repo name")


# ----------------------------------------------------------------------------------------------
# The card's configs
# ----------------------------------------------------------------------------------------------
def configs_yaml(config_names: Iterable[str]) -> list[dict[str, Any]]:
    """The card's ``configs:`` list: ``all`` (default, every source) then one config per source."""
    names = sorted(set(config_names))
    configs: list[dict[str, Any]] = [{
        "config_name": ALL_CONFIG, "default": True,
        "data_files": [{"split": SPLIT, "path": "data/*/*.parquet"}],
    }]
    configs += [{"config_name": name, "data_files": [{"split": SPLIT, "path": f"data/{name}/*.parquet"}]}
                for name in names]
    return configs


def _front_matter(card: str) -> tuple[str | None, str]:
    """Split a card into its YAML front matter (None when it has none) and the body."""
    text = card.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4:end + 5] not in ("", "\n"):
        end = text.find("\n---", end + 4)
    if end == -1:
        raise ValueError("the card's YAML front matter has no closing '---' line")
    return text[4:end + 1], text[end + 5:]


def ensure_card_configs(card: str, config_names: Iterable[str]) -> str:
    """The card with a ``configs:`` block in its YAML header, checked against the release's configs.

    A card that already declares configs keeps them, but they must name exactly the release's
    configs plus ``all``: a card pointing at configs the data lacks would load wrong or fail.
    """
    import yaml

    names = sorted(set(config_names))
    header, body = _front_matter(card)
    meta = yaml.safe_load(header) if header else {}
    if meta is not None and not isinstance(meta, dict):
        raise ValueError("the card's YAML front matter is not a mapping")
    declared = (meta or {}).get("configs")
    if declared is not None:
        got = sorted(c.get("config_name", "default") for c in declared if isinstance(c, dict))
        if got != sorted([*names, ALL_CONFIG]):
            raise ValueError(f"the card declares configs {got}, the release has {sorted([*names, ALL_CONFIG])}")
        return card if card.endswith("\n") else card + "\n"
    block = yaml.safe_dump({"configs": configs_yaml(names)}, sort_keys=False, allow_unicode=True)
    return f"---\n{header or ''}{block}---\n{body}"


# ----------------------------------------------------------------------------------------------
# Rows -> parquet
# ----------------------------------------------------------------------------------------------
_COLUMN_SET = frozenset(PUBLISHED_COLUMNS)


@functools.lru_cache(maxsize=1)
def _published_schema() -> Any:
    from builders.contract import published_features

    return published_features().arrow_schema


def _check_row(row: Any) -> None:
    """A published row has exactly the contract's columns."""
    keys = set(row.keys()) if isinstance(row, Mapping) else set()
    if keys != _COLUMN_SET:
        missing = [c for c in PUBLISHED_COLUMNS if c not in keys]
        raise ContractError(f"published row {row.get('id') if keys else row!r}: missing columns {missing}, "
                            f"unexpected columns {sorted(keys - _COLUMN_SET)}")


def _null_column(row: Any, column: str) -> ContractError:
    return ContractError(f"published row {row['id']!r}: null columns ['{column}']")


def _messages_array(rows: list[Any], message_type: Any) -> Any:
    """The ``messages`` column as one list-of-struct array, built from flat role/content lists."""
    import pyarrow as pa

    roles, contents, offsets = [], [], [0]
    for row in rows:
        messages = row["messages"]  # built on demand by the builder's rows: read once
        if messages is None:
            raise _null_column(row, "messages")
        for message in messages:
            roles.append(message["role"])
            contents.append(message["content"])
        offsets.append(len(roles))
    for values in (roles, contents):
        if None in values:  # the row whose messages hold the first null
            raise _null_column(rows[bisect.bisect_right(offsets, values.index(None)) - 1], "messages")
    fields = list(message_type.value_type)
    struct = pa.StructArray.from_arrays([pa.array(roles, fields[0].type), pa.array(contents, fields[1].type)],
                                        fields=fields)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), struct, type=message_type)


def _published_table(rows: list[Any]) -> Any:
    """Rows -> an Arrow table with the published schema, built column by column: at paper scale a
    Python dict per row (``Table.from_pylist``) costs as much as encoding the parquet itself."""
    import pyarrow as pa

    for row in rows:
        _check_row(row)
    schema = _published_schema()
    columns = []
    for field in schema:
        if field.name == "messages":
            columns.append(_messages_array(rows, field.type))
            continue
        values = [row[field.name] for row in rows]
        if None in values:
            raise _null_column(rows[values.index(None)], field.name)
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _write_parquet(rows: list[Any], path: Path) -> None:
    """Write rows with the published schema; the features ride in the schema metadata, so
    ``datasets`` loads back exactly these types. Same rows give the same bytes (no timestamps)."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(_published_table(rows), path, compression="zstd", compression_level=PARQUET_ZSTD_LEVEL)


def _check_extra_path(path: str) -> str:
    """Extra files live beside the data: relative, no dot-files, not the card, not under data/."""
    parts = path.split("/")
    if (not path or path.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
            or any(ord(ch) < 32 for ch in path) or path == "README.md" or parts[0] == "data"):
        raise ValueError(f"invalid extra file path {path!r}")
    return path


# ----------------------------------------------------------------------------------------------
# git plumbing
# ----------------------------------------------------------------------------------------------
def _git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment isolated from the user's git config and hooks, with a fixed author."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")}
    env.update({"LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_TERMINAL_PROMPT": "0"})
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"], env[f"GIT_{role}_EMAIL"] = _AUTHOR, _EMAIL
    env.update(extra or {})
    return env


def _git(repo: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
         check: bool = True) -> str:
    """Run ``git -C repo args``; return stdout (stripped). Raise RuntimeError with git's message."""
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True,
                          env=_git_env(env), check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} in {repo} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode(errors="surrogateescape").strip() if proc.returncode == 0 else ""


class _ObjectWriter:
    """One ``git hash-object -w --stdin-paths`` fed file by file while the caller writes the next.

    Parquet is already compressed, so objects are stored without zlib (``core.loosecompression``
    for small files, ``pack.compression`` for those above ``core.bigFileThreshold``, which git
    streams into a pack): recompressing a paper-scale release took minutes to save ~15% of disk.
    """

    def __init__(self, repo: Path):
        self.repo, self.paths = repo, []
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "_ObjectWriter":
        self.proc = subprocess.Popen(
            ["git", "-C", str(self.repo), "-c", "core.loosecompression=0", "-c", "pack.compression=0",
             "hash-object", "-w", "--no-filters", "--stdin-paths"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_git_env())
        return self

    def add(self, path: str, file: Path) -> None:
        self.paths.append(path)
        try:
            self.proc.stdin.write(f"{file}\n".encode())
            self.proc.stdin.flush()
        except BrokenPipeError:  # git stopped: report why, not the pipe
            self.finish()

    def finish(self) -> dict[str, str]:
        """Path -> blob id of every file added."""
        out, err = self.proc.communicate()
        blobs = out.decode().split()
        if self.proc.returncode != 0 or len(blobs) != len(self.paths):
            raise RuntimeError(f"git hash-object in {self.repo} failed: {err.decode(errors='replace').strip()}")
        return dict(zip(self.paths, blobs))

    def __exit__(self, *exc_info) -> None:
        if self.proc.returncode is None:  # an error before finish(): stop git, wait for it
            self.proc.kill()
            self.proc.communicate()


@dataclass(frozen=True)
class _LocalFile:
    """One file of a release: its git blob id (what the Hub reports for regular files) and size."""

    blob: str
    size: int


# ----------------------------------------------------------------------------------------------
# The local store
# ----------------------------------------------------------------------------------------------
class LocalStore:
    """Git repositories under ``root``, one per dataset repo, each laid out like the Hub's."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def repo_path(self, repo_id: str) -> Path:
        org, name = _split_repo_id(repo_id)
        return self.root / org / name

    # -- writing ----------------------------------------------------------------------------
    def write_release(self, repo_id: str, rows_by_config: Mapping[str, list[Any]], card: str, tag: str,
                      extra_files: Mapping[str, bytes] | None = None, message: str | None = None) -> str:
        """Write one release and tag it; return its commit sha.

        The tree is built from scratch (files of an older release that are not rewritten are
        gone), committed on ``main`` unless identical to the head's, then tagged. The work tree is
        only refreshed afterwards, so a kill at any point leaves either no new release or a
        commit without its tag, which a rerun of the same call completes. Writing an existing tag
        with the same content is a no-op; with different content it raises ValueError.
        """
        self._check_tag(tag)
        if not rows_by_config:
            raise ValueError("a release needs at least one config")
        for config in rows_by_config:
            if not _CONFIG_RE.match(config) or config == ALL_CONFIG:
                raise ValueError(f"invalid config name {config!r} ({ALL_CONFIG!r} is reserved)")
        extras = {_check_extra_path(p): bytes(c) for p, c in (extra_files or {}).items()}
        card_text = ensure_card_configs(card, rows_by_config)
        with self._locked(repo_id):
            repo = self._ensure_repo(repo_id)
            with self._staging(repo) as staging:
                tree = self._build_tree(repo, staging, rows_by_config, card_text, extras)
            commit = self._commit_and_tag(repo, repo_id, tree, tag, message or f"Release {tag}")
            self._refresh_worktree(repo)
        return commit

    def _commit_and_tag(self, repo: Path, repo_id: str, tree: str, tag: str, message: str) -> str:
        existing = self._rev(repo, f"refs/tags/{tag}^{{commit}}")
        head = self._rev(repo, "refs/heads/main")
        if existing is not None:
            if self._rev(repo, f"{existing}^{{tree}}") == tree:
                return existing  # a rerun of a finished release
            raise ValueError(f"release tag {tag!r} of {repo_id} exists on commit {existing} with other "
                             f"content; refusing to move it (current head {head}, new tree {tree})")
        if head is not None and self._rev(repo, f"{head}^{{tree}}") == tree:
            commit = head  # same content as the head (or a rerun after a kill): no empty commit
        else:
            parents = ["-p", head] if head else []
            commit = _git(repo, "commit-tree", tree, *parents, "-m", message)
            # The empty old value makes git refuse if main appeared meanwhile.
            _git(repo, "update-ref", "-m", f"release {tag}", "refs/heads/main", commit, head or "")
        self._create_tag(repo, tag, commit, message)
        return commit

    @staticmethod
    def _create_tag(repo: Path, tag: str, commit: str, message: str) -> None:
        """An annotated tag: its date orders releases on the same commit."""
        _git(repo, "tag", "-a", "-m", message, tag, commit)

    def _build_tree(self, repo: Path, staging: Path, rows_by_config: Mapping[str, list[Any]],
                    card: str, extras: Mapping[str, bytes]) -> str:
        """Write the release's files under ``staging``, store them as git objects, return the tree id.

        Each file goes to git as soon as it is written, so git hashes one config's parquet while
        Python encodes the next (the largest first: the most hashing overlapped)."""
        files = staging / "files"
        with _ObjectWriter(repo) as writer:
            for path, content in [("README.md", card.encode("utf-8")), *sorted(extras.items())]:
                (files / path).parent.mkdir(parents=True, exist_ok=True)
                (files / path).write_bytes(content)
                writer.add(path, files / path)
            for config, rows in sorted(rows_by_config.items(), key=lambda item: (-len(item[1]), item[0])):
                path = f"data/{config}/{DATA_FILE}"
                _write_parquet(list(rows), files / path)
                writer.add(path, files / path)
            blobs = writer.finish()
        index_env = {"GIT_INDEX_FILE": str(staging / "index")}  # a fresh index: stale files drop out
        records = "".join(f"100644 {blob}\t{path}\n" for path, blob in sorted(blobs.items())).encode()
        _git(repo, "update-index", "--add", "--index-info", input=records, env=index_env)
        return _git(repo, "write-tree", env=index_env)

    @staticmethod
    def _refresh_worktree(repo: Path) -> None:
        """Make the work tree show the head (a view for people; git's refs are the truth)."""
        _git(repo, "reset", "-q", "--hard", "refs/heads/main")
        _git(repo, "clean", "-q", "-f", "-d")

    @staticmethod
    def _check_tag(tag: str) -> None:
        if not isinstance(tag, str) or not tag or "/" in tag or tag.startswith("-"):
            raise ValueError(f"invalid release tag {tag!r}")
        if subprocess.run(["git", "check-ref-format", f"refs/tags/{tag}"], capture_output=True,
                          env=_git_env()).returncode != 0:
            raise ValueError(f"invalid release tag {tag!r}")

    def _ensure_repo(self, repo_id: str) -> Path:
        path = self.repo_path(repo_id)
        if (path / ".git").is_dir():
            return path
        if path.exists() and any(path.iterdir()):
            raise ValueError(f"{path} exists and is not a git repository of the store")
        path.mkdir(parents=True, exist_ok=True)
        _git(path, "init", "-q", "--initial-branch=main")
        return path

    @contextlib.contextmanager
    def _locked(self, repo_id: str) -> Iterator[None]:
        """One writer per repo at a time, across processes (released by the OS if killed)."""
        org, name = _split_repo_id(repo_id)
        lock = self.root / org / f".{name}.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    @contextlib.contextmanager
    def _staging(repo: Path) -> Iterator[Path]:
        """A scratch folder inside .git (never in the work tree); leftovers of a kill are removed."""
        git_dir = repo / ".git"
        for stale in git_dir.glob("cdistill-staging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # we hold the lock: nobody else is staging
        staging = Path(tempfile.mkdtemp(prefix="cdistill-staging-", dir=git_dir))
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- reading ----------------------------------------------------------------------------
    @staticmethod
    def _rev(repo: Path, rev: str) -> str | None:
        sha = _git(repo, "rev-parse", "--verify", "--quiet", rev, check=False)
        return sha or None

    def releases(self, repo_id: str) -> list[str]:
        """Release tags, oldest first: by their commit's place on main, then tag date, then name."""
        repo = self.repo_path(repo_id)
        if not (repo / ".git").is_dir():
            return []
        order = {sha: i for i, sha in enumerate(
            _git(repo, "rev-list", "--reverse", "refs/heads/main", check=False).split())}
        listing = _git(repo, "for-each-ref", "refs/tags",
                       "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)")
        keyed = []
        for line in listing.splitlines():
            name, obj, peeled, date = line.split("\0")
            commit = peeled or obj
            keyed.append((order.get(commit, len(order)), int(date or 0), name))
        return [name for *_, name in sorted(keyed)]

    def tag_commit(self, repo_id: str, tag: str) -> str:
        """The commit a release tag names; ReleaseNotFound when there is none."""
        repo = self.repo_path(repo_id)
        sha = self._rev(repo, f"refs/tags/{tag}^{{commit}}") if (repo / ".git").is_dir() else None
        if sha is None:
            raise ReleaseNotFound(f"{repo_id} has no release {tag!r}; releases: {self.releases(repo_id)}")
        return sha

    def release_files(self, repo_id: str, tag: str) -> dict[str, _LocalFile]:
        """Path -> (git blob id, size) of every file of a release."""
        repo = self.repo_path(repo_id)
        out = _git(repo, "ls-tree", "-r", "-l", "-z", self.tag_commit(repo_id, tag))
        files = {}
        for record in filter(None, out.split("\0")):
            meta, path = record.split("\t", 1)
            _mode, kind, blob, size = meta.split()
            if kind == "blob":
                files[path] = _LocalFile(blob, int(size))
        return files

    def blob_sha256(self, repo_id: str, blob: str) -> str:
        """sha256 of a blob's content (the Hub names LFS files by it), streamed from git."""
        digest = hashlib.sha256()
        with subprocess.Popen(["git", "-C", str(self.repo_path(repo_id)), "cat-file", "blob", blob],
                              stdout=subprocess.PIPE, env=_git_env()) as proc:
            for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):
                digest.update(chunk)
        if proc.returncode != 0:
            raise RuntimeError(f"git cat-file failed for blob {blob} of {repo_id}")
        return digest.hexdigest()

    def export(self, repo_id: str, tag: str, dest: str | Path) -> Path:
        """Write the tree of release ``tag`` into ``dest`` (new or empty) as plain files."""
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            raise ValueError(f"export destination {dest} is not empty")
        commit = self.tag_commit(repo_id, tag)
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Check out into a sibling folder first and rename: a kill never leaves a half export.
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        try:
            index_env = {"GIT_INDEX_FILE": str(tmp / ".index")}
            repo = self.repo_path(repo_id)
            _git(repo, "read-tree", f"{commit}^{{tree}}", env=index_env)
            _git(repo, "checkout-index", "-a", f"--prefix={tmp / 'tree'}/", env=index_env)
            if dest.exists():
                dest.rmdir()
            os.replace(tmp / "tree", dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return dest


def load_release(store_root_or_store: LocalStore | str | Path, repo_id: str, tag: str,
                 config: str = ALL_CONFIG, split: str = SPLIT):
    """Load one config of a local release with ``datasets.load_dataset``.

    The tag is exported once into ``<root>/.exports/<org>/<name>/<commit>`` (commits never
    change, so the export and the datasets cache built from it stay valid) and loaded from there.
    """
    import datasets

    store = store_root_or_store if isinstance(store_root_or_store, LocalStore) else LocalStore(store_root_or_store)
    commit = store.tag_commit(repo_id, tag)
    folder = store.root / ".exports" / repo_id / commit
    if not folder.is_dir():
        try:
            store.export(repo_id, tag, folder)
        except (ValueError, OSError):
            if not (folder / "README.md").is_file():  # else a concurrent loader won the rename
                raise
    return datasets.load_dataset(str(folder), config, split=split)


# ----------------------------------------------------------------------------------------------
# Publishing to the Hub
# ----------------------------------------------------------------------------------------------
def _hub_files(api, hub_repo_id: str, commit: str) -> dict[str, Any]:
    """Path -> RepoFile of every file of a Hub commit."""
    from huggingface_hub.hf_api import RepoFile

    tree = api.list_repo_tree(hub_repo_id, repo_type="dataset", revision=commit, recursive=True)
    return {entry.path: entry for entry in tree if isinstance(entry, RepoFile)}


def _content_diff(local: Mapping[str, _LocalFile], hub: Mapping[str, Any], sha256_of) -> list[str]:
    """Paths whose content differs between a local release and a Hub commit ([] when equal).

    Regular Hub files are compared by git blob id, LFS files by sha256 and size; the Hub's own
    .gitattributes is not part of a release.
    """
    hub_paths = set(hub) - ({HUB_GITATTRIBUTES} - set(local))
    differ = sorted(set(local) ^ hub_paths)
    for path in sorted(set(local) & hub_paths):
        entry, mine = hub[path], local[path]
        if entry.lfs is not None:
            same = entry.lfs.size == mine.size and entry.lfs.sha256 == sha256_of(mine.blob)
        else:
            same = entry.blob_id == mine.blob
        if not same:
            differ.append(path)
    return differ


def _commit_release(api, store: LocalStore, repo_id: str, hub_repo_id: str, tag: str,
                    hub_head_files: Mapping[str, Any], head: str) -> str:
    """Upload one release as one Hub commit on top of ``head``; return the commit id.

    ``parent_commit`` makes the Hub refuse the commit if someone else committed since we looked.
    """
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    local = store.release_files(repo_id, tag)
    local_commit = store.tag_commit(repo_id, tag)
    body = _git(store.repo_path(repo_id), "log", "-1", "--format=%B", local_commit)
    with tempfile.TemporaryDirectory(prefix="cdistill-publish-") as tmp:
        folder = store.export(repo_id, tag, Path(tmp) / "release")
        operations = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(folder / p)) for p in sorted(local)]
        operations += [CommitOperationDelete(path_in_repo=p) for p in sorted(hub_head_files)
                       if p not in local and p != HUB_GITATTRIBUTES]
        info = api.create_commit(
            hub_repo_id, operations, repo_type="dataset", revision="main", parent_commit=head,
            commit_message=f"Release {tag}",
            commit_description=f"{body}\n\nLocal store commit: {local_commit}".strip(),
        )
    return info.oid


def _hub_state(api, hub_repo_id: str) -> tuple[str, dict[str, str]]:
    """The Hub's main head and its tags (name -> commit)."""
    refs = api.list_repo_refs(hub_repo_id, repo_type="dataset")
    heads = {b.name: b.target_commit for b in refs.branches}
    return heads["main"], {t.name: t.target_commit for t in refs.tags}


def publish(store: LocalStore, repo_id: str, *, endpoint: str | None = None, token: str | None = None,
            private: bool = False, hub_repo_id: str | None = None) -> list[dict[str, str]]:
    """Replay the local releases of ``repo_id`` onto the Hub dataset repo ``hub_repo_id``.

    Returns one ``{tag, commit, action}`` per local release, oldest first; ``action`` is
    ``exists`` (already on the Hub with this content), ``created`` (new commit, then tag) or
    ``tagged-existing-commit`` (the Hub head already held this content, e.g. after an
    interrupted publish). Every existing Hub tag is checked before anything is written, so a
    ``TagConflict`` leaves the Hub untouched. The token (else ``HF_TOKEN``) only reaches HfApi.
    """
    from huggingface_hub import HfApi

    hub_repo_id = hub_repo_id or repo_id
    _split_repo_id(hub_repo_id)
    tags = store.releases(repo_id)
    if not tags:
        raise ReleaseNotFound(f"the local store {store.root} has no release of {repo_id}")
    api = HfApi(endpoint=endpoint, token=token or os.environ.get("HF_TOKEN") or None)
    api.create_repo(hub_repo_id, repo_type="dataset", private=private, exist_ok=True)
    if private and not api.repo_info(hub_repo_id, repo_type="dataset").private:
        # Publishing data meant to be private into an existing public repo would leak it.
        raise ValueError(f"{hub_repo_id} already exists and is public; refusing a --private publish into it")

    sha256_cache: dict[str, str] = {}

    def sha256_of(blob: str) -> str:
        if blob not in sha256_cache:
            sha256_cache[blob] = store.blob_sha256(repo_id, blob)
        return sha256_cache[blob]

    _head, hub_tags = _hub_state(api, hub_repo_id)
    for tag in tags:  # check every published tag first: a conflict must change nothing
        if tag in hub_tags:
            differ = _content_diff(store.release_files(repo_id, tag),
                                   _hub_files(api, hub_repo_id, hub_tags[tag]), sha256_of)
            if differ:
                raise TagConflict(tag, hub_repo_id, hub_tags[tag], store.tag_commit(repo_id, tag),
                                  f"differing files {differ[:10]}")

    results = []
    for tag in tags:
        if tag in hub_tags:
            results.append({"tag": tag, "commit": hub_tags[tag], "action": "exists"})
            continue
        head, _ = _hub_state(api, hub_repo_id)
        head_files = _hub_files(api, hub_repo_id, head)
        if not _content_diff(store.release_files(repo_id, tag), head_files, sha256_of):
            commit, action = head, "tagged-existing-commit"
        else:
            commit = _commit_release(api, store, repo_id, hub_repo_id, tag, head_files, head)
            action = "created"
        api.create_tag(hub_repo_id, tag=tag, tag_message=f"Release {tag}", revision=commit, repo_type="dataset")
        logger.info("published %s@%s: %s (commit %s)", hub_repo_id, tag, action, commit)
        results.append({"tag": tag, "commit": commit, "action": action})
    return results


# ----------------------------------------------------------------------------------------------
# Command line: ``cdistill publish``
# ----------------------------------------------------------------------------------------------
def _prefer_plain_uploads(endpoint: str | None) -> None:
    """Disable Xet uploads for endpoints other than the real Hub (emulators speak plain LFS).

    huggingface_hub reads the flag when first imported, so this only helps before that import.
    """
    target = endpoint or os.environ.get("HF_ENDPOINT") or ""
    if target and "huggingface.co" not in target:
        os.environ.setdefault("HF_HUB_DISABLE_XET", "1")


def cmd_publish(args) -> int:
    """``cdistill publish``: the token comes from HF_TOKEN only, never from a flag (shell history)."""
    _prefer_plain_uploads(args.endpoint)
    results = publish(LocalStore(args.store), args.repo, endpoint=args.endpoint,
                      token=os.environ.get("HF_TOKEN") or None, private=args.private,
                      hub_repo_id=args.hub_repo)
    print(json.dumps(results, indent=2))
    return 0


def add_publish_command(subparsers) -> Any:
    """Add ``publish`` to the ``cdistill`` subcommands; returns its parser."""
    parser = subparsers.add_parser(
        "publish", help="push a local dataset repo's releases to the Hub",
        description="Push every release (tag) of a local store repo to a Hub dataset repo: one commit "
                    "per release, existing tags checked and never moved. The token is read from HF_TOKEN.",
    )
    parser.add_argument("--store", required=True, help="root folder of the local store")
    parser.add_argument("--repo", required=True, metavar="ORG/NAME", help="repo id in the local store")
    parser.add_argument("--hub-repo", metavar="ORG/NAME", help="Hub repo id (default: same as --repo)")
    parser.add_argument("--private", action="store_true", help="create the Hub repo private")
    parser.add_argument("--endpoint", help="Hub endpoint URL (default: HF_ENDPOINT or huggingface.co)")
    parser.set_defaults(func=cmd_publish)
    return parser
