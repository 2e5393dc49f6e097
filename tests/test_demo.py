"""`make demo` end to end, as a user runs it (a subprocess on a fresh work dir), then again to
show that every phase resumes and that publishing the same releases creates no commit."""

import os
import subprocess
import sys

import pytest


def run_demo(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")} | {"PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "builders.cli", "demo", "--workdir", str(workdir)],
                          capture_output=True, text=True, env=env, timeout=1500)  # fmt: skip


@pytest.mark.slow
def test_demo_runs_every_phase_and_resumes(tmp_path):
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    for phase in ("1. Offline world", "2. Stage 1", "3. Stage 2", "4. Faithfulness judge", "5. Build", "6. Publish"):
        assert f"== {phase}" in first.stdout
    assert first.stdout.count("v1.0:created") >= 4
    assert " NO" not in first.stdout.split("== 6.")[1], "every published release loads back with all its rows"
    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stdout.count("v1.0:exists") == first.stdout.count("v1.0:created")
    assert "v1.0:created" not in second.stdout
