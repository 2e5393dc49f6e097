"""Benchmark the dataset builders at paper scale: 283k verified traces -> four variants + cards.

Data (``scripts/synth_corpus.py``): a synthetic Stage 1 folder (``questions`` and ``traces`` logs
in the exact layout ``cdistill generate`` writes) with the paper's per-dataset counts and reasoning
lengths (Table 4, Qwen teacher: 283,335 traces, ~2 GB of reasoning), 5% of the questions with a
failed first attempt before the verified one; and a Stage 2 folder with one compression per trace
for two compressors, lengths drawn around Table 5's per-dataset ratios (Llama-3.3-70B ~0.14,
Ministral-3-14B ~0.09). Questions come from ``bench_hygiene.synthesize`` (with planted exact / near
duplicates and contaminated copies) relabelled with the paper's sources; 20k synthetic eval
questions stand in for the registry's eval splits.

1. **Truncation vs bare tokenizer**, same texts, same run: a sample of the raw traces
   (``--sample-mb``) through (a) the bare fast tokenizer batch call
   ``tokenizer(texts, add_special_tokens=False)``, (b) ``builders.truncate.truncate_to_lengths``
   (targets: 9% of each trace's tokens, Ministral's Table 5 ratio) and ``count_tokens``, which use
   the pre-token counter (``builders.pretokens``; a fresh one each run, so its word dictionary starts
   empty), (c) the same two with the counter switched off (the Rust batch encoder's path), plus,
   for reference, (d) the previous truncation (``return_offsets_mapping=True`` then cut) and (e)
   the Rust backend's ``encode_batch_fast`` (no Python conversion at all: the tokenizer's floor).
   Cuts and counts of (b), (c) and (d) are checked equal. All calls get the same chunks of ``truncate.CHUNK_CHARS``
   characters (a paper-sized batch in one call would hold ~1.3G token ids as Python ints). Each is
   run ``--repeats`` times in rotating order, medians in chars/s, with ``TOKENIZERS_PARALLELISM``
   false and true. Done for the tiny model's tokenizer (the build's reference here: 1k vocabulary,
   ~1.6 chars per token on English) and for a ``--vocab-size`` BPE trained on the traces
   (production-sized vocabulary, more chars per token; no real tokenizer can be downloaded here).

2. **The build**: ``run_build`` with all four variants (compressed for both compressors, truncated
   against Ministral, as in the paper's ablation), deduplication and decontamination on, once per
   reference tokenizer (``--reference``): the tiny model's (1k vocabulary: ~3x the tokens of a
   production tokenizer) and the ``--vocab-size`` BPE trained on the traces (the paper's reference
   compressors use 128k/131k vocabularies). ``eval_questions_from_registry`` loads from the
   Hub, so this script replaces it (monkeypatch) by the 20k synthetic eval set. It runs in a child
   process (clean peak RSS), prints ``run_build``'s per-phase ``timings``, with ``write_release``
   split here (by wrapping the store's helpers) into parquet writing, git objects, commit + tag
   and the work-tree refresh; then checks the truncated rows against the compressed ones (token
   tolerance, exact prefix) on a sample. ``--compare-rev REV`` also runs the ``builders`` package
   of a git revision on the same data, in another child process, right after (``--compare-rev
   2ab5c5a``: before the paper-scale changes; ``c3a3fb6``: before the store's git changes).

    .venv/bin/python scripts/bench_builders.py               # paper scale (needs ~12 GB of /tmp)
    .venv/bin/python scripts/bench_builders.py --scale 0.1   # 28k traces
    .venv/bin/python scripts/bench_builders.py --scale 0.05 --skip-tokenizer --compare-rev 2ab5c5a
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if not os.environ.get("CDISTILL_BENCH_REV"):  # the --compare-rev child imports builders from its PYTHONPATH copy
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_rss_gib() -> float:
    """Peak resident memory of this process: ``getrusage``'s ru_maxrss.

    Caveat: Linux carries ru_maxrss across fork + exec, so a child's value is at least its
    parent's RSS when it was spawned; ``vm_hwm_gib`` (the high-water mark of this process's own
    address space) is the clean number for the build child.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def vm_hwm_gib() -> float:
    """High-water mark of this process's resident memory since its exec (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def machine_stalls() -> dict[str, float]:
    """Seconds this VM lost, cumulative: CPU time stolen by the hypervisor (``/proc/stat``, all cores)
    and time every task waited on I/O (``/proc/pressure/io``, "full"). Read before and after a
    build, they tell a slow run on a noisy host from a slow change."""
    stolen = int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8]) / os.sysconf("SC_CLK_TCK")
    try:
        full = Path("/proc/pressure/io").read_text().splitlines()[1]
        io_stall = int(full.rsplit("total=", 1)[1]) / 1e6
    except (OSError, IndexError, ValueError):
        io_stall = float("nan")
    return {"cpu_stolen_s": stolen, "io_full_stall_s": io_stall}


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# ----------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------
def synthesize(args, root: Path) -> dict:
    import synth_corpus

    shapes = synth_corpus.scaled_shapes(args.scale)
    t0 = time.perf_counter()
    questions, evals = synth_corpus.synth_questions(shapes, seed=args.seed, with_evals=args.n_eval)
    t_questions = time.perf_counter() - t0
    (root / "evals.jsonl").write_text("".join(json.dumps(q.to_dict()) + "\n" for q in evals))
    t0 = time.perf_counter()
    synth = synth_corpus.TextSynth(args.seed)
    info = synth_corpus.write_stage1(root / "stage1", questions, shapes, synth, wrong_fraction=0.05, seed=args.seed)
    t_stage1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    info |= synth_corpus.write_stage2(root / "stage2", root / "stage1", shapes, synth, seed=args.seed)
    t_stage2 = time.perf_counter() - t0
    lengths = info.pop("raw_lengths")
    by_source: dict[str, list[int]] = {}
    for q in questions:
        by_source.setdefault(q.source, []).append(lengths[q.id])
    print(f"\n== Data ({load()}) ==")
    print(f"questions {len(questions):,} + evals {len(evals):,} in {t_questions:.0f} s; stage 1 log "
          f"{info['trace_records']:,} records / {info['trace_bytes'] / 1e9:.2f} GB in {t_stage1:.0f} s; stage 2 "
          f"{info['compression_records']:,} records / {info['compression_bytes'] / 1e9:.2f} GB in {t_stage2:.0f} s")
    print(f"{'dataset':<16}{'traces':>9}{'paper mean chars':>18}{'synthetic mean':>16}")
    for shape in shapes:
        got = by_source.get(shape.source, [0])
        print(f"{shape.source:<16}{len(got):>9,}{shape.raw_chars:>18,}{statistics.fmean(got):>16,.0f}")
    return info


# ----------------------------------------------------------------------------------------------
# 1. truncation vs the bare tokenizer
# ----------------------------------------------------------------------------------------------
def sample_traces(root: Path, sample_mb: float) -> tuple[list[str], int]:
    from builders.records import read_records

    texts: list[str] = []
    size = 0
    for record in read_records(root / "stage1" / "traces"):
        if record["correct"]:
            texts.append(record["reasoning"])
            size += len(record["reasoning"])
            if size >= sample_mb * 1e6:
                break
    return texts, size


def trained_tokenizer(texts: list[str], vocab_size: int):
    """A byte-level BPE like the tiny model's, with a realistic vocabulary size, trained on the
    synthetic traces (stands in for a production reference tokenizer, which cannot be downloaded here)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from builders.offline.tiny_models import EOS, IM_END, IM_START, THINK_TOKENS

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, IM_START, IM_END],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    core.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token=IM_END, pad_token=EOS,
                                        additional_special_tokens=[IM_START, IM_END])
    tokenizer.add_tokens(THINK_TOKENS, special_tokens=False)
    return tokenizer


