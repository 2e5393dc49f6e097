"""A small HTTP emulator of the Hugging Face Hub API, for machines that cannot reach the Hub.

The real, unmodified ``huggingface_hub`` and ``datasets`` clients talk to it when
``HF_ENDPOINT=http://127.0.0.1:PORT`` and ``HF_HUB_DISABLE_XET=1`` are set before
``huggingface_hub`` is imported. Only the standard library and the ``git`` CLI are used.

Storage layout under ``root``::

    <root>/<type>s/<owner>/<name>.git        a bare git repository (branches, tags, commits are real refs)
    <root>/<type>s/<owner>/<name>.git/hub-repo.json      visibility and creation date
    <root>/<type>s/<owner>/<name>.git/lfs/objects/ab/cd/<sha256>   LFS object contents

As on the Hub, the git tree holds LFS *pointer* files for large/binary files while the
contents live in the LFS store; the API answers report ``lfs: {oid, size, pointerSize}``.

Implemented endpoints (paths relative to the endpoint; ``{t}`` is models/datasets/spaces):

* ``GET  /api/whoami-v2``, ``POST /api/validate-yaml``
* ``POST /api/repos/create``, ``DELETE /api/repos/delete``, ``PUT /api/{t}/{repo}/settings``
* ``GET  /api/{t}/{repo}[/revision/{rev}]`` (repo info with ``sha`` and ``siblings``)
* ``GET  /api/{t}/{repo}/refs``, ``/commits/{rev}``, ``/tree/{rev}[/{path}]``
* ``POST /api/{t}/{repo}/paths-info/{rev}``, ``/preupload/{rev}``, ``/commit/{rev}`` (NDJSON)
* ``POST|DELETE /api/{t}/{repo}/branch/{name}``, ``POST /tag/{rev}``, ``DELETE /tag/{tag}``
* ``POST /[{t}/]{repo}.git/info/lfs/objects/batch`` and ``.../verify``; ``PUT`` of LFS objects
  to a signed URL the emulator hands out
* ``GET|HEAD /[{t}/]{repo}/resolve/{rev}/{path}`` with ``Range`` support

Security: the expected token is only held in memory and compared in constant time. Nothing
here logs request headers; optional logging (``verbose``) prints method and path only.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["HubEmulator", "free_port"]

# API path segment ("datasets") -> repo type ("dataset"), as in huggingface_hub.constants.
_API_TYPES = {"models": "model", "datasets": "dataset", "spaces": "space", "kernels": "kernel"}
# Repo type -> prefix of web/resolve URLs; models have none.
_URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/", "kernel": "kernels/"}

_LFS_SPEC = b"version https://git-lfs.github.com/spec/v1\n"
# A pointer file is ~130 bytes; only blobs below this size are read to detect pointers.
_MAX_POINTER_SIZE = 1024
# The Hub sends files above 10 MB through LFS whatever their extension.
_LFS_SIZE_THRESHOLD = 10 * 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_SHA1_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SHORT_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")
_SPECIAL_REF_RE = re.compile(r"^refs/(pr|convert)/[A-Za-z0-9._-]+$")
_ZERO_OID = "0" * 40

# The .gitattributes the Hub puts in every new repo: these patterns are uploaded through LFS.
_LFS_PATTERNS = [
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib",
    "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot",
    "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
    "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip",
    "*.zst", "*tfevents*", "*.png", "*.jpg", "*.jpeg", "*.webp", "*.gif", "*.mp3", "*.wav",
    "*.flac", "*.ogg", "*.mp4", "*.mds",
]
DEFAULT_GITATTRIBUTES = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in _LFS_PATTERNS)


class HubError(Exception):
    """An error answered to the client; ``code`` becomes the ``X-Error-Code`` header.

    huggingface_hub maps X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound to its
    RepositoryNotFoundError / RevisionNotFoundError / RemoteEntryNotFoundError classes.
    """

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = headers or {}


class GitError(Exception):
    """A git command failed."""


def _repo_not_found(repo_id: str, status: int = 404) -> HubError:
    return HubError(status, f"Repository not found: {repo_id}", "RepoNotFound")


def _revision_not_found(revision: str) -> HubError:
    return HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


def _iso(timestamp: float) -> str:
    """Format a Unix time the way the Hub does (huggingface_hub's parse_datetime expects ...Z)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(timestamp))


def _lfs_pointer(oid: str, size: int) -> bytes:
    return _LFS_SPEC + f"oid sha256:{oid}\nsize {size}\n".encode()


def _parse_lfs_pointer(data: bytes) -> tuple[str, int] | None:
    """Return (sha256, size) if ``data`` is a git-lfs pointer file, else None."""
    if not data.startswith(_LFS_SPEC):
        return None
    fields = dict(line.split(" ", 1) for line in data.decode("ascii", "replace").splitlines()[1:] if " " in line)
    oid = fields.get("oid", "").removeprefix("sha256:")
    if not _SHA256_RE.match(oid) or not fields.get("size", "").isdigit():
        return None
    return oid, int(fields["size"])


def _matches_any(path: str, patterns: list[str]) -> bool:
    """Match a repo path against gitattributes/gitignore-style patterns (a useful subset)."""
    base = path.rsplit("/", 1)[-1]
    for pattern in patterns:
        anchored = pattern.lstrip("/")
        if "/" in anchored.rstrip("/"):
            if fnmatch.fnmatchcase(path, anchored) or fnmatch.fnmatchcase(path, anchored.replace("**/", "")):
                return True
        elif anchored.endswith("/"):
            if f"/{anchored}" in f"/{path}":  # a directory pattern ignores everything below it
                return True
        elif fnmatch.fnmatchcase(base, anchored):
            return True
    return False


def _lfs_patterns(gitattributes: str) -> list[str]:
    """Patterns marked ``filter=lfs`` in a .gitattributes file."""
    patterns = []
    for line in gitattributes.splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#") and "filter=lfs" in parts[1:]:
            patterns.append(parts[0])
    return patterns


def _gitignore_patterns(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(("#", "!"))]


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name or name.endswith(".git"):
        raise HubError(400, f"Invalid {what}: {name!r}")
    return name


def _check_repo_id(repo_id: str) -> tuple[str, str]:
    """Split 'owner/name' and refuse anything that could escape the storage root."""
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2:
        raise HubError(400, f"Repo id must be 'namespace/name', got {repo_id!r}")
    return _check_name(parts[0], "namespace"), _check_name(parts[1], "repo name")


def _check_path_in_repo(path: str) -> str:
    """Refuse paths git or the Hub would refuse (absolute, '..', '.git', control characters)."""
    parts = path.split("/") if isinstance(path, str) else [""]
    if any(p in ("", ".", "..", ".git") for p in parts) or any(ord(c) < 32 for c in path):
        raise HubError(400, f"Invalid path in repo: {path!r}")
    return path


def _check_no_file_folder_clash(path: str, paths: set[str]) -> None:
    """Refuse adding 'a/b' over a file 'a', or 'a' over a folder 'a/'.

    git's ``update-index --index-info`` would silently drop the other entry instead.
    """
    parts = path.split("/")
    parents = ("/".join(parts[:i]) for i in range(1, len(parts)))
    if any(parent in paths for parent in parents) or any(p.startswith(f"{path}/") for p in paths):
        raise HubError(400, f"Cannot add {path!r}: a file and a folder would have the same name")


@dataclass
class Entry:
    """One file or directory of a commit's tree, as the tree/paths-info endpoints describe it."""

    path: str
    kind: str  # "file" or "directory"
    oid: str  # git blob/tree id (for LFS files: the pointer's blob id, as on the Hub)
    size: int
    lfs_oid: str | None = None
    pointer_size: int | None = None

    def to_api(self) -> dict[str, Any]:
        item: dict[str, Any] = {"type": self.kind, "oid": self.oid, "size": self.size, "path": self.path}
        if self.lfs_oid is not None:
            item["lfs"] = {"oid": self.lfs_oid, "size": self.size, "pointerSize": self.pointer_size}
        return item

    def to_sibling(self, blobs: bool) -> dict[str, Any]:
        item: dict[str, Any] = {"rfilename": self.path}
        if blobs:
            item.update(size=self.size, blobId=self.oid)
            if self.lfs_oid is not None:
                item["lfs"] = {"sha256": self.lfs_oid, "size": self.size, "pointerSize": self.pointer_size}
        return item


class GitRepo:
    """One bare git repository plus its LFS store; every write goes through ``lock``."""

    _SNAPSHOT_CACHE_SIZE = 64

    def __init__(self, git_dir: Path, repo_type: str, repo_id: str):
        self.git_dir, self.repo_type, self.repo_id = git_dir, repo_type, repo_id
        self.lock = threading.Lock()
        self._snapshots: dict[str, dict[str, Entry]] = {}
        self._cache_lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------
    def run(self, *args: str, input: bytes = b"", env: dict | None = None) -> bytes:
        """Run ``git --git-dir=<repo> args`` and return stdout; raise GitError on failure."""
        full_env = {**os.environ, "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
        proc = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], input=input,
                              capture_output=True, env=full_env, check=False)
        if proc.returncode != 0:
            raise GitError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def hash_object(self, content: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=content).decode().strip()

    def commit_tree(self, tree: str, parents: list[str], message: str, author: str) -> str:
        """Create a commit object; the Hub records the user as author and committer."""
        who = {"NAME": author, "EMAIL": f"{author}@users.noreply.localhost"}
        env = {f"GIT_{role}_{key}": val for role in ("AUTHOR", "COMMITTER") for key, val in who.items()}
        args = ["commit-tree", tree, *[a for p in parents for a in ("-p", p)], "-F", "-"]
        return self.run(*args, input=message.encode(), env=env).decode().strip()

    # -- metadata -------------------------------------------------------------------------
    @property
    def meta_path(self) -> Path:
        return self.git_dir / "hub-repo.json"

    def meta(self) -> dict[str, Any]:
        return json.loads(self.meta_path.read_text())

    def set_private(self, private: bool) -> None:
        meta = {**self.meta(), "private": bool(private)}
        self.meta_path.write_text(json.dumps(meta))

    def init(self, private: bool) -> None:
        """Create the bare repo with the Hub's 'initial commit' holding .gitattributes."""
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--bare", "--quiet", "--initial-branch=main", str(self.git_dir)],
                       check=True, capture_output=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
        self.meta_path.write_text(json.dumps({"private": bool(private), "createdAt": time.time()}))
        blob = self.hash_object(DEFAULT_GITATTRIBUTES.encode())
        tree = self.run("mktree", input=f"100644 blob {blob}\t.gitattributes\n".encode()).decode().strip()
        commit = self.commit_tree(tree, [], "initial commit", "system")
        self.run("update-ref", "refs/heads/main", commit, "")

    # -- refs -----------------------------------------------------------------------------
    def ref_sha(self, ref: str) -> str | None:
        try:
            return self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
        except GitError:
            return None

    def resolve(self, revision: str) -> str | None:
        """Resolve a branch, tag, special ref (refs/pr/N) or commit sha to a commit sha.

        Branches win over tags, as on the Hub; git's own rev syntax (HEAD~1, ...) is not accepted.
        """
        if _SPECIAL_REF_RE.match(revision):
            return self.ref_sha(revision)
        if revision.startswith("refs/") or not self._valid_ref_name(revision):
            return None
        for ref in (f"refs/heads/{revision}", f"refs/tags/{revision}"):
            if (sha := self.ref_sha(ref)) is not None:
                return sha
        if _SHORT_SHA_RE.match(revision):
            return self.ref_sha(revision)
        return None

    def _valid_ref_name(self, name: str) -> bool:
        try:
            self.run("check-ref-format", f"refs/heads/{name}")
            return True
        except GitError:
            return False

    def refs(self) -> list[tuple[str, str]]:
        out = self.run("for-each-ref", "--format=%(refname)%00%(objectname)").decode()
        return [tuple(line.split("\0")) for line in out.splitlines() if line]  # type: ignore[misc]

    def create_ref(self, ref: str, sha: str) -> None:
        """Create ``ref``; the empty old value makes git refuse if it already exists."""
        self.run("update-ref", ref, sha, "")

    # -- reading trees --------------------------------------------------------------------
    def snapshot(self, commit: str) -> dict[str, Entry]:
        """All files and directories of a commit, by path. Commits are immutable, so cached."""
        with self._cache_lock:
            if commit in self._snapshots:
                return self._snapshots[commit]
        entries = self._read_tree(commit)
        with self._cache_lock:
            if len(self._snapshots) >= self._SNAPSHOT_CACHE_SIZE:
                self._snapshots.pop(next(iter(self._snapshots)))
            self._snapshots[commit] = entries
        return entries

    def _read_tree(self, commit: str) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for record in self.run("ls-tree", "-r", "-t", "-l", "-z", commit).split(b"\0"):
            if not record:
                continue
            meta, raw_path = record.split(b"\t", 1)
            _mode, kind, oid, size = meta.decode().split(maxsplit=3)
            path = raw_path.decode("utf-8", "surrogateescape")
            if kind == "tree":
                entries[path] = Entry(path, "directory", oid, 0)
            elif kind == "blob":
                entries[path] = Entry(path, "file", oid, int(size))
        self._mark_lfs(entries)
        return entries

    def _mark_lfs(self, entries: dict[str, Entry]) -> None:
        """Replace pointer sizes by the LFS object sizes and record the sha256."""
        small = [e for e in entries.values() if e.kind == "file" and e.size <= _MAX_POINTER_SIZE]
        for entry, content in zip(small, self.read_blobs([e.oid for e in small])):
            pointer = _parse_lfs_pointer(content)
            if pointer is not None:
                entry.lfs_oid, entry.pointer_size, entry.size = pointer[0], len(content), pointer[1]

    def read_blobs(self, oids: list[str]) -> list[bytes]:
        """Read many blobs with one ``git cat-file --batch``."""
        if not oids:
            return []
        out = self.run("cat-file", "--batch", input=("\n".join(oids) + "\n").encode())
        blobs, pos = [], 0
        for _ in oids:
            header_end = out.index(b"\n", pos)
            size = int(out[pos:header_end].split()[2])
            blobs.append(out[header_end + 1:header_end + 1 + size])
            pos = header_end + 1 + size + 1
        return blobs

    def last_commit(self, commit: str, path: str) -> dict[str, str]:
        out = self.run("log", "-1", "--format=%H%x1f%s%x1f%ct", commit, "--", path).decode().strip()
        sha, title, ts = out.split("\x1f")
        return {"id": sha, "title": title, "date": _iso(int(ts))}

    def commits(self, commit: str) -> list[dict[str, Any]]:
        """History of ``commit``, newest first, as the commits endpoint returns it."""
        out = self.run("log", "--format=%H%x1f%an%x1f%ct%x1f%s%x1f%b%x1e", commit).decode()
        items = []
        for record in out.split("\x1e"):
            if record.strip():
                sha, author, ts, title, body = record.strip("\n").split("\x1f")
                items.append({"id": sha, "title": title, "message": body.strip(), "date": _iso(int(ts)),
                              "authors": [{"user": author, "avatar": None}]})
        return items

    # -- LFS store ------------------------------------------------------------------------
    def lfs_path(self, oid: str) -> Path:
        return self.git_dir / "lfs" / "objects" / oid[:2] / oid[2:4] / oid

    def lfs_size(self, oid: str) -> int | None:
        path = self.lfs_path(oid)
        return path.stat().st_size if _SHA256_RE.match(oid) and path.is_file() else None

    def store_lfs(self, oid: str, size: int, chunks: Iterator[bytes]) -> None:
        """Write an uploaded object, checking its sha256 and size before it becomes visible."""
        tmp_dir = self.git_dir / "lfs" / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest, written = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=tmp_dir, delete=False) as tmp:
            for chunk in chunks:
                digest.update(chunk)
                written += len(chunk)
                tmp.write(chunk)
        if digest.hexdigest() != oid or written != size:
            os.unlink(tmp.name)
            raise HubError(400, f"Uploaded content does not match oid {oid} / size {size}")
        self.lfs_path(oid).parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp.name, self.lfs_path(oid))

    # -- writing commits ------------------------------------------------------------------
    def write_commit(self, ref: str, ops: list[dict], message: str, author: str,
                     parent_commit: str | None = None) -> str:
        """Apply commit operations on top of ``ref`` and move it, atomically.

        A temporary index keeps concurrent commits from seeing each other's staging; the final
        ``update-ref <ref> <new> <old>`` refuses to move the ref if it changed meanwhile.
        """
        with self.lock:
            head = self.ref_sha(ref)
            if head is None:
                raise _revision_not_found(ref.removeprefix("refs/heads/"))
            if parent_commit is not None and parent_commit != head:
                raise HubError(412, f"A commit has happened since {parent_commit}. Please refresh and try again.")
            tree = self._build_tree(head, ops)
            new = self.commit_tree(tree, [head], message, author)
            self.run("update-ref", ref, new, head)
            return new

    def _build_tree(self, head: str, ops: list[dict]) -> str:
        with tempfile.TemporaryDirectory(prefix="hub-index-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            self.run("read-tree", head, env=env)
            paths = {p.decode("utf-8", "surrogateescape")
                     for p in self.run("ls-files", "-z", env=env).split(b"\0") if p}
            records = b"".join(self._index_records(op, paths) for op in ops)
            try:
                if records:
                    self.run("update-index", "-z", "--index-info", input=records, env=env)
                return self.run("write-tree", env=env).decode().strip()
            except GitError as err:  # e.g. a file and a folder with the same name
                raise HubError(400, f"Invalid commit: {err}") from err

    def _index_records(self, op: dict, paths: set[str]) -> bytes:
        """``update-index --index-info`` records for one operation; keeps ``paths`` current."""
        kind, path = op["kind"], op["path"]
        if kind in ("file", "lfsFile"):
            _check_no_file_folder_clash(path, paths)
            content = op["content"] if kind == "file" else self._pointer_for(op)
            paths.add(path)
            return f"100644 {self.hash_object(content)}\t{path}\0".encode("utf-8", "surrogateescape")
        if kind == "deletedFile":
            if path not in paths:
                raise HubError(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
            doomed = [path]
        else:  # deletedFolder
            prefix = path.rstrip("/") + "/"
            doomed = [p for p in paths if p.startswith(prefix)]
            if not doomed:
                raise HubError(404, f"A folder with this name doesn't exist: {path}", "EntryNotFound")
        paths.difference_update(doomed)
        # Mode 0 with the null oid removes a path from the index.
        return b"".join(f"0 {_ZERO_OID}\t{p}\0".encode("utf-8", "surrogateescape") for p in doomed)

    def _pointer_for(self, op: dict) -> bytes:
        size = self.lfs_size(op["oid"])
        if size is None or (op.get("size") is not None and int(op["size"]) != size):
            raise HubError(422, f"LFS object {op['oid']} for {op['path']} was not uploaded")
        return _lfs_pointer(op["oid"], size)


class RepoStore:
    """The set of repositories under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self._repos: dict[Path, GitRepo] = {}
        self._lock = threading.Lock()

    def path(self, repo_type: str, repo_id: str) -> Path:
        owner, name = _check_repo_id(repo_id)
        if repo_type not in _URL_PREFIX:
            raise HubError(400, f"Invalid repo type: {repo_type!r}")
        return self.root / f"{repo_type}s" / owner / f"{name}.git"

    def get(self, repo_type: str, repo_id: str) -> GitRepo | None:
        path = self.path(repo_type, repo_id)
        with self._lock:
            if path not in self._repos and (path / "hub-repo.json").is_file():
                self._repos[path] = GitRepo(path, repo_type, repo_id)
            return self._repos.get(path)

    def create(self, repo_type: str, repo_id: str, private: bool) -> GitRepo | None:
        """Create a repo; return None if it already exists."""
        path = self.path(repo_type, repo_id)
        with self._lock:
            if (path / "hub-repo.json").is_file():
                return None
            if path.exists():  # leftover of an interrupted creation
                shutil.rmtree(path)
            repo = GitRepo(path, repo_type, repo_id)
            repo.init(private)
            self._repos[path] = repo
            return repo

    def delete(self, repo_type: str, repo_id: str) -> bool:
        path = self.path(repo_type, repo_id)
        with self._lock:
            self._repos.pop(path, None)
            if not (path / "hub-repo.json").is_file():
                return False
            shutil.rmtree(path)
            return True


# Routes: (method, regex on the raw URL path, handler suffix). Groups are URL-unquoted.
_REPO = r"(?P<t>models|datasets|spaces|kernels)/(?P<repo>[^/]+/[^/]+)"
_WEB_REPO = r"(?:(?P<t>datasets|spaces|kernels)/)?(?P<repo>[^/]+/[^/]+)"
_REV = r"(?P<rev>refs/(?:pr|convert)/[^/]+|[^/]+)"
_ROUTES = [
    ("GET", r"/api/whoami-v2", "whoami"),
    ("POST", r"/api/validate-yaml", "validate_yaml"),
    ("POST", r"/api/repos/create", "create_repo"),
    ("DELETE", r"/api/repos/delete", "delete_repo"),
    ("PUT", rf"/api/{_REPO}/settings", "settings"),
    ("GET", rf"/api/{_REPO}/refs", "refs"),
    ("GET", rf"/api/{_REPO}/commits/{_REV}", "commits"),
    ("GET", rf"/api/{_REPO}/tree/{_REV}(?:/(?P<path>.*))?", "tree"),
    ("POST", rf"/api/{_REPO}/paths-info/{_REV}", "paths_info"),
    ("POST", rf"/api/{_REPO}/preupload/{_REV}", "preupload"),
    ("POST", rf"/api/{_REPO}/commit/{_REV}", "commit"),
    ("POST", rf"/api/{_REPO}/branch/(?P<name>[^/]+)", "create_branch"),
    ("DELETE", rf"/api/{_REPO}/branch/(?P<name>[^/]+)", "delete_branch"),
    ("POST", rf"/api/{_REPO}/tag/{_REV}", "create_tag"),
    ("DELETE", rf"/api/{_REPO}/tag/(?P<name>[^/]+)", "delete_tag"),
    ("GET", rf"/api/{_REPO}(?:/revision/(?P<rev>.+))?", "repo_info"),
    ("POST", rf"/{_WEB_REPO}\.git/info/lfs/objects/batch", "lfs_batch"),
    ("POST", rf"/{_WEB_REPO}\.git/info/lfs/objects/verify", "lfs_verify"),
    ("PUT", r"/_emulator/lfs/(?P<t>[a-z]+)/(?P<repo>[^/]+/[^/]+)/(?P<oid>[0-9a-f]{64})", "lfs_upload"),
    ("GET", r"/_emulator/lfs/(?P<t>[a-z]+)/(?P<repo>[^/]+/[^/]+)/(?P<oid>[0-9a-f]{64})", "lfs_download"),
    ("GET", rf"/{_WEB_REPO}/resolve/{_REV}/(?P<path>.+)", "resolve"),
    ("HEAD", rf"/{_WEB_REPO}/resolve/{_REV}/(?P<path>.+)", "resolve"),
]
_COMPILED_ROUTES = [(m, re.compile(rx + r"/?$"), name) for m, rx, name in _ROUTES]


def _match_route(method: str, raw_path: str) -> tuple[str, dict[str, str]] | None:
    for route_method, regex, name in _COMPILED_ROUTES:
        if route_method == method and (match := regex.match(raw_path)):
            params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            if "t" in params:
                params["t"] = _API_TYPES.get(params["t"], params["t"].rstrip("s"))
            return name, params
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).lower() in ("1", "true", "yes")


class _Handler(BaseHTTPRequestHandler):
    """Routes one HTTP request to a ``_h_<name>`` method."""

    # HTTP/1.1 keeps client connections alive; every response therefore sends Content-Length
    # and every request body is consumed before answering.
    protocol_version = "HTTP/1.1"
    server: "_Server"

    @property
    def emu(self) -> "HubEmulator":
        return self.server.emulator

    def log_message(self, format: str, *args: Any) -> None:
        """Never log headers (they carry the token); optionally log method and path only."""
        if self.emu.verbose and hasattr(self, "command"):
            sys.stderr.write(f"[hub-emulator] {self.command} {urlsplit(self.path).path}\n")

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def _dispatch(self) -> None:
        self._body_read = False
        url = urlsplit(self.path)
        self.query = parse_qs(url.query, keep_blank_values=True)
        try:
            route = _match_route(self.command, url.path)
            if route is None:
                raise HubError(404, f"No such endpoint in the Hub emulator: {self.command} {url.path}")
            name, params = route
            getattr(self, f"_h_{name}")(**params)
        except HubError as err:
            self._send_error(err)
        except Exception as err:  # a bug or a git failure: answer 500 instead of dropping the connection
            self.close_connection = True  # the request body may be half read: do not reuse the socket
            self._send_error(HubError(500, f"Hub emulator error: {type(err).__name__}: {err}"))

    # -- request bodies -------------------------------------------------------------------
    def _iter_body(self) -> Iterator[bytes]:
        """Yield the request body, whether sent with Content-Length or chunked."""
        self._body_read = True
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            yield from self._iter_chunked()
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            data = self.rfile.read(min(remaining, 1 << 20))
            if not data:
                raise HubError(400, "Truncated request body")
            remaining -= len(data)
            yield data

    def _iter_chunked(self) -> Iterator[bytes]:
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            yield self.rfile.read(size)
            self.rfile.readline()

    def _body(self) -> bytes:
        return b"".join(self._iter_body())

    def _json_body(self) -> Any:
        try:
            return json.loads(self._body() or b"{}")
        except json.JSONDecodeError as err:
            raise HubError(400, f"Invalid JSON body: {err}") from err

    # -- responses ------------------------------------------------------------------------
    def _send(self, status: int, body: bytes = b"", headers: dict | None = None,
              content_type: str = "application/json") -> None:
        if not self._body_read:
            try:
                for _ in self._iter_body():
                    pass
            except Exception:
                self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200, headers: dict | None = None,
              content_type: str = "application/json") -> None:
        self._send(status, json.dumps(obj).encode(), headers, content_type)

    def _send_error(self, err: HubError) -> None:
        # Header values must be one ASCII line (git error texts span several).
        one_line = " ".join(err.message.split()).encode("ascii", "replace").decode()
        headers = {"X-Error-Message": one_line, **err.headers}
        if err.code:
            headers["X-Error-Code"] = err.code
        self._json({"error": err.message}, err.status, headers)

    # -- auth -----------------------------------------------------------------------------
    def _request_token(self) -> str | None:
        value = self.headers.get("Authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None

    def _token_ok(self) -> bool:
        expected, got = self.emu._token, self._request_token()
        if expected is None:
            return True
        return got is not None and hmac.compare_digest(got.encode(), expected.encode())

    def _require_write(self) -> None:
        """Writes need the expected token (when the emulator has one), like the Hub."""
        if self._token_ok():
            return
        if self._request_token() is None:
            raise HubError(401, "Invalid username or password.")
        raise HubError(401, "Invalid credentials in Authorization header")

    def _repo(self, t: str, repo: str, write: bool = False) -> GitRepo:
        """Look up a repo, enforcing auth; private repos look missing without the token."""
        if write:
            self._require_write()
        found = self.emu._store.get(t, repo)
        if found is None:
            raise _repo_not_found(repo)
        if found.meta().get("private") and not self._token_ok():
            raise _repo_not_found(repo, status=401)
        return found

    def _resolve(self, repo: GitRepo, rev: str) -> str:
        sha = repo.resolve(rev)
        if sha is None:
            raise _revision_not_found(rev)
        return sha

    def _repo_url(self, repo_type: str, repo_id: str) -> str:
        return f"{self.emu.endpoint}/{_URL_PREFIX[repo_type]}{repo_id}"

    # -- account and repo management ------------------------------------------------------
    def _h_whoami(self) -> None:
        if self._request_token() is None or not self._token_ok():
            raise HubError(401, "Invalid credentials in Authorization header")
        user = self.emu.user
        self._json({
            "type": "user", "id": hashlib.sha1(user.encode()).hexdigest()[:24], "name": user,
            "fullname": user, "email": f"{user}@users.noreply.localhost", "emailVerified": True,
            "isPro": False, "canPay": False, "avatarUrl": "", "orgs": [],
            "auth": {"type": "access_token", "accessToken": {"displayName": "hub-emulator", "role": "write"}},
        })

    def _h_validate_yaml(self) -> None:
        self._body()  # metadata is accepted as is: the emulator does not check card schemas
        self._json({"errors": [], "warnings": []})

    def _h_create_repo(self) -> None:
        self._require_write()
        payload = self._json_body()
        repo_type = payload.get("type") or "model"
        repo_id = f"{payload.get('organization') or self.emu.user}/{payload.get('name')}"
        private = payload.get("private", payload.get("visibility") == "private")
        url = self._repo_url(repo_type, repo_id) if repo_type in _URL_PREFIX else ""
        if self.emu._store.create(repo_type, repo_id, bool(private)) is None:
            self._json({"error": f"You already created this {repo_type} repo", "url": url}, 409)
            return
        self._json({"url": url, "name": repo_id, "id": repo_id})

    def _h_delete_repo(self) -> None:
        self._require_write()
        payload = self._json_body()
        repo_id = f"{payload.get('organization') or self.emu.user}/{payload.get('name')}"
        if not self.emu._store.delete(payload.get("type") or "model", repo_id):
            raise _repo_not_found(repo_id)
        self._json({})

    def _h_settings(self, t: str, repo: str) -> None:
        found = self._repo(t, repo, write=True)
        payload = self._json_body()
        if "private" in payload or "visibility" in payload:
            found.set_private(payload.get("private", payload.get("visibility") == "private"))
        self._json({})

    def _h_repo_info(self, t: str, repo: str, rev: str = "main") -> None:
        found = self._repo(t, repo)
        sha = self._resolve(found, rev)
        entries = found.snapshot(sha)
        blobs = _truthy(self.query.get("blobs", ""))
        commit_time = int(found.run("show", "-s", "--format=%ct", sha).decode().strip())
        info = {
            "_id": hashlib.sha1(f"{t}/{repo}".encode()).hexdigest()[:24], "id": repo,
            "author": repo.split("/")[0], "sha": sha, "private": bool(found.meta().get("private")),
            "gated": False, "disabled": False, "downloads": 0, "likes": 0, "tags": [],
            "createdAt": _iso(found.meta().get("createdAt", commit_time)), "lastModified": _iso(commit_time),
            "siblings": [e.to_sibling(blobs) for e in entries.values() if e.kind == "file"],
            "usedStorage": sum(e.size for e in entries.values() if e.kind == "file"),
        }
        if t == "model":
            info["modelId"] = repo
        self._json(info)

    # -- refs -----------------------------------------------------------------------------
    def _h_refs(self, t: str, repo: str) -> None:
        found = self._repo(t, repo)
        groups: dict[str, list] = {"branches": [], "tags": [], "converts": [], "pullRequests": []}
        prefixes = {"refs/heads/": "branches", "refs/tags/": "tags", "refs/convert/": "converts", "refs/pr/": "pullRequests"}
        for ref, sha in found.refs():
            for prefix, group in prefixes.items():
                if ref.startswith(prefix):
                    name = ref[len(prefix):] if group in ("branches", "tags") else ref
                    groups[group].append({"name": name, "ref": ref, "targetCommit": sha})
        self._json(groups)

    def _h_create_branch(self, t: str, repo: str, name: str) -> None:
        found = self._repo(t, repo, write=True)
        start = self._json_body().get("startingPoint") or "main"
        if name.startswith("refs/") or not found._valid_ref_name(name):
            raise HubError(400, f"Invalid reference for a branch: {name}")
        sha = self._resolve(found, start)
        with found.lock:
            if found.ref_sha(f"refs/heads/{name}") is not None:
                raise HubError(409, f"Reference already exists: refs/heads/{name}")
            found.create_ref(f"refs/heads/{name}", sha)
        self._json({})

    def _h_delete_branch(self, t: str, repo: str, name: str) -> None:
        found = self._repo(t, repo, write=True)
        if name == "main":
            raise HubError(403, "Cannot delete the default branch")
        with found.lock:
            if found.ref_sha(f"refs/heads/{name}") is None:
                raise _revision_not_found(name)
            found.run("update-ref", "-d", f"refs/heads/{name}")
        self._json({})

    def _h_create_tag(self, t: str, repo: str, rev: str) -> None:
        found = self._repo(t, repo, write=True)
        tag = self._json_body().get("tag")
        if not isinstance(tag, str) or tag.startswith("refs/") or not found._valid_ref_name(tag):
            raise HubError(400, f"Invalid tag name: {tag!r}")
        sha = self._resolve(found, rev)
        with found.lock:  # tags are immutable releases: an existing tag is a conflict, never moved
            if found.ref_sha(f"refs/tags/{tag}") is not None:
                raise HubError(409, f"Tag already exists: {tag}")
            found.create_ref(f"refs/tags/{tag}", sha)
        self._json({})

    def _h_delete_tag(self, t: str, repo: str, name: str) -> None:
        found = self._repo(t, repo, write=True)
        with found.lock:
            if found.ref_sha(f"refs/tags/{name}") is None:
                raise _revision_not_found(name)
            found.run("update-ref", "-d", f"refs/tags/{name}")
        self._json({})

    # -- reading --------------------------------------------------------------------------
    def _h_commits(self, t: str, repo: str, rev: str) -> None:
        found = self._repo(t, repo)
        self._json(found.commits(self._resolve(found, rev)))

    def _entry_json(self, repo: GitRepo, sha: str, entry: Entry, expand: bool) -> dict:
        item = entry.to_api()
        if expand:
            item["lastCommit"] = repo.last_commit(sha, entry.path)
        return item

    def _h_tree(self, t: str, repo: str, rev: str, path: str = "") -> None:
        found = self._repo(t, repo)
        sha = self._resolve(found, rev)
        entries, path = found.snapshot(sha), path.strip("/")
        if path and path not in entries:
            raise HubError(404, f"Entry not found: {path}", "EntryNotFound", {"X-Repo-Commit": sha})
        if path and entries[path].kind == "file":  # listing a file returns the file itself
            listed = [entries[path]]
        else:
            prefix = f"{path}/" if path else ""
            recursive = _truthy(self.query.get("recursive", ""))
            listed = [e for p, e in entries.items() if p.startswith(prefix)
                      and (recursive or "/" not in p[len(prefix):])]
        expand = _truthy(self.query.get("expand", ""))
        self._json([self._entry_json(found, sha, e, expand) for e in listed])

    def _h_paths_info(self, t: str, repo: str, rev: str) -> None:
        found = self._repo(t, repo)
        body = self._body()
        if "json" in self.headers.get("Content-Type", ""):
            form = json.loads(body or b"{}")
        else:  # huggingface_hub posts an urlencoded form: paths=a&paths=b&expand=False
            form = parse_qs(body.decode(), keep_blank_values=True)
        paths = form.get("paths", [])
        paths = [paths] if isinstance(paths, str) else paths
        sha = self._resolve(found, rev)
        entries, expand = found.snapshot(sha), _truthy(form.get("expand", ""))
        wanted = [entries[p.strip("/")] for p in paths if p.strip("/") in entries]
        self._json([self._entry_json(found, sha, e, expand) for e in wanted])

    def _h_resolve(self, repo: str, rev: str, path: str, t: str = "model") -> None:
        found = self._repo(t, repo)
        sha = self._resolve(found, rev)
        entry = found.snapshot(sha).get(path)
        if entry is None or entry.kind != "file":
            raise HubError(404, f"Entry not found: {path}", "EntryNotFound", {"X-Repo-Commit": sha})
        headers = {"X-Repo-Commit": sha, "Accept-Ranges": "bytes"}
        if entry.lfs_oid is not None:
            # The Hub identifies LFS files by their sha256 (X-Linked-Etag), regular ones by blob id.
            headers.update({"ETag": f'"{entry.lfs_oid}"', "X-Linked-Etag": f'"{entry.lfs_oid}"',
                            "X-Linked-Size": str(entry.size)})
        else:
            headers["ETag"] = f'"{entry.oid}"'
        self._send_content(found, entry, headers)

    def _send_content(self, repo: GitRepo, entry: Entry, headers: dict) -> None:
        """Answer the file (or the asked byte range), streaming LFS objects from disk."""
        start, end = self._byte_range(entry.size)
        status = 206 if self.command == "GET" and self.headers.get("Range") else 200
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{entry.size}"
        length = max(end - start + 1, 0)
        self.send_response(status)
        for key, value in {"Content-Type": "application/octet-stream", **headers,
                           "Content-Length": str(length)}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD" or length == 0:
            return
        if entry.lfs_oid is None:
            self.wfile.write(repo.read_blobs([entry.oid])[0][start:end + 1])
            return
        with open(repo.lfs_path(entry.lfs_oid), "rb") as fh:
            fh.seek(start)
            while length > 0 and (chunk := fh.read(min(length, 1 << 20))):
                self.wfile.write(chunk)
                length -= len(chunk)

    def _byte_range(self, size: int) -> tuple[int, int]:
        """Parse a single-range ``Range: bytes=a-b`` header (the only form the clients send)."""
        value = self.headers.get("Range")
        if not value or self.command == "HEAD":
            return 0, size - 1
        match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", value)
        if not match or match.groups() == ("", ""):
            raise HubError(416, f"Unsupported range: {value}", headers={"Content-Range": f"bytes */{size}"})
        first, last = match.groups()
        if first == "":  # suffix range: the last N bytes
            return max(size - int(last), 0), size - 1
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start >= size or start > end:
            raise HubError(416, "Range not satisfiable", headers={"Content-Range": f"bytes */{size}"})
        return start, end

    # -- uploads --------------------------------------------------------------------------
    def _h_preupload(self, t: str, repo: str, rev: str) -> None:
        found = self._repo(t, repo, write=True)
        payload = self._json_body()
        sha = self._resolve(found, rev)
        entries = found.snapshot(sha)
        lfs_patterns = self._repo_file_patterns(found, entries, ".gitattributes", _lfs_patterns)
        ignore = payload.get("gitIgnore")
        ignore_patterns = (_gitignore_patterns(ignore) if ignore is not None
                           else self._repo_file_patterns(found, entries, ".gitignore", _gitignore_patterns))
        files = [self._preupload_file(f, entries, lfs_patterns, ignore_patterns) for f in payload.get("files", [])]
        self._json({"files": files, "commitOid": sha})

    @staticmethod
    def _repo_file_patterns(repo: GitRepo, entries: dict[str, Entry], name: str, parse) -> list[str]:
        entry = entries.get(name)
        if entry is None or entry.lfs_oid is not None:
            return []
        return parse(repo.read_blobs([entry.oid])[0].decode("utf-8", "replace"))

    @staticmethod
    def _preupload_file(item: dict, entries: dict[str, Entry], lfs_patterns: list[str],
                        ignore_patterns: list[str]) -> dict:
        """Decide lfs vs regular like the Hub: .gitattributes patterns, size, binary sample."""
        path, size = _check_path_in_repo(item.get("path", "")), int(item.get("size", 0))
        sample = base64.b64decode(item.get("sample", "") or "")
        is_lfs = size > 0 and (_matches_any(path, lfs_patterns) or size > _LFS_SIZE_THRESHOLD or b"\0" in sample)
        result = {"path": path, "uploadMode": "lfs" if is_lfs else "regular",
                  "shouldIgnore": _matches_any(path, ignore_patterns)}
        existing = entries.get(path)
        if existing is not None and existing.kind == "file":
            # The client skips unchanged files by comparing this with its own oid.
            result["oid"] = existing.lfs_oid or existing.oid
        return result

    def _h_commit(self, t: str, repo: str, rev: str) -> None:
        found = self._repo(t, repo, write=True)
        header, ops = self._parse_ndjson(self._body())
        message = header.get("summary") or "Upload files"
        if header.get("description"):
            message += "\n\n" + header["description"]
        parent = header.get("parentCommit")
        pr_url = None
        if _truthy(self.query.get("create_pr", "")):
            ref, pr_url = self._open_pull_request(found, parent or self._resolve(found, rev))
            parent = None
        elif _SPECIAL_REF_RE.match(rev):
            ref = rev
        elif found.ref_sha(f"refs/heads/{rev}") is not None:
            ref = f"refs/heads/{rev}"
        elif found.resolve(rev) is not None:
            raise HubError(400, f"Commits can only be made on a branch, not on {rev!r}")
        else:
            raise _revision_not_found(rev)
        oid = found.write_commit(ref, ops, message, self.emu.user, parent_commit=parent)
        self._json({"success": True, "commitOid": oid, "pullRequestUrl": pr_url,
                    "commitUrl": f"{self._repo_url(t, repo)}/commit/{oid}"})

    def _open_pull_request(self, repo: GitRepo, base: str) -> tuple[str, str]:
        """Create refs/pr/N at ``base``; its URL ends in /discussions/N like the Hub's."""
        with repo.lock:
            numbers = [int(ref.rsplit("/", 1)[1]) for ref, _ in repo.refs()
                       if ref.startswith("refs/pr/") and ref.rsplit("/", 1)[1].isdigit()]
            num = max(numbers, default=0) + 1
            repo.create_ref(f"refs/pr/{num}", base)
        return f"refs/pr/{num}", f"{self._repo_url(repo.repo_type, repo.repo_id)}/discussions/{num}"

    @staticmethod
    def _parse_ndjson(body: bytes) -> tuple[dict, list[dict]]:
        """Turn the commit NDJSON (header, file, lfsFile, deletedFile, deletedFolder) into ops."""
        header: dict = {}
        ops: list[dict] = []
        for line in body.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key, value = item.get("key"), item.get("value", {})
            if key == "header":
                header = value
                continue
            if key not in ("file", "lfsFile", "deletedFile", "deletedFolder"):
                raise HubError(400, f"Unknown commit operation: {key!r}")
            path = value.get("path", "")
            op = {"kind": key, "path": _check_path_in_repo(path.rstrip("/") if key == "deletedFolder" else path)}
            if key == "file":
                encoding = value.get("encoding", "utf-8")
                content = value.get("content", "")
                op["content"] = base64.b64decode(content) if encoding == "base64" else content.encode()
            elif key == "lfsFile":
                op.update(oid=value.get("oid", ""), size=value.get("size"))
            ops.append(op)
        return header, ops

    def _h_lfs_batch(self, repo: str, t: str = "model") -> None:
        payload = self._json_body()
        operation = payload.get("operation", "download")
        found = self._repo(t, repo, write=operation == "upload")
        objects = [self._lfs_batch_object(found, o, operation) for o in payload.get("objects", [])]
        self._json({"transfer": "basic", "objects": objects, "hash_algo": "sha256"},
                   content_type="application/vnd.git-lfs+json")

    def _lfs_batch_object(self, repo: GitRepo, obj: dict, operation: str) -> dict:
        oid, size = str(obj.get("oid", "")), int(obj.get("size", 0))
        item: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
        if not _SHA256_RE.match(oid):
            item["error"] = {"code": 422, "message": f"Invalid oid {oid!r}"}
        elif operation == "upload" and repo.lfs_size(oid) != size:
            # Actions are only given for missing objects; the client skips the others.
            base = f"{self.emu.endpoint}/_emulator/lfs/{repo.repo_type}/{repo.repo_id}/{oid}"
            item["actions"] = {
                "upload": {"href": f"{base}?sig={self.emu._sign(repo.repo_type, repo.repo_id, oid)}"},
                "verify": {"href": f"{self._repo_url(repo.repo_type, repo.repo_id)}.git/info/lfs/objects/verify"},
            }
        elif operation == "download":
            if repo.lfs_size(oid) is None:
                item["error"] = {"code": 404, "message": "Object does not exist"}
            else:
                item["actions"] = {"download": {"href": self._lfs_download_href(repo, oid)}}
        return item

    def _lfs_download_href(self, repo: GitRepo, oid: str) -> str:
        sig = self.emu._sign(repo.repo_type, repo.repo_id, oid)
        return f"{self.emu.endpoint}/_emulator/lfs/{repo.repo_type}/{repo.repo_id}/{oid}?sig={sig}"

    def _signed_repo(self, t: str, repo: str, oid: str) -> GitRepo:
        """Check the URL signature of an LFS transfer; it stands in for the token, as on S3."""
        sig = (self.query.get("sig") or [""])[-1]
        if not hmac.compare_digest(sig, self.emu._sign(t, repo, oid)):
            raise HubError(403, "Invalid or missing transfer signature")
        found = self.emu._store.get(t, repo)
        if found is None:
            raise _repo_not_found(repo)
        return found

    def _h_lfs_download(self, t: str, repo: str, oid: str) -> None:
        found = self._signed_repo(t, repo, oid)
        size = found.lfs_size(oid)
        if size is None:
            raise HubError(404, f"LFS object {oid} not found")
        entry = Entry(oid, "file", oid, size, lfs_oid=oid)
        self._send_content(found, entry, {"ETag": f'"{oid}"'})

    def _h_lfs_upload(self, t: str, repo: str, oid: str) -> None:
        """PUT target of the batch API's upload action."""
        found = self._signed_repo(t, repo, oid)
        size = self.headers.get("Content-Length")
        chunks = self._iter_body()
        if size is None:  # chunked upload: size is only known at the end, check it against the oid alone
            data = b"".join(chunks)
            size, chunks = len(data), iter([data])
        found.store_lfs(oid, int(size), chunks)
        self._send(200, b"", content_type="text/plain")

    def _h_lfs_verify(self, repo: str, t: str = "model") -> None:
        found = self._repo(t, repo, write=True)
        payload = self._json_body()
        if found.lfs_size(str(payload.get("oid", ""))) != payload.get("size"):
            raise HubError(404, f"LFS object {payload.get('oid')} not found or wrong size")
        self._json({}, content_type="application/vnd.git-lfs+json")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: "HubEmulator"


class HubEmulator:
    """The Hub API served on ``host:port`` from bare git repos under ``root``.

    Usage::

        with HubEmulator(tmp_dir, port=free_port(), token="hf_x") as hub:
            ...  # HF_ENDPOINT must equal hub.endpoint before huggingface_hub is imported
    """

    def __init__(self, root: str | Path, port: int = 0, host: str = "127.0.0.1",
                 token: str | None = None, user: str = "cdistill-user"):
        self.root = Path(root)
        self.host, self.port, self.user = host, port, user
        self._token = token  # kept private and out of repr: it must never be logged or written
        self.endpoint = ""
        self.verbose = False
        self._store = RepoStore(self.root)
        self._upload_secret = secrets.token_bytes(32)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"HubEmulator(endpoint={self.endpoint!r}, root={str(self.root)!r}, user={self.user!r})"

    def _bind(self) -> _Server:
        self.root.mkdir(parents=True, exist_ok=True)
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self.port = server.server_address[1]
        self.endpoint = f"http://{self.host}:{self.port}"
        self._server = server
        return server

    def start(self) -> "HubEmulator":
        """Serve in a daemon thread and return self; ``endpoint`` is set from here on."""
        if self._server is not None:
            return self
        server = self._bind()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="hub-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for the command line)."""
        server = self._server or self._bind()
        try:
            server.serve_forever(poll_interval=0.5)
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "HubEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def repo_path(self, repo_id: str, repo_type: str = "dataset") -> Path:
        """Path of the bare git repository holding ``repo_id``."""
        try:
            return self._store.path(repo_type, repo_id)
        except HubError as err:
            raise ValueError(err.message) from None

    def _sign(self, repo_type: str, repo_id: str, oid: str) -> str:
        """Signature of LFS transfer URLs: the client PUTs there without its token."""
        return hmac.new(self._upload_secret, f"{repo_type}/{repo_id}/{oid}".encode(), hashlib.sha256).hexdigest()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host`` (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a local emulator of the Hugging Face Hub API.")
    parser.add_argument("--root", required=True, help="folder holding the bare git repositories")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: pick a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--user", default="cdistill-user", help="user name answered by whoami")
    parser.add_argument("--token-env", default=None,
                        help="name of an environment variable holding the token writes require "
                             "(read from the environment so it never shows in the process list)")
    parser.add_argument("--verbose", action="store_true", help="log method and path of each request")
    args = parser.parse_args(argv)
    token = os.environ.get(args.token_env) if args.token_env else None
    if args.token_env and not token:
        parser.error(f"environment variable {args.token_env} is empty or unset")
    hub = HubEmulator(args.root, port=args.port, host=args.host, token=token, user=args.user)
    hub.verbose = args.verbose
    hub._bind()  # bind first so that the printed endpoint is the real one (port 0 = any)
    print(f"Hub emulator serving {hub.endpoint} from {hub.root}", flush=True)
    print(f"Use: export HF_ENDPOINT={hub.endpoint} HF_HUB_DISABLE_XET=1", flush=True)
    try:
        hub.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
