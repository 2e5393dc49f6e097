"""Durable record logs: whole records only, no duplicates, no mixing of configs, resume after SIGKILL.
Real files and real processes; nothing is mocked."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from builders.records import ConfigMismatch, RecordLog, fingerprint, read_records

KEYS = ("question_id", "attempt")
WRITER = """
import sys
from builders.records import RecordLog
folder, n = sys.argv[1], int(sys.argv[2])
with RecordLog(folder, ("question_id", "attempt"), {"teacher": "t"}, fsync_every=1) as log:
    for i in range(n):
        log.append({"question_id": f"q{i}", "attempt": 0, "reasoning": "x" * (50 + i % 7 * 400)})
"""


def test_append_skips_done_keys_across_reopen(tmp_path):
    with RecordLog(tmp_path, KEYS, {"a": 1}) as log:
        assert log.append({"question_id": "q1", "attempt": 0})
        assert not log.append({"question_id": "q1", "attempt": 0, "other": 1})
    with RecordLog(tmp_path, KEYS, {"a": 1}) as log:
        assert ("q1", 0) in log and len(log) == 1
        assert log.append({"question_id": "q1", "attempt": 1})
    assert [r["attempt"] for r in read_records(tmp_path)] == [0, 1]


def test_torn_last_line_is_discarded_on_reopen(tmp_path):
    with RecordLog(tmp_path, KEYS, {}) as log:
        log.append({"question_id": "q1", "attempt": 0})
    with open(tmp_path / "records.jsonl", "ab") as handle:
        handle.write(b'{"_key": "q2\\u001f0", "record": {"question_')  # a kill mid-write
    with RecordLog(tmp_path, KEYS, {}) as log:
        assert len(log) == 1 and ("q2", 0) not in log
        log.append({"question_id": "q2", "attempt": 0})
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert [json.loads(line)["record"]["question_id"] for line in lines] == ["q1", "q2"]


def test_config_change_is_refused_unless_allowed(tmp_path):
    RecordLog(tmp_path, KEYS, {"temperature": 0.6}).close()
    with pytest.raises(ConfigMismatch, match="temperature"):
        RecordLog(tmp_path, KEYS, {"temperature": 0.7})
    RecordLog(tmp_path, KEYS, {"temperature": 0.7}, allow_config_change=True).close()
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})


def test_second_writer_is_refused(tmp_path):
    with RecordLog(tmp_path, KEYS, {}):
        with pytest.raises(RuntimeError, match="another process"):
            RecordLog(tmp_path, KEYS, {})


def test_quarantine_is_kept_once_per_key(tmp_path):
    with RecordLog(tmp_path, KEYS, {}) as log:
        assert log.quarantine(("q9", 0), {"reason": "empty generation"})
        assert not log.quarantine(("q9", 0), {"reason": "empty generation"})
    with RecordLog(tmp_path, KEYS, {}) as log:
        assert log.is_quarantined(("q9", 0))
    assert [q["reason"] for q in read_records(tmp_path, "quarantine.jsonl")] == ["empty generation"]


def _kill_when_file_grows(proc, path, target_bytes, limit_s=20.0):
    """SIGKILL the writer as soon as its log passes ``target_bytes``: a random point mid-run."""
    deadline = time.monotonic() + limit_s
    while proc.poll() is None and time.monotonic() < deadline:
        if path.exists() and path.stat().st_size >= target_bytes:
            break
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    return proc.wait() == -signal.SIGKILL


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path):
    n, rng = 4000, random.Random(0)
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    log_file = tmp_path / "records.jsonl"
    interrupted = 0
    for trial in range(10):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(n)], env=env)
        target = (trial + rng.random()) * 500_000  # the full log is ~5.3 MB: ~10% further each trial
        interrupted += _kill_when_file_grows(proc, log_file, target)
    assert interrupted >= 8, "the kills must land mid-run for this test to mean anything"
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), str(n)], env=env, check=True)
    ids = [r["question_id"] for r in read_records(tmp_path)]
    assert len(ids) == n, f"{n - len(set(ids))} lost, {len(ids) - len(set(ids))} duplicated"
    assert set(ids) == {f"q{i}" for i in range(n)}
