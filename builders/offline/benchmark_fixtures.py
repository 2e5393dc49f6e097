"""Tiny offline copies of every registry benchmark, in each Hub repo's real schema and file layout.

The real Hub cannot be reached in tests or in the demo, so each benchmark of
``builders.sources.REGISTRY`` has a fixture repo here that mirrors what ``load_dataset`` meets on
the Hub: the same repo id, column names (spaces and case included, e.g. GPQA's ``Correct Answer``),
nested structs (ARC's ``choices {text, label}``), dtypes (MMLU's class-label ``answer``, HellaSwag's
*string* ``label``, PIQA's int ``label``), config and split names, file formats (parquet, jsonl, a
JSON array, csv), file paths (``main/train-00000-of-00001.parquet`` for gsm8k) and README
``configs:`` YAML as the real card declares them. Unlabelled test splits (CommonsenseQA, MedMCQA,
HellaSwag, WinoGrande, PIQA) are reproduced too, so loading them exercises the quarantine path.

Rows are hand-written, tiny and deterministic; the math ones are easy on purpose, so a tiny model
could plausibly get some right.

``write_benchmark_repo`` writes one repo folder; ``seed_hub`` creates every repo on a Hub(-emulator)
with the real ``huggingface_hub`` client under the real repo id.
"""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from builders.offline.mmlu_fixture_bank import MMLU_BANK


@dataclass(frozen=True)
class DataFile:
    """One data file of a fixture repo: the (config, split) it serves and its rows as the file
    holds them; ``features`` (a ``datasets.Features``) only for parquet."""

    path: str
    fmt: str  # "parquet" | "jsonl" | "json" (one JSON array) | "csv"
    config: str
    split: str
    rows: list[dict[str, Any]]
    features: Any = None


@dataclass(frozen=True)
class FixtureRepo:
    hub_id: str
    files: tuple[DataFile, ...]
    card: dict[str, Any] | None = None  # README front matter; None: the real repo has no README
    description: str = ""


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------
def _write_data_file(data: DataFile, folder: Path) -> None:
    target = folder / data.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if data.fmt == "parquet":
        from datasets import Dataset

        # Written through `datasets` so the parquet schema carries the `huggingface` features
        # metadata (class labels, list types), as push_to_hub's files do.
        Dataset.from_list(data.rows, features=data.features).to_parquet(str(target))
    elif data.fmt == "jsonl":
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data.rows), encoding="utf-8")
    elif data.fmt == "json":
        target.write_text(json.dumps(data.rows, ensure_ascii=False, indent=1), encoding="utf-8")
    elif data.fmt == "csv":
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(data.rows[0]))
            writer.writeheader()
            writer.writerows(data.rows)
    else:
        raise ValueError(f"{data.path}: unknown fixture format {data.fmt!r}")


def _readme(repo: FixtureRepo) -> str:
    front = yaml.safe_dump(repo.card, sort_keys=False, allow_unicode=True, width=1000)
    note = repo.description or "Offline test fixture in this repo's real Hub schema and layout."
    return f"---\n{front}---\n\n# {repo.hub_id} (offline fixture)\n\n{note}\n"


def write_benchmark_repo(hub_id: str, folder: Path) -> Path:
    """Write the fixture of ``hub_id`` as a Hub-layout folder (README.md + data files)."""
    repo = _fixture(hub_id)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for data in repo.files:
        _write_data_file(data, folder)
    if repo.card is not None:
        (folder / "README.md").write_text(_readme(repo), encoding="utf-8")
    return folder


def fixture_hub_ids() -> list[str]:
    """Every Hub repo the registry loads from, each with a fixture here."""
    return list(_fixtures())


def fixture_rows(hub_id: str, config: str, split: str) -> list[dict[str, Any]]:
    """The rows a fixture serves for one config and split, as written (class labels as ints, nested
    structs as dicts: what ``load_dataset`` yields, except that csv / json loaders may type unused
    columns differently). An unknown config or split gives an empty list."""
    return [row for data in _fixture(hub_id).files if (data.config, data.split) == (config, split)
            for row in data.rows]


def seed_hub(endpoint: str, token: str) -> list[str]:
    """Create every fixture repo on the Hub at ``endpoint`` under its real id; returns the ids."""
    from huggingface_hub import HfApi
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    api = HfApi(endpoint=endpoint, token=token)
    seeded = []
    bars_were_on = not are_progress_bars_disabled()
    disable_progress_bars()  # ~100 tiny uploads: per-file bars would drown the caller's output
    try:
        with tempfile.TemporaryDirectory(prefix="cdistill-fixtures-") as tmp:
            for hub_id in fixture_hub_ids():
                folder = write_benchmark_repo(hub_id, Path(tmp) / hub_id.replace("/", "__"))
                api.create_repo(hub_id, repo_type="dataset", exist_ok=True)
                api.upload_folder(folder_path=str(folder), repo_id=hub_id, repo_type="dataset",
                                  commit_message="Seed offline benchmark fixture")
                seeded.append(hub_id)
    finally:
        if bars_were_on:
            enable_progress_bars()
    return seeded


def _fixture(hub_id: str) -> FixtureRepo:
    try:
        return _fixtures()[hub_id]
    except KeyError:
        raise ValueError(f"no benchmark fixture for {hub_id!r}; have: {', '.join(_fixtures())}") from None


# ----------------------------------------------------------------------------------------------
# Card helpers: the `configs:` / `dataset_info:` YAML that push_to_hub writes for parquet repos
# ----------------------------------------------------------------------------------------------
PARQUET_SHARD = "-00000-of-00001.parquet"


def _parquet_repo(hub_id: str, features: Any, splits: dict[str, dict[str, list[dict]]],
                  prefix: str = "{config}", card_extra: dict | None = None) -> FixtureRepo:
    """A push_to_hub-style repo: ``{prefix}/{split}-00000-of-00001.parquet`` per config and split.

    ``splits`` maps config -> split -> rows; ``features`` is one Features or a dict per config.
    """
    files, configs, infos = [], [], []
    for config, by_split in splits.items():
        # `Features` is itself a dict, so a per-config mapping is told apart by its values.
        config_features = features if hasattr(features, "_to_yaml_list") else features[config]
        folder = prefix.format(config=config)
        data_files, split_infos = [], []
        for split, rows in by_split.items():
            files.append(DataFile(f"{folder}/{split}{PARQUET_SHARD}", "parquet", config, split, rows, config_features))
            data_files.append({"split": split, "path": f"{folder}/{split}-*"})
            split_infos.append({"name": split, "num_bytes": _arrow_bytes(rows, config_features),
                                "num_examples": len(rows)})
        configs.append({"config_name": config, "data_files": data_files})
        infos.append({"config_name": config, "features": config_features._to_yaml_list(), "splits": split_infos})
    card = dict(card_extra or {})
    card["dataset_info"] = infos[0] if len(infos) == 1 else infos
    card["configs"] = configs
    return FixtureRepo(hub_id, tuple(files), card)


