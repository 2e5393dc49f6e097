"""Tiny causal LMs built on this machine, for the offline demo and the tests.

Nothing is downloaded: a byte-level BPE tokenizer is trained with ``tokenizers`` on a few KB of
text, a 2-layer Qwen3-style model is initialised from a config, and both are saved with
``save_pretrained`` so every consumer (transformers, TRL, lm-eval, vLLM-CPU) loads them through the
ordinary ``Auto*`` classes exactly as it would a Hub checkpoint.

Choices that matter downstream (see ../shared/OFFLINE.md):
* the chat template wraps each assistant turn, end-of-turn token included, in
  ``{% generation %}...{% endgeneration %}`` - TRL's ``assistant_only_loss`` needs the markers;
* ``<think>`` and ``</think>`` are ordinary added tokens, not special ones, because lm-eval decodes
  with ``skip_special_tokens`` and would otherwise erase them;
* ``head_dim`` is 32, the smallest vLLM-CPU's attention accepts.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from builders.contract import DEFAULT_SYSTEM_PROMPT

IM_START, IM_END, EOS = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
THINK_TOKENS = ["<think>", "</think>"]

# Qwen-style ChatML with a reasoning block. The generation markers make assistant-only loss work.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- generation -%}{{ message['content'] }}{{ '<|im_end|>' }}{%- endgeneration -%}"
    "{{ '\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)

_WORDS = (
    "the answer is question step first then so therefore total each number of apples cost dollars "
    "patient diagnosis treatment option choose correct because cell energy force mass water heat "
    "think reason check compute add subtract multiply divide equals result final boxed yes no true "
    "false which what how many more less than per hour day week student teacher book store"
).split()


def training_corpus(n_lines: int = 400, seed: int = 0) -> list[str]:
    """A few KB of text covering digits, option letters, LaTeX and chat markup."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        a, b = rng.randint(0, 999), rng.randint(1, 99)
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 12)))
        lines.append(f"{words} {a} + {b} = {a + b}. The answer is \\boxed{{{a + b}}}.")
        lines.append(f"<think>\n{words}, {a} * {b} = {a * b}\n</think>\n\nAnswer: ({rng.choice('ABCDE')})")
        lines.append(f"$\\frac{{{a}}}{{{b}}}$ #### {a - b} ** {rng.choice('ABCD')} ** 50% $18.00 1,234")
        # The judge role answers in JSON: its keys become single tokens.
        lines.append(
            f'{{"faithfulness": {a % 5 + 1}, "coverage": {b % 5 + 1}, "clarity": 5, "verdict": "faithful", '
            f'"answer_alignment": true, "failure_modes": ["omitted_key_step"], "rationale": "{words}."}}'
        )
    return lines


def build_tokenizer(vocab_size: int = 1024, seed: int = 0):
    """Train a byte-level BPE tokenizer and wrap it as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS, IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(training_corpus(seed=seed), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token=IM_END, pad_token=EOS, bos_token=None, unk_token=None,
        additional_special_tokens=[IM_START, IM_END],
    )
    tokenizer.add_tokens(THINK_TOKENS, special_tokens=False)
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.model_max_length = 4096
    return tokenizer


def build_model_config(tokenizer, *, hidden_size: int = 64, layers: int = 2, max_positions: int = 4096):
    from transformers import Qwen3Config

    return Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=layers,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=32,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.convert_tokens_to_ids(IM_END),
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )


def build_tiny_model(out_dir: str | Path, *, seed: int = 0, hidden_size: int = 64, layers: int = 2) -> Path:
    """Build and save a tokenizer + randomly initialised tiny Qwen3 model; returns ``out_dir``.

    Idempotent: an existing, complete model folder is reused, so tests and the demo can call it
    freely.
    """
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig

    out_dir = Path(out_dir)
    if (out_dir / "config.json").exists() and (out_dir / "tokenizer.json").exists():
        return out_dir
    torch.manual_seed(seed)
    tokenizer = build_tokenizer(seed=seed)
    model = AutoModelForCausalLM.from_config(build_model_config(tokenizer, hidden_size=hidden_size, layers=layers))
    model.generation_config = GenerationConfig(
        eos_token_id=model.config.eos_token_id, pad_token_id=model.config.pad_token_id, max_new_tokens=256
    )
    # Write to a temporary folder and rename, so a killed build never leaves a half model behind.
    tmp = out_dir.with_name(out_dir.name + ".partial")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    tmp.rename(out_dir)
    return out_dir


def imprint(model_dir: str | Path, conversations: list[list[dict[str, str]]], *, steps: int = 300,
            lr: float = 3e-3, batch_size: int = 16, seed: int = 0) -> float:
    """Teach a tiny model a format by plain next-token training on whole conversations.

    A randomly initialised model emits noise; the demo's tiny *teacher* is imprinted on worked
    answers (``<think>...</think>`` then ``\\boxed{}``) so that Stage 1 really generates parseable,
    sometimes correct, sometimes wrong traces - and rejection sampling has something to do.
    Returns the final loss. The model folder is rewritten atomically.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir = Path(model_dir)
    torch.manual_seed(seed)
    # Matrices this small gain nothing from threads, and OpenMP threads spinning against other
    # busy processes made imprinting 15x slower in measurements here.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    texts = [tokenizer.apply_chat_template(c, tokenize=False) for c in conversations]
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = random.Random(seed)
    model.train()
    loss = torch.tensor(0.0)
    for _ in range(steps):
        batch = tokenizer(rng.sample(texts, min(batch_size, len(texts))), return_tensors="pt", padding=True)
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    torch.set_num_threads(threads)
    tmp = model_dir.with_name(model_dir.name + ".imprinting")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    old = model_dir.with_name(model_dir.name + ".old")
    model_dir.rename(old)
    tmp.rename(model_dir)
    shutil.rmtree(old)
    return float(loss.detach())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build a tiny local model (tokenizer + 2-layer LM).")
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(build_tiny_model(args.out_dir, seed=args.seed))