def compare_rates(tokenizer, texts: list[str], size: int, repeats: int, label: str) -> dict:
    from builders import truncate

    ids = tokenizer(texts[:200], add_special_tokens=False)["input_ids"]
    chars_per_token = sum(map(len, texts[:200])) / sum(map(len, ids))
    # Targets: ~9% of each trace's tokens, Ministral's ratio in Table 5.
    lengths = [max(1, int(len(t) / chars_per_token * 0.09)) for t in texts]
    spans = list(truncate._chunks(texts))
    chunks = [texts[a:b] for a, b in spans]
    backend = tokenizer.backend_tokenizer

    def bare():
        for chunk in chunks:
            tokenizer(chunk, add_special_tokens=False)

    def previous():  # the truncation before this change: offsets as Python lists, then cut
        out = []
        for chunk, (a, b) in zip(chunks, spans):
            encoded = tokenizer(chunk, add_special_tokens=False, return_offsets_mapping=True)
            for text, offsets, k in zip(chunk, encoded["offset_mapping"], lengths[a:b]):
                out.append(text if k >= len(offsets) else text[: offsets[k - 1][1]].rstrip())
        return out

    def floor():
        for chunk in chunks:
            backend.encode_batch_fast(chunk, add_special_tokens=False)

    def cold(call):  # a fresh pre-token counter each run: no words remembered from the last one
        def run():
            truncate._COUNTERS.clear()
            return call(tokenizer, texts, lengths) if call is truncate.truncate_to_lengths else call(tokenizer, texts)
        return run

    def tokenizer_only(call):  # the pre-token counter switched off: the Rust batch encoder's path
        def run():
            counter, truncate._counter = truncate._counter, lambda tokenizer: None
            try:
                return call()
            finally:
                truncate._counter = counter
        return run

    funcs = {
        "bare tokenizer(texts)": bare,
        "truncate_to_lengths": cold(truncate.truncate_to_lengths),
        "count_tokens": cold(truncate.count_tokens),
        "truncate_to_lengths, tokenizer path": tokenizer_only(cold(truncate.truncate_to_lengths)),
        "count_tokens, tokenizer path": tokenizer_only(cold(truncate.count_tokens)),
        "previous truncation (offsets lists)": previous,
        "backend encode_batch_fast (floor)": floor,
    }
    reference = previous()
    assert funcs["truncate_to_lengths"]() == reference, "the counter's cuts are the tokenizer's"
    assert funcs["truncate_to_lengths, tokenizer path"]() == reference, "same cuts as before"
    assert funcs["count_tokens"]() == funcs["count_tokens, tokenizer path"](), "the counter's counts are the tokenizer's"
    results = {}
    print(f"\n== {label}: {len(texts):,} raw traces, {size / 1e6:.0f} M chars ({chars_per_token:.2f} chars/token), "
          f"chunks of {truncate.CHUNK_CHARS / 1e6:.0f} M chars, median of {repeats} ({load()}) ==")
    for mode in ("false", "true"):
        os.environ["TOKENIZERS_PARALLELISM"] = mode
        times: dict[str, list[float]] = {k: [] for k in funcs}
        names = list(funcs)
        for rep in range(repeats):
            for name in names[rep % len(names):] + names[: rep % len(names)]:
                t0 = time.perf_counter()
                funcs[name]()
                times[name].append(time.perf_counter() - t0)
        med = {k: statistics.median(v) for k, v in times.items()}
        bare_rate = size / med["bare tokenizer(texts)"]
        print(f"\nTOKENIZERS_PARALLELISM={mode}")
        print(f"{'call':<40}{'median s':>9}{'M chars/s':>11}{'x bare':>8}   runs")
        for name in funcs:
            rate = size / med[name]
            print(f"{name:<40}{med[name]:>9.2f}{rate / 1e6:>11.2f}{rate / bare_rate:>8.2f}   "
                  f"{', '.join(f'{t:.2f}' for t in times[name])}")
        results[mode] = {k: size / v for k, v in med.items()}
    ratio = results["true"]["truncate_to_lengths"] / results["true"]["bare tokenizer(texts)"]
    print(f"\ntruncation / bare rate (parallel on): {ratio:.2f} (goal >= 0.8); parallel speed-up: truncation "
          f"{results['true']['truncate_to_lengths'] / results['false']['truncate_to_lengths']:.2f}x, bare "
          f"{results['true']['bare tokenizer(texts)'] / results['false']['bare tokenizer(texts)']:.2f}x")
    return results