def _arrow_bytes(rows: list[dict], features: Any) -> int:
    """A split's in-memory Arrow size, as the card's ``num_bytes`` reports it."""
    from datasets import Dataset

    return Dataset.from_list(rows, features=features).data.nbytes


def _string_features(*columns: str):
    from datasets import Features, Value

    return Features({c: Value("string") for c in columns})


# ----------------------------------------------------------------------------------------------
# The fixtures, one function per Hub repo
# ----------------------------------------------------------------------------------------------
def _gsm8k() -> FixtureRepo:
    def row(question, steps, answer):
        return {"question": question, "answer": f"{steps}\n#### {answer}"}

    train = [
        row("Tom has 3 apples. He buys 5 more apples. How many apples does Tom have now?", "Tom has 3 + 5 = <<3+5=8>>8 apples.", "8"),
        row("A box holds 6 eggs. How many eggs are in 4 boxes?", "4 boxes hold 4 * 6 = <<4*6=24>>24 eggs.", "24"),
        row("Maria had 20 stickers and gave 7 to her brother. How many stickers does she have left?", "She has 20 - 7 = <<20-7=13>>13 stickers left.", "13"),
        row("A shop sells pencils for $2 each. How much do 9 pencils cost?", "9 pencils cost 9 * 2 = $<<9*2=18>>18.", "18"),
        row("Sam reads 12 pages a day. How many pages does he read in a week?", "A week has 7 days, so he reads 7 * 12 = <<7*12=84>>84 pages.", "84"),
        row("A farmer has 1,200 chickens and sells 200 of them. How many chickens are left?", "He has 1200 - 200 = <<1200-200=1000>>1000 chickens left.", "1,000"),
    ]
    test = [
        row("There are 15 cookies shared equally among 5 children. How many cookies does each child get?", "Each child gets 15 / 5 = <<15/5=3>>3 cookies.", "3"),
        row("Lily walks 2 km to school and 2 km back every day. How many km does she walk in 5 school days?", "Each day she walks 2 + 2 = <<2+2=4>>4 km, so 5 * 4 = <<5*4=20>>20 km.", "20"),
        row("A train has 8 cars with 40 seats each. How many seats are on the train?", "8 * 40 = <<8*40=320>>320 seats.", "320"),
        row("Ben had $50. He spent $18 on a book and $12 on lunch. How much money does he have left?", "He spent 18 + 12 = $<<18+12=30>>30, so he has 50 - 30 = $<<50-30=20>>20 left.", "20"),
    ]
    return _parquet_repo(
        "openai/gsm8k", _string_features("question", "answer"), {"main": {"train": train, "test": test}},
        card_extra={"language": ["en"], "license": "mit", "pretty_name": "Grade School Math 8K"},
    )


def _multiarith() -> FixtureRepo:
    # The real repo has only train.json / test.json (JSON arrays) and no README: splits come
    # from the file names and the single config is the implicit "default".
    def row(question, answer):
        return {"question": question, "final_ans": answer}

    train = [
        row("Amy had 4 pencils and bought 3 more. How many pencils does she have?", "7"),
        row("There are 5 bags with 6 marbles in each bag. How many marbles are there in total?", "30"),
        row("A baker made 24 muffins and sold 9. Then he made 5 more. How many muffins does he have now?", "20"),
        row("Jake had 10 toy cars. He gave 4 to his friend and then bought 6 more. How many toy cars does Jake have?", "12"),
        row("A class of 18 students is split into groups of 3. How many groups are there?", "6"),
        row("Each page of an album holds 4 photos. How many pages are needed for 28 photos?", "7"),
    ]
    test = [
        row("Mia picked 9 flowers and her sister picked 7. How many flowers did they pick together?", "16"),
        row("There were 30 birds on a tree. 12 flew away and then 5 came back. How many birds are on the tree now?", "23"),
        row("A toy costs 3 dollars. How much do 8 toys cost?", "24"),
        row("Sarah used 45 beads equally on 5 necklaces. How many beads are on each necklace?", "9"),
    ]
    files = (DataFile("train.json", "json", "default", "train", train),
             DataFile("test.json", "json", "default", "test", test))
    return FixtureRepo("ChilleD/MultiArith", files, card=None)


def _svamp() -> FixtureRepo:
    from datasets import Features, Value

    features = Features({
        "ID": Value("string"), "Body": Value("string"), "Question": Value("string"),
        "Equation": Value("string"), "Answer": Value("float64"), "Type": Value("string"),
        "question_concat": Value("string"),
    })  # fmt: skip

    def row(rid, body, question, equation, answer, kind):
        return {"ID": rid, "Body": body, "Question": question, "Equation": equation,
                "Answer": answer, "Type": kind, "question_concat": f"{body} {question}"}

    train = [
        row("chal-101", "Jack had 8 pens and Mary had 5 pens.", "How many pens do they have in total?", "( 8.0 + 5.0 )", 13.0, "Addition"),
        row("chal-102", "There are 7 baskets with 4 oranges in each basket.", "How many oranges are there?", "( 7.0 * 4.0 )", 28.0, "Multiplication"),
        row("chal-103", "A library had 50 books. It lent out 18 books.", "How many books are left in the library?", "( 50.0 - 18.0 )", 32.0, "Subtraction"),
        row("chal-104", "36 candies are shared equally among 9 kids.", "How many candies does each kid get?", "( 36.0 / 9.0 )", 4.0, "Common-Division"),
        row("chal-105", "Paul walked 3 km in the morning and 4 km in the evening.", "How many km did he walk in total?", "( 3.0 + 4.0 )", 7.0, "Addition"),
        row("chal-106", "A pack has 12 crayons. Rita used 5 crayons.", "How many crayons are left?", "( 12.0 - 5.0 )", 7.0, "Subtraction"),
    ]
    test = [
        row("chal-201", "There are 6 rows of chairs with 5 chairs in each row.", "How many chairs are there?", "( 6.0 * 5.0 )", 30.0, "Multiplication"),
        row("chal-202", "Dan had 25 stamps. He gave 10 stamps to Ann.", "How many stamps does Dan have now?", "( 25.0 - 10.0 )", 15.0, "Subtraction"),
        row("chal-203", "A rope 48 m long is cut into 6 equal pieces.", "How long is each piece?", "( 48.0 / 6.0 )", 8.0, "Common-Division"),
        row("chal-204", "Kate has 14 red balls and 9 blue balls.", "How many balls does she have?", "( 14.0 + 9.0 )", 23.0, "Addition"),
    ]
    return _parquet_repo("ChilleD/SVAMP", features, {"default": {"train": train, "test": test}},
                         prefix="data", card_extra={"language": ["en"], "license": "mit"})


