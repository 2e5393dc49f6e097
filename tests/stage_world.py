"""Shared fixtures data for the stage tests: a few questions and a tiny teacher imprinted on them."""

import json
from pathlib import Path

from builders.contract import QuestionRecord

QUESTIONS = [
    QuestionRecord(id=f"arith-{a}-{b}", source="gsm8k", split="train", domain="math",
                   question=f"Tom has {a} apples and buys {b} more. How many apples does he have?",
                   answer=str(a + b), answer_type="numeric")  # fmt: skip
    for a, b in [(3, 4), (12, 5), (7, 8), (20, 22), (9, 9), (15, 6)]
] + [
    QuestionRecord(id=f"mc-{i}", source="arc_challenge", split="train", domain="science",
                   question=f"{stem}\n\nA. {a}\nB. {b}\nC. {c}", answer=gold, answer_type="letter",
                   choices=[a, b, c])  # fmt: skip
    for i, (stem, a, b, c, gold) in enumerate([
        ("Which planet is closest to the Sun?", "Venus", "Mercury", "Mars", "B"),
        ("What gas do plants take in?", "carbon dioxide", "helium", "neon", "A"),
        ("Which is a mammal?", "shark", "trout", "whale", "C"),
    ])
]
NEVER_SOLVED = frozenset({"arith-9-9"})


def write_questions(path: Path, extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(q.to_dict()) for q in QUESTIONS] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n")
    return path
