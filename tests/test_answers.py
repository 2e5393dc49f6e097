"""Tests for builders.answers: the one extraction + verification path every stage uses.

Completions are written the way teachers actually produce them: a multi-line <think> block, then a
response. Each cascade stage (boxed, ####, "the answer is", type fallbacks) has its own cases.
"""

from __future__ import annotations

import threading

import pytest

from builders.answers import (
    ANSWER_TYPES,
    UnknownAnswerType,
    extract_answer,
    is_correct,
    normalize_answer,
    split_reasoning,
)


def completion(reasoning: str, response: str) -> str:
    """A teacher completion as the server returns it."""
    return f"<think>\n{reasoning.strip()}\n</think>\n\n{response.strip()}"


GSM8K_REASONING = """
Natalia sold 48 clips in April. In May she sold half as many, so 48 / 2 = 24 clips.
Altogether that is 48 + 24 = 72 clips.
Let me double-check: 24 * 2 = 48, yes. So the total is 72.
"""

MCQ_REASONING = """
The question asks which organelle produces ATP.
A. Nucleus - stores DNA, not ATP.
B. Mitochondria - the site of oxidative phosphorylation.
C. Ribosome - protein synthesis.
So the answer should be B, the mitochondria.
"""


# ----------------------------------------------------------------------------------------------
# split_reasoning
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "reasoning", "response"),
    [
        pytest.param(completion("step 1\nstep 2", "The answer is 5."), "step 1\nstep 2", "The answer is 5.",
                     id="one-block"),
        pytest.param("The answer is 5.", None, "The answer is 5.", id="no-think-block"),
        pytest.param("<think>\nstep 1\nstep 2, still going", "step 1\nstep 2, still going", "",
                     id="missing-close-truncated"),
        pytest.param("step 1\nstep 2\n</think>\n\nThe answer is 5.", "step 1\nstep 2", "The answer is 5.",
                     id="open-tag-in-prompt-qwen3"),
        pytest.param("<think>first pass</think>\nhmm, wait.\n<think>second pass</think>\n\nFinal: 7",
                     "first pass\n\nsecond pass", "Final: 7", id="several-blocks"),
        pytest.param("<think>a</think> b <think>still thinking", "a\n\nstill thinking", "",
                     id="several-blocks-last-unclosed"),
        pytest.param("<think>\n\n</think>\n\nThe answer is 5.", "", "The answer is 5.", id="empty-block"),
        pytest.param("", None, "", id="empty-text"),
    ],
)
def test_split_reasoning(text, reasoning, response):
    assert split_reasoning(text) == (reasoning, response)


def test_split_reasoning_none_input():
    assert split_reasoning(None) == (None, "")


