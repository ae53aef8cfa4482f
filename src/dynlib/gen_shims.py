#!/usr/bin/env python3
"""Write src/dynlib/curl_shims.c and src/dynlib/git2_shims.c.

Run by hand (never at build time) after code starts calling a curl_* or
git_* function it did not call before, or after a libcurl/libgit2 upgrade:

    python3 src/dynlib/gen_shims.py          # from the repository's root

It collects the curl_*/git_* functions called under src/ (comments and
string literals removed, src/dynlib/ itself skipped), takes each one's
prototype from the installed headers, and writes one forwarding definition
per function.  The definitions call through a table of pointers that
src/dynlib/dynlib.c fills with dlsym() on first use.  Variadic functions
need a rule saying how to read their one extra argument (VARIADIC below);
a variadic function without one is an error, as is a name the headers do
not declare.  --check LIB.a compares the list with the archive's undefined
symbols (nm -u) and fails on any difference.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

CURL_DIRS = ["/usr/include/x86_64-linux-gnu/curl", "/usr/include/curl"]
GIT2_DIR = "/usr/include/git2"

# How each variadic function reads its one argument after the option.
VARIADIC = {
    "curl_easy_setopt": "curlopt",
    "curl_multi_setopt": "curlopt",
    "curl_easy_getinfo": "pointer",
}

WORD = re.compile(r"\b((?:curl|git)_[a-z0-9_]+)\s*\(")


def strip_c(text):
    """Remove comments, string and character literals (keep newlines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_macros(text):
    """Drop preprocessor lines (with continuations): calls inside macro
    bodies are not calls the code makes unless the macro is used, and a
    used macro's expansion is what nm would see -- --check catches it."""
    lines = text.split("\n")
    out, cont = [], False
    for line in lines:
        if cont or line.lstrip().startswith("#"):
            cont = line.endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def used_names():
    names = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "*", "*.[ch]")) +
                       [os.path.join(ROOT, "src", "main.c")]):
        if os.sep + "dynlib" + os.sep in path:
            continue
        with open(path, encoding="utf-8") as f:
            text = strip_macros(strip_c(f.read()))
        names.update(WORD.findall(text))
    return names


def read_headers(paths):
    text = ""
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            text += strip_c(f.read()) + "\n"
    return strip_macros_keep_decl(text)


def strip_macros_keep_decl(text):
    # Declarations never sit on # lines in these headers; drop the lines so
    # that #define bodies (curl's typecheck wrappers) are not mistaken for
    # declarations.
    return strip_macros(text)


def norm(s):
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s*(\*+)\s*", r" \1", s)
    s = re.sub(r"\( ", "(", s)
    s = re.sub(r" \)", ")", s)
    return s.strip()


def split_params(params):
    out, depth, cur = [], 0, ""
    for c in params:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


TYPE_WORDS = {"const", "volatile", "restrict", "struct", "enum", "union",
              "unsigned", "signed", "void", "char", "short", "int", "long",
              "float", "double", "size_t"}


def param_name(p, fn, i):
    """(declaration with a name, the name): a parameter the header leaves
    unnamed (curl_easy_strerror(CURLcode)) is called a<i>."""
    m = re.match(r"^.*\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(.*\)$", p)
    if m:
        return p, m.group(1)
    m = re.match(r"^(.*?)([A-Za-z_]\w*)\s*((?:\[[^\]]*\])*)$", p)
    core = [w for w in re.findall(r"[A-Za-z_]\w*", p)
            if w not in ("const", "volatile", "restrict", "struct", "enum",
                         "union")]
    if p.endswith("*") or not core or core[-1] in TYPE_WORDS or \
            len(core) == 1:
        if "(" in p or "[" in p:
            sys.exit(f"gen_shims: {fn}: unnamed parameter '{p}'")
        name = f"a{i}"
        return (p + name if p.endswith("*") else f"{p} {name}"), name
    if not m:
        sys.exit(f"gen_shims: {fn}: cannot parse parameter '{p}'")
    return p, m.group(2)


def find_decls(text, names, kind):
    decls = {}
    if kind == "curl":
        rx = re.compile(r"CURL_EXTERN\s+([^;{}()]*?)\b(curl_[a-z0-9_]+)"
                        r"\s*\(([^;{}]*?)\)\s*;", re.S)
    else:
        rx = re.compile(r"GIT_EXTERN\s*\(([^;{}]*?)\)\s*(git_[a-z0-9_]+)"
                        r"\s*\(([^;{}]*?)\)\s*;", re.S)
    for m in rx.finditer(text):
        ret, name, params = (norm(m.group(1)), m.group(2),
                             norm(m.group(3)))
        if name not in names:
            continue
        ret = re.sub(r"\bCURL_DEPRECATED\([^)]*\)\s*", "", ret).strip()
        if name in decls and decls[name] != (ret, params):
            sys.exit(f"gen_shims: {name}: declared twice, differently")
        decls[name] = (ret, params)
    return decls


