"""The tiny-model factory: a locally trained tokenizer and a 2-layer model that load like a Hub
checkpoint. No mocks: real tokenizers, transformers and TRL code paths."""

import json

import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from builders.offline.tiny_models import build_tiny_model

MESSAGES = [
    {"role": "system", "content": "Think step by step."},
    {"role": "user", "content": "What is 2 + 3?"},
    {"role": "assistant", "content": "<think>\n2 + 3 = 5\n</think>\n\n\\boxed{5}"},
]


def test_reloads_with_auto_classes(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["num_hidden_layers"] == 2
    assert config["head_dim"] >= 32, "vLLM-CPU attention needs head_dim >= 32"
    assert model.get_input_embeddings().num_embeddings == len(tokenizer)


def test_think_tokens_survive_skip_special_tokens(tiny_model_dir):
    # lm-eval decodes with skip_special_tokens=True; <think> must not be a special token.
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids = tokenizer("<think>\nreasoning\n</think>\n\nB")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids)[0] == "<think>"
    assert tokenizer.decode(ids, skip_special_tokens=True) == "<think>\nreasoning\n</think>\n\nB"


def test_chat_template_marks_only_the_assistant_turn(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    out = tokenizer.apply_chat_template(MESSAGES, return_dict=True, return_assistant_tokens_mask=True)
    trained = [i for i, keep in zip(out["input_ids"], out["assistant_masks"]) if keep]
    assert tokenizer.decode(trained) == MESSAGES[2]["content"] + "<|im_end|>"


def test_generation_prompt_and_eos(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    prompt = tokenizer.apply_chat_template(MESSAGES[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>assistant\n")
    assert tokenizer.eos_token == "<|im_end|>"


def test_build_is_idempotent_and_atomic(tmp_path):
    first = build_tiny_model(tmp_path / "m")
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert build_tiny_model(tmp_path / "m") == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    assert not (tmp_path / "m.partial").exists()


@pytest.mark.slow
def test_trl_assistant_only_loss_accepts_the_template(tiny_model_dir, tmp_path):
    """TRL refuses a custom template without generation markers; this one must pass its check."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    dataset = Dataset.from_list([{"messages": MESSAGES}] * 8)
    args = SFTConfig(
        output_dir=str(tmp_path / "out"), max_steps=2, per_device_train_batch_size=4,
        assistant_only_loss=True, report_to=[], use_cpu=True, save_strategy="no", logging_steps=1,
    )
    trainer = SFTTrainer(model=str(tiny_model_dir), args=args, train_dataset=dataset)
    result = trainer.train()
    assert result.global_step == 2
    assert result.training_loss > 0