# ----------------------------------------------------------------------------------------------
# extract_answer: numeric
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(completion(GSM8K_REASONING, "Natalia sold **72** clips.\n\n$\\boxed{72}$"), "72",
                     id="boxed-in-response"),
        pytest.param(completion("x = \\frac{1}{2}", "The probability is $\\boxed{\\dfrac{1}{2}}$."), "0.5",
                     id="boxed-nested-braces-dfrac"),
        pytest.param(completion("first guess \\boxed{10}",
                                "Correcting: $\\boxed{12}$, not 10. Final: $\\boxed{14}$"),
                     "14", id="several-boxes-last-wins"),
        pytest.param(completion(GSM8K_REASONING + "\n\\boxed{72}", "I hope this helps with the homework!"),
                     "72", id="boxed-inside-think-only"),
        pytest.param(completion("Maybe 70?\n\\boxed{70}\nNo wait, recount.", "The answer is $\\boxed{72}$."),
                     "72", id="response-beats-think"),
        pytest.param(completion(GSM8K_REASONING, "48 + 24 = 72\n#### 72"), "72", id="hash-gsm8k"),
        pytest.param(completion(GSM8K_REASONING, "#### Step 1: May sales\n48/2 = 24\n#### Step 2: total\n"
                                                 "48 + 24 = 72 clips in total."),
                     "72", id="hash-markdown-headings-ignored"),
        pytest.param(completion("9 hours * $2 = $18", "She earns $18 per day.\n\nThe answer is **$18.00**."),
                     "18", id="answer-is-bold-currency"),
        pytest.param(completion("sum", "**Final Answer:** 1,234 apples"), "1234", id="final-answer-commas"),
        pytest.param(completion("Let me compute.", "Answer:\n\n-17"), "-17", id="answer-colon-next-line"),
        pytest.param(completion("3 * 6 = 18", "The answer is 3 \\times 6 = 18."), "18",
                     id="answer-is-equation"),
        pytest.param(completion("x", "The answer is: \\boxed{1,234}"), "1234", id="boxed-thousands"),
        pytest.param(completion("The price fell from 20 to 10.", "It fell by 50%."), "50",
                     id="fallback-percent"),
        pytest.param(completion("Temperature: 5 - 12", "So the temperature is -7 degrees."), "-7",
                     id="fallback-negative"),
        pytest.param(completion("20 - 5", "She has 20 - 5 left"), "5", id="fallback-subtraction-not-sign"),
        pytest.param(completion("Each gets 3/4 of a pizza.", "Each friend gets 3/4 of a pizza"), "0.75",
                     id="fallback-fraction"),
        pytest.param(completion("cost", "The total is €1,250.50"), "1250.5", id="fallback-euro-decimal"),
        pytest.param(completion("It costs $\\frac{3}{2}$ dollars", "It costs \\(\\frac{3}{2}\\) dollars"),
                     "1.5", id="fallback-latex-frac"),
        pytest.param(completion("The train travels 60 miles per hour for 2 hours, so 120 miles.", ""), "120",
                     id="empty-response-falls-back-to-think"),
        pytest.param("<think>\nWe need 4 * 25 = 100. Let me verify each step carefully and", "100",
                     id="truncated-missing-close"),
        pytest.param("<think>\nFirst guess: \\boxed{10}.\n</think>\n"
                     "<think>\nRecount: \\boxed{12}.\n</think>\n\n",
                     "12", id="several-think-blocks-empty-response"),
        pytest.param("The answer is 42.", "42", id="no-think-block"),
        pytest.param(completion("n = 7 trees", "The answer is 42, where n = 7 is the number of trees."), "42",
                     id="answer-is-where-clause"),
        pytest.param(completion("2 and a half", "Each gets $\\boxed{2\\frac{1}{2}}$ pies."), "2.5",
                     id="boxed-mixed-fraction"),
        pytest.param(completion("sum", "### Final Answer\n\n**42**"), "42", id="final-answer-heading"),
        pytest.param(completion("sum", "Final Answer: The final answer is 42. I hope it is correct."), "42",
                     id="final-answer-sentence"),
        pytest.param("Okay, so 12 eggs.\n</think>\n\nShe uses 12 eggs.", "12", id="open-tag-in-prompt"),
    ],
)
def test_extract_numeric(text, expected):
    assert extract_answer(text, "numeric") == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(completion("I am not sure how to approach this.", "I cannot determine the answer."),
                     id="no-number"),
        pytest.param("", id="empty"),
        pytest.param("   \n\t", id="whitespace"),
        pytest.param("<think></think>", id="empty-blocks"),
        pytest.param("\\boxed{", id="unclosed-box"),
        pytest.param("}}}{{{\\boxed{}#### \n answer is", id="garbage"),
        pytest.param("9" * 6000, id="too-many-digits"),
    ],
)
def test_extract_numeric_no_answer_is_none(text):
    assert extract_answer(text, "numeric") is None


@pytest.mark.parametrize("answer_type", ANSWER_TYPES)
@pytest.mark.parametrize("text", [None, "", 42, b"bytes"], ids=["None", "empty", "int", "bytes"])
def test_extract_non_text_is_none(text, answer_type):
    assert extract_answer(text, answer_type) is None


