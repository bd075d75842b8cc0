#!/usr/bin/env python3
"""NumPy float32 reference of workload W1, timed the way `nn-bench` times the Swift side.

    python3 bench/w1_numpy.py [--epochs N] [--evals N] [--threads N] [--data DIR]
                              [--rule batch-mean|per-sample] [--samples N]

Prints one JSON line with the keys nn-bench prints: train_epoch_s (training seconds of
each epoch, evaluation excluded), eval_pass_s (mean seconds of one evaluation of all three
sets), evaluations, w1_s (seconds of the whole training call), kernel (the OpenBLAS core
numpy's BLAS chose), threads, final_test_accuracy, samples_per_s (per-sample rule).

--rule per-sample: for every sample in order within each batch of 128, one forward and
backward pass on that sample alone and an update at step lr/128, written as a Python loop
of vector operations; no evaluation.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import w1_common as c  # noqa: E402  (no numpy inside)

ARGS = c.parse_args("NumPy float32 reference of workload W1")
c.set_thread_env(ARGS.threads)  # before numpy loads its BLAS

import numpy as np  # noqa: E402

F32 = np.float32


def blas_info():
    """(kernel, threads) of numpy's BLAS, from threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)", ARGS.threads
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            name = f"{lib.get('internal_api')} {lib.get('version')}: {lib.get('architecture')}"
            return name, lib.get("num_threads")
    return "no BLAS found by threadpoolctl", ARGS.threads


def init_params(rng):
    u = lambda *shape: rng.uniform(-1, 1, size=shape).astype(F32)  # noqa: E731
    return u(c.INPUTS, c.HIDDEN), u(c.HIDDEN), u(c.HIDDEN, c.CLASSES), u(c.CLASSES)


def sigmoid_(z):
    """In place: z <- 1 / (1 + exp(-z)) (exp overflow to inf gives the right 0)."""
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += F32(1)
    np.reciprocal(z, out=z)
    return z


def log_softmax_terms(z, y):
    """Stable softmax in place of z (rows x classes) and the cross-entropy of each row:
    z <- z - max; loss = log(sum exp z) - z[y]; z <- exp(z) / sum."""
    z -= z.max(axis=1, keepdims=True)
    picked = z[np.arange(len(y)), y]
    np.exp(z, out=z)
    s = z.sum(axis=1, keepdims=True)
    z /= s
    return np.log(s[:, 0]) - picked


def evaluate(params, x, y):
    """(mean loss, accuracy), forward in chunks of 2048 rows like Sequential.evaluate."""
    w1, b1, w2, b2 = params
    loss, correct = 0.0, 0
    for lo in range(0, len(x), c.EVAL_CHUNK):
        xb, yb = x[lo:lo + c.EVAL_CHUNK], y[lo:lo + c.EVAL_CHUNK]
        h = sigmoid_(xb @ w1 + b1)
        z = h @ w2 + b2
        correct += int((z.argmax(axis=1) == yb).sum())
        loss += float(log_softmax_terms(z, yb).sum(dtype=np.float64))
    return loss / len(x), correct / len(x)


def batch_step(params, x, y, lr):
    """One forward/backward pass on a batch and an update from the batch-mean gradient.
    Returns the batch's mean loss."""
    w1, b1, w2, b2 = params
    rows = len(x)
    h = sigmoid_(x @ w1 + b1)                       # rows x 64
    z = h @ w2 + b2                                 # rows x 10
    loss = float(log_softmax_terms(z, y).mean(dtype=np.float64))
    dz = z                                          # softmax probabilities, in place
    dz[np.arange(rows), y] -= F32(1)
    dz *= F32(1 / rows)                             # d(mean loss)/dz
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dh = dz @ w2.T                                  # dX of the second layer
    dh *= h * (F32(1) - h)
    dw1 = x.T @ dh                                  # no dX for the first layer
    db1 = dh.sum(axis=0)
    lr = F32(lr)
    w1 -= lr * dw1
    b1 -= lr * db1
    w2 -= lr * dw2
    b2 -= lr * db2
    return loss


def per_sample_steps(params, x, y, step):
    """The per-sample rule over one batch, as someone would write it: a Python loop of
    vector operations. Returns the batch's mean loss."""
    w1, b1, w2, b2 = params
    total = 0.0
    for i in range(len(x)):
        xi, yi = x[i], y[i]
        h = 1 / (1 + np.exp(-(xi @ w1 + b1)))
        z = h @ w2 + b2
        z = z - z.max()
        e = np.exp(z)
        s = e.sum()
        total += float(np.log(s) - z[yi])
        dz = e / s
        dz[yi] -= 1
        dh = (w2 @ dz) * h * (1 - h)
        w2 -= step * np.outer(h, dz)
        b2 -= step * dz
        w1 -= step * np.outer(xi, dh)
        b1 -= step * dh
    return total / len(x)


def main():
    args = ARGS
    sets = c.w1_sets(args.data, args.seed)
    name, x, y = sets[0]
    if args.samples is not None:
        x, y = x[:args.samples], y[:args.samples]
    params = init_params(np.random.default_rng(args.seed))
    kernel, threads = blas_info()
    per_sample = args.rule == "per-sample"
    step = F32(c.LEARNING_RATE / c.BATCH)

    def train(lo, hi):
        if per_sample:
            return per_sample_steps(params, x[lo:hi], y[lo:hi], step)
        return batch_step(params, x[lo:hi], y[lo:hi], c.LEARNING_RATE)

    start = time.perf_counter()
    epoch_seconds, eval_seconds, evaluations, test_accuracy = c.timed_fit(
        len(x), args.epochs, args.evals, per_sample, train,
        lambda: {name: evaluate(params, sx, sy) for name, sx, sy in sets})
    w1 = time.perf_counter() - start
    print(c.result_json(epoch_seconds, eval_seconds, evaluations, w1, kernel, threads, test_accuracy,
                        per_sample, len(x), args.epochs))


if __name__ == "__main__":
    main()
