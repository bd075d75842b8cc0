#!/usr/bin/env python3
"""The benchmark: Swift (`nn-bench`) against the NumPy reference (and PyTorch when it is
importable) on workload W1, interleaved A B A B, medians, FLOP accounting against the
measured SGEMM peak, the per-sample rule, and debug against release. Writes the tables
to bench/RESULTS.md and prints them.

    python3 bench/run.py                      # defaults: 3 pairs, 1 thread, full W1
    python3 bench/run.py --epochs 1 --evals 2 --pairs 1 --debug-epochs 1   # smoke test

Run it on a quiet machine: every other process on the cores shows up in the numbers
(the script records the load average before and after).
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import w1_common as c  # noqa: E402

BENCH = c.HERE
REPO = c.REPO
RELEASE = os.path.join(REPO, ".build", "release", "nn-bench")
DEBUG = os.path.join(REPO, ".build", "debug", "nn-bench")
# Variables that steer OpenBLAS's kernel choice: the Swift side honours them (and some
# machines set them for it); numpy and torch bring their own OpenBLAS, so they run without.
PYTHON_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def parse_args():
    p = argparse.ArgumentParser(description="Swift vs NumPy on workload W1 (see bench/README.md)")
    p.add_argument("--pairs", type=int, default=3, help="interleaved Swift/NumPy runs of W1 (>= 3 for a report)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads on every side")
    p.add_argument("--epochs", type=int, default=15, help="W1 epochs (15 is W1)")
    p.add_argument("--evals", type=int, default=20, help="evaluations per epoch (20 is W1)")
    p.add_argument("--ps-epochs", type=int, default=1, help="epochs of the per-sample timing")
    p.add_argument("--ps-samples", type=int, default=20000, help="samples of the per-sample timing")
    p.add_argument("--ps-pairs", type=int, default=None, help="per-sample pairs (default: --pairs)")
    p.add_argument("--debug-epochs", type=int, default=3, help="epochs of the debug-vs-release W1")
    p.add_argument("--debug-pairs", type=int, default=None, help="debug/release pairs (default: --pairs)")
    p.add_argument("--gemm-size", type=int, default=2048)
    p.add_argument("--gemm-repeats", type=int, default=10)
    p.add_argument("--torch", choices=("auto", "on", "off"), default="auto",
                   help="include bench/w1_torch.py (auto: when `import torch` works)")
    p.add_argument("--no-build", action="store_true", help="use the binaries already in .build/")
    p.add_argument("--profile", choices=("auto", "on", "off"), default="auto",
                   help="perf profile of nn-bench (2 epochs, 20 evaluations each) into RESULTS.md; auto: when perf works")
    p.add_argument("--output", default=os.path.join(BENCH, "RESULTS.md"))
    args = p.parse_args()
    if args.pairs < 1:
        p.error("--pairs must be >= 1")
    args.ps_pairs = args.ps_pairs or args.pairs
    args.debug_pairs = args.debug_pairs or args.pairs
    return args


def log(message):
    print(message, file=sys.stderr, flush=True)


def environment(python):
    env = dict(os.environ)
    if python:
        for name in PYTHON_UNSET:
            env.pop(name, None)
    return env


def run_json(command, python, threads):
    """Runs one benchmark process from the repository root; returns its JSON line."""
    env = environment(python)
    for name in c.THREAD_VARIABLES:
        env[name] = str(threads)
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {shlex.join(command)}\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"no JSON from {shlex.join(command)}:\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1])
    result["process_wall_s"] = wall
    shown = [os.path.relpath(a, REPO) if os.path.isabs(a) else a for a in command if a != sys.executable]
    if "gflops" in result:
        summary = f"{result['gflops']:.1f} GFLOP/s"
    else:
        summary = f"{result.get('w1_s', 0):.3f} s" + (f", {result['samples_per_s']:.0f} samples/s"
                                                     if result.get("samples_per_s") else "")
    log(f"  {' '.join(shown)}: {summary}")
    return result


def shell(command):
    try:
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, shell=True).stdout.strip()
    except OSError:
        return ""


# Where the time goes: perf's symbols, grouped the way the issue asks.
PROFILE_GROUPS = [
    ("GEMM (PanelGEMM tiles with their fused activation; OpenBLAS kernels and packing)", ("gemm_avx512", "gemm_block", "gemm_wide", "ck_gemm", "pack_panels",
                                                                                       "sgemm", "sgemv", "dgemm", "blas")),
    ("elementwise (activations, derivatives, SGD, bias sums)",
     ("sigmoid", "tanh", "ck_exp", "activate", "SGD", "multiplyByDerivative", "multiply_by_derivative", "sumColumns",
      "Kernels5apply", "Dropout")),
    ("softmax and loss", ("softmax", "cross_entropy", "crossEntropy", "logf", "expf")),
    ("copying (batches, memmove)", ("memmove", "memcpy", "gatheringRows", "update(from")),
]


def profile(threads):
    """perf record of a short nn-bench run; returns Markdown (or None when perf is unusable)."""
    data = "/tmp/nn-bench-perf.data"
    command = ["perf", "record", "-q", "-o", data, RELEASE, "--epochs", "2", "--evals", "20",
               "--threads", str(threads)]
    env = environment(False)
    for name in c.THREAD_VARIABLES:
        env[name] = str(threads)
    try:
        if subprocess.run(command, cwd=REPO, env=env, capture_output=True).returncode != 0:
            return None
        report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--sort", "symbol"],
                                capture_output=True, text=True).stdout
    except OSError:
        return None
    shares, top = {}, []
    for line in report.splitlines():
        parts = line.split()
        if len(parts) < 3 or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        share = float(parts[0].rstrip("%"))
        while len(parts) > 3 and parts[-1] == "-":  # perf's empty extra columns
            parts.pop()
        symbol = " ".join(parts[2:])
        group = next((g for g, keys in PROFILE_GROUPS if any(k in symbol for k in keys)), "other (data loading, kernel, runtime)")
        shares[group] = shares.get(group, 0) + share
        if len(top) < 8:
            top.append((share, symbol[:90]))
    order = [g for g, _ in PROFILE_GROUPS] + ["other (data loading, kernel, runtime)"]
    rows = [[g, f"{shares.get(g, 0):.1f} %"] for g in order]
    text = table(["share of cycles (perf, nn-bench --epochs 2 --evals 20, data loading included)", "share"], rows)
    text += "\n\nTop symbols:\n\n" + table(["symbol", "share"], [[f"`{sym}`", f"{sh:.1f} %"] for sh, sym in top])
    return text


def build(args):
    for configuration in ("release", "debug"):
        command = ["swift", "build", "-c", configuration, "--product", "nn-bench"]
        log(f"$ {shlex.join(command)}")
        if subprocess.run(command, cwd=REPO).returncode != 0:
            raise SystemExit(f"build failed: {shlex.join(command)}")


def torch_available():
    done = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, env=environment(True))
    return done.returncode == 0


def median(values):
    return statistics.median(values) if values else float("nan")


def plural(n, word):
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def fmt(x, digits=3):
    if x is None or x != x:
        return "n/a"
    if x == 0:
        return "0"
    magnitude = abs(x)
    if magnitude >= 100:
        return f"{x:,.0f}"
    if magnitude >= 10:
        return f"{x:.1f}"
    if magnitude >= 1:
        return f"{x:.2f}"
    return f"{x:.{digits}g}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    args = parse_args()
    started = time.time()
    load_before = os.getloadavg()
    if not args.no_build:
        build(args)
    for binary in (RELEASE, DEBUG):
        if not os.path.exists(binary):
            raise SystemExit(f"missing {binary}: run without --no-build")

    use_torch = args.torch == "on" or (args.torch == "auto" and torch_available())
    py = sys.executable
    w1_flags = ["--epochs", str(args.epochs), "--evals", str(args.evals), "--threads", str(args.threads)]
    ps_flags = ["--rule", "per-sample", "--epochs", str(args.ps_epochs), "--samples", str(args.ps_samples),
                "--threads", str(args.threads)]
    sides = [("Swift", [RELEASE], False), ("NumPy", [py, os.path.join(BENCH, "w1_numpy.py")], True)]
    if use_torch:
        sides.append(("PyTorch", [py, os.path.join(BENCH, "w1_torch.py")], True))
    names = [name for name, _, _ in sides]

    # 1. W1, interleaved: Swift NumPy [PyTorch], Swift NumPy [PyTorch], ...
    w1 = {name: [] for name in names}
    for pair in range(args.pairs):
        log(f"W1 round {pair + 1}/{args.pairs}")
        for name, command, python in sides:
            w1[name].append(run_json(command + w1_flags, python, args.threads))
    for name in list(names):
        if any("skipped" in r for r in w1[name]):
            log(f"{name} skipped: {w1[name][0].get('skipped')}")
            names.remove(name)
            sides = [s for s in sides if s[0] != name]

    # 2. The per-sample rule, interleaved.
    per_sample = {name: [] for name in names}
    for pair in range(args.ps_pairs):
        log(f"per-sample round {pair + 1}/{args.ps_pairs}")
        for name, command, python in sides:
            per_sample[name].append(run_json(command + ps_flags, python, args.threads))

    # 3. Debug against release, interleaved.
    dbg_flags = ["--epochs", str(args.debug_epochs), "--evals", str(args.evals), "--threads", str(args.threads)]
    debug = {"release": [], "debug": []}
    for pair in range(args.debug_pairs):
        log(f"debug/release round {pair + 1}/{args.debug_pairs}")
        debug["release"].append(run_json([RELEASE] + dbg_flags, False, args.threads))
        debug["debug"].append(run_json([DEBUG] + dbg_flags, False, args.threads))

    # 4. SGEMM peak of each side's BLAS on this machine, same thread count.
    swift_kernel = w1["Swift"][0]["kernel"]
    gemm = ["--threads", str(args.threads), "--size", str(args.gemm_size), "--repeats", str(args.gemm_repeats)]
    log("SGEMM peak")
    peak = {"Swift": run_json([py, os.path.join(BENCH, "gemm_peak.py"), "--lib", "system",
                               "--coretype", swift_kernel] + gemm, False, args.threads),
            "NumPy": run_json([py, os.path.join(BENCH, "gemm_peak.py"), "--lib", "numpy"] + gemm, True, args.threads)}
    if "PyTorch" in names:
        peak["PyTorch"] = None  # torch's BLAS is not measured separately; see the NumPy peak
    profile_text = None
    if args.profile != "off":
        log("perf profile")
        profile_text = profile(args.threads)
        if profile_text is None and args.profile == "on":
            raise SystemExit("perf record failed (is perf installed and permitted?)")
    load_after = os.getloadavg()

    # ---- numbers ----
    def med(name, f, runs=w1):
        return median([f(r) for r in runs[name]])

    samples = c.TRAIN_SIZE
    epoch_s = {n: med(n, lambda r: sum(r["train_epoch_s"]) / max(len(r["train_epoch_s"]), 1)) for n in names}
    eval_s = {n: med(n, lambda r: r["eval_pass_s"]) for n in names}
    total_s = {n: med(n, lambda r: r["w1_s"]) for n in names}
    evaluations = {n: w1[n][0]["evaluations"] for n in names}
    mismatch = "" if len(set(evaluations.values())) == 1 else \
        f"**Warning: the sides ran different numbers of evaluations: {evaluations}.**"
    if mismatch:
        log(mismatch)
    train_flops, eval_flops = c.w1_flops(args.epochs, evaluations["Swift"], samples)
    flops = train_flops + eval_flops
    train_flops_epoch = samples * c.training_flops_per_sample()
    eval_flops_pass = c.evaluation_flops_per_pass()

    def speedup(values, n):
        return values[n] / values["Swift"] if values["Swift"] else float("nan")

    others = [n for n in names if n != "Swift"]
    header = ["W1 (median of %d)" % args.pairs] + names + [f"{n}/Swift" for n in others]
    rows = []

    def add(label, values, ratio=True):
        rows.append([label] + [fmt(values[n]) for n in names]
                    + [(fmt(speedup(values, n)) + "x") if ratio else "" for n in others])

    add("training s per epoch", epoch_s)
    add("evaluation s per pass (70,000 images)", eval_s)
    add(f"W1 s ({plural(args.epochs, 'epoch')}, {plural(evaluations['Swift'], 'evaluation')})", total_s)
    rows.append(["final test accuracy"] + [fmt(med(n, lambda r: r["final_test_accuracy"]), 4) for n in names]
                + ["" for _ in others])
    gf = lambda f, s: f / s / 1e9 if s else float("nan")  # noqa: E731
    rows.append(["training GFLOP/s"] + [fmt(gf(train_flops_epoch, epoch_s[n])) for n in names] + ["" for _ in others])
    rows.append(["evaluation GFLOP/s"] + [fmt(gf(eval_flops_pass, eval_s[n])) for n in names] + ["" for _ in others])
    rows.append(["W1 GFLOP/s"] + [fmt(gf(flops, total_s[n])) for n in names] + ["" for _ in others])
    peak_gf = {n: (peak[n]["gflops"] if peak.get(n) else peak["NumPy"]["gflops"]) for n in names}
    rows.append([f"SGEMM peak GFLOP/s ({args.gemm_size}^3, its BLAS)"] + [fmt(peak_gf[n]) for n in names]
                + ["" for _ in others])
    limit = {n: flops / (peak_gf[n] * 1e9) for n in names}
    rows.append(["limit s for W1 (FLOPs / peak)"] + [fmt(limit[n]) for n in names] + ["" for _ in others])
    rows.append(["W1 / limit"] + [fmt(total_s[n] / limit[n]) + "x" for n in names] + ["" for _ in others])
    rows.append(["fraction of peak"] + [f"{100 * limit[n] / total_s[n]:.0f}%" for n in names] + ["" for _ in others])
    w1_table = table(header, rows)

    ps_rate = {n: median([r["samples_per_s"] for r in per_sample[n]]) for n in names}
    ps_rows = [["samples/s"] + [fmt(ps_rate[n]) for n in names]
               + [fmt(ps_rate["Swift"] / ps_rate[n]) + "x" if ps_rate[n] else "n/a" for n in others]]
    ps_table = table([f"per-sample rule (median of {args.ps_pairs}; {plural(args.ps_epochs, 'epoch')} x "
                      f"{plural(args.ps_samples, 'sample')})"] + names + [f"Swift/{n}" for n in others], ps_rows)

    rel = median([r["w1_s"] for r in debug["release"]])
    dbg = median([r["w1_s"] for r in debug["debug"]])
    ratio = dbg / rel
    debug_table = table([f"W1 with {plural(args.debug_epochs, 'epoch')} (median of {args.debug_pairs})", "release", "debug",
                         "debug/release"],
                        [["seconds", fmt(rel), fmt(dbg), fmt(ratio) + "x " + ("(within 1.2x)" if ratio <= 1.2
                                                                             else "(OVER the 1.2x target)")]])

    kernels = {n: w1[n][0]["kernel"] for n in names}
    model = shell("lscpu | sed -n 's/^Model name: *//p'") or "unknown"
    raw = "\n".join(f"- {n}: W1 s " + ", ".join(fmt(r["w1_s"]) for r in w1[n])
                    + "; per-sample samples/s " + ", ".join(fmt(r["samples_per_s"]) for r in per_sample[n])
                    for n in names)
    raw += ("\n- debug/release W1 s: release " + ", ".join(fmt(r["w1_s"]) for r in debug["release"])
            + "; debug " + ", ".join(fmt(r["w1_s"]) for r in debug["debug"]))
    quick = args.epochs != 15 or args.evals != 20 or args.pairs < 3
    text = f"""# Benchmark results

