"""Answer extraction and verification: the one scorer shared by every stage.

Rejection sampling (Stage 1), the compression checks (Stage 2) and the lm-eval tasks all call
``extract_answer`` then ``is_correct``, so a trace kept as "correct" and a student answer scored as
"correct" are judged by the same rules (seed 003, Sec. 3.1).

A completion looks like ``<think>reasoning</think>\\n\\nresponse``. ``split_reasoning`` separates
the two, and extraction looks in the **response first**; only when nothing usable is found there
does it look inside the reasoning (a truncated generation has no response at all).

Within one text the cascade is, first hit wins:

1. ``\\boxed{...}`` / ``\\fbox{...}`` - the last one, braces balanced (``\\boxed{\\frac{1}{2}}``);
2. ``#### X`` - the GSM8k convention (a line that is a markdown heading is not an answer);
3. "the answer is X" / "final answer: X" / "Answer: X" - last occurrence, case-insensitive,
   markdown bold stripped, X cut at the end of its line or sentence;
4. a type-specific fallback over the whole text:
   numeric - the last number; letter - the last explicit option pattern (``**B**``, ``(C)``,
   ``B)``, ``Option D``, ``answer: E``), else a text that is only a letter or starts with ``B.``;
   boolean - a bold, leading or last yes/no/true/false; latex - the last ``$...$`` math.

What stages 1-3 find is then *reduced to the type* by ``normalize_answer`` (``\\boxed{\\text{(B)
} 42}`` -> ``B``, ``**$18.00**`` -> ``18``); content that does not reduce (``\\boxed{x}`` for a
numeric question) falls through to the next stage. ``normalize_answer`` is also what canonicalizes
gold answers, so ``is_correct`` compares like with like: numbers by value (relative tolerance
1e-6), letters and booleans by their canonical token, LaTeX by ``math_verify`` equivalence.

Performance: this runs on ~300k records, so every regex is compiled once at import, and
``math_verify`` (sympy) is imported and called only for the ``latex`` type.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Iterator

ANSWER_TYPES = ("numeric", "letter", "boolean", "latex")

logger = logging.getLogger(__name__)

_REL_TOL = 1e-6
_ABS_TOL = 1e-9  # so that 0 compares equal to a rounding-level residue
_DECIMAL_DIGITS = 12  # significant digits kept in a canonical non-terminating number (1/3)
_MATH_VERIFY_MAX_CHARS = 1000  # no timeout guards math_verify (see _latex_equivalent); cap input
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


class UnknownAnswerType(ValueError):
    """An ``answer_type`` outside ``ANSWER_TYPES``: a caller bug, so it raises instead of scoring False."""


def _check_type(answer_type: str) -> None:
    if answer_type not in ANSWER_TYPES:
        raise UnknownAnswerType(
            f"unknown answer_type {answer_type!r}; valid answer types: {', '.join(ANSWER_TYPES)}"
        )


# ----------------------------------------------------------------------------------------------
# Reasoning / response split
# ----------------------------------------------------------------------------------------------
def split_reasoning(text: str) -> tuple[str | None, str]:
    """Split a completion into (reasoning inside ``<think>`` blocks or None, response after them).

    * no think tags: ``(None, text)``;
    * ``</think>`` without an opening tag (Qwen3 chat templates put ``<think>`` in the prompt, so
      the server returns only the close): everything before it is reasoning;
    * several blocks: reasoning is the blocks joined by a blank line, the response is the text
      after the last ``</think>``;
    * an unclosed ``<think>`` (generation truncated): it is reasoning and the response is ``""``.

    An empty block (``<think>\\n\\n</think>``, a non-thinking completion) gives reasoning ``""``,
    which differs from ``None`` (no block at all). Both parts are stripped.
    """
    if not text or not isinstance(text, str):
        return None, ""
    last_close = text.rfind(_THINK_CLOSE)
    last_open = text.rfind(_THINK_OPEN)
    if last_close < 0 and last_open < 0:
        return None, text.strip()

    blocks = []
    if last_close >= 0:
        for segment in text[:last_close].split(_THINK_CLOSE):
            # A segment without an opening tag is a block whose <think> was in the prompt.
            open_at = segment.find(_THINK_OPEN)
            blocks.append(segment[open_at + len(_THINK_OPEN):] if open_at >= 0 else segment)
    if last_open > last_close:  # unclosed last block: generation stopped before answering
        blocks.append(text[last_open + len(_THINK_OPEN):])
        response = ""
    else:
        response = text[last_close + len(_THINK_CLOSE):].strip()
    reasoning = "\n\n".join(block.strip() for block in blocks if block.strip())
    return reasoning, response


# ----------------------------------------------------------------------------------------------
# Extraction: the cascade
# ----------------------------------------------------------------------------------------------
def extract_answer(text: str, answer_type: str) -> str | None:
    """The final answer of a completion, in canonical form for ``answer_type``; None if there is none.

    The response (after ``</think>``) is searched first and the reasoning only when the response
    yields nothing, so a final answer beats a different intermediate one inside the reasoning.
    """
    _check_type(answer_type)
    if not text or not isinstance(text, str):
        return None
    reasoning, response = split_reasoning(text)
    for part in (response, reasoning):
        if part:
            answer = _extract_from(part, answer_type)
            if answer is not None:
                return answer
    return None


def _extract_from(text: str, answer_type: str) -> str | None:
    """Run the cascade on one text: explicit markers in order, then the type's fallback."""
    for stage, content in _marked_candidates(text):
        content = _usable_content(stage, content, answer_type)
        answer = _NORMALIZERS[answer_type](content) if content is not None else None
        if answer is not None:
            return answer
    return _FALLBACKS[answer_type](text)


