#!/usr/bin/env python3
"""PyTorch (CPU, float32) version of workload W1, written as a PyTorch user would write it
(nn.Linear layers, autograd, torch.optim.SGD), timed the way `nn-bench` times the Swift side.
Optional: when `import torch` fails it prints {"skipped": "..."} and exits 0.

    python3 bench/w1_torch.py [--epochs N] [--evals N] [--threads N] [--data DIR]
                              [--rule batch-mean|per-sample] [--samples N]

Prints the same JSON keys as w1_numpy.py and nn-bench.
"""

import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import w1_common as c  # noqa: E402

ARGS = c.parse_args("PyTorch CPU version of workload W1")
c.set_thread_env(ARGS.threads)

try:
    import torch  # noqa: E402
    from torch import nn  # noqa: E402
    import torch.nn.functional as F  # noqa: E402
except ImportError as error:  # torch is optional; it is never installed by bench/
    print(json.dumps({"skipped": f"torch not importable: {error}"}))
    sys.exit(0)


def kernel_name():
    blas = "?"
    for item in torch.__config__.show().replace("\n", ",").split(","):
        item = item.strip()
        if item.startswith("BLAS_INFO="):
            blas = item.split("=", 1)[1]
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        capability = "?"
    return f"torch {torch.__version__}: BLAS {blas}, CPU capability {capability}"


def evaluate(model, x, y):
    loss, correct = 0.0, 0
    with torch.inference_mode():
        for lo in range(0, len(x), c.EVAL_CHUNK):
            xb, yb = x[lo:lo + c.EVAL_CHUNK], y[lo:lo + c.EVAL_CHUNK]
            z = model(xb)
            loss += float(F.cross_entropy(z, yb, reduction="sum"))
            correct += int((z.argmax(dim=1) == yb).sum())
    return loss / len(x), correct / len(x)


def main():
    args = ARGS
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    sets = [(name, torch.from_numpy(x), torch.from_numpy(y)) for name, x, y in c.w1_sets(args.data, args.seed)]
    _, x, y = sets[0]
    if args.samples is not None:
        x, y = x[:args.samples], y[:args.samples]

    model = nn.Sequential(nn.Linear(c.INPUTS, c.HIDDEN), nn.Sigmoid(), nn.Linear(c.HIDDEN, c.CLASSES))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-1, 1)
    per_sample = args.rule == "per-sample"
    lr = c.LEARNING_RATE / c.BATCH if per_sample else c.LEARNING_RATE
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    n = len(x)
    batches = -(-n // c.BATCH)
    epoch_seconds, eval_seconds, evaluations, test_accuracy = [], 0.0, 0, -1.0
    start = time.perf_counter()
    diverged = False
    for _epoch in range(args.epochs):
        after = set() if per_sample else c.evaluate_after(batches, args.evals)
        training = 0.0
        t0 = time.perf_counter()
        for b in range(batches):
            lo = b * c.BATCH
            xb, yb = x[lo:lo + c.BATCH], y[lo:lo + c.BATCH]
            if per_sample:
                total = 0.0
                for i in range(len(xb)):
                    optimizer.zero_grad()
                    loss = F.cross_entropy(model(xb[i:i + 1]), yb[i:i + 1])
                    loss.backward()
                    optimizer.step()
                    total += float(loss)
                batch_loss = total / len(xb)
            else:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                optimizer.step()
                batch_loss = float(loss)
            if not math.isfinite(batch_loss):
                diverged = True
                break
            if b + 1 in after:
                training += time.perf_counter() - t0
                e0 = time.perf_counter()
                model.eval()
                metrics = {name: evaluate(model, sx, sy) for name, sx, sy in sets}
                model.train()
                eval_seconds += time.perf_counter() - e0
                evaluations += 1
                test_accuracy = metrics["test"][1]
                t0 = time.perf_counter()
        training += time.perf_counter() - t0
        epoch_seconds.append(training)
        if diverged:
            break
    w1 = time.perf_counter() - start

    trained = sum(epoch_seconds)
    print(json.dumps({
        "train_epoch_s": epoch_seconds,
        "eval_pass_s": eval_seconds / evaluations if evaluations else 0,
        "evaluations": evaluations,
        "w1_s": w1,
        "kernel": kernel_name(),
        "threads": torch.get_num_threads(),
        "final_test_accuracy": test_accuracy,
        "samples_per_s": n * args.epochs / trained if per_sample and trained > 0 else 0,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
