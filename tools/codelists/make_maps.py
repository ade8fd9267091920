#!/usr/bin/env python3
"""Generates the SNOMED CT, CTV3 and ONS 2021 detailed CodeSystems and their
ConceptMaps to the taxonomy (mapping/data/*.json) from the transcribed public
code lists in mapping/data/sources/ (see CODELISTS.md and ONS_DETAILED.md).

  python3 tools/codelists/make_maps.py build/tools/ethrec

Rules, in order:
  1. A code already mapped by hand in the existing SNOMED ConceptMap keeps
     that mapping (reviewed with the 2001/2011 census concepts).
  2. A code with an expert 16-group code (OpenSAFELY / PRIMIS) maps to that
     group's ONS 2021 category, carried forward by ONS's 2021 tick-boxes
     (tools/codelists/expert.py). The detail is what the free-text reader
     finds in the term beyond the category ("Somali"); with no detail the
     mapping is equivalent, else source-is-narrower-than-target.
     Maps are written in FHIR R4 form: each target's equivalence, with the
     R5 relationship in the standard cross-version extension (fhir_r4.py).
  3. A code without an expert grouping (religion-based census categories,
     generic race concepts, headers, non-answers) maps as the free-text reader
     reads its term, and the comment says so. A term that names no ethnic
     group (a header such as "Ethnic group") maps to NOT_KNOWN.
  4. ONS 2021 detailed labels map to their 19-category parent (the section
     decides); the write-in is the detail unless it is the tick-box itself.
The reader is the built `ethrec` binary given on the command line. It reads
a SNOMED CT or CTV3 description as the current map codes
it (NormalizerOptions in mapping/normalizer.h), so a regenerated map keeps
its rule-3 targets and details rather than taking up a change in the reader.
"""
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from expert import TS021, from_g16
from fhir_r4 import r4_target, write_json

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "mapping" / "data"
SOURCES = DATA / "sources"
TAXONOMY = "urn:ethrec:taxonomy:ons-2021-ew"
# Official canonical URLs (README "Canonical URLs"); the ethrec URN each had
# before stays as a URI identifier, which ethrec still accepts.
SNOMED_CT = "http://snomed.info/sct"
CTV3 = "http://read.info/ctv3"
# The 2021 questionnaire's tick-box answers as TS022 labels them; every other
# answer in TS022 is a write-in, kept as the detail.
TICK_BOXES = {
    "Bangladeshi, British Bangladeshi": "1", "Chinese": "2", "Indian or British Indian": "3",
    "Pakistani or British Pakistani": "4", "African unspecified": "6", "Caribbean": "7",
    "White and Asian (unspecified)": "9", "White and Black African": "10", "White and Black Caribbean": "11",
    "English, Welsh, Scottish, Northern Irish or British": "13", "Irish": "14", "Gypsy or Irish Traveller": "15",
    "Roma": "16", "Arab": "18",
}
OTHER_CODES = {"5", "8", "12", "17", "19"}  # each section's "any other" category