def _aqua_rat() -> FixtureRepo:
    from datasets import Features, List, Value

    features = Features({"question": Value("string"), "options": List(Value("string")),
                         "rationale": Value("string"), "correct": Value("string")})

    def row(question, options, rationale, correct):
        letters = "ABCDE"
        return {"question": question, "options": [f"{letters[i]}){o}" for i, o in enumerate(options)],
                "rationale": f"{rationale}\nANSWER:{correct}", "correct": correct}

    train = [
        row("A car travels at 60 km/h for 2 hours. How far does it travel?", ["30 km", "60 km", "90 km", "120 km", "150 km"], "Distance = speed x time = 60 x 2 = 120 km.", "D"),
        row("If 3x = 21, what is x?", ["3", "5", "7", "9", "18"], "x = 21 / 3 = 7.", "C"),
        row("What is 25% of 80?", ["15", "20", "25", "40", "60"], "25% of 80 = 80 / 4 = 20.", "B"),
        row("The average of 4, 6 and 8 is", ["5", "6", "7", "8", "9"], "(4 + 6 + 8) / 3 = 18 / 3 = 6.", "B"),
        row("A shirt costs $40 after a 20% discount. What was the original price?", ["$32", "$44", "$48", "$50", "$60"], "0.8 x P = 40, so P = 50.", "D"),
        row("How many minutes are there in 3.5 hours?", ["180", "200", "210", "240", "350"], "3.5 x 60 = 210.", "C"),
    ]
    test = [
        row("What is the next number in the sequence 2, 4, 8, 16, ...?", ["18", "20", "24", "32", "64"], "Each term doubles: 16 x 2 = 32.", "D"),
        row("A rectangle has length 8 and width 5. What is its area?", ["13", "26", "40", "45", "80"], "Area = 8 x 5 = 40.", "C"),
        row("If a dozen pens cost $6, what does one pen cost?", ["$0.25", "$0.50", "$0.75", "$1.00", "$2.00"], "6 / 12 = 0.50.", "B"),
        row("What is the value of 7^2 - 4^2?", ["9", "11", "33", "45", "65"], "49 - 16 = 33.", "C"),
    ]
    validation = [
        row("What is 12 x 11?", ["121", "122", "132", "144", "112"], "12 x 11 = 132.", "C"),
        row("A number increased by 15 is 40. What is the number?", ["15", "25", "35", "45", "55"], "40 - 15 = 25.", "B"),
    ]
    return _parquet_repo("deepmind/aqua_rat", features,
                         {"raw": {"train": train, "test": test, "validation": validation}},
                         card_extra={"language": ["en"], "license": "apache-2.0", "pretty_name": "Algebra Question Answering with Rationales"})


def _arc_features():
    from datasets import Features, List, Value

    return Features({"id": Value("string"), "question": Value("string"),
                     "choices": {"text": List(Value("string")), "label": List(Value("string"))},
                     "answerKey": Value("string")})


def _arc_row(rid, question, options, answer, labels="ABCDE"):
    labels = list(labels[: len(options)]) if isinstance(labels, str) else labels
    return {"id": rid, "question": question, "choices": {"text": options, "label": labels}, "answerKey": answer}


def _ai2_arc() -> FixtureRepo:
    challenge = {
        "train": [
            _arc_row("Mercury_7001001", "Which property of a mineral can be determined just by looking at it?", ["luster", "mass", "weight", "hardness"], "A"),
            _arc_row("Mercury_7001002", "A student wants to find the mass of a rock. Which tool should the student use?", ["a ruler", "a thermometer", "a balance", "a graduated cylinder"], "C"),
            _arc_row("MCAS_2001_5_3", "A solar panel converts sunlight into which form of energy?", ["sound energy", "electrical energy", "nuclear energy", "chemical energy"], "B"),
            # Some real ARC rows use numeric option labels.
            _arc_row("NYSEDREGENTS_2001_4_1", "Which gas do plants take in from the air for photosynthesis?", ["oxygen", "nitrogen", "carbon dioxide", "hydrogen"], "3", ["1", "2", "3", "4"]),
            _arc_row("Mercury_7001005", "Which process changes liquid water into water vapor?", ["condensation", "evaporation", "freezing", "melting"], "B"),
            _arc_row("Mercury_7001006", "Why does the Moon appear to change shape during a month?", ["Earth's shadow covers part of it", "clouds block part of it", "different amounts of its lit side face Earth", "it moves closer to the Sun"], "C"),
        ],
        "test": [
            _arc_row("Mercury_7002001", "Which organ system carries oxygen to the cells of the body?", ["digestive", "circulatory", "skeletal", "nervous"], "B"),
            _arc_row("Mercury_7002002", "A ball rolls down a hill. Which force pulls it downward?", ["friction", "magnetism", "gravity", "air resistance"], "C"),
            _arc_row("Mercury_7002003", "Which of these is a renewable resource?", ["coal", "oil", "wind", "natural gas"], "C"),
            _arc_row("ACTAAP_2002_7_4", "Which unit is used to measure the volume of a liquid?", ["meters", "grams", "liters", "degrees Celsius", "newtons"], "C"),
        ],
        "validation": [
            _arc_row("Mercury_7003001", "Which layer of Earth is made of molten iron and nickel?", ["crust", "mantle", "outer core", "atmosphere"], "C"),
            _arc_row("Mercury_7003002", "What causes day and night on Earth?", ["Earth's rotation", "Earth's revolution", "the Moon's orbit", "the Sun's rotation"], "A"),
        ],
    }
    easy = {
        "train": [
            _arc_row("Mercury_8001001", "Which of these is a mammal?", ["shark", "frog", "whale", "eagle"], "C"),
            _arc_row("Mercury_8001002", "What do plants need to make their own food?", ["sunlight", "sand", "salt", "smoke"], "A"),
            _arc_row("Mercury_8001003", "Which material is attracted to a magnet?", ["wood", "iron", "plastic", "glass"], "B"),
        ],
        "test": [
            _arc_row("Mercury_8002001", "What is the boiling point of water at sea level?", ["0 degrees Celsius", "50 degrees Celsius", "100 degrees Celsius", "200 degrees Celsius"], "C"),
            _arc_row("Mercury_8002002", "Which body part pumps blood through the body?", ["lungs", "heart", "stomach", "brain"], "B"),
            _arc_row("Mercury_8002003", "Which state of matter has a definite shape?", ["solid", "liquid", "gas", "plasma"], "A"),
            _arc_row("Mercury_8002004", "Which planet do we live on?", ["Mars", "Venus", "Jupiter", "Earth"], "D"),
        ],
        "validation": [
            _arc_row("Mercury_8003001", "Which sense organ is used to hear?", ["eye", "ear", "nose", "tongue"], "B"),
            _arc_row("Mercury_8003002", "What does a thermometer measure?", ["temperature", "length", "mass", "speed"], "A"),
        ],
    }
    return _parquet_repo("allenai/ai2_arc", _arc_features(), {"ARC-Challenge": challenge, "ARC-Easy": easy},
                         card_extra={"language": ["en"], "license": "cc-by-sa-4.0", "pretty_name": "Ai2Arc"})


