#!/usr/bin/env python3
"""Check the shell completions against `projsync --help`, with a parser of
its own (not the generator's): every command, every option of every
command and of the globals, every value an option's synopsis lists
(`--format text|json`), and file names where a FILE is expected.  bash and
fish are asked for real completions; zsh is syntax-checked and read.

usage: completion_check.py PROJSYNC BASH_SCRIPT ZSH_SCRIPT FISH_SCRIPT WORKDIR
"""
import re
import shutil
import subprocess
import sys

ps, bash_script, zsh_script, fish_script, workdir = sys.argv[1:6]
failures = []


def fail(msg):
    failures.append(msg)


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True,
                          cwd=workdir).stdout


# ---- what --help says ----
top = run(ps, "help")
commands = re.findall(r"^  ([a-z][a-z-]*) ", top.split("Commands:")[1]
                      .split("\n\n")[0], re.M)
if len(commands) < 5:
    sys.exit(f"only {commands} listed by 'projsync help'")
OPT_LINE = re.compile(r"^ {2,}(-[A-Za-z0-9])?(?:, )?(--[a-z0-9-]+)?")


def options_of(text):
    """{name: placeholder or None} for the command's and the globals'."""
    opts = {}
    for line in text.splitlines():
        m = OPT_LINE.match(line)
        if not m or not (m.group(1) or m.group(2)):
            continue
        rest = line[m.end():]
        value = None
        v = re.match(r" ([A-Z][A-Z0-9_]*)(?: |$)", rest)
        if v:
            value = v.group(1)
        for name in (m.group(1), m.group(2)):
            if name:
                opts[name] = value
    return opts


def listed_values(usage):
    """{option: [words]} for `--opt a|b|c` in a synopsis."""
    return {m.group(1): m.group(2).split("|")
            for m in re.finditer(r"(--?[a-z0-9-]+) ([a-z0-9-]+(?:\|[a-z0-9-]+)+)",
                                 usage)}


helps = {c: run(ps, c, "--help") for c in commands}
globals_ = options_of(helps["version"])
global_values = listed_values(top.split("\n\n")[0])
# every global option is in the top-level synopsis, which holds the value
# lists of the globals (--auth MODE): a new one must be added there
top_usage = top.split("\n\n")[0]
pairs = {}
for line in helps["version"].split("Global options")[1].splitlines():
    m = OPT_LINE.match(line)
    if m and (m.group(1) or m.group(2)) and m.group(2) != "--help":
        if not any(n and re.search(rf"(^|[\[ |]){re.escape(n)}([\] ]|$)", top_usage)
                   for n in (m.group(1), m.group(2))):
            fail(f"global option {m.group(2) or m.group(1)} is not in the "
                 f"synopsis of 'projsync help' (cli_global_synopsis)")
per_cmd = {}
for c, text in helps.items():
    opts = options_of(text)
    usage = text.splitlines()[0]
    per_cmd[c] = (opts, listed_values(usage), usage)

# ---- bash: ask _projsync ----
queries = []


def q(*words):
    queries.append(words)
    return len(queries) - 1


expect = []   # (query index, description, set of words that must be offered)
expect.append((q("projsync", ""), "commands", set(commands)))
for name, words in global_values.items():
    expect.append((q("projsync", name, ""), f"global {name} values", set(words)))
for c, (opts, values, usage) in per_cmd.items():
    longs = {o for o in opts if o.startswith("--")}
    shorts = {o for o in opts if not o.startswith("--")}
    expect.append((q("projsync", c, "--"), f"{c}: long options", longs))
    if shorts:
        expect.append((q("projsync", c, "-"), f"{c}: short options", shorts))
    for name, words in values.items():
        expect.append((q("projsync", c, name, ""), f"{c} {name} values", set(words)))
    for name, ph in opts.items():
        if ph and ph.endswith("FILE"):
            expect.append((q("projsync", c, name, "comp"), f"{c} {name} FILE",
                           {"completion-probe.yaml"}))
    # FILE operands (validate, lint, apply PLANFILE): file names complete
    synopsis = usage.split(" ", 3)[3] if usage.count(" ") >= 3 else ""
    bare = re.sub(r"--?[a-z0-9-]+(?: [A-Z][A-Z0-9_]*| [a-z0-9|-]+)?", " ", synopsis)
    if re.search(r"\b(PLAN)?FILE\b", bare):
        expect.append((q("projsync", c, "comp"), f"{c} FILE operand",
                       {"completion-probe.yaml"}))

lines = [f"source {bash_script}",
         'q() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); '
         '_projsync; printf "%s\\n" "${COMPREPLY[@]}"; echo "@@END"; }']
for words in queries:
    lines.append("q " + " ".join("''" if w == "" else w for w in words))
out = subprocess.run(["bash", "-c", "\n".join(lines)], capture_output=True,
                     text=True, cwd=workdir)
if out.returncode != 0:
    sys.exit(f"bash completion failed: {out.stderr}")
answers = out.stdout.split("@@END\n")
for idx, what, want in expect:
    got = set(answers[idx].split())
    if not want <= got:
        fail(f"bash: {what}: missing {sorted(want - got)} (got {sorted(got)})")

# ---- fish: complete -C ----
if shutil.which("fish"):
    fish_lines = [f"source {fish_script}"]
    for words in queries:
        line = " ".join(words)
        fish_lines.append(f"complete -C {line!r}; echo @@END")
    out = subprocess.run(["fish", "--no-config", "-c", "\n".join(fish_lines)],
                         capture_output=True, text=True, cwd=workdir)
    if out.returncode != 0:
        sys.exit(f"fish completion failed: {out.stderr}")
    answers = out.stdout.split("@@END\n")
    for idx, what, want in expect:
        got = {l.split("\t")[0] for l in answers[idx].splitlines()}
        if not want <= got:
            fail(f"fish: {what}: missing {sorted(want - got)}")
else:
    fail("fish is not installed (scripts/deps.sh installs it)")

# ---- zsh: syntax, and every option inside its command's arm ----
if shutil.which("zsh"):
    r = subprocess.run(["zsh", "-n", zsh_script], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"zsh -n: {r.stderr}")
else:
    fail("zsh is not installed (scripts/deps.sh installs it)")
zsh = open(zsh_script).read()
for c, (opts, values, _) in per_cmd.items():
    arm = re.search(rf"^\t{re.escape(c)}\)\n(.*?)&& ret=0 ;;", zsh, re.M | re.S)
    if not arm:
        fail(f"zsh: no case arm for {c}")
        continue
    for name in opts:
        if not re.search(rf"['{{,]{re.escape(name)}[\[,}}]", arm.group(1)):
            fail(f"zsh: {c}: option {name} missing")
    for name, words in values.items():
        if f"({' '.join(words)})" not in arm.group(1):
            fail(f"zsh: {c} {name}: values {words} missing")
for c in commands:
    if f"'{c}:" not in zsh:
        fail(f"zsh: command {c} missing")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print(f"{len(commands)} commands, {len(expect)} completion checks in bash and fish, zsh read")