def read_terms(ethrec, texts):
    """The reader's answer for each text, through `ethrec normalize --batch`."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["system", "code", "text"])
        for t in texts:
            w.writerow(["", "", t])
        name = f.name
    out = subprocess.run([ethrec, "normalize", "--batch", name], capture_output=True, text=True)
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(answers) == len(texts), (len(answers), len(texts), out.stderr[:500])
    return answers


def target(code, relationship, comment=None, detail=None):
    return r4_target(code, relationship, comment, detail)


def from_reader(answer, why):
    """Targets for a term as the reader reads it."""
    outcome = answer.get("outcome")
    if outcome in ("NOT_STATED", "NOT_KNOWN"):
        return [target(outcome, "equivalent", why)]
    if outcome != "CATEGORIES":
        return [target("NOT_KNOWN", "equivalent", why + " The term names no ethnic group (a heading or a generic "
                       "concept), so the record says nothing about the person's ethnicity.")]
    cats = answer["categories"]
    detail = answer.get("detail") or None
    if len(cats) == 1:
        rel = answer["relationship"] if answer["relationship"] != "not-related-to" else "related-to"
        return [target(cats[0], rel, why, detail)]
    rel = "related-to" if answer["relationship"] == "related-to" else "source-is-broader-than-target"
    return [target(c, rel, why if i == 0 else None, detail) for i, c in enumerate(cats)]


def expert_targets(category, g16, answer, source):
    detail = answer.get("detail") or None
    if answer.get("outcome") == "CATEGORIES" and category not in answer["categories"]:
        detail = None  # the reader read something else: keep the expert's category, claim no detail
    why = (f"Expert coding {g16} of the 2001-census 16 groups ({source}), carried into ONS 2021 "
           f"as {category} by the 2021 tick-boxes.")
    return [target(category, "source-is-narrower-than-target" if detail else "equivalent", why, detail)]


def write(name, doc):
    write_json(DATA / name, doc)


def codesystem(id_, url, version, name, title, description, concepts, content="complete"):
    """A CodeSystem; `content` is "fragment" when it holds some codes of an official code system."""
    former = f"urn:ethrec:codesystem:{id_}"
    ids = {"identifier": [{"system": "urn:ietf:rfc:3986", "value": former}]} if url != former else {}
    return {
        "resourceType": "CodeSystem", "id": id_, "url": url, **ids, "version": version, "name": name, "title": title,
        "status": "active", "caseSensitive": True, "content": content, "description": description,
        "extension": [{"url": "urn:ethrec:recording-basis", "valueCode": "self-defined"}],
        "property": [{"code": "parent", "type": "code"}, {"code": "notSelectable", "type": "boolean"}],
        "concept": concepts,
    }


def conceptmap(id_, source_url, name, title, description, elements):
    return {
        "resourceType": "ConceptMap", "id": id_, "url": f"urn:ethrec:conceptmap:{id_}", "version": "2.0.0",
        "name": name, "title": title, "status": "active", "description": description,
        "sourceUri": source_url, "targetUri": TAXONOMY,
        "group": [{"source": source_url, "target": TAXONOMY, "element": elements}],
    }


def coded_list(ethrec, source_file, keep_concepts=None, keep_elements=None):
    with open(SOURCES / source_file, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    answers = read_terms(ethrec, [r["term"].strip() for r in rows])
    concepts, elements = [], []
    keep_concepts = keep_concepts or {}
    keep_elements = keep_elements or {}
    for code, c in keep_concepts.items():
        concepts.append(c)
        elements.append(keep_elements[code])
    for r, a in zip(rows, answers):
        code, term = r["code"], r["term"].strip()
        if code in keep_concepts:
            continue
        source = f"{r['source_repo']} {r['source_path']}"
        if r["grouping_16"]:
            targets = expert_targets(from_g16(r["grouping_16"], term), r["grouping_16"], a, source)
        else:
            targets = from_reader(a, f"No expert grouping in the public lists ({source}); read from the term "
                                     f"by the free-text reader.")
        concepts.append({"code": code, "display": term})
        elements.append({"code": code, "display": term, "target": targets})
    return concepts, elements


def main():
    ethrec = sys.argv[1]
    # SNOMED CT: keep the hand-reviewed concepts and map entries.
    old_cs = json.load(open(DATA / "codesystem-snomed-ct.json", encoding="utf-8"))
    old_cm = json.load(open(DATA / "conceptmap-snomed-ct.json", encoding="utf-8"))
    keep_c = {c["code"]: c for c in old_cs["concept"]}
    keep_e = {e["code"]: e for e in old_cm["group"][0]["element"]}
    concepts, elements = coded_list(ethrec, "snomed_ethnicity_codelist.csv", keep_c, keep_e)
    cs = codesystem(
        "snomed-ct", SNOMED_CT, "uk-opensafely-2e641f61-primis-v1", old_cs["name"],
        "SNOMED CT UK ethnic group concepts used in primary care",
        "Every SNOMED CT UK ethnicity concept in the public primary-care code lists: OpenSAFELY "
        "ethnicity-snomed-0removed (2e641f61), PRIMIS eth2001 / non_eth2001 / not-stated lists and OpenSAFELY "
        "ethnicity-uk-categories (see mapping/data/sources/CODELISTS.md). Active status in the current UK edition "
        "is not verified.", concepts, content="fragment")
    cs["concept"] = concepts
    write("codesystem-snomed-ct.json", cs)
    write("conceptmap-snomed-ct.json", conceptmap(
        "snomed-ct-to-ons-2021-ew", SNOMED_CT, "SnomedCtToOns2021",
        "SNOMED CT ethnic group concepts to ONS 2021 Census ethnic groups",
        "Hand-reviewed 2001/2011 census concepts keep their mapping; every other concept follows its expert "
        "16-group coding in the OpenSAFELY / PRIMIS code lists, carried into ONS 2021 by the 2021 tick-boxes, "
        "with the detail its term names; concepts the lists leave ungrouped are read from their terms. "
        "Generated by tools/codelists/make_maps.py.", elements))

    concepts, elements = coded_list(ethrec, "ctv3_ethnicity_codelist.csv")
    url = CTV3
    write("codesystem-ctv3.json", codesystem(
        "ctv3", url, "opensafely-ethnicity-2020-04-27", "Ctv3EthnicGroup",
        "Read v3 (CTV3) ethnicity codes used in GP records",
        "The CTV3 ethnicity codes of the OpenSAFELY ethnicity code list (2020-04-27; repo "
        "opensafely/risk-factors-research codelists/opensafely-ethnicity.csv). CTV3 is withdrawn, but GP "
        "records still hold these codes. Codes are case-sensitive and keep their dots.", concepts,
        content="fragment"))
    write("conceptmap-ctv3.json", conceptmap(
        "ctv3-to-ons-2021-ew", url, "Ctv3ToOns2021", "Read v3 (CTV3) ethnicity codes to ONS 2021 Census ethnic groups",
        "Each code follows its expert 16-group coding in the OpenSAFELY list, carried into ONS 2021 by the 2021 "
        "tick-boxes, with the detail its term names. Generated by tools/codelists/make_maps.py.", elements))

    with open(SOURCES / "ons_2021_detailed.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["ts021_code"]]
    concepts, elements = [], []
    for r in rows:
        category = TS021[r["ts021_code"]]
        write_in = r["write_in"].strip()
        tick_box = TICK_BOXES.get(write_in) == r["ts021_code"] or (
            write_in.lower().startswith("any other") and r["ts021_code"] in OTHER_CODES)
        why = (f"ONS 2021 detailed category under the section '{r['section']}': the section decides, so it is "
               f"counted in {category} (TS021 code {r['ts021_code']}).")
        t = target(category, "equivalent" if tick_box else "source-is-narrower-than-target", why,
                   None if tick_box else write_in)
        concepts.append({"code": r["label"], "display": r["label"]})
        elements.append({"code": r["label"], "display": r["label"], "target": [t]})
    url = "urn:ethrec:codesystem:ons-2021-detailed"
    write("codesystem-ons-2021-detailed.json", codesystem(
        "ons-2021-detailed", url, "census-2021-ts022", "Ons2021DetailedEthnicGroup",
        "ONS Census 2021 detailed ethnic group (England and Wales, 287 categories)",
        "The 287 categories of the Census 2021 'Ethnic group (detailed)' classification (TS022). ONS's numeric "
        "codes for them were not found in any public source reachable here, so each category's code is its "
        "published label, as in the Nomis TS022 column headers (see mapping/data/sources/ONS_DETAILED.md).",
        concepts))
    write("conceptmap-ons-2021-detailed.json", conceptmap(
        "ons-2021-detailed-to-ons-2021-ew", url, "Ons2021DetailedToOns2021",
        "ONS 2021 detailed ethnic groups to the 19 ONS 2021 categories",
        "ONS's derivation: the tick-box section decides the category; the write-in is the detail. Checked by "
        "summing TS022 counts per category against TS021. Generated by tools/codelists/make_maps.py.", elements))


if __name__ == "__main__":
    main()