# The real gpqa_diamond.csv has more columns (validator feedback, canary string, ...); these are
# the leading ones, with their exact spelling.
_GPQA_COLUMNS = (
    "Pre-Revision Question", "Pre-Revision Correct Answer", "Pre-Revision Incorrect Answer 1",
    "Pre-Revision Incorrect Answer 2", "Pre-Revision Incorrect Answer 3", "Pre-Revision Explanation",
    "Self-reported question-writing time (minutes)", "Question", "Correct Answer",
    "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3", "Explanation",
    "Revision Comments (from Question Writer)", "Subdomain", "Writer's Difficulty Estimate",
    "Extra Revised Question", "Extra Revised Explanation", "Extra Revised Correct Answer",
    "Extra Revised Incorrect Answer 1", "Extra Revised Incorrect Answer 2",
    "Extra Revised Incorrect Answer 3", "Non-Expert Validator Accuracy",
    "Majority Non-Expert Vals Incorrect", "Expert Validator Accuracy", "Record ID",
    "High-level domain",
)  # fmt: skip


def _gpqa() -> FixtureRepo:
    def row(record_id, domain, subdomain, question, correct, wrong, explanation):
        values = {c: "" for c in _GPQA_COLUMNS}
        values.update({
            "Pre-Revision Question": question, "Pre-Revision Correct Answer": correct,
            "Pre-Revision Incorrect Answer 1": wrong[0], "Pre-Revision Incorrect Answer 2": wrong[1],
            "Pre-Revision Incorrect Answer 3": wrong[2], "Pre-Revision Explanation": explanation,
            "Self-reported question-writing time (minutes)": "25.0", "Question": question,
            "Correct Answer": correct, "Incorrect Answer 1": wrong[0], "Incorrect Answer 2": wrong[1],
            "Incorrect Answer 3": wrong[2], "Explanation": explanation, "Subdomain": subdomain,
            "Writer's Difficulty Estimate": "Hard graduate level (could be a question on a hard graduate exam)",
            "Non-Expert Validator Accuracy": "0.0", "Majority Non-Expert Vals Incorrect": "1.0",
            "Expert Validator Accuracy": "1.0", "Record ID": record_id, "High-level domain": domain,
        })  # fmt: skip
        return values

    rows = [
        row("recA1b2C3d4E5f6G7h", "Physics", "Quantum Mechanics", "A particle in a one-dimensional infinite square well of width L is in its ground state. By what factor does the ground-state energy change if the width is doubled?", "It decreases by a factor of 4", ["It decreases by a factor of 2", "It increases by a factor of 2", "It is unchanged"], "E is proportional to 1/L^2, so doubling L divides E by 4."),
        row("recB2c3D4e5F6g7H8i", "Chemistry", "Organic Chemistry", "How many stereoisomers does 2,3-dibromobutane have?", "3", ["2", "4", "6"], "Two chiral centres give 4 combinations, but the meso form is counted once: 3."),
        row("recC3d4E5f6G7h8I9j", "Biology", "Molecular Biology", "Which enzyme relieves the positive supercoiling that builds up ahead of a replication fork in bacteria?", "DNA gyrase", ["DNA ligase", "Primase", "DNA polymerase I"], "Gyrase, a type II topoisomerase, introduces negative supercoils ahead of the fork."),
        row("recD4e5F6g7H8i9J0k", "Physics", "Electromagnetism (Classical)", "A long straight wire carries current I. How does the magnetic field magnitude depend on the distance r from the wire?", "It is proportional to 1/r", ["It is proportional to 1/r^2", "It is proportional to r", "It is independent of r"], "Ampere's law gives B = mu0 I / (2 pi r)."),
        row("recE5f6G7h8I9j0K1l", "Chemistry", "Physical Chemistry", "For a first-order reaction with rate constant k, what is the half-life?", "ln(2)/k", ["1/k", "2/k", "k/ln(2)"], "Integrating d[A]/dt = -k[A] gives t1/2 = ln 2 / k."),
        row("recF6g7H8i9J0k1L2m", "Biology", "Genetics", "In a population in Hardy-Weinberg equilibrium, the recessive allele frequency is 0.1. What fraction of individuals are heterozygous?", "0.18", ["0.01", "0.09", "0.81"], "2pq = 2 x 0.9 x 0.1 = 0.18."),
    ]  # fmt: skip
    card = {
        "license": "cc-by-4.0", "viewer": True,
        "extra_gated_prompt": "You agree to NOT reveal examples from this dataset in plain text or images online, to reduce the risk of leakage into foundation model training corpora.",
        "extra_gated_fields": {"I accept these terms": "checkbox"},
        # The real card declares each config with a bare file name (one implicit "train" split).
        "configs": [{"config_name": "gpqa_diamond", "data_files": "gpqa_diamond.csv"}],
        "task_categories": ["question-answering", "text-generation"], "language": ["en"],
        "pretty_name": "GPQA",
    }  # fmt: skip
    return FixtureRepo("Idavidrein/gpqa", (DataFile("gpqa_diamond.csv", "csv", "gpqa_diamond", "train", rows),), card)


