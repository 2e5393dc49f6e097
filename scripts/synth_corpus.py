"""Synthetic, paper-shaped Stage 1 / Stage 2 outputs for the benchmarks (not a benchmark itself).

Shapes come from the paper (seed 003): Table 4 (Qwen3.5-397B teacher: verified traces per dataset
and their mean reasoning length in characters, 283,335 in all) and Table 5 (mean compressed
characters per dataset for the Llama-3.3-70B and Ministral-3-14B compressors). Lengths are drawn
from a lognormal around each dataset's mean (``SIGMA``), so every dataset has its own long tail.

Text is not one repeated character: sentences are built from real English words with their own
frequencies (the standard library's docstrings), reasoning / medical / math words, and 8% pseudo-words
standing in for the long tail of drug names, diseases and terms,
with arithmetic (``48 / 2 = 24``), LaTeX (``\\frac{3}{4}``), percentages, units, a few non-ASCII
symbols (``≈``, ``°C``, ``μg``) and paragraph breaks; every sentence gets fresh numbers. Traces are
cut from a shuffled stream of a large sentence bank (a bank keeps generation fast enough for 2 GB
of text; it is large enough that the tokenizer's word cache sees a realistic long tail).

Records are written in the exact layout ``builders.generate`` / ``builders.compress`` produce:
``<stage1>/questions`` and ``<stage1>/traces`` (and ``<stage2>/compressions``) are RecordLog
folders - a manifest written by ``RecordLog`` itself, then ``records.jsonl`` lines formatted
byte for byte like ``RecordLog._write_line`` (``{"_key": <key json>, "record": <record json>}``),
written in large buffered blocks instead of one flushed write per record, for speed.
``check_line_format`` proves the byte equality on sample records against a real ``RecordLog``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

if "builders" not in sys.modules:  # a caller may have imported another copy of the package on purpose
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builders.contract import OPTION_LETTERS, QuestionRecord, render_choices  # noqa: E402
from builders.records import RecordLog, key_string  # noqa: E402

TEACHER = "Qwen/Qwen3.5-397B-A17B"
COMPRESSORS = ("meta-llama/Llama-3.3-70B-Instruct", "mistralai/Ministral-3-14B-Instruct")
SIGMA = 0.6  # lognormal shape of trace lengths
MIN_CHARS, MAX_CHARS = 120, 120_000


@dataclass(frozen=True)
class DatasetShape:
    source: str  # registry name
    domain: str
    answer_type: str
    count: int  # verified traces, Table 4 (Qwen3.5-397B)
    raw_chars: int  # mean reasoning chars, Table 4
    compressed_chars: tuple[int, int]  # mean compressed chars (Llama-70B, Ministral-14B), Table 5


# Table 4 / Table 5, Qwen3.5-397B teacher. Table 5 has no MMLU rows: its "Overall" ratios
# (0.142 / 0.086) are applied to the MMLU means.
PAPER_QWEN = (
    DatasetShape("aqua_rat", "math", "letter", 87_441, 7_583, (1_034, 478)),
    DatasetShape("gsm8k", "math", "numeric", 7_186, 4_688, (612, 296)),
    DatasetShape("multiarith", "math", "numeric", 416, 1_750, (443, 221)),
    DatasetShape("svamp", "math", "numeric", 960, 2_926, (522, 294)),
    DatasetShape("arc_challenge", "science", "letter", 1_079, 4_264, (911, 522)),
    DatasetShape("gpqa_diamond", "science", "letter", 135, 18_734, (1_658, 1_020)),
    DatasetShape("commonsense_qa", "commonsense", "letter", 8_593, 6_418, (862, 564)),
    DatasetShape("medexpqa", "medical", "letter", 395, 11_541, (1_317, 1_113)),
    DatasetShape("medmcqa", "medical", "letter", 167_277, 6_801, (1_002, 677)),
    DatasetShape("medqa", "medical", "letter", 9_778, 10_806, (1_369, 1_044)),
    DatasetShape("mmlu_medical", "medical", "letter", 33, 9_876, (round(9_876 * 0.142), round(9_876 * 0.086))),
    DatasetShape("mmlu_stem", "science", "letter", 42, 9_347, (round(9_347 * 0.142), round(9_347 * 0.086))),
)
PAPER_TOTAL = sum(d.count for d in PAPER_QWEN)  # 283,335


def scaled_shapes(scale: float) -> list[DatasetShape]:
    """The paper's datasets with counts scaled (at least one question each)."""
    return [DatasetShape(d.source, d.domain, d.answer_type, max(1, round(d.count * scale)), d.raw_chars,
                         d.compressed_chars) for d in PAPER_QWEN]  # fmt: skip