def trained_reference(args, root: Path) -> Path:
    """A ``--vocab-size`` BPE trained on a quarter of the sample, saved once (reused by the build)."""
    path = root / f"bpe-{args.vocab_size}"
    if not path.exists():
        texts, _ = sample_traces(root, args.sample_mb / 4)
        t0 = time.perf_counter()
        trained_tokenizer(texts, args.vocab_size).save_pretrained(path)
        print(f"\n(trained a {args.vocab_size:,}-token byte-level BPE on {sum(map(len, texts)) / 1e6:.0f} M chars "
              f"of the traces in {time.perf_counter() - t0:.0f} s)")
    return path


def bench_tokenizer(args, root: Path, model_dir: Path) -> dict:
    from transformers import AutoTokenizer

    texts, size = sample_traces(root, args.sample_mb)
    results = {"tiny": compare_rates(AutoTokenizer.from_pretrained(model_dir), texts, size, args.repeats,
                                     "Truncation vs bare tokenizer, the tiny model's tokenizer (the build's reference)")}
    if args.vocab_size:
        big = AutoTokenizer.from_pretrained(trained_reference(args, root))
        results["trained"] = compare_rates(big, texts, size, args.repeats,
                                           f"Same, with a {args.vocab_size:,}-token BPE trained on the traces")
    os.environ["TOKENIZERS_PARALLELISM"] = args.tokenizers_parallelism
    return results