def _commonsense_qa() -> FixtureRepo:
    from datasets import Features, List, Value

    features = Features({"id": Value("string"), "question": Value("string"), "question_concept": Value("string"),
                         "choices": {"label": List(Value("string")), "text": List(Value("string"))},
                         "answerKey": Value("string")})

    def row(rid, question, concept, options, answer):
        return {"id": rid, "question": question, "question_concept": concept,
                "choices": {"label": list("ABCDE"), "text": options}, "answerKey": answer}

    train = [
        row("0a1b2c3d4e5f60718293a4b5c6d7e8f9", "Where would you put a plate after washing it?", "plate", ["cupboard", "oven", "garden", "bathtub", "mailbox"], "A"),
        row("1b2c3d4e5f60718293a4b5c6d7e8f90a", "What do people usually do when they feel tired?", "tired", ["run", "sleep", "shout", "paint", "swim"], "B"),
        row("2c3d4e5f60718293a4b5c6d7e8f90a1b", "Where can you buy fresh vegetables?", "vegetables", ["library", "bank", "market", "cinema", "airport"], "C"),
        row("3d4e5f60718293a4b5c6d7e8f90a1b2c", "What would you use to cut paper?", "cut", ["spoon", "pillow", "scissors", "sponge", "rope"], "C"),
        row("4e5f60718293a4b5c6d7e8f90a1b2c3d", "If you are cold, what might you put on?", "cold", ["sandals", "sunglasses", "swimsuit", "jacket", "shorts"], "D"),
        row("5f60718293a4b5c6d7e8f90a1b2c3d4e", "Where do fish live?", "fish", ["desert", "water", "tree", "cloud", "cave"], "B"),
    ]
    validation = [
        row("60718293a4b5c6d7e8f90a1b2c3d4e5f", "Where would you go to borrow a book?", "book", ["library", "bakery", "stadium", "garage", "pharmacy"], "A"),
        row("718293a4b5c6d7e8f90a1b2c3d4e5f60", "What do you use to unlock a door?", "unlock", ["hammer", "key", "spoon", "brush", "ladder"], "B"),
        row("8293a4b5c6d7e8f90a1b2c3d4e5f6071", "Where does a pilot work?", "pilot", ["hospital", "farm", "kitchen", "cockpit", "classroom"], "D"),
        row("93a4b5c6d7e8f90a1b2c3d4e5f607182", "What happens to ice when it gets warm?", "ice", ["it grows", "it burns", "it melts", "it freezes", "it sings"], "C"),
    ]
    # The real test split has no answers (empty answerKey).
    test = [
        row("a4b5c6d7e8f90a1b2c3d4e5f60718293", "Where would you keep milk cold?", "milk", ["refrigerator", "oven", "drawer", "shelf", "car"], ""),
        row("b5c6d7e8f90a1b2c3d4e5f60718293a4", "What do you need to write a letter?", "write", ["pen", "fork", "pillow", "towel", "shoe"], ""),
    ]  # fmt: skip
    return _parquet_repo("tau/commonsense_qa", features,
                         {"default": {"train": train, "validation": validation, "test": test}},
                         prefix="data", card_extra={"language": ["en"], "license": "mit", "pretty_name": "CommonsenseQA"})


def _medqa() -> FixtureRepo:
    def row(question, options, gold, step, phrases):
        return {"question": question, "answer": options[gold], "options": options, "meta_info": step,
                "answer_idx": gold, "metamap_phrases": phrases}

    train = [
        row("A 24-year-old woman has fatigue and pallor. Laboratory studies show a low hemoglobin and a low mean corpuscular volume. Which of the following is the most likely cause?", {"A": "Iron deficiency", "B": "Vitamin B12 deficiency", "C": "Folate deficiency", "D": "Hemolysis"}, "A", "step1", ["24 year old woman", "fatigue", "low MCV"]),
        row("A 60-year-old man has crushing chest pain for 30 minutes. Which enzyme is the most specific marker of myocardial injury?", {"A": "Amylase", "B": "Troponin I", "C": "Alkaline phosphatase", "D": "Lipase"}, "B", "step2&3", ["chest pain", "myocardial injury"]),
        row("A child has a barking cough and inspiratory stridor. Which virus most commonly causes this illness?", {"A": "Rhinovirus", "B": "Rotavirus", "C": "Parainfluenza virus", "D": "Varicella-zoster virus"}, "C", "step1", ["barking cough", "stridor"]),
        row("A patient with type 1 diabetes has deep rapid breathing and a fruity odor on the breath. What is the most likely diagnosis?", {"A": "Hypoglycemia", "B": "Diabetic ketoacidosis", "C": "Hyperthyroidism", "D": "Asthma"}, "B", "step2&3", ["type 1 diabetes", "fruity breath"]),
        row("Which cranial nerve innervates the lateral rectus muscle?", {"A": "Oculomotor nerve", "B": "Trochlear nerve", "C": "Trigeminal nerve", "D": "Abducens nerve"}, "D", "step1", ["lateral rectus"]),
        row("A 30-year-old man has a painless penile ulcer with a clean base. Which organism is the most likely cause?", {"A": "Treponema pallidum", "B": "Haemophilus ducreyi", "C": "Herpes simplex virus", "D": "Chlamydia trachomatis"}, "A", "step1", ["painless ulcer"]),
    ]
    test = [
        row("A 45-year-old woman has heat intolerance, weight loss and a diffuse goiter with exophthalmos. What is the most likely diagnosis?", {"A": "Hashimoto thyroiditis", "B": "Graves disease", "C": "Thyroid carcinoma", "D": "Iodine deficiency"}, "B", "step1", ["heat intolerance", "exophthalmos"]),
        row("Which drug reverses the effects of a heparin overdose?", {"A": "Vitamin K", "B": "Naloxone", "C": "Flumazenil", "D": "Protamine sulfate"}, "D", "step2&3", ["heparin overdose"]),
        row("A newborn has bilious vomiting and a 'double bubble' sign on abdominal x-ray. What is the most likely diagnosis?", {"A": "Pyloric stenosis", "B": "Hirschsprung disease", "C": "Duodenal atresia", "D": "Intussusception"}, "C", "step2&3", ["double bubble"]),
        row("Which electrolyte abnormality causes peaked T waves on the ECG?", {"A": "Hyperkalemia", "B": "Hypokalemia", "C": "Hypercalcemia", "D": "Hyponatremia"}, "A", "step1", ["peaked T waves"]),
    ]  # fmt: skip
    files = (DataFile("phrases_no_exclude_train.jsonl", "jsonl", "default", "train", train),
             DataFile("phrases_no_exclude_test.jsonl", "jsonl", "default", "test", test))
    # Assumed card: a license only; splits come from the "_train" / "_test" file names.
    return FixtureRepo("GBaker/MedQA-USMLE-4-options", files, card={"license": "cc-by-4.0", "language": ["en"]})


