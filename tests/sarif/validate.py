#!/usr/bin/env python3
"""Validate SARIF logs against the vendored SARIF 2.1.0 schema.

usage: validate.py FILE...   (exit 0 when every file is valid)
"""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def main(paths):
    with open(os.path.join(HERE, "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            loc = "/".join(str(p) for p in e.path)
            print(f"{path}: /{loc}: {e.message}", file=sys.stderr)
        # GitHub code scanning's own limits and needs
        for run in doc.get("runs", []):
            if len(run.get("results", [])) > 25000:
                print(f"{path}: more than 25,000 results in a run", file=sys.stderr)
                bad += 1
            for r in run.get("results", []):
                locs = r.get("locations") or []
                if not locs or "physicalLocation" not in locs[0] or \
                        "startLine" not in locs[0]["physicalLocation"].get("region", {}):
                    print(f"{path}: result without a location and start line",
                          file=sys.stderr)
                    bad += 1
        bad += len(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    sys.exit(main(sys.argv[1:]))
