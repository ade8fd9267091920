#!/usr/bin/env python3
"""Builds the real-world agreement sets, once: dev.csv and test.csv.

Sources (all public, cited per row):
  - mapping/data/sources/ctv3_ethnicity_codelist.csv: GP Read v3 terms with
    OpenSAFELY's expert 16-group coding (read as free text);
  - mapping/data/sources/snomed_ethnicity_codelist.csv: SNOMED CT concepts with
    the same coding (sent as code + description);
  - mapping/data/sources/ons_2021_detailed.csv: the 287 ONS 2021 detailed
    labels with their 19-category parent;
  - collected_other.csv: official, education, police, census and analyst
    labels and practitioner free text (see COLLECTED_OTHER.md).

The 16-group (2001 census) expert codes are carried into ONS 2021 by ONS's own
2021 tick-boxes (see README.md here): Chinese is Asian; Gypsy, Irish Traveller
and Roma, Arab, and the British national identities have their own boxes; an
African people or nation is Black African (the 2021 African box took a
write-in). Everything else keeps its group's category.

The split is stratified by genre, 50/50, with a fixed seed. It was made once;
rerunning this script reproduces the same files. Never tune on test.csv.
"""
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "testdata" / "realworld"
SOURCES = ROOT / "mapping" / "data" / "sources"

from expert import G16, TS021, from_g16


def rows():
    seen = set()

    def add(row):
        key = (row["text"].strip().lower(), row.get("system", ""), row.get("code", ""))
        if key in seen:
            return None
        seen.add(key)
        return row

    # GP terms are read as free text (the code stays in the source column);
    # SNOMED CT concepts are sent as GP systems send them, code and term.
    for file, system, genre in (("ctv3_ethnicity_codelist.csv", "", "gp-term-ctv3"),
                                ("snomed_ethnicity_codelist.csv", "snomed-ct", "snomed-coded")):
        with open(SOURCES / file, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if not r["grouping_16"]:
                    continue
                source = f"{r['source_repo']}:{r['source_path']}" + ("" if system else f" {r['code']}")
                out = add({"text": r["term"].strip(), "system": system, "code": r["code"] if system else "",
                           "expected": from_g16(r["grouping_16"], r["term"]), "acceptable": "",
                           "genre": genre, "source": source})
                if out:
                    yield out
    with open(SOURCES / "ons_2021_detailed.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r["ts021_code"]:
                continue
            out = add({"text": r["label"], "system": "", "code": "", "expected": TS021[r["ts021_code"]],
                       "acceptable": "", "genre": "census-label-2021-detailed", "source": r["source"]})
            if out:
                yield out
    with open(HERE / "collected_other.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out = add({"text": r["text"], "system": "", "code": "", "expected": r["expected"],
                       "acceptable": r["acceptable"], "genre": r["genre"], "source": r["source"]})
            if out:
                yield out


def main():
    by_genre = {}
    for r in rows():
        by_genre.setdefault(r["genre"], []).append(r)
    rng = random.Random(20261130)
    dev, test = [], []
    for genre in sorted(by_genre):
        items = by_genre[genre]
        rng.shuffle(items)
        half = (len(items) + 1) // 2
        dev.extend(items[:half])
        test.extend(items[half:])
    cols = ["text", "system", "code", "expected", "acceptable", "genre", "source"]
    for name, items in (("dev.csv", dev), ("test.csv", test)):
        with open(HERE / name, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(items)
    print(f"dev {len(dev)}, test {len(test)}", file=sys.stderr)


if __name__ == "__main__":
    main()