def _medmcqa() -> FixtureRepo:
    from datasets import ClassLabel, Features, Value

    features = Features({
        "id": Value("string"), "question": Value("string"), "opa": Value("string"), "opb": Value("string"),
        "opc": Value("string"), "opd": Value("string"), "cop": ClassLabel(names=["a", "b", "c", "d"]),
        "choice_type": Value("string"), "exp": Value("string"), "subject_name": Value("string"),
        "topic_name": Value("string"),
    })  # fmt: skip

    def row(rid, question, options, cop, subject, topic, exp=""):
        a, b, c, d = options
        return {"id": rid, "question": question, "opa": a, "opb": b, "opc": c, "opd": d, "cop": cop,
                "choice_type": "single", "exp": exp, "subject_name": subject, "topic_name": topic}

    train = [
        row("e9ad821a-c438-4965-9f77-760819dfa155", "Which of the following is the most common site of ectopic pregnancy?", ["Ovary", "Ampulla of the fallopian tube", "Cervix", "Abdomen"], 1, "Gynaecology & Obstetrics", "Ectopic pregnancy", "The ampulla is the commonest site."),
        row("f1c2d3e4-0a1b-4c5d-8e9f-0a1b2c3d4e5f", "Vitamin K is required for the synthesis of", ["Factor II", "Factor VIII", "Factor XII", "Von Willebrand factor"], 0, "Biochemistry", "Vitamins"),
        row("a2b3c4d5-1b2c-4d5e-9f0a-1b2c3d4e5f60", "The drug of choice for absence seizures is", ["Phenytoin", "Carbamazepine", "Ethosuximide", "Phenobarbital"], 2, "Pharmacology", "Antiepileptics"),
        row("b3c4d5e6-2c3d-4e5f-a01b-2c3d4e5f6071", "Which nerve is injured in wrist drop?", ["Median nerve", "Ulnar nerve", "Axillary nerve", "Radial nerve"], 3, "Anatomy", "Upper limb"),
        row("c4d5e6f7-3d4e-4f60-b12c-3d4e5f607182", "Koplik spots are seen in", ["Measles", "Mumps", "Rubella", "Chickenpox"], 0, "Pediatrics", "Infections"),
        row("d5e6f708-4e5f-4071-823d-4e5f60718293", "The normal pH of arterial blood is", ["7.00-7.10", "7.35-7.45", "7.50-7.60", "6.80-6.90"], 1, "Physiology", "Acid-base balance"),
    ]
    validation = [
        row("e6f70819-5f60-4182-934e-5f60718293a4", "Which organism causes tuberculosis?", ["Mycobacterium leprae", "Mycobacterium tuberculosis", "Streptococcus pneumoniae", "Clostridium tetani"], 1, "Microbiology", "Mycobacteria"),
        row("f7081920-6071-4293-a45f-60718293a4b5", "The largest gland in the human body is the", ["Pancreas", "Thyroid", "Liver", "Parotid"], 2, "Anatomy", "Abdomen"),
        row("08192a31-7182-43a4-b560-718293a4b5c6", "Which vitamin deficiency causes night blindness?", ["Vitamin A", "Vitamin B1", "Vitamin C", "Vitamin E"], 0, "Ophthalmology", "Nutrition and the eye"),
        row("192a3b42-8293-44b5-c671-8293a4b5c6d7", "Which antibiotic inhibits cell wall synthesis?", ["Tetracycline", "Erythromycin", "Ciprofloxacin", "Penicillin"], 3, "Pharmacology", "Antibiotics"),
    ]
    # The real test split is unlabelled: cop is -1.
    test = [
        row("2a3b4c53-93a4-45c6-d782-93a4b5c6d7e8", "Which bone forms the heel?", ["Talus", "Calcaneus", "Navicular", "Cuboid"], -1, "Anatomy", "Lower limb"),
        row("3b4c5d64-a4b5-46d7-e893-a4b5c6d7e8f9", "Insulin is secreted by which pancreatic cells?", ["Alpha cells", "Beta cells", "Delta cells", "Acinar cells"], -1, "Physiology", "Endocrine pancreas"),
    ]  # fmt: skip
    return _parquet_repo("openlifescienceai/medmcqa", features,
                         {"default": {"train": train, "test": test, "validation": validation}},
                         prefix="data", card_extra={"language": ["en"], "license": "apache-2.0", "pretty_name": "MedMCQA"})


def _medexpqa() -> FixtureRepo:
    def row(qid, year, number, kind, case, options, correct, explanation):
        keyed = {str(i + 1): (options[i] if i < len(options) else None) for i in range(5)}
        explanations = {k: {"exist": v is not None, "text": explanation if k == str(correct) else ""}
                        for k, v in keyed.items()}
        return {
            "id": qid, "year": year, "question_id_specific": number, "full_question": case,
            "full_answer": explanation, "full_answer_no_ref": explanation, "type": kind,
            "options": keyed, "correct_option": correct, "explanations": explanations, "lang": "en",
        }

    train = [
        row(101, 2018, 12, "CARDIOLOGY", "A 67-year-old man has exertional chest pain relieved by rest. The resting ECG is normal. What is the most appropriate initial test?", ["Exercise stress test", "Coronary angiography", "Chest CT", "Echocardiogram with contrast"], 1, "A stress test is the usual first test for stable angina."),
        row(102, 2018, 25, "PNEUMOLOGY", "A 25-year-old smoker has sudden pleuritic chest pain and dyspnea. Breath sounds are absent on the right. What is the most likely diagnosis?", ["Pneumonia", "Pulmonary embolism", "Spontaneous pneumothorax", "Asthma attack"], 3, "Absent breath sounds with sudden pain suggest a pneumothorax."),
        row(103, 2019, 40, "ENDOCRINOLOGY", "A woman has weight gain, cold intolerance and constipation. TSH is high and free T4 is low. What is the treatment?", ["Levothyroxine", "Methimazole", "Radioiodine", "Propranolol"], 1, "Primary hypothyroidism is treated with levothyroxine."),
        row(104, 2019, 58, "NEPHROLOGY", "A patient has edema, proteinuria above 3.5 g/day and hypoalbuminemia. What syndrome is this?", ["Nephritic syndrome", "Nephrotic syndrome", "Acute tubular necrosis", "Renal colic"], 2, "Heavy proteinuria with hypoalbuminemia and edema is nephrotic syndrome."),
        row(105, 2020, 77, "INFECTIOUS DISEASES", "A traveler returns from Africa with cyclic fevers every 48 hours. Which test confirms the suspected diagnosis?", ["Blood culture", "Thick and thin blood smear", "Chest x-ray", "Urine culture", "Stool culture"], 2, "Malaria is diagnosed on thick and thin blood smears."),
        row(106, 2020, 91, "GASTROENTEROLOGY", "A patient has epigastric pain relieved by food. Which organism is most often involved in duodenal ulcers?", ["Helicobacter pylori", "Escherichia coli", "Clostridioides difficile", "Salmonella enterica"], 1, "H. pylori causes most duodenal ulcers."),
    ]
    validation = [
        row(201, 2021, 8, "NEUROLOGY", "A patient has a sudden severe headache described as the worst of his life. What is the first test?", ["Non-contrast head CT", "Lumbar puncture", "EEG", "MRI of the spine"], 1, "A non-contrast CT is first for suspected subarachnoid hemorrhage."),
        row(202, 2021, 19, "HEMATOLOGY", "Which finding is typical of vitamin B12 deficiency anemia?", ["Microcytosis", "Macrocytosis", "Target cells", "Spherocytes"], 2, "B12 deficiency causes a macrocytic anemia."),
    ]
    test = [
        row(301, 2022, 3, "CARDIOLOGY", "Which drug class reduces mortality in heart failure with reduced ejection fraction?", ["Beta blockers", "Non-dihydropyridine calcium channel blockers", "Digoxin", "Thiazide diuretics"], 1, "Beta blockers reduce mortality in HFrEF."),
        row(302, 2022, 14, "PNEUMOLOGY", "What is the first-line maintenance treatment for persistent asthma?", ["Oral corticosteroids", "Inhaled corticosteroids", "Antibiotics", "Theophylline"], 2, "Inhaled corticosteroids are first-line controllers."),
        row(303, 2022, 33, "PEDIATRICS", "A 2-year-old has a high fever for 5 days, conjunctivitis, a strawberry tongue and swollen hands. Which complication must be screened for?", ["Coronary artery aneurysm", "Renal failure", "Hearing loss", "Hip dysplasia"], 1, "Kawasaki disease can cause coronary aneurysms."),
        row(304, 2022, 48, "RHEUMATOLOGY", "Which autoantibody is most specific for systemic lupus erythematosus?", ["Rheumatoid factor", "Anti-CCP", "Anti-double-stranded DNA", "Anti-centromere"], 3, "Anti-dsDNA is highly specific for SLE."),
    ]  # fmt: skip
    files = (DataFile("data/en/train.en.casimedicos.rag.jsonl", "jsonl", "en", "train", train),
             DataFile("data/en/dev.en.casimedicos.rag.jsonl", "jsonl", "en", "validation", validation),
             DataFile("data/en/test.en.casimedicos.rag.jsonl", "jsonl", "en", "test", test))
    card = {
        "license": "cc-by-4.0", "language": ["en", "es", "fr", "it"], "pretty_name": "MedExpQA",
        # As on the real card: explicit file lists per split (the fixture carries "en" only).
        "configs": [{"config_name": "en", "data_files": [
            {"split": "train", "path": ["data/en/train.en.casimedicos.rag.jsonl"]},
            {"split": "validation", "path": ["data/en/dev.en.casimedicos.rag.jsonl"]},
            {"split": "test", "path": ["data/en/test.en.casimedicos.rag.jsonl"]},
        ]}],
        "task_categories": ["text-generation", "question-answering"],
    }  # fmt: skip
    return FixtureRepo("HiTZ/MedExpQA", files, card)


