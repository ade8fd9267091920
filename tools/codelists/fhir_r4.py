#!/usr/bin/env python3
"""The FHIR R4 form of ethrec's ConceptMap targets, for make_maps.py and for
maps written in the R5 form that ethrec used before.

R4 has no ConceptMap.group.element.target.relationship: each target needs an
`equivalence`. The R5 relationship is kept beside it in the standard
cross-version extension, so nothing is lost. The R5 -> R4 codes are FHIR's
official map (FHIR Extensions Pack, ConceptMap5to4B_ConceptMapRelationship).

To bring local maps (ethrec --maps DIR) into the R4 form, in place:

  python3 tools/codelists/fhir_r4.py DIR...

ethrec still reads the R5 form, so this is optional. Every ConceptMap in DIR
is rewritten (JSON indented by 2); other files are left alone.
"""
import json
import sys
from pathlib import Path

R5_RELATIONSHIP_EXTENSION = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ConceptMap.group.element.target.relationship")
EQUIVALENCE = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "unmatched",
}


def r4_target(code, relationship, comment=None, detail=None):
    """A ConceptMap target in R4 form for an R5 `relationship`."""
    t = {"code": code, "equivalence": EQUIVALENCE[relationship]}
    if comment:
        t["comment"] = comment
    if detail:
        t["product"] = [{"property": "detail", "value": detail}]
    t["extension"] = [{"url": R5_RELATIONSHIP_EXTENSION, "valueCode": relationship}]
    return t


def to_r4(target):
    """`target` with its R5 relationship as R4 equivalence plus the extension; other keys kept in order."""
    if "relationship" not in target:
        return target
    relationship = target["relationship"]
    out = {}
    for key, value in target.items():
        if key == "relationship":
            out["equivalence"] = EQUIVALENCE[relationship]
        elif key != "extension":
            out[key] = value
    others = [e for e in target.get("extension", []) if e.get("url") != R5_RELATIONSHIP_EXTENSION]
    out["extension"] = others + [{"url": R5_RELATIONSHIP_EXTENSION, "valueCode": relationship}]
    return out


def conceptmap_to_r4(doc):
    for group in doc.get("group", []):
        for element in group.get("element", []):
            element["target"] = [to_r4(t) for t in element.get("target", [])]
    return doc


def write_json(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main(dirs):
    for d in dirs:
        for path in sorted(Path(d).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("resourceType") == "ConceptMap":
                write_json(path, conceptmap_to_r4(doc))
                print(f"{path}: R4")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
