"""The `cdistill` console script, run as a user runs it (a real subprocess)."""

import json
import os
import subprocess
import sys

import pytest

REGISTRY_FIELDS = {"name", "hub_id", "config", "domain", "answer_type", "train_split", "eval_split", "role"}


def cdistill(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.run([sys.executable, "-m", "builders.cli", *args], capture_output=True, text=True, env=env,
                          **kwargs)  # fmt: skip


def test_sources_json_lists_the_registry():
    result = cdistill("sources", "--json", check=True)
    table = json.loads(result.stdout)
    assert len(table) == 21 and all(set(row) == REGISTRY_FIELDS for row in table)
    gsm8k = next(row for row in table if row["name"] == "gsm8k")
    assert (gsm8k["hub_id"], gsm8k["train_split"], gsm8k["eval_split"]) == ("openai/gsm8k", "train", "test")
    assert {row["role"] for row in table} == {"train+eval", "train", "eval"}


def test_sources_table_is_human_readable():
    out = cdistill("sources", check=True).stdout.splitlines()
    assert out[0].split()[:3] == ["name", "hub_id", "config"] and len(out) == 22


@pytest.mark.parametrize("command", ["generate", "compress", "judge", "build", "import"])
def test_stage_commands_reject_unknown_config_keys(tmp_path, command):
    config = tmp_path / "bad.yaml"
    config.write_text("output_dirr: x\n")
    result = cdistill(command, "--config", str(config))
    assert result.returncode != 0
    assert result.returncode == 2
    assert "unknown keys ['output_dirr']" in result.stderr and "Traceback" not in result.stderr
