"""Stage configs from YAML plus --set overrides, validated by the stage's dataclass."""

import pytest

from builders.config import ConfigError, engine_identity, load_config
from builders.generate import GenerateConfig

YAML = """
teacher: t
engine: {kind: transformers, model: m}
sources: [gsm8k]
output_dir: out
"""


def test_yaml_and_overrides_build_nested_dataclasses(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(YAML)
    config = load_config(GenerateConfig, path, ["max_rounds=2", "engine.batch_size=4", "sources=[gsm8k, svamp]"])
    assert config.max_rounds == 2 and config.engine.batch_size == 4 and config.sources == ["gsm8k", "svamp"]


@pytest.mark.parametrize("overrides, message", [
    (["max_roundz=2"], "unknown keys ['max_roundz']"),
    (["engine.kindd=vllm"], "unknown keys ['kindd']"),
    (["max_rounds=0"], "must be positive"),
    (["engine.kind=tpu"], "unknown engine kind"),
    (["split=validation"], "split must be"),
    (["max_rounds"], "expected key=value"),
])  # fmt: skip
def test_bad_configs_are_clear_errors(tmp_path, overrides, message):
    path = tmp_path / "c.yaml"
    path.write_text(YAML)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(GenerateConfig, path, overrides)


def test_engine_identity_ignores_how_fast_or_where(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(YAML)
    a = load_config(GenerateConfig, path, ["engine.batch_size=4"])
    b = load_config(GenerateConfig, path, ["engine.batch_size=64", "engine.max_concurrency=99"])
    c = load_config(GenerateConfig, path, ["engine.seed=7"])
    assert engine_identity(a.engine) == engine_identity(b.engine) != engine_identity(c.engine)
    assert a.fingerprint_dict() == b.fingerprint_dict()