def _usable_content(stage: str, content: str, answer_type: str) -> str | None:
    """What a marker's content offers the type's normalizer, or None when it is not an answer.

    A "####" line is a numeric answer only if it starts with the number: a markdown h4 heading
    ("#### Step 2: total cost") would otherwise read as 2. For LaTeX, a "####"/"answer is" marker
    gives its math, or its text unless that is prose. Letter and boolean normalization accept only
    letter- or verdict-like content anyway.
    """
    if answer_type == "latex" and stage != "boxed":
        return _latex_marker_content(content)
    if answer_type == "numeric" and stage == "####":
        return content if _HASH_NUMBER_FIRST.match(_clean_numeric(content)) else None
    return content


_BOXED_START = re.compile(r"\\(?:boxed|fbox)\s*\{")
# Line-anchored so that "#### 72" counts but "x #### y" does not; markdown headings are
# filtered per type in _extract_from because "#### Step 2" is also a valid h4 heading.
_HASH_ANSWER = re.compile(r"^[ \t>]*####[ \t]*(?P<ans>\S[^\n]*)$", re.M)
# "is\b" so that "the answer isn't 5" is not read as "n't 5".
# A "Final Answer" heading alone on its line ("**Final Answer**\n\nC") counts too.
_ANSWER_IS = re.compile(
    r"\b(?:(?:final\s+|correct\s+)?answers?\s*(?:is\b|:|=)|final\s+answer[ \t]*(?=\n))"
    r"\s*:?\s*(?P<ans>[^\n]+)",
    re.I,
)
_SENTENCE_END = re.compile(r"\.(?=\s|$)")  # a period that ends a sentence, not "18.00"


def _marked_candidates(text: str) -> Iterator[tuple[str, str]]:
    """Contents of the explicit answer markers, in cascade order (each the last occurrence)."""
    boxed = _last_boxed(text)
    if boxed is not None:
        yield "boxed", boxed
    if "####" in text:
        match = _last_match(_HASH_ANSWER, text)
        if match:
            yield "####", match["ans"]
    plain = text.replace("**", "") if "**" in text else text
    match = _last_match(_ANSWER_IS, plain)
    if match:
        yield "answer_is", _SENTENCE_END.split(match["ans"], maxsplit=1)[0]


def _last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    match = None
    for match in pattern.finditer(text):
        pass
    return match