# ----------------------------------------------------------------------------------------------
# 2. the build (child process)
# ----------------------------------------------------------------------------------------------
def child_build(root: Path, model_dir: Path, store: Path) -> dict:
    """Run run_build on the synthetic folders; returns the summary's numbers (JSON-friendly)."""
    from builders import hygiene, store as store_module
    from builders.build import BuildConfig, run_build
    from builders.contract import QuestionRecord

    import synth_corpus  # after builders: it must not put another copy of the package first

    evals = [QuestionRecord.from_dict(json.loads(line)) for line in (root / "evals.jsonl").open()]
    hygiene.eval_questions_from_registry = lambda names=None: evals  # the Hub is not reachable here

    split: dict[str, float] = {"parquet": 0.0, "commit_and_tag": 0.0, "refresh_worktree": 0.0}

    def timed(name, func):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return func(*a, **k)
            finally:
                split[name] += time.perf_counter() - t0
        return wrapper

    store_module._write_parquet = timed("parquet", store_module._write_parquet)
    store_module.LocalStore._commit_and_tag = timed("commit_and_tag", store_module.LocalStore._commit_and_tag)
    store_module.LocalStore._refresh_worktree = staticmethod(
        timed("refresh_worktree", store_module.LocalStore._refresh_worktree))

    import builders.build as build_module

    tokenized = {"chars": 0, "seconds": 0.0}  # characters through the tokenizer during the build, and the time

    def counting(func):
        def wrapper(tokenizer, texts, *rest, **options):
            t0 = time.perf_counter()
            try:
                return func(tokenizer, texts, *rest, **options)
            finally:
                tokenized["seconds"] += time.perf_counter() - t0
                tokenized["chars"] += sum(map(len, texts))
        return wrapper

    for name in ("count_tokens", "count_and_cut", "truncate_to_lengths"):  # whichever this revision has
        if hasattr(build_module, name):
            setattr(build_module, name, counting(getattr(build_module, name)))

    config = BuildConfig(stage1_dir=str(root / "stage1"), compress_dir=str(root / "stage2"), store_dir=str(store),
                         teacher=synth_corpus.TEACHER, reference_tokenizer=str(model_dir),
                         reference_compressor=synth_corpus.COMPRESSORS[1])  # fmt: skip
    stalls_before = machine_stalls()
    t0 = time.perf_counter()
    summary = run_build(config)
    total = time.perf_counter() - t0
    stalls = {k: v - stalls_before[k] for k, v in machine_stalls().items()}
    import builders

    result = {"total_s": total, "peak_rss_gib": peak_rss_gib(), "vm_hwm_gib": vm_hwm_gib(), "pool": summary["pool"],
              "package": builders.__file__,
              "hygiene": {k: v for k, v in summary["hygiene"].items() if isinstance(v, int)},
              "repos": {r: {"variant": e["variant"], "compressor": e["compressor"], "rows": e["rows"],
                            "excluded": e["excluded"]} for r, e in summary["repos"].items()},
              "timings": summary.get("timings"), "split": split, "tokenized": tokenized,
              "stalls": stalls, "parquet_gb": sum(p.stat().st_size for p in store.glob("*/*/data/*/*.parquet")) / 1e9}  # fmt: skip
    if summary.get("timings"):
        result["check"] = check_truncated(config, summary)
    return result


