"""Dataset cards: the template in ``cards/dataset_card.md.j2`` filled from the build.

A card says what the dataset is and how it was made (teacher, compressor, prompt hash, sampling,
engine, config fingerprints, library versions), gives the paper's per-source statistics (Tables
4/5), the rejection-sampling, exclusion and decontamination counts, the schema, a ``load_dataset``
snippet, license and citation; its YAML header is valid Hub card metadata (``configs``,
``task_categories``, ``size_categories``, tags). The token-length histogram (raw vs this variant,
like the paper's Fig. 2) is rendered to a PNG that goes into the repo next to the card.

Everything rendered is deterministic for the same build, so re-publishing an unchanged release
creates no commit.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import yaml

from builders.records import library_versions

TEMPLATE = Path(__file__).resolve().parent.parent / "cards" / "dataset_card.md.j2"
HISTOGRAM_PATH = "plots/reasoning_tokens.png"

VARIANT_NOTES = {
    "raw": "The teacher's full reasoning trace.",
    "compressed": "The teacher's reasoning rewritten shorter by the compressor; the final response is unchanged.",
    "truncated": ("The length-matched ablation: the raw reasoning tokenized with the reference tokenizer and cut "
                  "to the token length of the reference compressor's compressed trace (an exact prefix of the "
                  "raw text; re-encoding may differ by a token or two). The final response is unchanged."),
    "answer_only": "The think block is removed entirely; the assistant turn is only the final response.",
}  # fmt: skip


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def card_header(build, config, pretty_name: str) -> str:
    from builders.store import configs_yaml

    header = {
        "pretty_name": pretty_name,
        "license": config.license,
        "language": ["en"],
        "task_categories": ["text-generation", "question-answering"],
        "size_categories": [size_category(build.count)],
        "tags": ["reasoning", "chain-of-thought", "distillation", "compress-distill", build.variant.replace("_", "-")],
        "configs": configs_yaml(list(build.rows)),
    }
    return yaml.safe_dump(header, sort_keys=False, allow_unicode=True)


def token_histogram(raw_tokens: list[int], variant_tokens: list[int], variant: str) -> bytes:
    """PNG of reasoning-length distributions, raw vs this variant (deterministic bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    top = max(raw_tokens + variant_tokens + [1])
    bins = [i * top / 40 for i in range(41)]
    axis.hist(raw_tokens, bins=bins, alpha=0.6, label="raw")
    if variant != "raw":
        axis.hist(variant_tokens, bins=bins, alpha=0.6, label=variant)
    axis.set_xlabel("reasoning tokens (reference tokenizer)")
    axis.set_ylabel("rows")
    axis.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _generation_section(provenance: dict[str, Any]) -> dict[str, Any] | None:
    stage = provenance.get("generate")
    if not stage:
        return None
    config = stage["manifest"]["config"]
    table = [
        {"source": source, **{k: s.get(k, 0) for k in ("questions", "attempts", "solved", "accuracy")},
         "per_round": ", ".join(f"{a:.2f}" for a in s.get("accuracy_per_round", []))}
        for source, s in sorted(stage["stats"].get("sources", {}).items())
    ]  # fmt: skip
    from builders.compress import prompt_sha

    return {
        "system_prompt": config.get("system_prompt") or "",
        "system_prompt_sha": prompt_sha(config.get("system_prompt") or ""),
        "sampling": f"temperature {config.get('temperature')}, top_p {config.get('top_p')}, max_tokens {config.get('max_tokens')}",
        "engine": json.dumps(config.get("engine", {}), sort_keys=True),
        "max_rounds": config.get("max_rounds"),
        "table": table,
    }


def _compression_section(provenance: dict[str, Any], compressor: str) -> dict[str, Any] | None:
    stage = provenance.get("compress")
    if not stage or not compressor:
        return None
    config = stage["manifest"]["config"]
    spec = next((c for c in config.get("compressors", []) if c["name"] == compressor), {})
    from builders.compress import prompt_sha

    sha = prompt_sha(config.get("prompt", "")) if spec.get("engine") else "n/a (rule-based extractive compressor)"
    prompt = config.get("prompt", "") if spec.get("engine") else ""
    return {"prompt_sha": sha, "prompt": prompt, "temperature": spec.get("temperature", "n/a")}


def render_dataset_card(build, pool, config, provenance: dict[str, Any], stats: list[dict]) -> tuple[str, dict[str, bytes]]:
    """The README.md text and the extra files (the histogram) of one variant's release."""
    import jinja2

    variant_tokens = [row["reasoning_tokens"] for rows in build.rows.values() for row in rows]
    raw_tokens = [pool.raw_tokens[row["id"]] for rows in build.rows.values() for row in rows]
    teacher_short = config.teacher.split("/")[-1]
    title = f"{teacher_short} reasoning traces - {build.variant.replace('_', '-')}"
    if build.compressor:
        title += f" ({build.compressor.split('/')[-1]})"
    siblings = ", ".join(v for v in ("raw", "compressed", "truncated", "answer_only") if v != build.variant)
    template = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True).from_string(
        TEMPLATE.read_text()
    )
    card = template.render(
        header_yaml=card_header(build, config, title), title=title, repo_id=build.repo_id,
        description=(f"Verified reasoning traces of `{config.teacher}` on {len(build.rows)} source datasets "
                     f"({build.count} rows), variant **{build.variant}**."),
        sibling_variants=siblings, release=config.release,
        first_config=next(iter(build.rows), "all"), teacher=config.teacher, variant=build.variant,
        compressor=build.compressor, reference_tokenizer=config.reference_tokenizer, total_rows=build.count,
        fingerprints={s: p["manifest"]["fingerprint"] for s, p in provenance.items()}, versions=library_versions(),
        variant_note=VARIANT_NOTES[build.variant], generation=_generation_section(provenance),
        compression=_compression_section(provenance, build.compressor), excluded=dict(build.excluded),
        policy=json.dumps(vars(config.exclusion), sort_keys=True), hygiene=_hygiene_counts(pool.hygiene),
        stats=stats, histogram=HISTOGRAM_PATH,
    )  # fmt: skip
    return card, {HISTOGRAM_PATH: token_histogram(raw_tokens, variant_tokens, build.variant)}


def _hygiene_counts(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report.get(k, 0) for k in ("pool", "exact_duplicates", "near_duplicates", "contaminated")}
