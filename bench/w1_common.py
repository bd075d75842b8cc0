"""Shared pieces of the Python side of bench/: arguments, thread settings, MNIST, the
evaluation schedule and the FLOP count of workload W1.

This module must not import numpy (or torch) at import time: the reference scripts set
the BLAS thread variables *before* the numerical library loads, and they import this
module to parse --threads first.

W1 (the base run of the report, what `nn-bench` times on the Swift side):
784-64-10, sigmoid hidden layer, softmax output with cross-entropy, weights and biases
uniform(-1, 1), batch 128 with the last partial batch used, plain SGD at lr 0.5 on the
batch-mean gradient, no shuffling, 15 epochs on the 54,000-image training split, and
train/validation/test (54,000 + 6,000 + 10,000 images) evaluated 20 times per epoch,
evenly spaced in batches.
"""

import argparse
import gzip
import json
import math
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

INPUTS, HIDDEN, CLASSES = 784, 64, 10
BATCH = 128
LEARNING_RATE = 0.5
TRAIN_SIZE, VALIDATION_SIZE, TEST_SIZE = 54_000, 6_000, 10_000
EVAL_CHUNK = 2048  # rows per forward pass in evaluation, as Sequential.evaluate does

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def parse_args(description, argv=None):
    """The flags of `nn-bench`, spelled the same way."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--evals", type=int, default=20, help="evaluations per epoch (batch-mean rule)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads")
    p.add_argument("--data", default=os.path.join(REPO, "data", "mnist"), help="folder of the MNIST .gz files")
    p.add_argument("--rule", choices=("batch-mean", "per-sample"), default="batch-mean")
    p.add_argument("--samples", type=int, default=None, help="train on the first N training samples only")
    p.add_argument("--seed", type=int, default=1, help="seed of the split and the initial weights")
    args = p.parse_args(argv)
    if args.epochs < 0 or args.evals < 1 or args.threads < 1:
        p.error("--epochs must be >= 0, --evals and --threads >= 1")
    return args


def set_thread_env(threads):
    """Pins every BLAS/OpenMP thread count; call before importing numpy or torch."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)


def _read_idx(path, offset):
    import numpy as np
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_mnist(folder):
    """(train images uint8 60000x784, train labels, test images 10000x784, test labels)."""
    def part(images, labels):
        x = _read_idx(os.path.join(folder, images), 16).reshape(-1, INPUTS)
        y = _read_idx(os.path.join(folder, labels), 8)
        assert len(x) == len(y), (images, len(x), len(y))
        return x, y
    xtr, ytr = part("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    xte, yte = part("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return xtr, ytr, xte, yte


def w1_sets(folder, seed):
    """The three W1 sets as float32 numpy arrays, pixels scaled p/127.5 - 1, split
    54,000/6,000 by a seeded permutation (numpy's own generator: the Swift side draws a
    different permutation of the same sizes; only timing is compared)."""
    import numpy as np
    xtr, ytr, xte, yte = load_mnist(folder)

    def scale(x):
        return (x.astype(np.float32) / np.float32(127.5) - np.float32(1)).astype(np.float32)

    order = np.random.default_rng(seed).permutation(len(xtr))
    t, v = order[:TRAIN_SIZE], order[TRAIN_SIZE:TRAIN_SIZE + VALIDATION_SIZE]
    assert len(v) == VALIDATION_SIZE and len(xte) == TEST_SIZE
    return [("train", scale(xtr[t]), ytr[t].astype(np.int64)),
            ("validation", scale(xtr[v]), ytr[v].astype(np.int64)),
            ("test", scale(xte), yte.astype(np.int64))]


def evaluate_after(batches, evals):
    """Batch numbers (1-based) after which to evaluate: `evals` points evenly spaced, the
    last at the epoch's end (Trainer.fit's rule; Swift's .rounded() rounds half away
    from zero, hence floor(x + 0.5) rather than Python's round)."""
    k = min(evals, batches)
    return {max(1, int(math.floor(j * batches / k + 0.5))) for j in range(1, k + 1)}


def timed_fit(n, epochs, evals, per_sample, step, evaluate_sets):
    """Trainer.fit's schedule, timed the same way for every side: batches of BATCH in order,
    `step(lo, hi)` trains on rows lo..<hi and returns the mean loss, `evaluate_sets()`
    returns {set name: (loss, accuracy)} and runs after the scheduled batches (not in
    per-sample mode). A non-finite loss stops the run. Returns (training seconds of each
    epoch, evaluation seconds, evaluations, last test accuracy)."""
    batches = -(-n // BATCH)
    epoch_seconds, eval_seconds, evaluations, test_accuracy = [], 0.0, 0, -1.0
    for _epoch in range(epochs):
        after = set() if per_sample else evaluate_after(batches, evals)
        training = 0.0
        t0 = time.perf_counter()
        for b in range(batches):
            lo = b * BATCH
            loss = step(lo, min(lo + BATCH, n))
            if not math.isfinite(loss):
                epoch_seconds.append(training + time.perf_counter() - t0)
                return epoch_seconds, eval_seconds, evaluations, test_accuracy
            if b + 1 in after:
                training += time.perf_counter() - t0
                e0 = time.perf_counter()
                metrics = evaluate_sets()
                eval_seconds += time.perf_counter() - e0
                evaluations += 1
                test_accuracy = metrics["test"][1]
                t0 = time.perf_counter()
        epoch_seconds.append(training + time.perf_counter() - t0)
    return epoch_seconds, eval_seconds, evaluations, test_accuracy


def result_json(epoch_seconds, eval_seconds, evaluations, w1_seconds, kernel, threads, test_accuracy,
                per_sample, samples, epochs):
    """The JSON line every side prints (bench/README.md lists the keys)."""
    trained = sum(epoch_seconds)
    return json.dumps({
        "train_epoch_s": epoch_seconds,
        "eval_pass_s": eval_seconds / evaluations if evaluations else 0,
        "evaluations": evaluations,
        "w1_s": w1_seconds,
        "kernel": kernel,
        "threads": threads,
        "final_test_accuracy": test_accuracy,
        "samples_per_s": samples * epochs / trained if per_sample and trained > 0 else 0,
    }, sort_keys=True)


def gemm_flops(m, n, k):
    return 2 * m * n * k


def training_flops_per_sample():
    """GEMM FLOPs of one training sample under the batch-mean rule: forward through both
    layers, dW of both layers, dX of the second layer only (the first needs no dX)."""
    forward = gemm_flops(1, HIDDEN, INPUTS) + gemm_flops(1, CLASSES, HIDDEN)
    dw = gemm_flops(INPUTS, HIDDEN, 1) + gemm_flops(HIDDEN, CLASSES, 1)
    dx = gemm_flops(1, HIDDEN, CLASSES)
    return forward + dw + dx


def evaluation_flops_per_pass():
    """GEMM FLOPs of one evaluation of all three sets (70,000 images, forward only)."""
    rows = TRAIN_SIZE + VALIDATION_SIZE + TEST_SIZE
    return gemm_flops(rows, HIDDEN, INPUTS) + gemm_flops(rows, CLASSES, HIDDEN)


def w1_flops(epochs, evaluations, samples=TRAIN_SIZE):
    """(training FLOPs, evaluation FLOPs) of a W1 run."""
    return epochs * samples * training_flops_per_sample(), evaluations * evaluation_flops_per_pass()
