#!/usr/bin/env python3
"""Extract every inventory shown in the documentation (for t-doc-inventories.sh).

usage: doc-inventories.py SRC_DIR OUT_DIR

Reads README.md, docs/*.md (fenced ```yaml / ```yml blocks) and the man pages
docs/*.[1-9] (.Bd -literal blocks).  A block is an inventory when a line at
its top level starts with `version:` or `projects:`; other blocks (a settings
or taxonomy excerpt) are fragments and are not run.  The line just before the
block may say what the example is meant to show:

    <!-- projsync-example: fragment -->        (markdown)
    .\\" projsync-example: fragment             (man page)

  fragment       a piece of an inventory, not meant to be run on its own
  invalid        shows an error on purpose: validate must exit 3
  validate-only  needs live state a fresh account does not have (e.g. id
                 pins of an exported account): validate only

Every other inventory must validate, plan, apply and plan again with no
changes on a fresh account.  Each block is written to OUT_DIR as
NNN.yaml, and OUT_DIR/index lists "NNN<TAB>kind<TAB>file:line" per block.
"""
import glob
import os
import re
import sys

MARK = re.compile(r"projsync-example:\s*([a-z-]+)")
KINDS = ("fragment", "invalid", "validate-only")


def blocks_markdown(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+|~~~+)\s*(\w*)", lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if lang in ("yaml", "yml"):
            prev = lines[start - 1] if start > 0 else ""
            yield start + 2, body, prev


def blocks_man(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith(".Bd -literal"):
            i += 1
            continue
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(".Ed"):
            # mdoc escapes: \e is a backslash, \& a zero-width guard
            body.append(lines[i].replace("\\&", "").replace("\\e", "\\"))
            i += 1
        i += 1
        prev = lines[start - 1] if start > 0 else ""
        yield start + 2, body, prev


def is_inventory(body):
    return any(re.match(r"^(version|projects)\s*:", l) for l in body)


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    files = [os.path.join(src, "README.md")]
    files += sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    man = sorted(glob.glob(os.path.join(src, "docs", "*.[1-9]")))
    n = 0
    with open(os.path.join(out, "index"), "w") as index:
        for path in files + man:
            if not os.path.exists(path):
                continue
            text = open(path, encoding="utf-8").read()
            gen = blocks_man(text) if path in man else blocks_markdown(text)
            for line, body, prev in gen:
                m = MARK.search(prev)
                kind = m.group(1) if m else "plan"
                if m and kind not in KINDS:
                    sys.exit("%s:%d: unknown projsync-example kind '%s' (one of %s)"
                             % (os.path.relpath(path, src), line - 1, kind, ", ".join(KINDS)))
                if kind == "fragment" or not is_inventory(body):
                    continue
                n += 1
                name = "%03d" % n
                with open(os.path.join(out, name + ".yaml"), "w") as f:
                    f.write("\n".join(body) + "\n")
                index.write("%s\t%s\t%s:%d\n" % (name, kind, os.path.relpath(path, src), line))


main()