def check_truncated(config, summary, sample: int = 2000) -> dict:
    """Truncated rows vs compressed rows on a sample: published counts are the cut texts' counts,
    cuts are exact prefixes of the raw trace, and how far the counts are from the compressed ones
    (``TOKEN_TOLERANCE``) - reported, not asserted: the rstrip at the cut can drop several
    whitespace tokens with a small-vocabulary tokenizer."""
    import pyarrow.parquet as pq
    from transformers import AutoTokenizer

    from builders.store import LocalStore
    from builders.truncate import TOKEN_TOLERANCE, count_tokens

    store = LocalStore(config.store_dir)
    repos = {(e["variant"], e["compressor"]): r for r, e in summary["repos"].items()}
    reference = config.reference_compressor

    def table(variant, compressor, columns):
        path = store.repo_path(repos[(variant, compressor)]) / "data" / "medmcqa" / "train-00000-of-00001.parquet"
        return pq.read_table(path, columns=columns).slice(0, sample).to_pylist()

    truncated = table("truncated", reference, ["id", "reasoning", "reasoning_tokens"])
    compressed = {r["id"]: r["reasoning_tokens"] for r in table("compressed", reference, ["id", "reasoning_tokens"])}
    raw = {r["id"]: r["reasoning"] for r in table("raw", "", ["id", "reasoning"])}
    tokenizer = AutoTokenizer.from_pretrained(config.reference_tokenizer)
    recount = count_tokens(tokenizer, [r["reasoning"] for r in truncated])
    differences = Counter(r["reasoning_tokens"] - compressed[r["id"]] for r in truncated)
    assert all(n == r["reasoning_tokens"] for n, r in zip(recount, truncated)), "published token counts"
    assert all(raw[r["id"]].startswith(r["reasoning"]) for r in truncated), "exact prefixes"
    beyond = sum(n for d, n in differences.items() if abs(d) > TOKEN_TOLERANCE)
    return {"rows_checked": len(truncated), "token_difference_counts": dict(sorted(differences.items())),
            "beyond_tolerance": beyond}


