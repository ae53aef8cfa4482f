#!/usr/bin/env python3
"""bench: the performance targets (docs/benchmarks.md) measured against projsync-emulator.

Called by bench/run after the build; it can also be run by hand:

  measure.py --projsync BIN --emulator BIN [--out DIR] [--runs N]
             [--naive-runs N] [--only SECTIONS] [--latency-ms L]

Sections (--only takes a comma list): plan, apply, ratelimit, storm,
offline, naive, tls, diag (the last two are not targets, only context).  Each network measurement starts from POST /_emulator/reset
and reads its request counts from GET /_emulator/stats, so a figure is
never inferred from what projsync says about itself.  Peak memory is the
"Maximum resident set size" GNU time reports for the projsync process.  Timings are medians of
--runs repetitions; min and max are kept in results.json to show the
noise.  Nothing here decides pass or fail by a hard-coded figure: every
ratio is measured / target-formula.
"""
import argparse
import json
import math
import os
import platform
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
N = 1000                # projects for plan / apply / naive
PARALLELISM = 16        # projsync apply's default (docs/architecture.md, Apply semantics)
PAGE = 100              # projects per list page
STORM_N = 200           # creates under random 429s
STORM_TIMEOUT_S = 300   # a stalled run is cut here (and counted a miss)


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


def summary(xs):
    """Median, min, max (and the raw samples) of a list of numbers."""
    return {"median": median(xs), "min": min(xs), "max": max(xs),
            "n": len(xs), "samples": xs}


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


# ---- processes ----

GNU_TIME = "/usr/bin/time"


def run(cmd, env=None, stdout=None, check=True):
    """Run cmd; return (wall seconds, peak RSS in KiB, exit status).

    The peak RSS comes from GNU time (-f %M), not from our own wait4():
    Linux records the high-water mark of the address space an execve()
    replaces, and a child forked or vforked from this Python process
    starts out with Python's pages, so wait4() here would report
    max(Python, projsync).  time(1) is a small C parent, so its %M is
    projsync's own.
    """
    out = stdout if stdout is not None else subprocess.DEVNULL
    fd, rss_file = tempfile.mkstemp(prefix="projsync-bench-rss.")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        p = subprocess.run([GNU_TIME, "-f", "%M", "-o", rss_file] + cmd, env=env,
                           stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        with open(rss_file) as f:
            lines = f.read().split()
    finally:
        os.unlink(rss_file)
    if check and p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        raise SystemExit("bench: %s exited %d" % (" ".join(cmd), p.returncode))
    return wall, int(lines[-1]) if lines else 0, p.returncode


class Emulator:
    """A projsync-emulator on a free loopback port."""

    def __init__(self, binary, args, workdir, cafile=None):
        self.args = list(args)
        self.ssl = ssl.create_default_context(cafile=cafile) if cafile else None
        self.err = open(os.path.join(workdir, "emulator.err"), "ab")
        self.proc = subprocess.Popen([binary, "--port", "0"] + self.args,
                                     stdout=subprocess.PIPE, stderr=self.err)
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise SystemExit("bench: the emulator did not start (%r); see %s"
                             % (line, self.err.name))
        self.base = line[len("listening on "):]
        self.url = self.base + "/v1"

    def _req(self, method, path):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=30, context=self.ssl) as r:
            return json.load(r)

    def stats(self):
        return self._req("GET", "/_emulator/stats")

    def reset(self):
        self._req("POST", "/_emulator/reset")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.err.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def stat_diff(before, after):
    """Requests between two /_emulator/stats snapshots."""
    def route(s, r, k="total"):
        return s.get("by_route", {}).get(r, {}).get(k, 0)
    d = {"total": after["total"] - before["total"]}
    for r in ("list", "create", "modify", "archive", "retrieve"):
        d[r] = route(after, r) - route(before, r)
    d["writes"] = d["create"] + d["modify"] + d["archive"]
    d["429"] = (after.get("by_status", {}).get("429", 0)
                - before.get("by_status", {}).get("429", 0))
    d["projects"] = after.get("projects")
    return d


# ---- the benchmark ----

