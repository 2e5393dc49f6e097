"""The extractive compressor on realistic teacher traces: shorter, verbatim, answer-bearing."""

from builders.extractive import compress_extractive

QUESTION = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"
TRACE = """Okay, so I need to figure out how many clips Natalia sold in April and May combined.
Let me read the problem again. Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.
Hmm, so in April she sold 48 clips. In May she sold half as many, which is 48 / 2 = 24 clips.
Wait, let me double-check that. Half of 48 is 24, yes.
So the total is 48 + 24 = 72.
Let me verify: 48 + 24 = 72. That seems right.
I think the answer is probably 72.
Therefore, Natalia sold 72 clips altogether."""


def test_drops_deliberation_keeps_calculations_and_conclusion():
    out = compress_extractive(TRACE, QUESTION)
    assert len(out) < 0.7 * len(TRACE)
    assert "48 / 2 = 24" in out and "48 + 24 = 72" in out
    assert out.endswith("Therefore, Natalia sold 72 clips altogether.")
    for gone in ("Okay, so", "Let me read the problem again", "double-check", "That seems right"):
        assert gone not in out


def test_every_kept_line_is_verbatim_modulo_hedges():
    out = compress_extractive(TRACE, QUESTION)
    source = TRACE.replace("I think ", "").replace("probably ", "")
    for line in out.splitlines():
        assert line.lower() in source.lower(), line


def test_repeated_check_collapses_to_one():
    out = compress_extractive(TRACE, QUESTION)
    assert out.count("48 + 24 = 72") == 1


def test_never_empty_for_nonempty_input_and_empty_for_empty():
    assert compress_extractive("Hmm, wait.") == "Hmm, wait."
    assert compress_extractive("") == ""
    assert compress_extractive("   \n ") == ""


def test_multiple_choice_trace_keeps_the_elimination_that_decides():
    trace = ("Alright, let me think about this. The question asks which organelle produces ATP.\n"
             "Option A is the nucleus, which stores DNA. Option C is the mitochondrion.\n"
             "Let me recall. The mitochondrion is the site of oxidative phosphorylation.\n"
             "Just to be sure, the ribosome makes proteins, not ATP.\n"
             "So the answer is C.")  # fmt: skip
    out = compress_extractive(trace, "Which organelle produces ATP?")
    assert "oxidative phosphorylation" in out and out.endswith("So the answer is C.")
    assert "Alright" not in out and len(out) < len(trace)
