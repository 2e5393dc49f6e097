"""``cdistill``: the command line of compress-distill.

Usage:
    cdistill sources [--json]          # the benchmark registry (paper Table 1 + OOD sets)
    cdistill demo [--workdir DIR]      # the whole pipeline offline on CPU, with a report

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


def cmd_demo(args: argparse.Namespace) -> int:
    from builders.demo import run_demo

    return run_demo(args.workdir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdistill", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    sources = commands.add_parser("sources", help="list the benchmark registry")
    sources.add_argument("--json", action="store_true", help="machine-readable output")
    sources.set_defaults(func=cmd_sources)

    demo = commands.add_parser("demo", help="run the pipeline offline on CPU and print a report")
    demo.add_argument("--workdir", default="demo_out")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
