#!/usr/bin/env python3
"""Check the CI files we ship against the real projsync: the composite
action (action.yml), examples/github-actions/*.yml, examples/gitlab-ci.yml
and .pre-commit-hooks.yaml.  Each must parse as YAML; every shell script in
them must pass `bash -n`; every projsync command line in them must name a
command that exists, options that command (or the globals) has, and
--format values its synopsis lists; every use of the action must pass
inputs the action declares and a command it supports.

usage: examples_check.py PROJSYNC SRC_DIR
"""
import glob
import os
import re
import shlex
import subprocess
import sys

import yaml

ps, src = sys.argv[1:3]
failures = []
checked = {"files": 0, "scripts": 0, "commands": 0}


def fail(where, msg):
    failures.append(f"{where}: {msg}")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


top = run(ps, "help")
commands = re.findall(r"^  ([a-z][a-z-]*) ", top.split("Commands:")[1].split("\n\n")[0], re.M)
OPT = re.compile(r"^ {2,}(-[A-Za-z0-9])?(?:, )?(--[a-z0-9-]+)?(\[=[A-Z]+\])?( [A-Z][A-Z0-9_]*)?")
spec = {}
for c in commands:
    text = run(ps, c, "--help")
    opts = {}
    for line in text.splitlines():
        m = OPT.match(line)
        if m and (m.group(1) or m.group(2)):
            takes = "required" if m.group(4) else "optional" if m.group(3) else None
            for n in (m.group(1), m.group(2)):
                if n:
                    opts[n] = takes
    usage = text.splitlines()[0]
    formats = re.search(r"--format ([a-z|]+)", usage)
    spec[c] = (opts, formats.group(1).split("|") if formats else [])
global_value_opts = {n for n, t in spec["version"][0].items() if t == "required"}

EXPR = re.compile(r"\$\{\{.*?\}\}")


def neutral(s):
    """A GitHub expression stands for some word."""
    return EXPR.sub("EXPR", s)


def check_command_line(where, line):
    try:
        words = shlex.split(line, comments=True)
    except ValueError as e:
        fail(where, f"cannot split '{line}': {e}")
        return
    # stop at the first shell operator
    cut = []
    for w in words:
        if w in ("|", "||", "&&", ";", ">", ">>", "2>", ")") or w.startswith((">", "2>", "|")):
            break
        cut.append(w)
    words = cut[1:]
    cmd, i = None, 0
    while i < len(words):
        w = words[i]
        if w.startswith("-"):
            name = w.split("=", 1)[0]
            if name in global_value_opts and "=" not in w:
                i += 1
        else:
            cmd = w
            break
        i += 1
    if cmd is None:
        fail(where, f"no command in 'projsync {' '.join(words)}'")
        return
    if cmd.startswith("$"):
        return      # the action's own dispatcher; each branch is literal
    if cmd not in spec:
        fail(where, f"'{cmd}' is not a projsync command")
        return
    checked["commands"] += 1
    opts, formats = spec[cmd]
    for j, w in enumerate(words):
        if not w.startswith("-") or w == "-" or w.startswith("$"):
            continue
        name, _, val = w.partition("=")
        if name not in opts:
            fail(where, f"projsync {cmd}: no option {name}")
            continue
        if name == "--format":
            if not val and j + 1 < len(words):
                val = words[j + 1]
            if val and not val.startswith(("$", "EXPR")) and val not in formats:
                fail(where, f"projsync {cmd} --format {val}: not one of {formats}")


def check_script(where, script):
    script = neutral(script)
    checked["scripts"] += 1
    r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    if r.returncode:
        fail(where, f"bash -n: {r.stderr.strip()}")
    # join continuation lines, then look at each projsync invocation
    for line in script.replace("\\\n", " ").splitlines():
        # projsync where a command starts: not inside an echo's text
        for m in re.finditer(r"(?:^\s*|(?:\|\||&&|[|;(]|\$\(|\bthen|\bdo)\s*)(projsync(?:\s.*)?)$", line):
            check_command_line(where, m.group(1))


action = yaml.safe_load(open(os.path.join(src, "action.yml")))
inputs = action["inputs"]
ACTION_COMMANDS = re.findall(r"^\s*([a-z]+)\)$", "\n".join(
    s.get("run", "") for s in action["runs"]["steps"]), re.M)


def check_action_use(where, step):
    w = step.get("with") or {}
    for k in w:
        if k not in inputs:
            fail(where, f"the action has no input '{k}'")
    cmd = w.get("command", inputs["command"].get("default"))
    if cmd not in ACTION_COMMANDS or cmd not in spec:
        fail(where, f"the action does not run '{cmd}'")
        return
    fmt = w.get("format")
    if fmt and fmt not in spec[cmd][1]:
        fail(where, f"format '{fmt}' is not one of {cmd}'s {spec[cmd][1]}")
    if w.get("args"):
        check_command_line(where, f"projsync {cmd} {neutral(str(w['args']))}")


def github_steps(doc):
    if "runs" in doc:
        yield from doc["runs"].get("steps", [])
    for job in (doc.get("jobs") or {}).values():
        yield from job.get("steps", [])


files = [os.path.join(src, "action.yml")] + sorted(glob.glob(os.path.join(src, "examples/github-actions/*.yml")))
for path in files:
    rel = os.path.relpath(path, src)
    doc = yaml.safe_load(open(path))
    checked["files"] += 1
    if rel != "action.yml" and not doc.get("jobs"):
        fail(rel, "no jobs")
    for n, step in enumerate(github_steps(doc)):
        where = f"{rel}: step {step.get('name') or step.get('uses') or n}"
        if "run" in step:
            check_script(where, step["run"])
        if str(step.get("uses", "")).startswith("projsync/projsync@"):
            check_action_use(where, step)

gl = os.path.join(src, "examples/gitlab-ci.yml")
doc = yaml.safe_load(open(gl))
checked["files"] += 1
for name, job in doc.items():
    if not isinstance(job, dict):
        continue
    for key in ("before_script", "script"):
        if key in job:
            check_script(f"gitlab-ci.yml: {name}.{key}", "\n".join(job[key]))
    for ext in ([job["extends"]] if isinstance(job.get("extends"), str) else job.get("extends", [])):
        if ext not in doc:
            fail(f"gitlab-ci.yml: {name}", f"extends unknown '{ext}'")

hooks = yaml.safe_load(open(os.path.join(src, ".pre-commit-hooks.yaml")))
checked["files"] += 1
for h in hooks:
    for k in ("id", "name", "entry", "language"):
        if k not in h:
            fail(".pre-commit-hooks.yaml", f"hook without {k}")
    check_command_line(f".pre-commit-hooks.yaml: {h.get('id')}", h["entry"])

if checked["commands"] < 10:
    fail("examples", f"only {checked['commands']} projsync command lines found: the checker is blind")
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print(f"{checked['files']} files, {checked['scripts']} scripts, {checked['commands']} projsync command lines checked")