# ----------------------------------------------------------------------------------------------
# extract_answer: letter
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(completion(MCQ_REASONING, "The mitochondria make ATP.\n\n\\boxed{B}"), "B", id="boxed"),
        pytest.param(completion(MCQ_REASONING, "$\\boxed{\\text{(B) } 42}$"), "B", id="boxed-text-option"),
        pytest.param(completion(MCQ_REASONING, "The answer is (C)."), "C", id="answer-is-paren"),
        pytest.param(completion(MCQ_REASONING, "**Answer: D**"), "D", id="bold-answer-colon"),
        pytest.param(completion(MCQ_REASONING, "The correct answer is **C) Ribosome**"), "C",
                     id="correct-answer-bold-option-text"),
        pytest.param(completion(MCQ_REASONING, "Mitochondria produce most ATP: **B**"), "B",
                     id="bold-letter"),
        pytest.param(completion(MCQ_REASONING, "Only choice (C) fits the description."), "C",
                     id="paren-letter"),
        pytest.param(completion(MCQ_REASONING, "I would go with Option D here."), "D", id="option-word"),
        pytest.param(completion(MCQ_REASONING, "E) none of the above"), "E", id="letter-close-paren"),
        pytest.param(completion(MCQ_REASONING, "B"), "B", id="bare-letter-whole-response"),
        pytest.param(completion(MCQ_REASONING, "b"), "B", id="bare-lowercase-whole-response"),
        pytest.param(completion(MCQ_REASONING, "B. Mitochondria"), "B", id="leading-letter-period"),
        pytest.param(completion(MCQ_REASONING, "The answer is J."), "J", id="letter-j"),
        pytest.param(completion(MCQ_REASONING, "The correct choice is **B. Mitochondria**."), "B",
                     id="bold-letter-with-option-text"),
        pytest.param(completion(MCQ_REASONING, "**Final Answer**\n\nC"), "C", id="final-answer-heading"),
        pytest.param(completion("Option A is wrong.\nThe answer is \\boxed{C}.",
                                "A detailed explanation follows. A cell needs energy."),
                     "C", id="article-a-in-response-ignored"),
    ],
)
def test_extract_letter(text, expected):
    assert extract_answer(text, "letter") == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(completion("Hmm.", "A good answer needs more context. A cell is complex."),
                     id="article-a"),
        pytest.param(completion("Hmm.", "The answer is a bit unclear."), id="answer-is-prose"),
        pytest.param(completion("Hmm.", "The function f(A) is defined for all sets."), id="function-call"),
    ],
)
def test_extract_letter_prose_is_none(text):
    assert extract_answer(text, "letter") is None


# ----------------------------------------------------------------------------------------------
# extract_answer: boolean
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(completion("Is 17 prime? It has no divisors other than 1.", "\\boxed{\\text{Yes}}"),
                     "yes", id="boxed-text-yes"),
        pytest.param(completion("no", "The answer is False."), "no", id="answer-is-false"),
        pytest.param(completion("Check.", "Yes. There is no evidence against it."), "yes",
                     id="leading-yes-beats-later-no"),
        pytest.param(completion("Check.", "After weighing both sides: **No**, it does not."), "no",
                     id="bold-no"),
        pytest.param(completion("Check.", "The statement is true"), "yes", id="last-word-true"),
        pytest.param(completion("Is water wet? I think yes.", "See above."), "yes", id="think-only"),
    ],
)
def test_extract_boolean(text, expected):
    assert extract_answer(text, "boolean") == expected


def test_extract_boolean_none():
    assert extract_answer(completion("Hmm.", "It depends on the definition."), "boolean") is None


# ----------------------------------------------------------------------------------------------
# extract_answer: latex
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(completion("sin 45 = ...", "Therefore $\\boxed{\\dfrac{\\sqrt{2}}{2}}$."),
                     "\\frac{\\sqrt{2}}{2}", id="boxed-dfrac"),
        pytest.param(completion("solve", "Hence $$x = \\frac{1}{2}$$"), "x = \\frac{1}{2}",
                     id="display-math"),
        pytest.param(completion("solve", "The answer is $\\left(1, 2\\right)$."), "(1, 2)",
                     id="answer-is-math"),
        pytest.param(completion("solve", "We get \\(3\\pi\\) and finally \\(6\\pi\\)"), "6\\pi",
                     id="last-inline-math"),
        pytest.param(completion("The angle is $90^\\circ$", "Nothing more to add."), "90", id="think-degree"),
    ],
)
def test_extract_latex(text, expected):
    assert extract_answer(text, "latex") == expected


def test_extract_latex_answer_is_prose_falls_through_to_math():
    text = completion("...", "The roots are $x = 2$ and $x = 3$.\nThe answer is the set of both roots.")
    assert extract_answer(text, "latex") == "x = 3"


def test_extract_latex_markdown_heading_is_not_an_answer():
    text = completion("...", "#### Final Answer\nThe roots are $x = 2$")
    assert extract_answer(text, "latex") == "x = 2"


