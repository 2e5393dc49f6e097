"""Every recipe under recipes/ is a valid config of its stage (recipes are data: a typo must fail
here, not hours into a GPU job)."""

from pathlib import Path

import pytest

from builders.build import BuildConfig
from builders.compress import CompressConfig
from builders.config import load_config
from builders.generate import GenerateConfig
from builders.importer import ImportConfig
from builders.judge import JudgeConfig

STAGE_CONFIGS = {"generate": GenerateConfig, "compress": CompressConfig, "judge": JudgeConfig,
                 "build": BuildConfig, "import": ImportConfig}  # fmt: skip
RECIPES = sorted(p for stage in STAGE_CONFIGS for p in (Path("recipes") / stage).glob("*.yaml"))


def test_every_stage_has_recipes():
    assert {p.parent.name for p in RECIPES} == set(STAGE_CONFIGS)


@pytest.mark.parametrize("path", RECIPES, ids=[f"{p.parent.name}/{p.stem}" for p in RECIPES])
def test_recipe_is_a_valid_config(path):
    import json

    config = load_config(STAGE_CONFIGS[path.parent.name], path)
    assert isinstance(config, STAGE_CONFIGS[path.parent.name])
    if hasattr(config, "fingerprint_dict"):  # what a stage writes to its manifest must serialize
        json.dumps(config.fingerprint_dict())
    assert "api_key" not in path.read_text().replace("api_key_env", ""), "keys come from the environment only"
