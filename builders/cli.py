"""``cdistill``: the command line of compress-distill.

Usage:
    cdistill sources [--json]                          # the benchmark registry (Table 1 + OOD sets)
    cdistill generate --config FILE [--set k=v ...]    # Stage 1: traces + rejection sampling
    cdistill compress --config FILE [--set k=v ...]    # Stage 2: trace compression
    cdistill judge    --config FILE [--set k=v ...]    # faithfulness judge of compressed traces
    cdistill build    --config FILE [--set k=v ...]    # dataset variants as releases in the local store
    cdistill import   --config FILE [--set k=v ...]    # an existing trace corpus into the Stage 1 layout
    cdistill publish  --store DIR --repo ORG/NAME      # push a local dataset repo to the Hub (HF_TOKEN)
    cdistill demo [--workdir DIR]                      # the whole pipeline offline on CPU, with a report

Every stage resumes: rerun the same command after an interruption. A rerun with a different
config is refused unless ``--allow-config-change`` is given.

Heavy libraries are imported inside each command, so ``cdistill --help`` is instant and the demo
can point ``HF_ENDPOINT`` at its local Hub emulator before ``huggingface_hub`` is first imported.
"""

from __future__ import annotations

import argparse
import json
import sys


def cmd_sources(args: argparse.Namespace) -> int:
    from builders.sources import registry_table

    table = registry_table()
    if args.json:
        print(json.dumps(table, indent=2))
        return 0
    columns = ("name", "hub_id", "config", "domain", "answer_type", "train_split", "eval_split", "role")
    widths = {c: max(len(c), *(len(str(row[c] or "-")) for row in table)) for c in columns}
    widths["config"] = min(widths["config"], 40)
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in table:
        print("  ".join(str(row[c] or "-")[: widths[c]].ljust(widths[c]) for c in columns))
    return 0


STAGES = {
    "generate": ("builders.generate", "GenerateConfig", "run_generate", "Stage 1: teacher traces with rejection sampling"),
    "compress": ("builders.compress", "CompressConfig", "run_compress", "Stage 2: compress verified traces"),
    "judge": ("builders.judge", "JudgeConfig", "run_judge", "rate compressed traces for faithfulness"),
    "build": ("builders.build", "BuildConfig", "run_build", "build raw/compressed/truncated/answer-only releases"),
    "import": ("builders.importer", "ImportConfig", "run_import", "import an existing trace corpus"),
}  # fmt: skip


def cmd_stage(args: argparse.Namespace) -> int:
    import importlib

    from builders.config import load_config

    module_name, config_name, run_name, _ = STAGES[args.command]
    module = importlib.import_module(module_name)
    config = load_config(getattr(module, config_name), args.config, args.set)
    stats = getattr(module, run_name)(config, allow_config_change=args.allow_config_change)
    print(json.dumps(stats, indent=2))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from builders.demo import run_demo

    return run_demo(args.workdir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdistill", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    sources = commands.add_parser("sources", help="list the benchmark registry")
    sources.add_argument("--json", action="store_true", help="machine-readable output")
    sources.set_defaults(func=cmd_sources)

    for name, (_, _, _, help_text) in STAGES.items():
        stage = commands.add_parser(name, help=help_text)
        stage.add_argument("--config", help="YAML config (see recipes/)")
        stage.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                           help="override a config value, e.g. --set max_rounds=2 (repeatable)")  # fmt: skip
        stage.add_argument("--allow-config-change", action="store_true",
                           help="resume into an output folder written with a different config")  # fmt: skip
        stage.set_defaults(func=cmd_stage)

    from builders.store import add_publish_command

    add_publish_command(commands)

    demo = commands.add_parser("demo", help="run the pipeline offline on CPU and print a report")
    demo.add_argument("--workdir", default="demo_out")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from builders.config import ConfigError
    from builders.records import ConfigMismatch

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, ConfigMismatch) as error:  # a user's mistake: a message, not a traceback
        print(f"cdistill {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
