"""Stage configs are data: a YAML file, then ``--set key=value`` overrides, into a dataclass.

Each stage declares a dataclass whose ``__post_init__`` validates it (the open-r1 pattern); this
module only turns YAML + overrides into that dataclass, nested dataclasses included, and rejects
unknown keys with the list of valid ones, so a typo in a recipe is an error, not a silent default.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A config file or override does not fit the stage's config dataclass."""


def _build(cls: type[T], data: dict[str, Any], where: str) -> T:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}; valid keys: {sorted(names)}")
    kwargs = {}
    for key, value in data.items():
        field_type = hints[key]
        if dataclasses.is_dataclass(field_type) and isinstance(value, dict):
            value = _build(field_type, value, f"{where}.{key}")
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:  # a missing key, or a value __post_init__ refused
        raise ConfigError(f"{where}: {error}") from None


def _set_path(data: dict[str, Any], dotted: str, raw: str) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = yaml.safe_load(raw)  # "4" -> 4, "[a, b]" -> list, "null" -> None


def load_config(cls: type[T], path: str | Path | None = None, overrides: list[str] | None = None) -> T:
    """Read ``path`` (YAML), apply ``key.sub=value`` overrides, build and validate ``cls``."""
    data: dict[str, Any] = {}
    if path:
        data = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"override {item!r}: expected key=value")
        key, raw = item.split("=", 1)
        _set_path(data, key.strip(), raw)
    return _build(cls, data, str(path or cls.__name__))


def config_dict(config: Any) -> dict[str, Any]:
    """A plain dict of a config for manifests and cards (nested dataclasses flattened to dicts)."""
    return dataclasses.asdict(config)


# Engine settings that change how fast or where a model runs, not what it writes: a resumed run
# may change them (more concurrency, another server URL) without being refused as a new config.
OPERATIONAL_ENGINE_KEYS = (
    "base_url", "api_key_env", "max_concurrency", "max_retries", "backoff_s", "timeout_s",
    "batch_size", "gpu_memory_utilization", "data_parallel_size", "tensor_parallel_size", "device",
)  # fmt: skip


def engine_identity(engine: Any) -> dict[str, Any]:
    """The part of an engine config that determines outputs, for stage fingerprints."""
    data = engine.fingerprint_dict()
    return {k: v for k, v in data.items() if k not in OPERATIONAL_ENGINE_KEYS}
