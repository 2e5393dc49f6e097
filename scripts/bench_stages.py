"""Benchmark Stage 1's bookkeeping: pipeline overhead over the bare engine, and resume scan cost.

1. **Overhead.** The tiny model (``build_tiny_model``) answers N questions (default 64) twice, side
   by side in one process, with the same loaded engine: (a) bare ``TransformersEngine.generate`` on
   exactly the requests Stage 1 sends (``builders.generate.build_request``, attempt 0), and (b)
   ``run_generate`` with ``max_rounds=1`` on the same questions into a fresh output folder
   (questions file parsed, durable logs, verification of every answer, stats). Same
   ``max_tokens``, temperature 0 (greedy, so both runs generate the same tokens - checked). Each is
   run ``--repeats`` times, alternating which goes first; medians are reported, with the ratio
   pipeline / bare and the overhead per record in ms. Model loading is timed once, separately:
   both sides share the loaded engine, so the difference is the pipeline's own cost.

2. **Resume scan.** A Stage 1 traces log of the paper's size (Table 4, Qwen teacher: 283,335
   verified traces, per-dataset counts, reasoning lengths lognormal around each dataset's mean;
   ``--scale`` shrinks it) is written into a temporary folder - manifest by ``RecordLog`` itself,
   lines in ``RecordLog``'s exact byte format but written in large buffered blocks (checked byte
   for byte against a real ``RecordLog`` on sample records; see ``scripts/synth_corpus.py``). With
   the file in the page cache (read once first), it times, ``--repeats`` times each, medians:
   ``RecordLog`` open (the key-prefix scan), a naive ``json.loads`` of every line, the
   ``read_records`` iteration, and ``_attempt_state`` (what ``run_generate`` itself reads on
   resume). The temporary files are removed at the end (``--keep`` keeps them).

    .venv/bin/python scripts/bench_stages.py                # 64 questions, 283k-record log (~2.3 GB)
    .venv/bin/python scripts/bench_stages.py --scale 0.1    # 28k-record log
    .venv/bin/python scripts/bench_stages.py --skip-overhead / --skip-resume
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # the engine's progress bar, on both sides alike

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import synth_corpus  # noqa: E402
from builders.answers import split_reasoning  # noqa: E402
from builders.contract import QuestionRecord  # noqa: E402
from builders.generate import TRACE_KEY, GenerateConfig, _attempt_state, build_request, run_generate  # noqa: E402
from builders.records import RecordLog, read_records  # noqa: E402


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def median_of(times: list[float]) -> float:
    return statistics.median(times)


# ----------------------------------------------------------------------------------------------
# 1. pipeline overhead
# ----------------------------------------------------------------------------------------------
def overhead_questions(n: int, seed: int = 0) -> list[QuestionRecord]:
    """Short questions of the registry's kinds: numeric word problems and 4-option letter ones."""
    rng = np.random.default_rng(seed)
    questions = []
    for i in range(n):
        a, b = int(rng.integers(2, 500)), int(rng.integers(2, 60))
        if i % 2 == 0:
            questions.append(QuestionRecord(
                id=f"bench-num-{i:05d}", source="gsm8k", split="train", domain="math",
                question=f"A store sells {a} apples each day for {b} days. How many apples does it sell in total?",
                answer=str(a * b), answer_type="numeric"))  # fmt: skip
        else:
            options = [str(a + b), str(a - b), str(a * b), str(a + 2 * b)]
            from builders.contract import render_choices

            questions.append(QuestionRecord(
                id=f"bench-mc-{i:05d}", source="medmcqa", split="train", domain="medical",
                question=render_choices(f"Which value equals {a} + {b}?", options), answer="A",
                answer_type="letter", choices=options))  # fmt: skip
    return questions