def lognormal_lengths(rng: np.random.Generator, mean: float, n: int, sigma: float = SIGMA) -> np.ndarray:
    """n lengths with the given mean (before clipping to [MIN_CHARS, MAX_CHARS])."""
    mu = math.log(mean) - sigma * sigma / 2
    return np.clip(rng.lognormal(mu, sigma, n), MIN_CHARS, MAX_CHARS).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------
_COMMON = (
    "the of and to a in is that it for on with as this be we so are by an at from or not have which "
    "but if then than its can there so let me think first step next now also would should could must "
    "because therefore thus hence since given means each total number value answer option correct "
    "wrong check again wait actually right yes no maybe consider compute find equals per more less "
    "patient presents with history of pain fever blood pressure heart rate normal elevated low high "
    "diagnosis treatment drug dose mg kg daily most likely least common cause effect cell protein "
    "energy force mass velocity acceleration charge current voltage temperature pressure volume rate "
    "time hours days years price cost dollars percent profit loss speed distance train car boat "
    "question asks choices we need to determine whether options are likely the final result"
).split()
_OPENERS = ("Okay, so", "Let me", "Wait,", "Hmm,", "So", "First,", "Then", "Now", "Alternatively,",
            "But", "Let's verify:", "Actually,", "Therefore", "Looking at option", "Recall that")  # fmt: skip
_NON_ASCII = ("≈", "°C", "μg", "→", "≤", "×", "−")  # some push a string to 2 bytes per char, as real traces do


def english_vocabulary() -> tuple[list[str], np.ndarray]:
    """Real English words with their frequencies: every docstring of the Python standard library
    (about 1.6M chars, 9k distinct words, deterministic for a Python version)."""
    import ast
    import collections
    import re
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"])
    counts: collections.Counter = collections.Counter()
    for path in sorted(root.glob("*.py")) + sorted(root.glob("[a-z]*/*.py")):
        if "test" in path.parts or "idlelib" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    counts.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", doc))
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, np.array([counts[w] for w in words], dtype=np.float64)


