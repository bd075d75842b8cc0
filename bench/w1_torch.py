#!/usr/bin/env python3
"""PyTorch (CPU, float32) version of workload W1, written as a PyTorch user would write it
(nn.Linear layers, autograd, torch.optim.SGD), timed the way `nn-bench` times the Swift side.
Optional: when `import torch` fails it prints {"skipped": "..."} and exits 0.

    python3 bench/w1_torch.py [--epochs N] [--evals N] [--threads N] [--data DIR]
                              [--rule batch-mean|per-sample] [--samples N]

Prints the same JSON keys as w1_numpy.py and nn-bench.
"""

import json
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

    def train(lo, hi):
        xb, yb = x[lo:hi], y[lo:hi]
        if not per_sample:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            return float(loss)
        total = 0.0
        for i in range(len(xb)):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb[i:i + 1]), yb[i:i + 1])
            loss.backward()
            optimizer.step()
            total += float(loss)
        return total / len(xb)

    def evaluate_sets():
        model.eval()
        metrics = {name: evaluate(model, sx, sy) for name, sx, sy in sets}
        model.train()
        return metrics

    start = time.perf_counter()
    epoch_seconds, eval_seconds, evaluations, test_accuracy = c.timed_fit(
        len(x), args.epochs, args.evals, per_sample, train, evaluate_sets)
    w1 = time.perf_counter() - start
    print(c.result_json(epoch_seconds, eval_seconds, evaluations, w1, kernel_name(), torch.get_num_threads(),
                        test_accuracy, per_sample, len(x), args.epochs))


if __name__ == "__main__":
    main()