def bench_overhead(args, tmp: Path) -> dict:
    from builders.engines import EngineConfig, TransformersEngine
    from builders.offline.tiny_models import build_tiny_model

    model_dir = build_tiny_model(tmp / "tiny")
    questions = overhead_questions(args.n)
    qfile = tmp / "questions.jsonl"
    qfile.write_text("".join(json.dumps(q.to_dict()) + "\n" for q in questions))
    engine_config = {"kind": "transformers", "model": str(model_dir), "batch_size": args.batch_size}

    def config(out: Path) -> GenerateConfig:
        return GenerateConfig(teacher="tiny-teacher", engine=dict(engine_config), sources=[], questions_file=str(qfile),
                              output_dir=str(out), max_rounds=1, temperature=0.0, max_tokens=args.max_tokens)  # fmt: skip

    t0 = time.perf_counter()
    engine = TransformersEngine(EngineConfig(**engine_config))
    load_s = time.perf_counter() - t0
    requests = [build_request(q, 0, config(tmp / "unused")) for q in questions]
    engine.generate(requests[: args.batch_size])  # warm-up: first-call costs go to neither side

    bare_times, pipe_times, runs = [], [], 0
    generations = None
    for rep in range(args.repeats):
        order = ("bare", "pipeline") if rep % 2 == 0 else ("pipeline", "bare")
        for side in order:
            if side == "bare":
                t0 = time.perf_counter()
                generations = engine.generate(requests)
                bare_times.append(time.perf_counter() - t0)
            else:
                out = tmp / f"run{runs}"
                runs += 1
                t0 = time.perf_counter()
                stats = run_generate(config(out), engine=engine)
                pipe_times.append(time.perf_counter() - t0)
                records = list(read_records(out / "traces"))
                assert len(records) == len(questions) and stats["sources"], "every question attempted once"
                shutil.rmtree(out)
    # Same work on both sides: greedy decoding gives the pipeline exactly the bare generations.
    by_id = {g.request_id: g for g in generations}
    for record in records:
        reasoning, response = split_reasoning(by_id[f"{record['question_id']}#0"].text)
        assert (record["reasoning"], record["response"]) == (reasoning, response)
    bare, pipe = median_of(bare_times), median_of(pipe_times)
    tokens = sum(g.completion_tokens for g in generations)
    print(f"\n== Stage 1 overhead: {len(questions)} questions, max_tokens {args.max_tokens}, temperature 0, "
          f"batch_size {args.batch_size}, {args.repeats} runs each (median) ==")
    print(f"model load (once, shared)       {load_s:8.3f} s")
    print(f"bare engine.generate            {bare:8.3f} s   runs: {', '.join(f'{t:.3f}' for t in bare_times)}")
    print(f"run_generate (max_rounds=1)     {pipe:8.3f} s   runs: {', '.join(f'{t:.3f}' for t in pipe_times)}")
    print(f"ratio pipeline / bare           {pipe / bare:8.3f}")
    print(f"overhead per record             {(pipe - bare) / len(questions) * 1000:8.2f} ms "
          f"({tokens} completion tokens generated per run)")
    return {"bare_s": bare, "pipeline_s": pipe, "ratio": pipe / bare, "per_record_ms": (pipe - bare) / len(questions) * 1000}


# ----------------------------------------------------------------------------------------------
# 2. resume scan of a paper-sized log
# ----------------------------------------------------------------------------------------------
def write_traces_log(folder: Path, scale: float, seed: int = 0) -> tuple[int, int, dict]:
    """A Stage 1 traces log: one verified trace per question, the paper's per-dataset shape."""
    shapes = synth_corpus.scaled_shapes(scale)
    synth = synth_corpus.TextSynth(seed)
    rng = np.random.default_rng(seed + 10)
    config = {"teacher": synth_corpus.TEACHER, "engine": {"kind": "vllm"}, "max_rounds": 4, "temperature": 0.6}
    sample = [synth_corpus.trace_record(f"check-{i}", i, synth.text(300) + " ≈ 3", "The answer is B.", "B", True)
              for i in range(5)]  # fmt: skip
    synth_corpus.check_line_format(sample, TRACE_KEY)
    writer = synth_corpus.FastLogWriter(folder, TRACE_KEY, config)
    means = {}
    for shape in shapes:
        lengths = synth_corpus.lognormal_lengths(rng, shape.raw_chars, shape.count)
        means[shape.source] = (shape.count, shape.raw_chars, float(lengths.mean()))
        for i, n in enumerate(lengths.tolist()):
            qid = f"{shape.source}-train-{i:016x}"
            response = f"{synth.text(int(rng.integers(150, 700)))}\n\nThe answer is $\\boxed{{B}}$."
            writer.append(synth_corpus.trace_record(qid, 0, synth.text(n), response, "B", True))
    writer.close()
    return writer.count, writer.bytes, means


