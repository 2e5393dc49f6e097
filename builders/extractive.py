"""A rule-based extractive compressor: shortens a reasoning trace without any model.

It is the baseline against which model compressors are compared and the demo's default, because
it runs at thousands of traces per second on a CPU. It only *deletes*, it never rewrites, so it
cannot hallucinate: every kept sentence is verbatim from the teacher.

What goes (seed 003, Sec. 5.2: "longer reasoning traces contain more removable deliberation"):
* filler and self-talk openers ("Okay, so", "Hmm", "Let me think", "Wait");
* verification loops ("Let me double-check", "Just to be sure") unless they carry an equation;
* restatements: a sentence that repeats an earlier one, or the question itself;
* hedge words inside kept sentences ("I think", "probably", "basically").

What stays: every sentence with a calculation or an equation, every conclusion ("therefore",
"so the answer"), and always the final sentence, which usually states the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z$\\(\"'])|\n+")
_WORD = re.compile(r"[a-z0-9]+")
_MATH = re.compile(r"\d\s*[-+*/×÷^=<>]\s*\(?\d|=|\\frac|\\sqrt|\\boxed|\^|\d+\s*%")
_CONCLUSION = re.compile(
    r"\b(therefore|thus|hence|so the (final )?answer|the answer is|final answer|which gives|"
    r"this means|we get|the result is|correct (answer|option) is)\b", re.I)  # fmt: skip
_FILLER_OPENERS = re.compile(
    r"^\s*(okay|ok|alright|all right|hmm+|um+|well|so,? let me|let me (think|see|start|try|recall)|"
    r"let's (see|think|start)|first,? i need to|i need to (figure|find|determine)|wait|oh|"
    r"i (remember|recall|wonder)|now,? let me)\b", re.I)  # fmt: skip
_VERIFICATION = re.compile(
    r"\b(double[- ]check|let me (verify|check|confirm|re-?read|make sure)|just to be (sure|safe)|"
    r"to confirm|sanity check|let me recheck|am i missing|did i make a mistake|that seems right|"
    r"that makes sense|seems correct|looks right|read (the|this) (problem|question) again|, yes\.?$)",
    re.I)  # fmt: skip
_EQUATION = re.compile(r"[\w.]+(?:\s*[-+*/×÷^]\s*[\w.]+)+\s*=\s*[\w.]+")
_HEDGES = re.compile(
    r"\b(i think|i believe|i guess|i suppose|probably|basically|actually|kind of|sort of|just|"
    r"it seems like|it seems that|maybe)\b,?\s*", re.I)  # fmt: skip


@dataclass(frozen=True)
class ExtractiveConfig:
    """Thresholds of the rules; the defaults are tuned on realistic teacher traces in the tests."""

    restatement_overlap: float = 0.8  # word-set Jaccard above which a sentence is a repeat
    question_overlap: float = 0.7  # share of a sentence's words found in the question
    drop_hedges: bool = True


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _is_essential(sentence: str) -> bool:
    return bool(_MATH.search(sentence) or _CONCLUSION.search(sentence))


def _is_deliberation(sentence: str) -> bool:
    return bool(_FILLER_OPENERS.search(sentence) or _VERIFICATION.search(sentence))


def _equations(sentence: str) -> frozenset[str]:
    return frozenset(re.sub(r"\s+", "", eq) for eq in _EQUATION.findall(sentence))


def _restates(words: frozenset[str], earlier: list[frozenset[str]], question: frozenset[str],
              config: ExtractiveConfig) -> bool:
    if any(_jaccard(words, seen) >= config.restatement_overlap for seen in earlier):
        return True
    return bool(question) and len(words) >= 4 and len(words & question) / len(words) >= config.question_overlap


def _strip_opener(sentence: str) -> str:
    """"Hmm, so in April she sold 48 clips." -> "In April she sold 48 clips."; self-talk alone -> ""."""
    rest = _FILLER_OPENERS.sub("", sentence, count=1).lstrip(" ,:;-")
    rest = re.sub(r"^(so|then|and|now)\b,?\s*", "", rest, flags=re.I)
    return rest[:1].upper() + rest[1:] if len(_words(rest)) >= 4 else ""


def _strip_hedges(sentence: str) -> str:
    stripped = _HEDGES.sub("", sentence).strip()
    return stripped[:1].upper() + stripped[1:] if stripped else sentence


def compress_extractive(reasoning: str, question: str = "", config: ExtractiveConfig = ExtractiveConfig()) -> str:
    """Return a shorter trace made only of the teacher's own sentences (never empty for a
    non-empty input)."""
    sentences = _sentences(reasoning)
    if not sentences:
        return ""
    question_words = _words(question)
    kept: list[str] = []
    seen: list[frozenset[str]] = []
    seen_equations: set[str] = set()
    for index, sentence in enumerate(sentences):
        if _FILLER_OPENERS.search(sentence) and not _VERIFICATION.search(sentence):
            sentence = _strip_opener(sentence) or sentence
        words = _words(sentence)
        is_last = index == len(sentences) - 1
        if _restates(words, seen, question_words, config) and not is_last:
            continue
        equations = _equations(sentence)
        if _is_deliberation(sentence) and not is_last:
            # A check is kept only if it computes something new.
            if not _is_essential(sentence) or (equations and equations <= seen_equations):
                continue
        seen.append(words)
        seen_equations |= equations
        kept.append(_strip_hedges(sentence) if config.drop_hedges else sentence)
    return "\n".join(kept)