Generated by `python3 bench/run.py {shlex.join(sys.argv[1:])}` (see bench/README.md).
{"**Not a W1 measurement: reduced settings (fewer epochs, evaluations or pairs than the defaults).**" if quick else ""}

- date: {shell("date -u")}
- machine: {model}, {shell("nproc")} cores (nproc), Linux {os.uname().release}
- load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}{"  **(busy machine: numbers are noisy)**" if max(load_before[0], load_after[0]) > 0.5 * (os.cpu_count() or 1) else ""}
- BLAS threads: {args.threads} on every side; runs interleaved {" ".join(names)}, {" ".join(names)}, ...
- Swift: {shell("swift --version 2>&1 | head -1")}; `nn-bench` release build; products:
  {w1["Swift"][0].get("products", "BLAS")}; BLAS kernel `{kernels["Swift"]}`
  (system OpenBLAS; SGEMM peak measured through the same library: `{peak["Swift"]["kernel"]}`)
- NumPy {shell(shlex.quote(sys.executable) + " -c 'import numpy; print(numpy.__version__)'")}: BLAS kernel `{kernels["NumPy"]}`
  (run with {" and ".join(PYTHON_UNSET)} unset)
{f"- PyTorch: `{kernels['PyTorch']}`" if "PyTorch" in names else "- PyTorch: not importable, skipped"}
- FLOPs (2mnk per GEMM): training {train_flops / 1e9:,.1f} GFLOP ({c.training_flops_per_sample():,} per sample),
  evaluation {eval_flops / 1e9:,.1f} GFLOP ({eval_flops_pass / 1e9:.3f} per pass), W1 {flops / 1e9:,.1f} GFLOP
- wall time of this benchmark: {time.time() - started:.0f} s

{mismatch}
Ratios NumPy/Swift (and PyTorch/Swift) of times are Swift's speed-up: above 1, Swift is faster.

{w1_table}

{ps_table}

{debug_table}

Raw runs:

{raw}

## Where the time goes (Swift side, this run)

{profile_text or "perf was not available; see bench/PROFILE.md for earlier profiles."}

bench/PROFILE.md keeps the profiles before and after each optimisation.
"""
    text = "\n".join(line.rstrip() for line in text.splitlines()).replace("\n\n\n", "\n\n") + "\n"
    # Keep the grid benchmark's section (bench/grid.py writes it) when rewriting the file.
    old = open(args.output).read() if os.path.exists(args.output) else ""
    begin, end = "<!-- grid:begin -->", "<!-- grid:end -->"
    if begin in old and end in old:
        text += "\n" + old[old.index(begin):old.index(end) + len(end)] + "\n"
    with open(args.output, "w") as f:
        f.write(text)
    print(text)
    log(f"wrote {os.path.relpath(args.output, REPO)}")


if __name__ == "__main__":
    main()
