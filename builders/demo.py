"""``make demo``: the pipeline end to end, offline, on CPU, with a printed report.

Phases run in a fixed order; each prints what it did. Every phase resumes, so a second
``make demo`` reuses what the first one made (and publishing again creates no commit).

1. offline world: Hub emulator on 127.0.0.1 seeded with every benchmark in its real schema, tiny
   local models (a teacher imprinted on the training questions, a compressor, a judge);
2. Stage 1: the teacher answers the trace-generation sources; wrong answers are resampled;
3. Stage 2: the extractive compressor and the tiny model compressor rewrite the verified traces;
4. judge: faithfulness verdicts with the JSON schema, through an OpenAI-compatible server;
5. build: raw, compressed, truncated and answer-only datasets as releases in the local store;
6. publish: every release pushed to the Hub emulator and loaded back with ``load_dataset``;
7. stages still to come (training recipes, evaluation tasks).

The tiny models are 2-layer networks: their "reasoning" is memorized text and their verdicts are
imprinted. What is real is every code path: the production loaders, engines, verifier, logs,
store, Hub client and ``datasets``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

DEMO_TOKEN = "hf_demo_token_local_only"  # the emulator's token; never a real Hub token
TRACE_SOURCES = ("gsm8k", "multiarith", "svamp", "aqua_rat", "arc_challenge", "gpqa_diamond", "commonsense_qa",
                 "medqa", "medmcqa", "medexpqa", "mmlu_stem", "mmlu_medical")  # fmt: skip  (paper Table 1)
STAGES_TO_COME = (
    ("train", "TRL SFT recipes (LoRA, full, FSDP) with accelerate launch"),
    ("evaluate", "lm-eval tasks: accuracy and token efficiency"),
)


def _point_clients_at_emulator(port: int, workdir: Path) -> None:
    """Must run before huggingface_hub / datasets are imported: they read these at import."""
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
    os.environ["HF_HUB_OFFLINE"] = "0"  # "online" to the loopback emulator only
    os.environ["HF_DATASETS_OFFLINE"] = "0"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"  # the report is the demo's output
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_HOME"] = str(workdir / "hf_home")
    os.environ.pop("HF_TOKEN", None)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny models: one thread beats two contending ones


class Report:
    """Phase headers with timings, and small aligned tables."""

    def __init__(self):
        self.started = self.phase_started = time.perf_counter()
        self.in_phase = False

    def phase(self, title: str) -> None:
        now = time.perf_counter()
        if self.in_phase:
            print(f"   ({now - self.phase_started:.1f}s)")
        print(f"\n== {title}", flush=True)
        self.phase_started, self.in_phase = now, True

    @staticmethod
    def table(header: list[str], rows: list[list]) -> None:
        cells = [header] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for row in cells:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def _training_questions():
    from builders.sources import get_source, load_questions

    questions = []
    for name in TRACE_SOURCES:
        found, _ = load_questions(name, get_source(name).train_split)
        questions += found
    return questions


def _stage1(workdir: Path, report: Report):
    from builders.generate import GenerateConfig, run_generate
    from builders.offline.tiny_models import build_tiny_teacher

    questions = _training_questions()
    # A few questions are imprinted only with a wrong answer, so some stay unsolved after K rounds.
    wrong = frozenset(q.id for q in questions[::9])
    teacher = build_tiny_teacher(workdir / "models" / "teacher", questions, wrong_ids=wrong)
    print(f"tiny teacher imprinted on {len(questions)} training questions: {teacher}")
    config = GenerateConfig(
        teacher="tiny-teacher", engine={"kind": "transformers", "model": str(teacher), "batch_size": 16},
        sources=list(TRACE_SOURCES), output_dir=str(workdir / "stage1"), max_rounds=4, temperature=0.8, max_tokens=80,
    )  # fmt: skip
    stats = run_generate(config)
    rows = [[s, v["questions"], v["attempts"], v["solved"], v["accuracy"],
             " ".join(f"{a:.2f}" for a in v["accuracy_per_round"])] for s, v in sorted(stats["sources"].items())]  # fmt: skip
    report.table(["source", "questions", "attempts", "solved", "accuracy", "accuracy per round"], rows)
    print(f"quarantined source rows: {stats['quarantined']}")
    return config


def _stage2(workdir: Path, report: Report, compressor_model: Path):
    from builders.compress import CompressConfig, run_compress

    config = CompressConfig(input_dir=str(workdir / "stage1"), output_dir=str(workdir / "stage2"), compressors=[
        {"name": "extractive"},
        {"name": "tiny-compressor", "engine": {"kind": "transformers", "model": str(compressor_model), "batch_size": 16},
         "max_tokens": 48},
    ])  # fmt: skip
    stats = run_compress(config)
    rows = [[c, s, v["count"], v["errors"], v["mean_raw_chars"], v["mean_compressed_chars"], v["mean_ratio"],
             v["answer_not_supported"]]
            for c, per_source in stats["compressors"].items() for s, v in per_source.items()]  # fmt: skip
    report.table(["compressor", "source", "traces", "errors", "raw chars", "compressed", "ratio", "unsupported"], rows)
    return config


def _judge(workdir: Path, report: Report):
    from builders.compress import read_compressions
    from builders.generate import correct_traces, load_saved_questions
    from builders.judge import JudgeConfig, judge_prompt, run_judge
    from builders.offline.openai_server import OpenAIServer
    from builders.offline.tiny_models import build_tiny_judge

    questions = load_saved_questions(workdir / "stage1")
    originals = {t["question_id"]: t["reasoning"] for t in correct_traces(workdir / "stage1")}
    prompts = [judge_prompt(questions[c.question_id].question, questions[c.question_id].answer,
                            originals[c.question_id], c.reasoning) for c in read_compressions(workdir / "stage2")]  # fmt: skip
    judge_model = build_tiny_judge(workdir / "models" / "judge", prompts)
    with OpenAIServer(judge_model, served_model_name="tiny-judge") as server:
        print(f"tiny judge served by an OpenAI-compatible server at {server.base_url}")
        stats = run_judge(JudgeConfig(
            input_dir=str(workdir / "stage1"), compress_dir=str(workdir / "stage2"), output_dir=str(workdir / "judge"),
            judge="tiny-judge", max_tokens=96, engine={"kind": "openai", "base_url": server.base_url},
        ))  # fmt: skip
    rows = [[c, v["judged"], v["parse_failures"], v["mean_faithfulness"], v["pct_faithful"], v["pct_aligned"]]
            for c, v in stats["compressors"].items()]  # fmt: skip
    report.table(["compressor", "judged", "parse failures", "faithfulness", "% faithful", "% aligned"], rows)


def _build(workdir: Path, report: Report, tokenizer_model: Path):
    from builders.build import BuildConfig, run_build

    config = BuildConfig(
        stage1_dir=str(workdir / "stage1"), compress_dir=str(workdir / "stage2"), judge_dir=str(workdir / "judge"),
        store_dir=str(workdir / "store"), teacher="tiny-teacher", reference_tokenizer=str(tokenizer_model),
        reference_compressor="extractive",
    )  # fmt: skip
    summary = run_build(config)
    hygiene = summary["hygiene"]
    print(f"verified pool: {summary['pool']} traces after hygiene (exact duplicates "
          f"{hygiene.get('exact_duplicates', 0)}, near duplicates {hygiene.get('near_duplicates', 0)}, "
          f"contaminated {hygiene.get('contaminated', 0)})")  # fmt: skip
    rows = [[repo, v["variant"], v["rows"], sum(v["excluded"].values()), v["release"] or "not released (no rows)"]
            for repo, v in summary["repos"].items()]  # fmt: skip
    report.table(["dataset repo", "variant", "rows", "excluded", "release"], rows)
    return config, summary


def _publish(config, summary, hub, report: Report):
    from datasets import load_dataset

    from builders.store import LocalStore, publish

    store = LocalStore(config.store_dir)
    rows = []
    for repo, entry in summary["repos"].items():
        if not entry["release"]:
            continue
        actions = publish(store, repo, endpoint=hub.endpoint, token=DEMO_TOKEN)
        loaded = load_dataset(repo, "all", split="train", revision=entry["release"])
        rows.append([repo, ", ".join(f"{a['tag']}:{a['action']}" for a in actions), len(loaded),
                     "yes" if len(loaded) == entry["rows"] else "NO"])  # fmt: skip
    report.table(["Hub repo", "tags", "rows loaded", "matches build"], rows)
    return all(row[-1] == "yes" for row in rows)


def _code_fingerprint() -> str:
    """What the published releases depend on besides the stage outputs: our code and templates,
    and the library versions the cards record."""
    from builders.records import library_versions

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(library_versions().encode())
    for path in sorted([*root.glob("builders/**/*.py"), *root.glob("cards/*")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _reset_releases_if_code_changed(workdir: Path) -> None:
    """A release tag is never moved, so releases built by other code cannot be rebuilt in place;
    the demo starts its store and Hub afresh instead (stage outputs resume as usual)."""
    stamp = workdir / "releases.fingerprint"
    current = _code_fingerprint()
    previous = stamp.read_text() if stamp.exists() else None
    if previous != current and (workdir / "store").exists():
        print("demo releases were built by another version of the code: starting the store and Hub afresh")
        for folder in ("store", "hub", "hf_home"):
            shutil.rmtree(workdir / folder, ignore_errors=True)
    stamp.write_text(current)


def run_demo(workdir: str | Path = "demo_out") -> int:
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    _reset_releases_if_code_changed(workdir)
    from builders.offline.hub_emulator import free_port

    port = free_port()
    _point_clients_at_emulator(port, workdir)

    from builders.offline.benchmark_fixtures import seed_hub
    from builders.offline.hub_emulator import HubEmulator
    from builders.offline.tiny_models import build_tiny_model

    report = Report()
    report.phase("1. Offline world")
    tiny = build_tiny_model(workdir / "models" / "tiny")
    with HubEmulator(workdir / "hub", port=port, token=DEMO_TOKEN) as hub:
        repos = seed_hub(hub.endpoint, DEMO_TOKEN)
        print(f"Hub emulator at {hub.endpoint}: {len(repos)} benchmark repos in their real schemas")
        print(f"tiny model (compressor, reference tokenizer): {tiny}")
        report.phase("2. Stage 1: teacher traces with rejection sampling (up to 4 rounds)")
        _stage1(workdir, report)
        report.phase("3. Stage 2: compression (extractive rules and a model compressor)")
        _stage2(workdir, report, tiny)
        report.phase("4. Faithfulness judge (JSON-schema verdicts)")
        _judge(workdir, report)
        report.phase("5. Build: raw / compressed / truncated / answer-only releases in the local store")
        config, summary = _build(workdir, report, tiny)
        report.phase("6. Publish to the Hub emulator and load back with load_dataset")
        ok = _publish(config, summary, hub, report)
    report.phase("7. Stages still to come")
    for name, what in STAGES_TO_COME:
        print(f"- {name:<10} {what}")
    print(f"\nDemo finished in {time.perf_counter() - report.started:.0f}s; outputs under {workdir}")
    return 0 if ok else 1