class TextSynth:
    """Sentences of English words with numbers, equations and LaTeX (deterministic per seed).

    Word mix: real English with its own frequencies (stdlib docstrings) plus reasoning/medical/math
    words, and ``rare_share`` of pseudo-words (Zipf over ``pseudo_words`` random letter strings)
    standing in for the long tail of drug names, diseases and technical terms, which BPE splits
    into many pieces and which miss the tokenizer's word cache.
    """

    def __init__(self, seed: int = 0, pseudo_words: int = 40_000, rare_share: float = 0.08,
                 bank_size: int = 60_000):
        self.rng = rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        pseudo = ["".join(rng.choice(letters, int(s))) for s in rng.integers(5, 13, pseudo_words)]
        english, counts = english_vocabulary()
        common = list(_COMMON)
        english_w = counts / counts.sum() * (1 - rare_share) * 0.8
        common_w = np.full(len(common), (1 - rare_share) * 0.2 / len(common))
        pseudo_w = 1.0 / (np.arange(1, pseudo_words + 1) + 10.0)
        pseudo_w = pseudo_w / pseudo_w.sum() * rare_share
        self.vocab = english + common + pseudo
        weights = np.concatenate([english_w, common_w, pseudo_w])
        self._cdf = np.cumsum(weights / weights.sum())
        self.bank = [self._sentence() for _ in range(bank_size)]
        self.mean_sentence = float(np.mean([len(s) + 1 for s in self.bank]))
        self._stream = np.empty(0, np.int64)

    def _words(self, n: int) -> list[str]:
        idx = np.searchsorted(self._cdf, self.rng.random(n))
        return [self.vocab[i] for i in idx.tolist()]

    def _sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        a, b = int(rng.integers(2, 999)), int(rng.integers(2, 99))
        if kind < 0.55:
            text = f"{_OPENERS[rng.integers(len(_OPENERS))]} {' '.join(self._words(int(rng.integers(5, 22))))}."
        elif kind < 0.75:
            op, value = [("+", a + b), ("-", a - b), ("*", a * b), ("/", round(a / b, 2))][rng.integers(4)]
            text = f"{' '.join(self._words(int(rng.integers(2, 8))))}: {a} {op} {b} = {value}."
        elif kind < 0.85:
            text = (f"So $\\frac{{{a}}}{{{b}}} \\times {int(rng.integers(2, 50))} = {a * 3 / b:.3f}$, "
                    f"which is about {a % 100}% of {' '.join(self._words(3))}.")
        elif kind < 0.93:
            text = f"Option {OPTION_LETTERS[rng.integers(5)]}: {' '.join(self._words(int(rng.integers(3, 10))))}."
        elif kind < 0.97:
            text = f"{' '.join(self._words(int(rng.integers(3, 9))))} {a} {['mg', 'kg', 'mL', 'km/h', 'hours'][rng.integers(5)]}."
        else:
            sym = _NON_ASCII[rng.integers(len(_NON_ASCII))]
            text = f"{' '.join(self._words(int(rng.integers(3, 9))))} {a} {sym} {b}."
        if rng.random() < 0.15:
            text += "\n\n"
        return text

    def text(self, length: int) -> str:
        """About ``length`` chars (cut at a word boundary), from the shuffled sentence stream."""
        need = int(length / self.mean_sentence * 1.25) + 2
        if len(self._stream) < need:
            self._stream = np.concatenate([self._stream, self.rng.integers(0, len(self.bank), max(need, 1 << 20))])
        idx, self._stream = self._stream[:need], self._stream[need:]
        bank = self.bank
        text = " ".join([bank[i] for i in idx.tolist()])
        while len(text) < length:  # rare: a run of short sentences
            text += " " + self.text(length - len(text))
        cut = text.rfind(" ", 0, length)
        return text[: cut if cut > length // 2 else length].replace("\n\n ", "\n\n").strip()


# ----------------------------------------------------------------------------------------------
# Records in RecordLog's exact line format
# ----------------------------------------------------------------------------------------------
def log_line(key_fields: tuple[str, ...], record: dict[str, Any]) -> bytes:
    """One records.jsonl line, formatted exactly as ``RecordLog._write_line`` does."""
    key = key_string(record[f] for f in key_fields)
    body = json.dumps(record, ensure_ascii=False, default=str)
    return f'{{"_key": {json.dumps(key)}, "record": {body}}}\n'.encode()


def check_line_format(records: list[dict[str, Any]], key_fields: tuple[str, ...]) -> None:
    """Assert ``log_line`` writes the same bytes as a real RecordLog for these records."""
    with tempfile.TemporaryDirectory(prefix="cdistill-linecheck-") as tmp:
        with RecordLog(tmp, key_fields, {"check": True}) as log:
            for record in records:
                log.append(record)
        written = (Path(tmp) / "records.jsonl").read_bytes()
    ours = b"".join(log_line(key_fields, r) for r in records)
    assert written == ours, "synthetic log lines differ from RecordLog's format"


class FastLogWriter:
    """A RecordLog folder: manifest by RecordLog itself, then records appended in big blocks."""

    def __init__(self, folder: Path, key_fields: tuple[str, ...], config: dict[str, Any]):
        RecordLog(folder, key_fields, config).close()  # manifest.json, empty records/quarantine files
        self.key_fields = key_fields
        self.handle = open(Path(folder) / "records.jsonl", "ab", buffering=8 << 20)
        self.count = 0
        self.bytes = 0

    def append(self, record: dict[str, Any]) -> None:
        line = log_line(self.key_fields, record)
        self.handle.write(line)
        self.count += 1
        self.bytes += len(line)

    def close(self) -> None:
        self.handle.close()


def trace_record(question_id: str, attempt: int, reasoning: str, response: str, answer: str, correct: bool,
                 teacher: str = TEACHER) -> dict[str, Any]:
    """A Stage 1 TraceRecord dict (the fields ``builders.generate.to_trace`` writes)."""
    return {
        "question_id": question_id, "teacher": teacher, "attempt": attempt, "reasoning": reasoning,
        "response": response, "extracted_answer": answer, "correct": correct,
        "prompt_tokens": 180 + len(reasoning) % 300, "completion_tokens": len(reasoning) // 4 + len(response) // 4,
        "finish_reason": "stop", "error": None,
    }  # fmt: skip


def synth_questions(shapes: list[DatasetShape], seed: int = 0, with_evals: int = 0
                    ) -> tuple[list[QuestionRecord], list[QuestionRecord]]:
    """Questions shaped like the registry's, per the paper's counts, plus ``with_evals`` eval
    questions. Uses ``bench_hygiene.synthesize`` (planted exact / near duplicates and contaminated
    copies), relabelled with the paper's sources, so hygiene has real work to do."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_hygiene

    total = sum(d.count for d in shapes)
    pool, evals, _planted = bench_hygiene.synthesize(total, max(with_evals, 200), seed)
    rng = np.random.default_rng(seed + 1)
    labels = np.repeat(np.arange(len(shapes)), [d.count for d in shapes])
    rng.shuffle(labels)
    questions = []
    for q, label in zip(pool, labels.tolist()):
        shape = shapes[label]
        data = q.to_dict() | {"source": shape.source, "domain": shape.domain}
        if shape.answer_type == "numeric":  # a numeric gold, question text unchanged
            data |= {"answer_type": "numeric", "answer": str(int(rng.integers(1, 5000))), "choices": None}
        questions.append(QuestionRecord(**data))
    return questions, (evals[:with_evals] if with_evals else [])


def response_for(synth: TextSynth, question: QuestionRecord) -> str:
    return f"{synth.text(int(synth.rng.integers(150, 700)))}\n\nThe answer is $\\boxed{{{question.answer}}}$."


def iter_shapes(questions: list[QuestionRecord], shapes: list[DatasetShape]) -> Iterator[tuple[QuestionRecord, DatasetShape]]:
    by_source = {d.source: d for d in shapes}
    for q in questions:
        yield q, by_source[q.source]


def write_stage1(out: Path, questions: list[QuestionRecord], shapes: list[DatasetShape], synth: TextSynth,
                 *, wrong_fraction: float = 0.0, seed: int = 0) -> dict[str, Any]:
    """``<out>/questions`` and ``<out>/traces`` as ``run_generate`` leaves them.

    Each question gets one verified trace whose reasoning length is drawn around its dataset's
    mean; ``wrong_fraction`` of them get a failed attempt 0 first (rejection sampling), so the
    log holds more records than the verified pool.
    Returns the raw reasoning lengths by question id and the bytes written.
    """
    from builders.generate import TRACE_KEY

    rng = np.random.default_rng(seed + 2)
    lengths: dict[str, int] = {}
    by_source: dict[str, list[QuestionRecord]] = {}
    for q in questions:
        by_source.setdefault(q.source, []).append(q)
    for shape in shapes:
        drawn = lognormal_lengths(rng, shape.raw_chars, len(by_source.get(shape.source, [])))
        lengths.update({q.id: int(n) for q, n in zip(by_source.get(shape.source, []), drawn)})

    qlog = FastLogWriter(out / "questions", ("id",), {"kind": "questions"})
    for q in questions:
        qlog.append(q.to_dict())
    qlog.close()
    # The fingerprinted config of a generate run, shaped like GenerateConfig.fingerprint_dict().
    config = {"teacher": TEACHER, "engine": {"kind": "vllm", "model": TEACHER}, "split": "train", "max_rounds": 4,
              "system_prompt": "synthetic", "temperature": 0.6, "top_p": 0.95, "max_tokens": 16384}  # fmt: skip
    tlog = FastLogWriter(out / "traces", TRACE_KEY, config)
    wrong = rng.random(len(questions)) < wrong_fraction
    for q, is_wrong in zip(questions, wrong.tolist()):
        attempt = 0
        if is_wrong:
            bad = "Z" if q.answer_type == "letter" else "-1"
            tlog.append(trace_record(q.id, 0, synth.text(int(lengths[q.id] * 1.2)), response_for(synth, q)
                                     .replace(f"{{{q.answer}}}", f"{{{bad}}}"), bad, False))
            attempt = 1
        tlog.append(trace_record(q.id, attempt, synth.text(lengths[q.id]), response_for(synth, q), q.answer, True))
    tlog.close()
    return {"raw_lengths": lengths, "trace_records": tlog.count, "trace_bytes": tlog.bytes,
            "question_bytes": qlog.bytes}


def write_stage2(out: Path, stage1: Path, shapes: list[DatasetShape], synth: TextSynth,
                 compressors: tuple[str, ...] = COMPRESSORS, *, seed: int = 0) -> dict[str, Any]:
    """``<out>/compressions`` as ``run_compress`` leaves it: one CompressionRecord per verified
    trace and compressor, the compressed length drawn around the dataset's Table 5 ratio."""
    from builders.compress import COMPRESSION_KEY
    from builders.generate import correct_traces, load_saved_questions

    rng = np.random.default_rng(seed + 3)
    questions = load_saved_questions(stage1)
    ratio = {d.source: [c / d.raw_chars for c in d.compressed_chars] for d in shapes}
    config = {"compressors": [{"name": c} for c in compressors], "prompt": "synthetic", "domain_prompts": {}}
    log = FastLogWriter(out / "compressions", COMPRESSION_KEY, config)
    for trace in correct_traces(stage1):
        q = questions[trace["question_id"]]
        raw = len(trace["reasoning"])
        for k, name in enumerate(compressors):
            target = max(40, int(raw * ratio[q.source][k] * rng.lognormal(-0.08, 0.4)))
            text = synth.text(min(target, raw))
            log.append({
                "question_id": q.id, "teacher": trace["teacher"], "compressor": name, "reasoning": text,
                "response": trace["response"], "raw_chars": raw, "compressed_chars": len(text),
                "compression_ratio": len(text) / raw if raw else 0.0, "reextracted_answer": q.answer,
                "supports_answer": True, "prompt_sha": "synthetic", "prompt_tokens": raw // 4 + 200,
                "completion_tokens": len(text) // 4, "finish_reason": "stop", "error": None,
            })  # fmt: skip
    log.close()
    return {"compression_records": log.count, "compression_bytes": log.bytes}