def _last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{}``/``\\fbox{}`` whose braces close (a truncated one is skipped)."""
    if "\\boxed" not in text and "\\fbox" not in text:
        return None
    starts = [m.end() for m in _BOXED_START.finditer(text)]
    for start in reversed(starts):
        content = _balanced(text, start)
        if content is not None:
            return content
    return None


def _balanced(text: str, start: int) -> str | None:
    """Text from ``start`` (just after an opening brace) up to its matching close, or None."""
    depth = 1
    for i in range(start, len(text)):
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return None


def _unwrap(text: str, command: re.Pattern) -> str:
    """Replace every ``\\cmd{content}`` matched by ``command`` (which ends at the brace) by content."""
    while True:
        match = command.search(text)
        if match is None:
            return text
        inner = _balanced(text, match.end())
        if inner is None:  # dangling command: drop it, keep what follows
            return text[: match.start()] + text[match.end():]
        text = text[: match.start()] + inner + text[match.end() + len(inner) + 1:]


# ----------------------------------------------------------------------------------------------
# Type-specific fallbacks over a whole text
# ----------------------------------------------------------------------------------------------
# A number as written in prose or LaTeX: "-1,234.50", "$18", "€5", "0.5", ".5", "3/4".
# The sign is only a sign when it does not follow a digit and a space ("20 - 5" is a subtraction);
# a number glued to a word or a dot ("x2", "v1.2.3") is not an answer.
_NUMBER = re.compile(
    r"""(?<![\w.])
        (?:(?<![\d)\]}]\s)(?P<sign>-))?
        (?:[$€£]\s?)?(?P<sign2>-)?
        (?P<num>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        (?:\s*/\s*(?P<den>\d+(?:\.\d+)?)(?![\d.]))?
    """,
    re.X,
)
# 2\frac{1}{2}; digit runs are bounded because int() refuses very long ones.
_LATEX_MIXED_FRAC = re.compile(
    r"(?<![\d.])(\d{1,15})\s*\\[dt]?frac\s*\{\s*(\d{1,15})\s*\}\s*\{\s*(\d{1,15})\s*\}"
)
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?[\d.,]+)\s*\}\s*\{\s*([\d.,]+)\s*\}")
_LATEX_FRAC_SHORT = re.compile(r"\\[dt]?frac\s*(\d)(\d)")  # \frac12
_LATEX_SPACING = re.compile(r"\\[,!;: ]")
_LATEX_SIZING = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)\b|\\displaystyle")


def _fallback_numeric(text: str) -> str | None:
    match = _last_match(_NUMBER, _clean_numeric(text))
    return _format_match(match) if match else None


_LETTER_PATTERNS = re.compile(
    r"""\*\*\s*\(?(?P<bold>[A-J])(?:\)|[.:)](?:\s[^*\n]*)?)?\s*\*\*   # **B**  **(B)**  **B. Paris**
      | \\textbf\{\s*\(?(?P<tbf>[A-J])\)?\s*\}                      # \textbf{B}
      | (?<![\w(])\((?P<paren>[A-J])\)(?!\w)                         # (C), not f(A)
      | (?:^|(?<=\s))(?P<close>[A-J])\)                              # B) at a word start
      | \b(?i:option|choice)\s*(?i:is\s*)?\(?(?P<option>[A-J])\b\)?  # Option D, choice (D)
      | \b(?i:answer)\s*(?i:is\b|:|=)\s*:?\s*\(?(?P<answer>[A-J])\b  # answer: E
    """,
    re.X | re.M,
)
# Ordinary prose starts sentences with "A", so a bare letter only counts when it is all there
# is; "B. Paris" at the very start is the other common way a response states its choice.
_LETTER_ONLY = re.compile(r"^[\s(\[{*_$]*([A-Ja-j])[\s)\]}*_$.:,]*$")
_LETTER_AT_START = re.compile(r"^[\s*_]*\(?([A-J])[.)]\s")


def _fallback_letter(text: str) -> str | None:
    match = _last_match(_LETTER_PATTERNS, text)
    if match:
        return next(letter for letter in match.groups() if letter)
    match = _LETTER_ONLY.match(text) or _LETTER_AT_START.match(text)
    return match.group(1).upper() if match else None


_BOOL_WORDS = {"yes": "yes", "true": "yes", "correct": "yes", "no": "no", "false": "no", "incorrect": "no"}
_BOOL_BOLD = re.compile(r"(?:\*\*|\\textbf\{)\s*(yes|no|true|false)\b", re.I)
_BOOL_LEADING = re.compile(r"^[\W_]*(yes|no|true|false)\b", re.I)
_BOOL_LEADING_CONTENT = re.compile(r"^[\W_]*(yes|no|true|false|correct|incorrect)\b", re.I)
_BOOL_WORD = re.compile(r"\b(yes|no|true|false)\b", re.I)


def _fallback_boolean(text: str) -> str | None:
    # "no" is common in prose, so a bold or leading verdict ("Yes, because ...") beats the last word.
    match = _last_match(_BOOL_BOLD, text) or _BOOL_LEADING.match(text) or _last_match(_BOOL_WORD, text)
    return _BOOL_WORDS[match.group(1).lower()] if match else None


_MATH_SEGMENT = re.compile(
    r"\$\$(?P<a>.+?)\$\$|\\\[(?P<b>.+?)\\\]|\\\((?P<c>.+?)\\\)|(?<!\\)\$(?P<d>[^$]+?)(?<!\\)\$", re.S
)


def _fallback_latex(text: str) -> str | None:
    match = _last_match(_MATH_SEGMENT, text)
    if match is None:
        return None
    return _normalize_latex(next(group for group in match.groups() if group is not None))


_HASH_NUMBER_FIRST = re.compile(r"^\s*[-(]?\s*\\?[$€£]?\s*-?\s*\.?\d")
# Two plain words in a row: prose ("the roots are"), not an expression; \text{...} is ignored.
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}\s+[A-Za-z]{2,}")
_LATEX_TEXT_BLOCK = re.compile(r"\\(?:text|mathrm|textbf|mbox)\s*\{[^{}]*\}")


def _latex_marker_content(content: str) -> str | None:
    """The last math in a marker's content, else the content unless it is prose ("#### Solution")."""
    math = _last_match(_MATH_SEGMENT, content)
    if math:
        return next(group for group in math.groups() if group is not None)
    return None if _PROSE.search(_LATEX_TEXT_BLOCK.sub("", content)) else content


# ----------------------------------------------------------------------------------------------
# Normalization: one canonical form per type, for predictions and gold answers alike
# ----------------------------------------------------------------------------------------------
def normalize_answer(answer: str, answer_type: str) -> str | None:
    """Canonical form of an answer (extracted content or a dataset's gold), or None if it has none.

    numeric: the value as a plain decimal ("#### 1,234" -> "1234", "$18.00" -> "18",
    "\\frac{1}{2}" -> "0.5"); letter: "A".."J" ("(b)" -> "B"); boolean: "yes"/"no" (True, "False",
    "correct" ...); latex: the expression with delimiters, ``\\boxed`` and spacing removed.
    Idempotent, so normalizing an ``extract_answer`` result again is harmless.
    """
    _check_type(answer_type)
    if answer is None:
        return None
    return _NORMALIZERS[answer_type](answer)


def _prepare(answer: Any) -> str:
    """The answer as text, without a GSM8k "####" prefix or markdown bold."""
    text = str(answer)
    if "####" in text:  # a GSM8k gold solution ends with "#### 72"
        text = text.rsplit("####", 1)[1]
    return text.replace("**", "").strip()


_PLAIN_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")  # a word, not a LaTeX command like \times


def _normalize_numeric(answer: Any) -> str | None:
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return _format_number(Fraction(str(answer))) if math.isfinite(answer) else None
    text = _clean_numeric(_prepare(answer))
    if "=" in text:
        # "x = 5", "3 \times 6 = 18": the value is right of the last "=", unless words precede it
        # ("42, where n = 7 is the count" answers 42).
        left, right = text.rsplit("=", 1)
        if not _PLAIN_WORD.search(left):
            text = right
    # The first number, not the last: "18 dollars per 2 hours" answers 18.
    match = _NUMBER.search(text)
    return _format_match(match) if match else None


def _clean_numeric(text: str) -> str:
    """Rewrite the LaTeX forms of numbers as plain text (cheap: used on whole reasoning traces)."""
    if "\\" in text:
        text = _LATEX_MIXED_FRAC.sub(_mixed_fraction, text)
        text = _LATEX_FRAC.sub(r"\1/\2", text)
        text = _LATEX_FRAC_SHORT.sub(r"\1/\2", text)
        text = _LATEX_SIZING.sub("", _LATEX_SPACING.sub("", text))
        text = text.replace("\\$", "$").replace("\\%", "%")
    return text.replace("{,}", ",").replace("\u2212", "-")  # "1{,}234"; unicode minus


def _mixed_fraction(match: re.Match) -> str:
    """``2\\frac{1}{2}`` as "2.5": rewritten as "21/2" it would read as 10.5."""
    whole, numerator, denominator = (int(group) for group in match.groups())
    if denominator == 0:
        return match.group(0)
    return _format_number(whole + Fraction(numerator, denominator))


def _format_match(match: re.Match) -> str | None:
    """Canonical text of a ``_NUMBER`` match, or None for an unusable one (a 5,000-digit run)."""
    try:
        value = Fraction(match["num"].replace(",", ""))
        if match["den"] and Fraction(match["den"]) != 0:
            value /= Fraction(match["den"])
    except (ValueError, ZeroDivisionError):  # int() refuses very long digit strings
        return None
    if match["sign"] or match["sign2"]:
        value = -value
    return _format_number(value)


def _format_number(value: Fraction) -> str:
    """A plain decimal without trailing zeros: 18, -0.5, 0.333333333333 (12 significant digits)."""
    if value.denominator == 1:
        return str(value.numerator)
    whole = abs(value.numerator) // value.denominator
    whole_digits = len(str(whole)) if whole else 0
    with localcontext() as ctx:
        ctx.prec = whole_digits + _DECIMAL_DIGITS
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f")


_TEXT_COMMANDS = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|boxed|fbox)\s*\{")
_LETTER_LEADING = re.compile(r"^\(?([A-J])(?:[).:,]|\s*$|\s+[-\u2013\u2014(])")
_LETTER_IN_CONTENT = re.compile(r"\b(?i:option|choice)\s*(?i:is\s*)?\(?([A-J])\b|\(([A-J])\)")


def _normalize_letter(answer: Any) -> str | None:
    text = _prepare(answer)
    if "\\" in text:
        text = _unwrap(text, _TEXT_COMMANDS)
    text = text.replace("$", "").strip()
    match = _LETTER_ONLY.match(text) or _LETTER_LEADING.match(text)
    if match:
        return match.group(1).upper()
    match = _last_match(_LETTER_IN_CONTENT, text)  # "\text{Paris (B)}", "option C"
    return next(letter for letter in match.groups() if letter) if match else None


def _normalize_boolean(answer: Any) -> str | None:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    text = _prepare(answer)
    if "\\" in text:
        text = _unwrap(text, _TEXT_COMMANDS)
    # "correct"/"incorrect" only as the leading word: "not correct" must not read as "correct".
    match = _BOOL_LEADING_CONTENT.match(text) or _last_match(_BOOL_WORD, text)
    return _BOOL_WORDS[match.group(1).lower()] if match else None


_MATH_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_BOXED_COMMAND = re.compile(r"\\(?:boxed|fbox)\s*\{")
_LATEX_DFRAC = re.compile(r"\\[dt]frac\b")
_LATEX_DEGREE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?")
_WHITESPACE = re.compile(r"\s+")


def _normalize_latex(answer: Any) -> str | None:
    text = _prepare(answer)
    for opening, closing in _MATH_DELIMITERS:
        fits = len(text) >= len(opening) + len(closing)
        if fits and text.startswith(opening) and text.endswith(closing):
            text = text[len(opening): -len(closing)].strip()
            break
    if "\\" in text:
        text = _unwrap(text, _BOXED_COMMAND)
        text = _LATEX_SIZING.sub("", _LATEX_SPACING.sub(" ", text))
        text = _LATEX_DFRAC.sub(r"\\frac", text)
        text = _LATEX_DEGREE.sub("", text)
    text = _WHITESPACE.sub(" ", text).strip().rstrip(".,;").strip()
    return text or None


_NORMALIZERS: dict[str, Callable[[Any], str | None]] = {
    "numeric": _normalize_numeric,
    "letter": _normalize_letter,
    "boolean": _normalize_boolean,
    "latex": _normalize_latex,
}
_FALLBACKS: dict[str, Callable[[str], str | None]] = {
    "numeric": _fallback_numeric,
    "letter": _fallback_letter,
    "boolean": _fallback_boolean,
    "latex": _fallback_latex,
}


# ----------------------------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------------------------
def is_correct(prediction: str | None, gold: str, answer_type: str) -> bool:
    """Whether ``prediction`` matches ``gold`` for ``answer_type``; both sides are normalized first.

    ``gold`` may be raw dataset text ("#### 72", "$5", "True") or a Python bool/number.
    A missing or unreadable prediction (or gold) is simply not correct.
    """
    _check_type(answer_type)
    if prediction is None:
        return False
    normalize = _NORMALIZERS[answer_type]
    pred, ref = normalize(prediction), normalize(gold)
    if pred is None or ref is None:
        return False
    if answer_type == "numeric":
        return _numbers_equal(pred, ref)
    if answer_type == "latex":
        return _latex_equal(pred, ref)
    return pred == ref


def _numbers_equal(a: str, b: str) -> bool:
    """Equality of two canonical numbers within a relative tolerance (rounded fractions, 1/3)."""
    x, y = Fraction(a), Fraction(b)
    if x == y:
        return True
    try:
        return math.isclose(float(x), float(y), rel_tol=_REL_TOL, abs_tol=_ABS_TOL)
    except OverflowError:  # beyond float range the exact comparison above is the answer
        return False


_LOOSE_LATEX_DROP = re.compile(r"\s+|\\(?:text|mathrm|textbf|mbox)\s*(?=\{)")
_PLAIN_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d+)?|\.\d+)$")