def shim(name, ret, params, index, lib):
    ps = split_params(params)
    variadic = ps and ps[-1] == "..."
    fixed = ps[:-1] if variadic else ps
    if fixed == ["void"]:
        fixed = []
    named = [param_name(p, name, i) for i, p in enumerate(fixed)]
    args = [a for _, a in named]
    dparams = ", ".join([d for d, _ in named] + (["..."] if variadic else [])) \
        or "void"
    call = f"((t_{name})syms[{index}])"
    ret_kw = "" if ret == "void" else "return "
    head = (f"typedef {ret}{'' if ret.endswith('*') else ' '}(*t_{name})({params});\n\n"
            f"{ret}\n{name}({dparams})\n{{\n")
    need = f"\tdynlib__need(&dynlib__{lib}, \"{name}\");\n"
    if not variadic:
        return (head + need + f"\t{ret_kw}{call}({', '.join(args)});\n}}\n")
    rule = VARIADIC.get(name)
    if not rule:
        sys.exit(f"gen_shims: {name} is variadic and has no rule in "
                 "VARIADIC saying how to forward its arguments")
    if ret == "void" or len(args) < 1:
        sys.exit(f"gen_shims: {name}: unexpected variadic signature")
    opt, lead = args[-1], ", ".join(args)
    body = head + f"\t{ret} rc;\n\tva_list ap;\n\n" + need
    body += f"\tva_start(ap, {opt});\n"
    if rule == "pointer":
        body += f"\trc = {call}({lead}, va_arg(ap, void *));\n"
    else:
        body += (
            "\t/* the option number encodes its argument's type */\n"
            f"\tif ((long){opt} < CURLOPTTYPE_OBJECTPOINT)\n"
            f"\t\trc = {call}({lead}, va_arg(ap, long));\n"
            f"\telse if ((long){opt} < CURLOPTTYPE_FUNCTIONPOINT)\n"
            f"\t\trc = {call}({lead}, va_arg(ap, void *));\n"
            f"\telse if ((long){opt} < CURLOPTTYPE_OFF_T)\n"
            f"\t\trc = {call}({lead}, va_arg(ap, dynlib__fn));\n"
            f"\telse if ((long){opt} < CURLOPTTYPE_BLOB)\n"
            f"\t\trc = {call}({lead}, va_arg(ap, curl_off_t));\n"
            "\telse\n"
            f"\t\trc = {call}({lead}, va_arg(ap, void *));\n")
    body += "\tva_end(ap);\n\treturn rc;\n}\n"
    return body


def generate(lib, names, decls, headers_desc, include, soname, package):
    missing = sorted(set(names) - set(decls))
    if missing:
        sys.exit(f"gen_shims: not declared in the {lib} headers: "
                 + ", ".join(missing))
    order = sorted(names)
    out = [
        f"/*\n * dynlib: {lib} shims, GENERATED by src/dynlib/gen_shims.py "
        f"from\n * {headers_desc}.\n * Do not edit: rerun the generator.  "
        "One definition per function the\n * code calls, forwarding through "
        "the table dynlib.c fills with dlsym()\n * on first use.\n */\n",
        "#define CURL_DISABLE_TYPECHECK\t/* the real prototypes, no macros */\n"
        "#include \"dynlib/dynlib_int.h\"\n\n#include <stdarg.h>\n\n"
        f"{include}\n",
        f"enum {{ NR = {len(order)} }};\n\n"
        f"static const char *const names[NR] = {{\n"
        + "".join(f"\t\"{n}\",\n" for n in order) + "};\n"
        "static void *syms[NR];\n\n",
        f"struct dynlib__lib dynlib__{lib} = {{\n"
        f"\t.soname = {soname},\n\t.package = \"{package}\",\n"
        "\t.names = names,\n\t.syms = syms,\n\t.nr = NR,\n"
        "\t.once = PTHREAD_ONCE_INIT,\n};\n",
    ]
    for i, n in enumerate(order):
        ret, params = decls[n]
        out.append("\n" + shim(n, ret, params, i, lib))
    path = os.path.join(ROOT, "src", "dynlib", f"{lib}_shims.c")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(out))
    print(f"gen_shims: wrote {os.path.relpath(path, ROOT)} "
          f"({len(order)} functions)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", metavar="LIB.a",
                    help="compare with the archive's undefined symbols")
    opts = ap.parse_args()

    names = used_names()
    curl_dir = next((d for d in CURL_DIRS if os.path.exists(
        os.path.join(d, "curl.h"))), None)
    if not curl_dir or not os.path.isdir(GIT2_DIR):
        sys.exit("gen_shims: libcurl or libgit2 headers not found")
    curl_h = sorted(glob.glob(os.path.join(curl_dir, "*.h")))
    git2_h = sorted(glob.glob(os.path.join(GIT2_DIR, "*.h")))
    curl_names = {n for n in names if n.startswith("curl_")}
    git2_names = {n for n in names if n.startswith("git_")}
    curl_decls = find_decls(read_headers(curl_h), curl_names, "curl")
    git2_decls = find_decls(read_headers(git2_h), git2_names, "git2")
    # Names the headers declare only as macros or types are not calls.
    curl_names &= set(curl_decls) | {n for n in curl_names
                                     if n in VARIADIC}
    git2_names &= set(git2_decls)

    if opts.check:
        nm = subprocess.run(["nm", "-u", opts.check], check=True,
                            capture_output=True, text=True).stdout
        undef = {ln.split()[-1] for ln in nm.splitlines()
                 if re.match(r"\s*U (curl|git)_", ln)}
        found = curl_names | git2_names
        if undef != found:
            sys.exit("gen_shims: --check: only in the archive: "
                     f"{sorted(undef - found)}; only in the sources: "
                     f"{sorted(found - undef)}")
        print(f"gen_shims: --check: the {len(found)} functions match")

    generate("curl", curl_names, curl_decls, "the headers in " + curl_dir,
             "#include <curl/curl.h>\n", '"libcurl.so.4"', "libcurl4")
    generate("git2", git2_names, git2_decls, "the headers in " + GIT2_DIR,
             "#include <git2.h>\n",
             '"libgit2.so." LIBGIT2_SOVERSION', "libgit2-1.5")


if __name__ == "__main__":
    main()
