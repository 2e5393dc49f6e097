"""``make demo``: the pipeline end to end, offline, on CPU, with a printed report.

Phases run in a fixed order; each prints what it did. A phase whose stage is not built yet is
listed as "to come" rather than faked.

1. offline world: tiny local model, Hub emulator on 127.0.0.1, benchmark fixtures seeded under
   their real repo ids;
2. sources: every registry dataset loaded through the production loader from the emulator;
3. stages still to come (generation, compression, judge, builders, training, evaluation).
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter
from pathlib import Path

DEMO_TOKEN = "hf_demo_token_local_only"  # the emulator's token; never a real Hub token

STAGES_TO_COME = (
    ("generate", "Stage 1: teacher traces with rejection sampling (issue: stages 1 and 2)"),
    ("compress", "Stage 2: trace compression, extractive and model compressors"),
    ("judge", "faithfulness judge with a JSON-schema verdict"),
    ("build / publish", "raw, compressed, truncated and answer-only Hub dataset repos with cards"),
    ("train", "TRL SFT recipes (LoRA, full, FSDP) with accelerate launch"),
    ("evaluate", "lm-eval tasks: accuracy and token efficiency"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _point_clients_at_emulator(port: int, workdir: Path) -> None:
    """Must run before huggingface_hub / datasets are imported: they read these at import."""
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
    os.environ["HF_HUB_OFFLINE"] = "0"  # "online" to the loopback emulator only
    os.environ["HF_DATASETS_OFFLINE"] = "0"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    os.environ["HF_HOME"] = str(workdir / "hf_home")
    os.environ.pop("HF_TOKEN", None)


def _phase(title: str) -> float:
    print(f"\n== {title}")
    return time.perf_counter()


def _load_every_source() -> list[tuple[str, str, int, int]]:
    from builders.sources import REGISTRY, load_questions

    rows = []
    for name, source in REGISTRY.items():
        for split in dict.fromkeys(s for s in (source.train_split, source.eval_split) if s):
            questions, quarantined = load_questions(name, split)
            rows.append((name, split, len(questions), len(quarantined)))
    return rows


def run_demo(workdir: str | Path = "demo_out") -> int:
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    _point_clients_at_emulator(port, workdir)

    from builders.offline.benchmark_fixtures import seed_hub
    from builders.offline.hub_emulator import HubEmulator
    from builders.offline.tiny_models import build_tiny_model

    start = _phase("1. Offline world")
    model_dir = build_tiny_model(workdir / "models" / "tiny")
    print(f"tiny model (teacher/compressor/judge/student): {model_dir}")
    with HubEmulator(workdir / "hub", port=port, token=DEMO_TOKEN) as hub:
        repos = seed_hub(hub.endpoint, DEMO_TOKEN)
        print(f"Hub emulator at {hub.endpoint}: {len(repos)} benchmark repos seeded in their real schemas")
        print(f"   ({time.perf_counter() - start:.1f}s)")

        start = _phase("2. Sources: registry datasets through the production loader")
        rows = _load_every_source()
        print(f"{'source':<22}{'split':<12}{'questions':>10}{'quarantined':>13}")
        for name, split, n, bad in rows:
            print(f"{name:<22}{split:<12}{n:>10}{bad:>13}")
        totals = Counter()
        for _, _, n, bad in rows:
            totals.update(questions=n, quarantined=bad)
        print(f"{'total':<34}{totals['questions']:>10}{totals['quarantined']:>13}   ({time.perf_counter() - start:.1f}s)")

    _phase("3. Stages still to come")
    for name, what in STAGES_TO_COME:
        print(f"- {name:<16} {what}")
    print(f"\nDemo finished; outputs under {workdir}")
    return 0