# ----------------------------------------------------------------------------------------------
# normalize_answer
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "answer_type", "expected"),
    [
        pytest.param("Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72", "numeric", "72",
                     id="gsm8k-gold-solution"),
        pytest.param("#### 72", "numeric", "72", id="gsm8k-gold-line"),
        pytest.param("1,234", "numeric", "1234", id="commas"),
        pytest.param("$5", "numeric", "5", id="dollar"),
        pytest.param("£3.50", "numeric", "3.5", id="pound"),
        pytest.param("18.00", "numeric", "18", id="trailing-zeros"),
        pytest.param("18 dollars", "numeric", "18", id="unit-word"),
        pytest.param("\\frac{1}{3}", "numeric", "0.333333333333", id="repeating-fraction"),
        pytest.param("-\\frac{1}{2}", "numeric", "-0.5", id="negative-latex-fraction"),
        pytest.param("\u22125", "numeric", "-5", id="unicode-minus"),
        pytest.param("1{,}000", "numeric", "1000", id="latex-thousands"),
        pytest.param(72, "numeric", "72", id="python-int"),
        pytest.param(2.50, "numeric", "2.5", id="python-float"),
        pytest.param(float("nan"), "numeric", None, id="python-nan"),
        pytest.param("no number", "numeric", None, id="numeric-none"),
        pytest.param("(b)", "letter", "B", id="letter-paren-lower"),
        pytest.param("C. Paris", "letter", "C", id="letter-with-text"),
        pytest.param("\\text{(D)}", "letter", "D", id="letter-latex-text"),
        pytest.param("42", "letter", None, id="letter-none"),
        pytest.param("True", "boolean", "yes", id="bool-True"),
        pytest.param("false", "boolean", "no", id="bool-false"),
        pytest.param(True, "boolean", "yes", id="python-true"),
        pytest.param(False, "boolean", "no", id="python-false"),
        pytest.param("Correct", "boolean", "yes", id="bool-correct"),
        pytest.param("not correct", "boolean", None, id="bool-not-correct"),
        pytest.param("$\\boxed{\\dfrac{1}{2}}$", "latex", "\\frac{1}{2}", id="latex-boxed-dfrac"),
        pytest.param("\\left( 1,\\, 2 \\right).", "latex", "( 1, 2 )", id="latex-spacing"),
        pytest.param("$$", "latex", None, id="latex-empty"),
    ],
)
def test_normalize_answer(answer, answer_type, expected):
    assert normalize_answer(answer, answer_type) == expected


@pytest.mark.parametrize(
    ("answer", "answer_type"),
    [("$1,234.50", "numeric"), ("\\frac{2}{3}", "numeric"), ("(B) 42", "letter"), ("TRUE", "boolean"),
     ("$\\dfrac{\\sqrt{3}}{2}$", "latex")],
)
def test_normalize_is_idempotent(answer, answer_type):
    once = normalize_answer(answer, answer_type)
    assert once is not None
    assert normalize_answer(once, answer_type) == once


def test_normalize_none_is_none():
    assert all(normalize_answer(None, t) is None for t in ANSWER_TYPES)


