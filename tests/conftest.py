"""Shared offline test world: the Hub emulator, the tiny model, and the environment they need.

huggingface_hub and datasets read HF_ENDPOINT and the offline flags when they are first imported,
so they are set here, at conftest import, before any test module imports them. The emulator then
starts lazily on the port chosen now.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from builders.offline.hub_emulator import free_port  # stdlib only: safe before any HF import

HUB_PORT = free_port()
HUB_TOKEN = "hf_test_token_not_secret"
os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{HUB_PORT}"
# The emulator is local, so the clients may go "online" - to 127.0.0.1 only.
os.environ["HF_HUB_OFFLINE"] = "0"
os.environ["HF_DATASETS_OFFLINE"] = "0"
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.pop("HF_TOKEN", None)  # a developer's real token must never reach the emulator or a file
# A fresh cache per run: tests never read a developer's cache nor leave state for the next run.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="cdistill-test-hf-home-")
atexit.register(shutil.rmtree, os.environ["HF_HOME"], ignore_errors=True)
# The test models are tiny: one thread each is faster than OpenMP threads contending for 2 cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def hub_emulator(tmp_path_factory):
    """A Hub-API emulator over bare git repos on 127.0.0.1 (the real Hub cannot be reached here)."""
    from builders.offline.hub_emulator import HubEmulator

    with HubEmulator(tmp_path_factory.mktemp("hub"), port=HUB_PORT, token=HUB_TOKEN) as hub:
        yield hub


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A locally built 2-layer Qwen3-style model + tokenizer, shared by every role in the tests."""
    from builders.offline.tiny_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def tiny_teacher_dir(tmp_path_factory) -> Path:
    """The tiny model imprinted on the stage questions: mostly right, sometimes wrong, and never
    right on NEVER_SOLVED, so rejection sampling has rounds to run."""
    from builders.offline.tiny_models import build_tiny_teacher
    from tests.stage_world import NEVER_SOLVED, QUESTIONS

    return build_tiny_teacher(tmp_path_factory.mktemp("models") / "teacher", QUESTIONS,
                              wrong_ids=NEVER_SOLVED)  # fmt: skip


@pytest.fixture(scope="session")
def stage1_dir(tmp_path_factory, tiny_teacher_dir) -> Path:
    """A finished Stage 1 run of the tiny teacher on the stage questions."""
    from builders.generate import GenerateConfig, run_generate
    from tests.stage_world import write_questions

    root = tmp_path_factory.mktemp("stage1")
    run_generate(GenerateConfig(
        teacher="tiny-teacher", engine={"kind": "transformers", "model": str(tiny_teacher_dir), "batch_size": 8},
        sources=[], questions_file=str(write_questions(root / "questions.jsonl")), output_dir=str(root / "out"),
        max_rounds=3, temperature=1.0, max_tokens=72,
    ))  # fmt: skip
    return root / "out"


@pytest.fixture(scope="session")
def seeded_hub(hub_emulator):
    """The emulator with every registry benchmark seeded under its real repo id and schema."""
    from builders.offline.benchmark_fixtures import seed_hub

    return hub_emulator, seed_hub(hub_emulator.endpoint, HUB_TOKEN)