def _latex_equal(pred: str, gold: str) -> bool:
    if _LOOSE_LATEX_DROP.sub("", pred) == _LOOSE_LATEX_DROP.sub("", gold):
        return True
    if _PLAIN_NUMBER.match(pred) and _PLAIN_NUMBER.match(gold):  # no need for sympy
        return _numbers_equal(pred, gold)
    return _latex_equivalent(pred, gold)


def _latex_equivalent(pred: str, gold: str) -> bool:
    """Mathematical equivalence by math_verify; False when it cannot parse either side.

    math_verify's own timeouts use signal.alarm, which raises outside the main thread (lm-eval,
    thread pools) and would cancel other SIGALRM users such as pytest-timeout, so they are
    disabled; very long inputs, the ones that could make sympy hang, are not sent at all.
    """
    if len(pred) > _MATH_VERIFY_MAX_CHARS or len(gold) > _MATH_VERIFY_MAX_CHARS:
        return False
    gold_parsed, pred_parsed = _parse_latex(gold), _parse_latex(pred)
    if not gold_parsed or not pred_parsed:
        return False
    try:
        return bool(_math_verify().verify(list(gold_parsed), list(pred_parsed), timeout_seconds=None))
    except Exception:  # math_verify/sympy can raise almost anything on odd input
        logger.debug("math_verify.verify failed on %r vs %r", pred, gold, exc_info=True)
        return False


@lru_cache(maxsize=8192)
def _parse_latex(expression: str) -> tuple:
    """math_verify's parse of one expression, cached: the same gold is compared many times."""
    try:
        return tuple(_math_verify().parse(f"${expression}$", parsing_timeout=None))
    except Exception:
        logger.debug("math_verify.parse failed on %r", expression, exc_info=True)
        return ()


@lru_cache(maxsize=1)
def _math_verify():
    """math_verify, imported on first LaTeX comparison (it pulls in sympy, slow to import).

    Its "Timeout is disabled" warning is dropped: disabling is deliberate (see _latex_equivalent).
    """
    import math_verify

    for name in ("math_verify.parser", "math_verify.grader"):
        logging.getLogger(name).addFilter(_drop_timeout_warning)
    return math_verify


def _drop_timeout_warning(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Timeout is disabled")