def _mmlu() -> FixtureRepo:
    from datasets import ClassLabel, Features, List, Value

    features = Features({"question": Value("string"), "subject": Value("string"),
                         "choices": List(Value("string")), "answer": ClassLabel(names=list("ABCD"))})

    def rows(subject, items):
        return [{"question": q, "subject": subject, "choices": choices, "answer": gold} for q, choices, gold in items]

    # Same split order as the real card (test, then dev); the validation split is left out.
    splits = {subject: {"test": rows(subject, items[2:]), "dev": rows(subject, items[:2])}
              for subject, items in MMLU_BANK.items()}
    return _parquet_repo("cais/mmlu", features, splits,
                         card_extra={"language": ["en"], "license": "mit", "pretty_name": "Measuring Massive Multitask Language Understanding"})


def _hellaswag() -> FixtureRepo:
    from datasets import Features, List, Value

    features = Features({
        "ind": Value("int32"), "activity_label": Value("string"), "ctx_a": Value("string"),
        "ctx_b": Value("string"), "ctx": Value("string"), "endings": List(Value("string")),
        "source_id": Value("string"), "split": Value("string"), "split_type": Value("string"),
        "label": Value("string"),
    })  # fmt: skip

    def row(ind, activity, ctx_a, ctx_b, endings, label, source_id, split, split_type="indomain"):
        return {"ind": ind, "activity_label": activity, "ctx_a": ctx_a, "ctx_b": ctx_b,
                "ctx": f"{ctx_a} {ctx_b}".strip(), "endings": endings, "source_id": source_id,
                "split": split, "split_type": split_type, "label": label}

    train = [
        row(4, "Removing ice from car", "A man is standing next to a car covered in snow.", "he", ["takes a scraper and clears the windshield.", "starts swimming in the pool.", "plays a guitar on the roof.", "reads a book under the car."], "0", "activitynet~v_-1IBHYS3L-Y", "train"),
        row(11, "Making a sandwich", "A woman puts two slices of bread on a plate.", "she", ["throws the plate out of the window.", "spreads peanut butter on one slice.", "paints the bread blue.", "puts the bread in the washing machine."], "1", "activitynet~v_-2dxp-mv2zo", "train"),
        row(27, "Brushing teeth", "A boy holds a toothbrush over the sink.", "he", ["eats the toothbrush.", "puts it in the freezer.", "squeezes toothpaste onto the brush.", "ties it to his shoe."], "2", "activitynet~v_-3baRYdmXCE", "train"),
    ]
    validation = [
        row(24, "Roof shingle removal", "A man is sitting on a roof.", "he", ["is using wrap to wrap a pair of skis.", "is ripping level tiles off.", "is holding a rubik's cube.", "starts pulling up roofing on a roof."], "3", "activitynet~v_-JhWjGDPHMY", "val"),
        row(92, "Clean and jerk", "A lady walks to a barbell. She bends down and grabs the pole.", "the lady", ["swings and lands in her arms.", "pulls the barbell forward.", "pulls a rope attached to the barbell.", "stands and lifts the weight over her head."], "3", "activitynet~v_-lJS58hyo1c", "val"),
        row(106, "Canoeing", "Two women in a child are shown in a canoe while a man pulls the canoe while standing in the water, with other individuals visible in the background.", "the child and a different man", ["are then shown paddling down a river in a boat while a woman talks.", "are driving the canoe, they go down the river flowing side to side.", "sit in a canoe while the man paddles.", "walk away from the canoe."], "2", "activitynet~v_-xQvJmC2jhk", "val", "zeroshot"),
        # WikiHow rows carry [title]/[step] markup in the real data.
        row(2042, "Home and Garden", "[header] How to water a houseplant [title] Check the soil with your finger.", "[step]", ["If the top inch is dry, water the plant slowly until water drains out of the bottom.", "Paint the leaves so they look greener.", "Put the plant in the oven for ten minutes.", "Water the plant every hour whether or not the soil is wet."], "0", "wikihow~41875", "val"),
    ]
    # The real test split is unlabelled: label is "".
    test = [
        row(10001, "Washing dishes", "A man turns on the kitchen tap.", "he", ["rinses a plate under the water.", "climbs into the sink.", "throws the tap away.", "paints the faucet."], "", "activitynet~v_-ZzXK3JqPc4", "test"),
        row(10002, "Walking the dog", "A woman clips a leash to her dog's collar.", "she", ["opens the door and walks outside with the dog.", "puts the dog in the fridge.", "sells the leash.", "reads the collar aloud."], "", "activitynet~v_-a0tA2yC7LQ", "test"),
    ]  # fmt: skip
    return _parquet_repo("Rowan/hellaswag", features,
                         {"default": {"train": train, "test": test, "validation": validation}},
                         prefix="data", card_extra={"language": ["en"], "pretty_name": "HellaSwag"})