def bench_resume(args, tmp: Path) -> dict:
    need = int(2.4e9 * args.scale) + (1 << 28)
    free = shutil.disk_usage(tmp).free
    if free < need:
        raise SystemExit(f"{tmp}: {free / 1e9:.1f} GB free, the log needs ~{need / 1e9:.1f} GB; use --scale")
    folder = tmp / "traces"
    t0 = time.perf_counter()
    count, size, means = write_traces_log(folder, args.scale)
    write_s = time.perf_counter() - t0
    path = folder / "records.jsonl"
    print(f"\n== Resume scan: {count:,} records, {size / 1e9:.2f} GB (written in {write_s:.0f} s) ==")
    print(f"{'dataset':<16}{'traces':>9}{'paper mean':>12}{'synth mean':>12}")
    for source, (n, paper, synth) in means.items():
        print(f"{source:<16}{n:>9,}{paper:>12,}{synth:>12,.0f}")

    with open(path, "rb") as handle:  # warm the page cache: every timing below reads from memory
        while handle.read(64 << 20):
            pass

    def scan():
        log = RecordLog(folder, TRACE_KEY, {"teacher": synth_corpus.TEACHER, "engine": {"kind": "vllm"},
                                            "max_rounds": 4, "temperature": 0.6})  # fmt: skip
        n = len(log)
        log.close()
        assert n == count
        return n

    def naive():
        n = 0
        with open(path, "rb") as handle:
            for line in handle:
                json.loads(line)
                n += 1
        assert n == count

    def iterate():
        n = sum(1 for _ in read_records(folder))
        assert n == count

    def attempt_state():
        attempts, solved = _attempt_state(folder, synth_corpus.TEACHER)
        assert len(solved) == count

    timings: dict[str, list[float]] = {k: [] for k in ("scan", "naive", "read_records", "attempt_state")}
    funcs = {"scan": scan, "naive": naive, "read_records": iterate, "attempt_state": attempt_state}
    for rep in range(args.repeats):
        names = list(funcs) if rep % 2 == 0 else list(reversed(funcs))
        for name in names:
            t0 = time.perf_counter()
            funcs[name]()
            timings[name].append(time.perf_counter() - t0)
    med = {k: median_of(v) for k, v in timings.items()}
    print(f"\n{'what (page cache warm)':<48}{'median s':>10}{'MB/s':>9}   runs")
    rows = [("RecordLog open (key-prefix scan)", "scan"), ("naive json.loads of every line", "naive"),
            ("read_records full iteration", "read_records"),
            ("_attempt_state (run_generate's resume read)", "attempt_state")]  # fmt: skip
    for label, key in rows:
        print(f"{label:<48}{med[key]:>10.2f}{size / med[key] / 1e6:>9.0f}   {', '.join(f'{t:.2f}' for t in timings[key])}")
    print(f"ratio naive full parse / key-prefix scan: {med['naive'] / med['scan']:.1f}x "
          f"(the scan takes {med['scan'] / med['naive']:.2f} of the naive time)")
    print(f"resume of run_generate = open + _attempt_state = {med['scan'] + med['attempt_state']:.1f} s")
    return med | {"records": count, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=64, help="questions for the overhead benchmark")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the paper's 283,335 traces")
    parser.add_argument("--tmp", default=None, help="folder for temporary files (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--skip-resume", action="store_true")
    args = parser.parse_args()

    print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()}")
    tmp = Path(tempfile.mkdtemp(prefix="cdistill-bench-stages-", dir=args.tmp))
    try:
        if not args.skip_overhead:
            bench_overhead(args, tmp)
        if not args.skip_resume:
            bench_resume(args, tmp)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\npeak RSS {peak_rss_gib():.2f} GiB; load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