class Bench:
    def __init__(self, a):
        self.a = a
        self.ps = a.projsync
        self.emu = a.emulator
        self.out = a.out
        self.work = tempfile.mkdtemp(prefix="projsync-bench.")
        self.env = dict(os.environ)
        for k in ("PROJSYNC_FILE", "OPENAI_BASE_URL", "AWS_BEARER_TOKEN_BEDROCK",
                  "PROJSYNC_RETRY_SCALE"):
            self.env.pop(k, None)
        self.env.update(NO_COLOR="1", PROJSYNC_API_KEY="test-key")
        self.results = {}
        self.inv = {}

    def inventory(self, n):
        if n not in self.inv:
            path = os.path.join(self.out, "inventory-%d.yaml" % n)
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "gen_inventory.py"),
                                str(n)], stdout=f, check=True)
            self.inv[n] = path
        return self.inv[n]

    def ps_env(self, emu):
        env = dict(self.env)
        env["PROJSYNC_ENDPOINT"] = emu.url
        return env

    def apply(self, emu, inv, extra=()):
        """One measured `apply --auto-approve` from an empty account."""
        emu.reset()
        before = emu.stats()
        wall, rss, _ = run([self.ps, "-q", "-f", inv, "apply", "--auto-approve"]
                           + list(extra), env=self.ps_env(emu))
        d = stat_diff(before, emu.stats())
        if d["projects"] != N:
            raise SystemExit("bench: apply left %s projects, expected %d"
                             % (d["projects"], N))
        return wall, rss, d

    # -- 1. plan of 1,000 live projects --
    def sec_plan(self):
        L = self.a.latency_ms
        inv = self.inventory(N)
        res = {"latency_ms": L, "projects": N,
               "expected_requests": math.ceil((N + 1) / PAGE),
               "load_before": loadavg()}
        cmd = [self.ps, "-q", "-f", inv, "plan", "--detailed-exitcode"]
        for lat, key in ((0, "zero_latency"), (L, "latency")):
            with Emulator(self.emu, ["--latency-ms", str(lat)], self.work) as emu:
                self.apply(emu, inv)            # seed the 1,000 projects
                walls, rsss, reqs = [], [], []
                run(cmd, env=self.ps_env(emu))  # warm the page cache
                for _ in range(self.a.runs * 2):
                    before = emu.stats()
                    w, r, rc = run(cmd, env=self.ps_env(emu), check=False)
                    if rc != 0:
                        raise SystemExit("bench: plan of the seeded account "
                                         "exited %d (expected 0: no changes)" % rc)
                    d = stat_diff(before, emu.stats())
                    walls.append(w)
                    rsss.append(r)
                    reqs.append(d)
                res[key] = {"wall_s": summary(walls), "max_rss_kib": max(rsss),
                            "requests": sorted({x["total"] for x in reqs}),
                            "list_requests": sorted({x["list"] for x in reqs}),
                            "writes": sum(x["writes"] for x in reqs)}
        res["load_after"] = loadavg()
        m = res["latency"]["wall_s"]["median"]
        t0 = res["zero_latency"]["wall_s"]["median"]
        rt = res["expected_requests"] * L / 1000
        res["ideal_s"] = rt
        res["ideal_plus_local_s"] = rt + t0
        res["ratio"] = m / rt
        res["ratio_vs_ideal_plus_local"] = m / (rt + t0)
        res["ok"] = {
            "requests": res["latency"]["requests"] == [res["expected_requests"]]
            and res["zero_latency"]["requests"] == [res["expected_requests"]],
            "no_writes": res["latency"]["writes"] == 0,
            "time": res["ratio"] <= 1.2,
            "memory": max(res["latency"]["max_rss_kib"],
                          res["zero_latency"]["max_rss_kib"]) < 20 * 1024,
        }
        self.results["plan"] = res

    # -- 2a. apply of 1,000 creates at latency L --
    def sec_apply(self):
        L = self.a.latency_ms
        inv = self.inventory(N)
        res = {"latency_ms": L, "creates": N, "parallelism": PARALLELISM,
               "load_before": loadavg()}
        with Emulator(self.emu, ["--latency-ms", str(L)], self.work) as emu:
            walls, rsss, ds = [], [], []
            for _ in range(self.a.runs):
                w, r, d = self.apply(emu, inv)
                walls.append(w)
                rsss.append(r)
                ds.append(d)
            # not a target: does wall time keep falling past the
            # default?  (it would not if the client or the emulator
            # serialized somewhere)
            res["scaling"] = {}
            for p in (32, 64):
                ws = [self.apply(emu, inv, ["--parallelism", str(p)])[0]
                      for _ in range(self.a.runs)]
                res["scaling"][str(p)] = {"wall_s": summary(ws),
                                          "ideal_s": N * L / 1000 / p,
                                          "ratio": median(ws) / (N * L / 1000 / p)}
        res["load_after"] = loadavg()
        res["wall_s"] = summary(walls)
        res["max_rss_kib"] = max(rsss)
        res["requests"] = ds
        res["ideal_s"] = N * L / 1000 / PARALLELISM
        res["ratio"] = res["wall_s"]["median"] / res["ideal_s"]
        # mean requests in flight: creates x latency / wall (an upper
        # bound on what the client kept busy, latency dominating)
        res["effective_parallelism"] = N * L / 1000 / res["wall_s"]["median"]
        res["ok"] = {"time": res["ratio"] <= 1.3,
                     "exact_creates": all(d["create"] == N for d in ds)}
        self.results["apply"] = res

    # -- 2b. apply of 1,000 creates under a server rate limit --
    def sec_ratelimit(self):
        inv = self.inventory(N)
        out = []
        for rate, lat, headline in ((self.a.rate, 0, True), (self.a.rate, 25, False),
                                    (self.a.rate // 2, 0, False)):
            res = {"rate_limit": rate, "latency_ms": lat, "headline": headline,
                   "load_before": loadavg()}
            with Emulator(self.emu, ["--rate-limit", str(rate), "--latency-ms",
                                     str(lat)], self.work) as emu:
                walls, ds = [], []
                for _ in range(self.a.runs):
                    w, _, d = self.apply(emu, inv)
                    walls.append(w)
                    ds.append(d)
            res["load_after"] = loadavg()
            res["wall_s"] = summary(walls)
            res["requests"] = ds
            share = [d["429"] / d["total"] for d in ds]
            res["share_429"] = summary(share)
            res["ideal_s"] = N / rate
            # the emulator's bucket starts full (one second of requests),
            # so the server itself allows (N + 1 - R) / R: list + creates
            res["server_floor_s"] = max(0.0, (N + 1 - rate) / rate)
            res["ratio"] = res["wall_s"]["median"] / res["ideal_s"]
            res["ok"] = {"time": res["ratio"] <= 1.15,
                         "share_429": median(share) < 0.05}
            # the target is judged on medians like every other figure;
            # the worst run is kept and shown (min-max column)
            out.append(res)
        self.results["ratelimit"] = out

    # -- 2c. apply of 200 creates under random 429s (not a rate limit) --
    def sec_storm(self):
        n = STORM_N
        inv = self.inventory(n)
        L = self.a.latency_ms
        out = []
        for q in (0.3, 0.5, 0.7):
            res = {"fault_429": q, "creates": n, "latency_ms": L,
                   "load_before": loadavg()}
            with Emulator(self.emu, ["--fault-429", str(q), "--latency-ms", str(L)],
                          self.work) as emu:
                walls, ds, rcs = [], [], []
                for _ in range(self.a.runs):
                    emu.reset()
                    before = emu.stats()
                    w, _, rc = run(["timeout", str(STORM_TIMEOUT_S), self.ps, "-q", "-f",
                                    inv, "apply", "--auto-approve"],
                                   env=self.ps_env(emu), check=False)
                    walls.append(w)
                    rcs.append(rc)
                    ds.append(stat_diff(before, emu.stats()))
            res["load_after"] = loadavg()
            res["wall_s"] = summary(walls)
            res["exit"] = rcs
            res["requests"] = ds
            res["share_429"] = summary([d["429"] / d["total"] for d in ds])
            # every 429 carries Retry-After: 1, so a run that never stalls
            # takes about as many seconds as the longest chain of 429s one
            # of its n creates meets: log(n) / log(1/q)
            res["chain_s"] = math.log(n) / math.log(1 / q)
            res["ratio"] = res["wall_s"]["median"] / res["chain_s"]
            res["ok"] = {"all_created": all(d["projects"] == n for d in ds)
                         and all(rc == 0 for rc in rcs),
                         "no_stall": res["ratio"] <= 3}
            out.append(res)
        self.results["storm"] = out

    # -- 3. validate and lint, 1k .. 100k projects --
    def sec_offline(self):
        sizes = [1000, 10000, 30000, 100000]
        res = {"sizes": {}, "load_before": loadavg(),
               "timer": "hyperfine" if self.a.hyperfine else "bench"}
        for n in sizes:
            inv = self.inventory(n)
            row = {}
            for cmd in ("validate", "lint"):
                argv = [self.ps, "-q", "-f", inv, cmd]
                runs = self.a.runs * (10 if n <= 1000 else 2 if n <= 30000 else 1)
                walls = self.time_offline(argv, runs)
                rss = max(run(argv, env=self.env)[1] for _ in range(2))
                row[cmd] = {"wall_s": summary(walls), "max_rss_kib": rss}
            row["sum_s"] = row["validate"]["wall_s"]["median"] + \
                row["lint"]["wall_s"]["median"]
            res["sizes"][str(n)] = row
        # process start alone: `projsync version` loads the same shared
        # libraries (libcurl's and libgit2's trees) and does nothing else
        res["startup_s"] = summary(self.time_offline([self.ps, "version"],
                                                     self.a.runs * 10))
        res["load_after"] = loadavg()
        # linear growth: time per project at 10k, 30k and 100k, and the
        # least-squares slope/intercept of the validate+lint sum
        xs = [n for n in sizes if n >= 10000]
        ys = [res["sizes"][str(n)]["sum_s"] for n in xs]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / \
            sum((x - mx) ** 2 for x in xs)
        icpt = my - slope * mx
        ss_res = sum((y - (icpt + slope * x)) ** 2 for x, y in zip(xs, ys))
        ss_tot = sum((y - my) ** 2 for y in ys)
        res["linear_fit"] = {"us_per_project": slope * 1e6, "intercept_s": icpt,
                             "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
                             "us_per_project_at": {str(x): y / x * 1e6
                                                   for x, y in zip(xs, ys)}}
        s1k, s100k = res["sizes"]["1000"], res["sizes"]["100000"]
        rss100k = max(s100k["validate"]["max_rss_kib"], s100k["lint"]["max_rss_kib"])
        res["ok"] = {"1k_time": s1k["sum_s"] < 0.020,
                     "100k_time": s100k["sum_s"] < 2.0,
                     "100k_memory": rss100k < 200 * 1024,
                     "linear": res["linear_fit"]["r2"] > 0.98}
        self.results["offline"] = res

    def time_offline(self, argv, runs):
        """Wall times of an offline command: hyperfine (-N, no shell) when
        present, which subtracts nothing and spawns directly; else our own
        loop after one warm-up."""
        if self.a.hyperfine:
            js = os.path.join(self.work, "hf.json")
            subprocess.run([self.a.hyperfine, "-N", "--style", "none", "--warmup", "2",
                            "--runs", str(max(runs, 3)), "--export-json", js,
                            " ".join(argv)], env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(js) as f:
                return json.load(f)["results"][0]["times"]
        run(argv, env=self.env)
        return [run(argv, env=self.env)[0] for _ in range(runs)]

    # -- 4. side by side with the naive serial script --
    def sec_naive(self):
        L = self.a.latency_ms
        res = {"latency_ms": L, "creates": N, "load_before": loadavg()}
        env = dict(self.env)
        env["OPENAI_API_KEY"] = "test-key"
        with Emulator(self.emu, ["--latency-ms", str(L)], self.work) as emu:
            walls, ps_walls = [], []
            for _ in range(self.a.naive_runs):
                emu.reset()
                w, _, _ = run([sys.executable, os.path.join(HERE, "naive_create.py"),
                               emu.url, str(N)], env=env)
                if emu.stats().get("projects") != N:
                    raise SystemExit("bench: the naive script did not create %d" % N)
                walls.append(w)
                # projsync right after, on the same emulator, same conditions
                ps_walls.append(self.apply(emu, self.inventory(N))[0])
        res["load_after"] = loadavg()
        res["naive_wall_s"] = summary(walls)
        res["projsync_wall_s"] = summary(ps_walls)
        res["naive_ideal_s"] = N * L / 1000
        res["speedup"] = res["naive_wall_s"]["median"] / res["projsync_wall_s"]["median"]
        res["ok"] = {"speedup": res["speedup"] >= 10}
        self.results["naive"] = res

    # -- not a target: the same apply and plan over HTTPS --
    def sec_tls(self):
        """The emulator (libmicrohttpd) speaks HTTP/1.1 only, so over TLS
        every create pays a fresh handshake (creates never reuse an
        HTTP/1.1 connection, docs/architecture.md, Apply semantics).  This shows that cost;
        a real endpoint offering HTTP/2 lets creates share connections."""
        L = self.a.latency_ms
        inv = self.inventory(N)
        cert, key = (os.path.join(self.work, x) for x in ("cert.pem", "key.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        res = {"latency_ms": L, "load_before": loadavg()}
        with Emulator(self.emu, ["--latency-ms", str(L), "--tls-cert", cert,
                                 "--tls-key", key], self.work, cafile=cert) as emu:
            walls, pwalls, rss = [], [], 0
            for _ in range(self.a.runs):
                w, r, _ = self.apply(emu, inv, ["--cacert", cert])
                walls.append(w)
                rss = max(rss, r)
                w, r, _ = run([self.ps, "-q", "--cacert", cert, "-f", inv, "plan"],
                              env=self.ps_env(emu))
                pwalls.append(w)
                rss = max(rss, r)
        res["load_after"] = loadavg()
        res["apply_wall_s"] = summary(walls)
        res["apply_ratio"] = median(walls) / (N * L / 1000 / PARALLELISM)
        res["plan_wall_s"] = summary(pwalls)
        res["plan_ratio"] = median(pwalls) / (math.ceil((N + 1) / PAGE) * L / 1000)
        res["max_rss_kib"] = rss
        self.results["tls"] = res

    # -- diagnostics: connections opened (strace), not timed --
    def sec_diag(self):
        strace = shutil.which("strace")
        if not strace:
            self.results["diag"] = {"skipped": "strace not installed"}
            return
        res = {}
        inv = self.inventory(N)
        with Emulator(self.emu, ["--latency-ms", "0"], self.work) as emu:
            for what, argv in (("apply", ["apply", "--auto-approve"]),
                               ("plan", ["plan"])):
                if what == "apply":
                    emu.reset()
                tr = os.path.join(self.work, "strace-%s" % what)
                run([strace, "-f", "-qq", "-e", "trace=connect", "-o", tr,
                     self.ps, "-q", "-f", inv] + argv, env=self.ps_env(emu),
                    check=False)
                with open(tr) as f:
                    res[what + "_tcp_connects"] = sum(
                        1 for ln in f if "connect(" in ln and "AF_INET" in ln)
        self.results["diag"] = res

    def machine(self):
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                for ln in f:
                    if ln.startswith("model name"):
                        cpu = ln.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem = None
        try:
            with open("/proc/meminfo") as f:
                mem = int(f.readline().split()[1]) // 1024
        except (OSError, ValueError, IndexError):
            pass
        ver = subprocess.run([self.ps, "--version"], capture_output=True, text=True).stdout
        git = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        return {"cpus": os.cpu_count(), "cpu": cpu, "mem_mib": mem,
                "kernel": platform.release(), "python": platform.python_version(),
                "projsync_version": ver.strip(), "git_commit": git,
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "loadavg_start": loadavg()}


def ms(x):
    return "%.0f ms" % (x * 1e3) if x < 10 else "%.1f s" % x


def rng(sm, f=ms):
    """The spread of a summary: min-max."""
    lo, hi = f(sm["min"]).split(), f(sm["max"]).split()
    if sm["n"] < 2:
        return ""
    if lo[1:] == hi[1:]:
        return "%s-%s" % (lo[0], " ".join(hi))
    return "%s-%s" % (" ".join(lo), " ".join(hi))


def secs(x):
    return "%.2f s" % x


def table(r):
    """The results as a plain-text table: median, spread, target, ratio."""
    rows = []

    def add(name, measured, spread, target, ratio, ok):
        st = "" if ok is None else "ok" if ok else "MISS"
        rows.append((name, measured, spread, target, ratio, st))

    if "plan" in r:
        p = r["plan"]
        L, lat = p["latency_ms"], p["latency"]
        add("plan 1k: HTTP requests", "%s, %d writes" % (
            "/".join(map(str, lat["requests"])), lat["writes"]), "",
            "%d, no writes" % p["expected_requests"], "",
            p["ok"]["requests"] and p["ok"]["no_writes"])
        add("plan 1k: wall @%d ms" % L, ms(lat["wall_s"]["median"]), rng(lat["wall_s"]),
            "<= 1.2 x %s" % ms(p["ideal_s"]), "%.2f x" % p["ratio"], p["ok"]["time"])
        add("  vs 11 x %d ms + the 0 ms run" % L, "", "", ms(p["ideal_plus_local_s"]),
            "%.2f x" % p["ratio_vs_ideal_plus_local"], None)
        z = p["zero_latency"]
        add("plan 1k: wall @0 ms (local work)", ms(z["wall_s"]["median"]),
            rng(z["wall_s"]), "", "", None)
        rss = max(lat["max_rss_kib"], z["max_rss_kib"])
        add("plan 1k: peak RSS", "%.1f MB" % (rss / 1024), "", "< 20 MB",
            "%.2f x" % (rss / 1024 / 20), p["ok"]["memory"])
    if "apply" in r:
        a = r["apply"]
        add("apply 1k creates @%d ms, P=16" % a["latency_ms"], secs(a["wall_s"]["median"]),
            rng(a["wall_s"], secs), "<= 1.3 x %.4f s" % a["ideal_s"],
            "%.2f x" % a["ratio"], a["ok"]["time"] and a["ok"]["exact_creates"])
        add("  effective parallelism", "%.1f" % a["effective_parallelism"], "", "16", "", None)
        add("apply 1k: peak RSS", "%.1f MB" % (a["max_rss_kib"] / 1024), "", "", "", None)
        for par, x in a.get("scaling", {}).items():
            add("  same, --parallelism %s" % par, secs(x["wall_s"]["median"]),
                rng(x["wall_s"], secs), "(ideal %.3f s)" % x["ideal_s"],
                "%.2f x" % x["ratio"], None)
    for x in r.get("ratelimit", []):
        add("apply 1k @%d req/s, %d ms" % (x["rate_limit"], x["latency_ms"]),
            secs(x["wall_s"]["median"]), rng(x["wall_s"], secs),
            "<= 1.15 x %.1f s" % x["ideal_s"], "%.2f x" % x["ratio"], x["ok"]["time"])
        add("  vs the bucket's own floor", "", "", "(%.2f s)" % x["server_floor_s"],
            "%.2f x" % (x["wall_s"]["median"] / x["server_floor_s"]), None)
        pct = lambda v: "%.1f %%" % (v * 100)
        add("  answered 429", pct(x["share_429"]["median"]), rng(x["share_429"], pct),
            "< 5 %", "", x["ok"]["share_429"])
    for x in r.get("storm", []):
        add("apply %d creates, %d %% random 429" % (x["creates"], round(x["fault_429"] * 100)),
            secs(x["wall_s"]["median"]), rng(x["wall_s"], secs),
            "<= 3 x %.1f s" % x["chain_s"], "%.2f x" % x["ratio"],
            x["ok"]["all_created"] and x["ok"]["no_stall"])
    if "offline" in r:
        o = r["offline"]
        for n, row in o["sizes"].items():
            rss = max(row["validate"]["max_rss_kib"], row["lint"]["max_rss_kib"])
            lim = {"1000": 0.020, "100000": 2.0}.get(n)
            tgt = {"1000": "< 20 ms", "100000": "< 2 s, < 200 MB"}.get(n, "")
            v, li = row["validate"]["wall_s"], row["lint"]["wall_s"]
            add("validate + lint %dk" % (int(n) // 1000),
                "%s + %s" % (ms(v["median"]), ms(li["median"])),
                "%s, %s" % (rng(v), rng(li)), tgt,
                "%.2f x" % (row["sum_s"] / lim) if lim else "",
                (row["sum_s"] < lim) if lim else None)
            add("  peak RSS", "%.0f MB" % (rss / 1024), "", "", "",
                o["ok"]["100k_memory"] if n == "100000" else None)
            if n == "1000" and "startup_s" in o:
                add("  process start, each", ms(o["startup_s"]["median"]),
                    rng(o["startup_s"]), "(projsync version)", "", None)
        f = o["linear_fit"]
        add("  growth 10k..100k", "%.2f us/project" % f["us_per_project"],
            "R2 %.4f" % f["r2"], "linear", "", o["ok"]["linear"])
    if "naive" in r:
        n = r["naive"]
        add("naive serial script @%d ms" % n["latency_ms"], secs(n["naive_wall_s"]["median"]),
            rng(n["naive_wall_s"], secs), "", "", None)
        add("  projsync apply, same emulator", secs(n["projsync_wall_s"]["median"]),
            rng(n["projsync_wall_s"], secs), "", "", None)
        add("  speed-up", "%.1f x" % n["speedup"], "", ">= 10 x", "", n["ok"]["speedup"])
    if "tls" in r:
        t = r["tls"]
        add("(HTTPS) apply 1k @%d ms" % t["latency_ms"], secs(t["apply_wall_s"]["median"]),
            rng(t["apply_wall_s"], secs), "(not a target)", "%.2f x" % t["apply_ratio"], None)
        add("(HTTPS) plan 1k @%d ms" % t["latency_ms"], ms(t["plan_wall_s"]["median"]),
            rng(t["plan_wall_s"]), "(not a target)", "%.2f x" % t["plan_ratio"], None)
    if "diag" in r and "plan_tcp_connects" in r["diag"]:
        d = r["diag"]
        add("TCP connects: plan / apply", "%d / %d" % (d["plan_tcp_connects"],
                                                     d["apply_tcp_connects"]),
            "", "", "", None)
    head = ("measurement", "median", "min-max", "target", "ratio", "")
    w = [max(len(str(row[i])) for row in rows + [head]) for i in range(6)]
    return "\n".join("  ".join(str(c).ljust(w[i]) for i, c in enumerate(row)).rstrip()
                     for row in [head] + rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projsync", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-runs", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=25)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--only", default="plan,apply,ratelimit,storm,offline,naive,tls,diag")
    ap.add_argument("--hyperfine", default=shutil.which("hyperfine"))
    a = ap.parse_args()
    sections = [x.strip() for x in a.only.split(",") if x.strip()]
    for sec in sections:
        if not hasattr(Bench, "sec_" + sec):
            ap.error("unknown section '%s'" % sec)
    os.makedirs(a.out, exist_ok=True)
    b = Bench(a)
    doc = {"machine": b.machine(),
           "params": {"runs": a.runs, "naive_runs": a.naive_runs,
                      "latency_ms": a.latency_ms, "rate_limit": a.rate,
                      "projects": N, "parallelism": PARALLELISM}}
    try:
        for sec in sections:
            fn = getattr(b, "sec_" + sec)
            log("%s ..." % sec)
            t0 = time.perf_counter()
            fn()
            log("%s done in %.1f s" % (sec, time.perf_counter() - t0))
    finally:
        shutil.rmtree(b.work, ignore_errors=True)
    doc.update(b.results)
    doc["machine"]["loadavg_end"] = loadavg()
    doc["all_ok"] = all(all(v for v in x["ok"].values())
                        for k, s in b.results.items()
                        for x in (s if isinstance(s, list) else [s]) if "ok" in x)
    path = os.path.join(a.out, "results.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(table(b.results))
    print("\nload average start %s, end %s; %d CPUs; results: %s" % (
        doc["machine"]["loadavg_start"], doc["machine"]["loadavg_end"],
        doc["machine"]["cpus"], path))
    return 0 if doc["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