def run_child(args, root: Path, model_dir: Path, store: Path, *, rev: str | None = None) -> dict:
    """The build in a fresh interpreter (clean peak RSS); with ``rev``, on that git revision's
    ``builders`` package and ``cards`` templates."""
    env = dict(os.environ, TOKENIZERS_PARALLELISM=args.tokenizers_parallelism, PYTHONPATH=str(REPO))
    if rev:
        pkg = root / f"rev-{rev}"
        if not pkg.exists():
            pkg.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "builders", "cards"], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(pkg)], input=archive, check=True)
        env["PYTHONPATH"] = str(pkg)
        env["CDISTILL_BENCH_REV"] = "1"
    command = [sys.executable, __file__, "--child", str(root), str(model_dir), str(store)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-5000:])
        return {"failed": proc.returncode, "stderr": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report_build(result: dict, label: str) -> None:
    print(f"\n== Build ({label}) ==")
    if "failed" in result:
        print(f"FAILED (exit {result['failed']}); peak memory or error above")
        return
    print(f"builders package: {result['package']}")
    print(f"pool after hygiene {result['pool']:,}; hygiene {result['hygiene']}")
    for repo, entry in result["repos"].items():
        print(f"  {repo}: {entry['rows']:,} rows" + (f", excluded {entry['excluded']}" if entry["excluded"] else ""))
    timings = result.get("timings")
    if timings:
        split = result["split"]
        write = timings.get("write_release", 0.0)
        rows = [(k, v) for k, v in timings.items() if k not in ("total", "write_release")]
        rows += [(f"write_release: parquet files ({result.get('parquet_gb', float('nan')):.2f} GB)", split["parquet"]),
                 ("write_release: git objects (hash-object, index, tree)",
                  write - split["parquet"] - split["commit_and_tag"] - split["refresh_worktree"]),
                 ("write_release: commit + tag", split["commit_and_tag"]),
                 ("write_release: work-tree refresh (git reset --hard)", split["refresh_worktree"])]  # fmt: skip
        print(f"{'phase':<56}{'s':>8}{'share':>8}")
        for name, seconds in rows:
            print(f"{name:<56}{seconds:>8.1f}{seconds / timings['total']:>8.1%}")
        print(f"{'total run_build':<56}{timings['total']:>8.1f}")
        tok = result["tokenized"]
        if tok["seconds"]:
            print(f"tokenizer during the build: {tok['chars'] / 1e9:.2f} G chars in {tok['seconds']:.0f} s = "
                  f"{tok['chars'] / tok['seconds'] / 1e6:.2f} M chars/s ({tok['seconds'] / timings['total']:.0%} of the build)")
        if "check" in result:
            print(f"truncated check: {result['check']}")
        if "stalls" in result:
            print(f"machine during the build: {result['stalls']['cpu_stolen_s']:.1f} s of CPU stolen by the host, "
                  f"{result['stalls']['io_full_stall_s']:.1f} s with every task waiting on I/O")
    print(f"wall {result['total_s']:.1f} s ({result['total_s'] / 60:.1f} min, goal <= 10 min); "
          f"peak RSS of the build process {result['vm_hwm_gib']:.2f} GiB (VmHWM; getrusage ru_maxrss "
          f"{result['peak_rss_gib']:.2f} GiB, which includes the parent's RSS at spawn)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the paper's 283,335 traces")
    parser.add_argument("--n-eval", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample-mb", type=float, default=100.0, help="M chars of raw traces for the tokenizer rates")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vocab-size", type=int, default=32_000,
                        help="also compare rates with a BPE of this vocabulary trained on the traces (0: skip)")
    parser.add_argument("--tokenizers-parallelism", default="true", choices=("true", "false"),
                        help="TOKENIZERS_PARALLELISM for the build (default true: both cores)")
    parser.add_argument("--compare-rev", metavar="REV",
                        help="also build with the builder files of this git revision (e.g. 2ab5c5a, before the "
                             "paper-scale changes)")
    parser.add_argument("--reference", default="both", choices=("tiny", "trained", "both"),
                        help="reference tokenizer of the build: the tiny model's (1k vocabulary), the "
                             "--vocab-size BPE trained on the traces (a production-sized vocabulary), or one build each")
    parser.add_argument("--skip-tokenizer", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--tmp", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        root, model_dir, store = map(Path, args.child)
        print(json.dumps(child_build(root, model_dir, store)))
        return

    from builders.offline.tiny_models import build_tiny_model

    os.environ["TOKENIZERS_PARALLELISM"] = args.tokenizers_parallelism
    need = 12e9 * args.scale + 1e9
    tmp_parent = Path(args.tmp or tempfile.gettempdir())
    if shutil.disk_usage(tmp_parent).free < need:
        raise SystemExit(f"{tmp_parent}: less than {need / 1e9:.0f} GB free; use --scale or --tmp")
    root = Path(tempfile.mkdtemp(prefix="cdistill-bench-builders-", dir=tmp_parent))
    started = time.perf_counter()
    print(f"cpus {os.cpu_count()}, {load()}, scale {args.scale}, TOKENIZERS_PARALLELISM={args.tokenizers_parallelism}")
    try:
        model_dir = build_tiny_model(root / "tiny")
        synthesize(args, root)
        if not args.skip_tokenizer:
            bench_tokenizer(args, root, model_dir)
        if not args.skip_build:
            references = {"tiny": model_dir} if args.reference in ("tiny", "both") else {}
            if args.reference in ("trained", "both"):
                references["trained"] = trained_reference(args, root)
            for label, reference in references.items():
                for rev in [None] + ([args.compare_rev] if args.compare_rev else []):
                    name = f"{'this tree' if rev is None else 'the builders of ' + rev}, {label} reference tokenizer"
                    print(f"\nbuilding with {name} ({load()}) ...", flush=True)
                    report_build(run_child(args, root, reference, root / "store", rev=rev), name)
                    shutil.rmtree(root / "store", ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\nbench wall {time.perf_counter() - started:.0f} s; peak RSS of the bench process {peak_rss_gib():.2f} GiB "
          f"(getrusage); {load()}")


if __name__ == "__main__":
    main()