if __name__ == "__main__":
    main()


# -- a tiny teacher that really answers --------------------------------------------------------
def _wrong_answer(answer: str, answer_type: str) -> str:
    if answer_type == "letter":
        return "B" if answer != "B" else "C"
    if answer_type == "boolean":
        return "no" if answer == "yes" else "yes"
    try:
        return str(int(float(answer)) + 1)
    except ValueError:
        return answer + "1"


def worked_answer(answer: str) -> str:
    """A teacher-style completion: deliberation (with filler to compress) then a boxed answer."""
    return (
        f"<think>\nOkay, let me think. So the result is {answer}.\n"
        f"Wait, let me double-check that. Yes, {answer}.\n"
        f"Therefore the answer is {answer}.\n</think>\n\nThe answer is \\boxed{{{answer}}}."
    )


def build_tiny_teacher(out_dir: str | Path, questions, *, wrong_ids: frozenset[str] = frozenset(),
                       system_prompt: str | None = DEFAULT_SYSTEM_PROMPT, steps: int = 400, seed: int = 0) -> Path:
    """A tiny model imprinted on worked answers to ``questions`` (QuestionRecords).

    Each question is imprinted mostly with its gold answer and sometimes with a wrong one, so
    sampled attempts are sometimes wrong and rejection sampling runs several rounds; questions in
    ``wrong_ids`` are imprinted only with a wrong answer, so they are never solved.
    """
    out_dir = Path(out_dir)
    if (out_dir / "config.json").exists():
        return out_dir
    work = out_dir.with_name(out_dir.name + ".building")  # renamed into place only when imprinted
    shutil.rmtree(work, ignore_errors=True)
    build_tiny_model(work, seed=seed)
    conversations = []
    for q in questions:
        prefix = [{"role": "system", "content": system_prompt}] if system_prompt else []
        prefix.append({"role": "user", "content": q.question})
        wrong = _wrong_answer(q.answer, q.answer_type)
        answers = [wrong] * 2 if q.id in wrong_ids else [q.answer, q.answer, wrong]
        conversations += [prefix + [{"role": "assistant", "content": worked_answer(a)}] for a in answers]
    imprint(work, conversations, steps=steps, seed=seed)
    work.rename(out_dir)
    return out_dir


SCHEMA_VALID_VERDICT = (
    '{"faithfulness": 5, "coverage": 4, "clarity": 5, "verdict": "faithful", "answer_alignment": true, '
    '"failure_modes": [], "rationale": "Keeps the math."}'
)


def build_tiny_judge(out_dir: str | Path, prompts: list[str], *, verdict: str = SCHEMA_VALID_VERDICT,
                     steps: int = 150, seed: int = 0) -> Path:
    """A tiny model imprinted to answer these judge prompts with one schema-valid JSON verdict.

    A 2-layer model cannot judge faithfulness; it can learn to emit the verdict format, which is
    what the offline demo and tests need to drive the judge stage through a real engine.
    """
    out_dir = Path(out_dir)
    if (out_dir / "config.json").exists():
        return out_dir
    work = out_dir.with_name(out_dir.name + ".building")
    shutil.rmtree(work, ignore_errors=True)
    build_tiny_model(work, seed=seed)
    conversations = [[{"role": "user", "content": p}, {"role": "assistant", "content": verdict}] for p in prompts]
    imprint(work, conversations, steps=steps, batch_size=4, seed=seed)
    work.rename(out_dir)
    return out_dir
