"""Durable, resumable record logs: how every long stage survives being killed at any instant.

A log is a folder::

    manifest.json     the stage's config and its fingerprint (written once, atomically)
    records.jsonl     one JSON object per line, appended, keyed by the stage's key fields
    quarantine.jsonl  inputs the stage could not use, with the reason (kept, counted)
    stats.json        the stage's statistics, rewritten atomically at the end of a run

Guarantees:

* a record is written whole or not at all - each line goes out in one ``write`` of the full
  bytes ending in ``\\n``; a line cut short by a kill has no newline and is discarded (truncated
  away) when the log is reopened;
* nothing is duplicated - the keys already on disk are loaded on open and ``append`` skips them;
* nothing is mixed - a rerun whose config fingerprint differs from the manifest's is refused
  unless the caller explicitly allows it.

Resume must be cheap on a 283k-record log with multi-KB traces, so each line starts with its key
(``{"_key": ...,``) and the scan reads keys from line prefixes without parsing whole records.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from importlib import metadata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

KEY_FIELD = "_key"
_KEY_PREFIX = b'{"_key": '


class ConfigMismatch(RuntimeError):
    """A rerun's config differs from the one the log was written with."""


def fingerprint(config: dict[str, Any]) -> str:
    """A short, order-independent hash of everything that changes a stage's outputs."""
    canonical = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON next to ``path`` and rename over it: readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, path)


def key_string(key: Iterable[Any]) -> str:
    return "\x1f".join(str(part) for part in key)


class RecordLog:
    """An append-only JSONL log of a stage's records, safe to kill and resume.

    ``key_fields`` name the record fields that identify a unit of work, e.g. ``("question_id",
    "teacher", "attempt")``. One process writes a log at a time (an exclusive lock enforces it).
    """

    def __init__(self, folder: str | Path, key_fields: tuple[str, ...], config: dict[str, Any],
                 *, allow_config_change: bool = False, fsync_every: int = 64):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.key_fields = key_fields
        self.config_fingerprint = fingerprint(config)
        self._fsync_every = fsync_every
        self._unsynced = 0
        self._lock = open(self.folder / ".lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"{self.folder} is being written by another process") from None
        self._check_manifest(config, allow_config_change)
        self.records_path = self.folder / "records.jsonl"
        self.quarantine_path = self.folder / "quarantine.jsonl"
        self._done = self._scan_keys(self.records_path)
        self._quarantined = self._scan_keys(self.quarantine_path)
        self._records = open(self.records_path, "ab")
        self._quarantine = open(self.quarantine_path, "ab")

    # -- manifest ---------------------------------------------------------------------------
    def _check_manifest(self, config: dict[str, Any], allow_change: bool) -> None:
        manifest = self.folder / "manifest.json"
        if manifest.exists():
            old = json.loads(manifest.read_text())
            if old["fingerprint"] != self.config_fingerprint and not allow_change:
                changed = sorted(k for k in set(old["config"]) | set(config)
                                 if old["config"].get(k) != config.get(k))  # fmt: skip
                raise ConfigMismatch(
                    f"{self.folder} was written with config {old['fingerprint']}, this run is "
                    f"{self.config_fingerprint} (changed: {', '.join(changed) or 'nested values'}). "
                    "Use a new output folder, or allow mixing explicitly."
                )
            if old["fingerprint"] == self.config_fingerprint:
                return
        write_json_atomic(manifest, {"fingerprint": self.config_fingerprint, "config": config})

    # -- scanning ---------------------------------------------------------------------------
    @staticmethod
    def _scan_keys(path: Path) -> set[str]:
        """Keys of complete lines; a torn last line (killed mid-write) is truncated away."""
        keys: set[str] = set()
        if not path.exists():
            return keys
        good_end = 0
        with open(path, "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                keys.add(_key_of_line(line))
                good_end += len(line)
        if good_end != path.stat().st_size:
            with open(path, "r+b") as handle:
                handle.truncate(good_end)
        return keys

    # -- writing ----------------------------------------------------------------------------
    def key_of(self, record: dict[str, Any]) -> str:
        return key_string(record[f] for f in self.key_fields)

    def __contains__(self, key: str | tuple) -> bool:
        key = key if isinstance(key, str) else key_string(key)
        return key in self._done

    def is_quarantined(self, key: str | tuple) -> bool:
        key = key if isinstance(key, str) else key_string(key)
        return key in self._quarantined

    def __len__(self) -> int:
        return len(self._done)

    def append(self, record: dict[str, Any]) -> bool:
        """Write one record unless its key is already done; returns whether it was written."""
        key = self.key_of(record)
        if key in self._done:
            return False
        self._write_line(self._records, key, record)
        self._done.add(key)
        return True

    def quarantine(self, key: str | tuple, entry: dict[str, Any]) -> bool:
        """Record an input the stage could not use, once per key."""
        key = key if isinstance(key, str) else key_string(key)
        if key in self._quarantined:
            return False
        self._write_line(self._quarantine, key, entry)
        self._quarantined.add(key)
        return True

    def _write_line(self, handle, key: str, record: dict[str, Any]) -> None:
        body = json.dumps(record, ensure_ascii=False, default=str)
        line = f'{{"_key": {json.dumps(key)}, "record": {body}}}\n'.encode()
        handle.write(line)  # one buffered write of a whole line...
        handle.flush()  # ...handed to the OS at once, so a kill leaves at most a torn tail
        self._unsynced += 1
        if self._unsynced >= self._fsync_every:
            os.fsync(handle.fileno())
            self._unsynced = 0

    def write_stats(self, stats: dict[str, Any]) -> None:
        """The stage's statistics, with the config fingerprint and the library versions that made
        them (the dataset cards report both)."""
        provenance = {"config_fingerprint": self.config_fingerprint, "library_versions": library_versions()}
        write_json_atomic(self.folder / "stats.json", stats | provenance)

    def close(self) -> None:
        for handle in (self._records, self._quarantine):
            if not handle.closed:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def __enter__(self) -> "RecordLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


LIBRARIES = ("compress-distill", "transformers", "datasets", "huggingface_hub", "trl", "torch", "vllm")


def library_versions() -> str:
    """``"transformers 5.23.0, torch 2.13.0+cpu, ..."`` for the libraries installed here."""
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _key_of_line(line: bytes) -> str:
    """Read the key from the line's prefix without parsing the (possibly large) record."""
    if line.startswith(_KEY_PREFIX):
        end = line.find(b', "record": ', len(_KEY_PREFIX))
        if end > 0:
            return json.loads(line[len(_KEY_PREFIX):end])
    return json.loads(line)[KEY_FIELD]


def read_records(folder: str | Path, name: str = "records.jsonl") -> Iterator[dict[str, Any]]:
    """Iterate the complete records of a log (a torn last line is ignored)."""
    path = Path(folder) / name
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for line in handle:
            if line.endswith(b"\n"):
                yield json.loads(line)["record"]