# ----------------------------------------------------------------------------------------------
# is_correct
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prediction", "gold", "answer_type", "expected"),
    [
        pytest.param("18.00", "18", "numeric", True, id="trailing-zeros"),
        pytest.param("$18", "#### 18", "numeric", True, id="currency-vs-gsm8k-gold"),
        pytest.param("1234", "1,234", "numeric", True, id="commas"),
        pytest.param("\\frac{1}{2}", "0.5", "numeric", True, id="latex-frac-vs-decimal"),
        pytest.param("1/2", "0.5", "numeric", True, id="slash-fraction"),
        pytest.param("0.333333333333", "1/3", "numeric", True, id="rounded-repeating"),
        pytest.param("50%", "50", "numeric", True, id="percent"),
        pytest.param("18 dollars", "18", "numeric", True, id="unit-word"),
        pytest.param("-3", "3", "numeric", False, id="sign-matters"),
        pytest.param("18.01", "18", "numeric", False, id="beyond-tolerance"),
        pytest.param("1000000.0000001", "1000000", "numeric", True, id="within-relative-tolerance"),
        pytest.param("0", "0.0", "numeric", True, id="zero"),
        pytest.param("b", "B", "letter", True, id="letter-case"),
        pytest.param("(B)", "B", "letter", True, id="letter-paren"),
        pytest.param("C", "B", "letter", False, id="letter-wrong"),
        pytest.param("yes", "True", "boolean", True, id="yes-vs-True"),
        pytest.param("no", False, "boolean", True, id="no-vs-python-False"),
        pytest.param("correct", "yes", "boolean", True, id="correct-vs-yes"),
        pytest.param("yes", "no", "boolean", False, id="boolean-wrong"),
        pytest.param("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", "latex", True, id="latex-rationalized"),
        pytest.param("x = 3", "3", "latex", True, id="latex-assignment-vs-value"),
        pytest.param("(x+1)^2", "x^2+2x+1", "latex", True, id="latex-expanded"),
        pytest.param("0.5", "\\dfrac{1}{2}", "latex", True, id="latex-decimal-vs-dfrac"),
        pytest.param("\\{1,2\\}", "\\{2, 1\\}", "latex", True, id="latex-set-order"),
        pytest.param("\\text{even}", "\\text{odd}", "latex", False, id="latex-text-different"),
        pytest.param("3\\pi", "2\\pi", "latex", False, id="latex-wrong"),
        pytest.param("\\text{ no solution }", "\\text{no solution}", "latex", True,
                     id="latex-string-fallback"),
    ],
)
def test_is_correct(prediction, gold, answer_type, expected):
    assert is_correct(prediction, gold, answer_type) is expected


@pytest.mark.parametrize("answer_type", ANSWER_TYPES)
def test_is_correct_none_prediction_is_false(answer_type):
    assert is_correct(None, "1", answer_type) is False


@pytest.mark.parametrize("answer_type", ANSWER_TYPES)
def test_is_correct_unreadable_sides_are_false(answer_type):
    assert is_correct("", "", answer_type) is False


def test_latex_verification_works_off_the_main_thread():
    """lm-eval and thread pools call the scorer off the main thread, where signal.alarm fails."""
    results = []
    worker = threading.Thread(target=lambda: results.append(
        is_correct("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}", "latex")))
    worker.start()
    worker.join(timeout=60)
    assert results == [True]


def test_latex_very_long_input_skips_math_verify():
    long_expression = "+".join(["x"] * 1000)
    assert is_correct(long_expression, "1000x", "latex") is False


# ----------------------------------------------------------------------------------------------
# End to end: extract then verify against raw golds, as rejection sampling does
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "gold", "answer_type", "expected"),
    [
        pytest.param(completion(GSM8K_REASONING, "Natalia sold **72** clips.\n\n\\boxed{72}"),
                     "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72", "numeric", True, id="gsm8k"),
        pytest.param(completion(GSM8K_REASONING, "The answer is $\\boxed{70}$."), "#### 72", "numeric", False,
                     id="gsm8k-wrong"),
        pytest.param(completion(MCQ_REASONING, "**B**"), "B", "letter", True, id="arc"),
        pytest.param(completion("Passage says the river flows north.", "No."), False, "boolean", True,
                     id="boolq"),
        pytest.param(completion("...", "$\\boxed{\\frac{1}{\\sqrt{2}}}$"), "\\frac{\\sqrt{2}}{2}", "latex",
                     True, id="math-latex"),
        pytest.param(completion("I give up.", "I don't know."), "#### 72", "numeric", False, id="no-answer"),
    ],
)
def test_extract_then_verify(text, gold, answer_type, expected):
    assert is_correct(extract_answer(text, answer_type), gold, answer_type) is expected


# ----------------------------------------------------------------------------------------------
# Unknown answer types are a caller bug
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: extract_answer("The answer is 5", "integer"), id="extract"),
        pytest.param(lambda: extract_answer("", "integer"), id="extract-empty-text"),
        pytest.param(lambda: is_correct("5", "5", "integer"), id="is_correct"),
        pytest.param(lambda: is_correct(None, "5", "integer"), id="is_correct-none"),
        pytest.param(lambda: normalize_answer("5", "integer"), id="normalize"),
    ],
)
def test_unknown_answer_type_raises(call):
    with pytest.raises(UnknownAnswerType, match=r"'integer'.*numeric, letter, boolean, latex"):
        call()


def test_unknown_answer_type_is_a_value_error():
    assert issubclass(UnknownAnswerType, ValueError)