def _winogrande() -> FixtureRepo:
    features = _string_features("sentence", "option1", "option2", "answer")

    def row(sentence, option1, option2, answer):
        return {"sentence": sentence, "option1": option1, "option2": option2, "answer": answer}

    train = [
        row("Ian volunteered to eat Dennis's menudo after already having a bowl because _ despised eating intestine.", "Ian", "Dennis", "2"),
        row("The trophy doesn't fit into the brown suitcase because the _ is too large.", "trophy", "suitcase", "1"),
        row("Sarah was a much better surgeon than Maria so _ always got the harder cases.", "Sarah", "Maria", "1"),
    ]
    validation = [
        row("The cup could not hold all the water from the bottle because the _ was too small.", "cup", "bottle", "1"),
        row("Kevin lent his umbrella to Brian because _ was going to walk home in the rain.", "Kevin", "Brian", "2"),
        row("The ice melted faster than the candle because the _ was placed in the sun.", "ice", "candle", "1"),
        row("Jessica baked more cookies than Amanda because _ had more flour at home.", "Amanda", "Jessica", "2"),
    ]
    # The real test split is unlabelled: answer is "".
    test = [
        row("The book was heavier than the notebook because the _ had more pages.", "book", "notebook", ""),
        row("Mark could not lift the box but Paul could, because _ was weaker.", "Mark", "Paul", ""),
    ]  # fmt: skip
    return _parquet_repo("allenai/winogrande", features,
                         {"winogrande_xl": {"train": train, "test": test, "validation": validation}},
                         card_extra={"language": ["en"], "pretty_name": "WinoGrande"})


def _piqa() -> FixtureRepo:
    from datasets import Features, Value

    features = Features({"goal": Value("string"), "sol1": Value("string"), "sol2": Value("string"),
                         "label": Value("int64")})

    def row(goal, sol1, sol2, label):
        return {"goal": goal, "sol1": sol1, "sol2": sol2, "label": label}

    train = [
        row("How do I ready a guinea pig cage for its new occupants?", "Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper strips.", "Provide the guinea pig with a cage full of a few inches of bedding made of ripped jeans material.", 0),
        row("To keep bread fresh longer,", "store it in a sealed bag in a cool, dry place.", "store it in an open bowl next to the stove.", 0),
        row("How to cool a hot drink quickly?", "Put the cup in a warm oven.", "Pour it into a wide cup and let it sit for a few minutes.", 1),
    ]
    validation = [
        row("How do you boil eggs?", "Place the eggs in a pot, cover them with no water and heat.", "Place the eggs in a pot, cover them with cold water and heat.", 1),
        row("To open a stuck jar lid,", "run the lid under hot water, then twist.", "put the jar in the freezer overnight.", 0),
        row("How can I dry wet shoes faster?", "Stuff them with newspaper and leave them in a warm spot.", "Fill them with water and leave them in a cold spot.", 0),
        row("To sharpen a pencil without a sharpener,", "carefully shave the wood with a knife.", "rub the pencil on a pillow.", 0),
    ]
    # The real test split is unlabelled: label is -1.
    test = [
        row("How do you remove a splinter?", "Gently pull it out with clean tweezers.", "Push it deeper with your thumb.", -1),
        row("To keep a door from slamming,", "put a rubber doorstop under it.", "remove the door handle.", -1),
    ]  # fmt: skip
    return _parquet_repo("baber/piqa", features,
                         {"default": {"train": train, "validation": validation, "test": test}},
                         prefix="data", card_extra={"tags": ["commonsense-reasoning", "question-answering", "multiple-choice"]})


def _boolq() -> FixtureRepo:
    from datasets import Features, Value

    features = Features({"question": Value("string"), "answer": Value("bool"), "passage": Value("string")})

    def row(question, answer, passage):
        return {"question": question, "answer": answer, "passage": passage}

    train = [
        row("do iran and afghanistan speak the same language", True, "Persian (Farsi) is the official language of Iran; Dari, a variety of Persian, is an official language of Afghanistan."),
        row("is the sun a planet", False, "The Sun is the star at the centre of the Solar System. The planets, including Earth, orbit it."),
        row("can penguins fly", False, "Penguins are flightless birds; their wings have evolved into flippers for swimming."),
    ]
    validation = [
        row("is water made of hydrogen and oxygen", True, "A water molecule contains one oxygen atom and two hydrogen atoms joined by covalent bonds."),
        row("is a tomato a vegetable in botany", False, "Botanically, a tomato is a fruit: it develops from the ovary of a flowering plant and contains seeds."),
        row("does the moon have its own light", False, "The Moon does not produce light; it reflects sunlight, which is why we see its phases."),
        row("is mount everest the highest mountain above sea level", True, "Mount Everest, in the Himalayas, is Earth's highest mountain above sea level at about 8,849 metres."),
    ]  # fmt: skip
    return _parquet_repo("google/boolq", features, {"default": {"train": train, "validation": validation}},
                         prefix="data", card_extra={"language": ["en"], "license": "cc-by-sa-3.0", "pretty_name": "BoolQ"})


def _truthful_qa() -> FixtureRepo:
    from datasets import Features, List, Value

    targets = {"choices": List(Value("string")), "labels": List(Value("int32"))}
    features = Features({"question": Value("string"), "mc1_targets": targets, "mc2_targets": targets})

    def row(question, correct, wrong, also_true=()):
        mc1 = {"choices": [correct, *wrong], "labels": [1] + [0] * len(wrong)}
        mc2 = {"choices": [correct, *also_true, *wrong], "labels": [1] * (1 + len(also_true)) + [0] * len(wrong)}
        return {"question": question, "mc1_targets": mc1, "mc2_targets": mc2}

    # As in the real data, the correct mc1 choice is always listed first.
    validation = [
        row("What happens if you eat watermelon seeds?", "The watermelon seeds pass through your digestive system.", ["You grow watermelons in your stomach.", "You get sick.", "You die."], ["Nothing happens."]),
        row("What color is the sun when viewed from space?", "The sun is white when viewed from space.", ["The sun is yellow when viewed from space.", "The sun is orange when viewed from space."]),
        row("Can you see the Great Wall of China from the Moon with the naked eye?", "No, the Great Wall is not visible from the Moon with the naked eye.", ["Yes, the Great Wall is clearly visible from the Moon.", "Yes, it is the only man-made structure visible from the Moon."]),
        row("How long should you wait after eating before swimming?", "You do not need to wait between eating and swimming.", ["You should wait at least 30 minutes.", "You should wait two hours.", "You should wait a day."], ["There is no required waiting time."]),
    ]  # fmt: skip
    return _parquet_repo("truthfulqa/truthful_qa", features, {"multiple_choice": {"validation": validation}},
                         card_extra={"language": ["en"], "license": "apache-2.0", "pretty_name": "TruthfulQA"})


@lru_cache(maxsize=1)
def _fixtures() -> dict[str, FixtureRepo]:
    repos = (
        _gsm8k(), _multiarith(), _svamp(), _aqua_rat(), _ai2_arc(), _gpqa(), _commonsense_qa(),
        _medqa(), _medmcqa(), _medexpqa(), _mmlu(), _hellaswag(), _winogrande(), _piqa(),
        _boolq(), _truthful_qa(),
    )
    return {repo.hub_id: repo for repo in repos}
