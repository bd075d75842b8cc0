#!/usr/bin/env python3
"""NumPy float32 reference of the grid benchmark (`nn-bench --grid`): a learning-rate grid
of one seed as task 4's sweeps train it: 784-h-10, improved sigmoid 1.7159 tanh(2z/3),
fan-in initialisation (normal, sd 1/sqrt(fan-in)), batches of 128 reshuffled every epoch,
plain SGD on the batch-mean gradient, the 6,000 validation images evaluated before training
and at every epoch's end.

    python3 bench/grid_numpy.py --mode separate|batched [--hidden N] [--epochs N]
                                [--rates 1,0.5,...] [--threads N] [--data DIR]

--mode separate trains the rates one after another; --mode batched trains them together the
way the Swift grid does: the first layer's forward product is one x @ [W_1 ... W_K] and its
weight gradient one x.T @ [dz_1 ... dz_K]; the output layers are one batched matmul over K.
Prints one JSON line: grid_s (wall seconds of the whole grid), train_s, eval_s (summed over
the rates), final_validation_accuracy per rate, kernel, threads.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import w1_common as c  # noqa: E402  (no numpy inside)

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--mode", choices=("separate", "batched"), required=True)
p.add_argument("--hidden", type=int, default=32)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--rates", default="1,0.5,0.2,0.1,0.05,0.02,0.01")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--data", default=os.path.join(c.REPO, "data", "mnist"))
ARGS = p.parse_args()
c.set_thread_env(ARGS.threads)  # before numpy loads its BLAS

import numpy as np  # noqa: E402

F32 = np.float32
A, S = F32(1.7159), F32(2 / 3)


def kernel_name():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return f"{lib.get('internal_api')} {lib.get('version')}: {lib.get('architecture')}"
    return "no BLAS found by threadpoolctl"


class Grid:
    """K networks 784-h-10 with their own rates: W1 784 x (K h) side by side, W2 K x h x 10."""

    def __init__(self, rates, hidden, rng):
        self.k, self.h = len(rates), hidden
        self.w1 = (rng.standard_normal((c.INPUTS, self.k * hidden)) / np.sqrt(c.INPUTS)).astype(F32)
        self.b1 = np.zeros(self.k * hidden, F32)
        self.w2 = (rng.standard_normal((self.k, hidden, c.CLASSES)) / np.sqrt(hidden)).astype(F32)
        self.b2 = np.zeros((self.k, 1, c.CLASSES), F32)
        self.lr1 = np.repeat(np.asarray(rates, F32), hidden)      # a rate for every column of W1
        self.lr2 = np.asarray(rates, F32)[:, None, None]

    def forward(self, x):
        """(a1 rows x (K h), logits K x rows x 10)."""
        a1 = np.tanh(S * (x @ self.w1 + self.b1)) * A
        z = np.matmul(a1.reshape(len(x), self.k, self.h).transpose(1, 0, 2), self.w2) + self.b2
        return a1, z

    @staticmethod
    def softmax_terms(z, y):
        """z (K x rows x 10) becomes the softmax in place; returns the losses K x rows."""
        z -= z.max(axis=2, keepdims=True)
        picked = np.take_along_axis(z, y[None, :, None], axis=2)[:, :, 0]
        np.exp(z, out=z)
        s = z.sum(axis=2, keepdims=True)
        z /= s
        return np.log(s[:, :, 0]) - picked

    def step(self, x, y):
        rows = len(x)
        with np.errstate(all="ignore"):
            a1, z = self.forward(x)
            losses = self.softmax_terms(z, y).mean(axis=1, dtype=np.float64)
            dz = z
            dz[:, np.arange(rows), y] -= F32(1)
            dz *= F32(1 / rows)
            a1k = a1.reshape(rows, self.k, self.h).transpose(1, 0, 2)
            dw2 = np.matmul(a1k.transpose(0, 2, 1), dz)                       # K x h x 10
            db2 = dz.sum(axis=1, keepdims=True)
            da1 = np.matmul(dz, self.w2.transpose(0, 2, 1)).transpose(1, 0, 2).reshape(rows, self.k * self.h)
            dz1 = da1 * (S * (A - a1 * a1 / A))                               # f' from the output
            dw1 = x.T @ dz1                                                   # 784 x (K h): one product
            db1 = dz1.sum(axis=0)
            self.w1 -= self.lr1 * dw1
            self.b1 -= self.lr1 * db1
            self.w2 -= self.lr2 * dw2
            self.b2 -= self.lr2 * db2
        return losses

    def evaluate(self, x, y):
        """Accuracy of each member on (x, y), in chunks of 2048 rows."""
        correct = np.zeros(self.k)
        with np.errstate(all="ignore"):
            for lo in range(0, len(x), c.EVAL_CHUNK):
                _, z = self.forward(x[lo:lo + c.EVAL_CHUNK])
                correct += (z.argmax(axis=2) == y[None, lo:lo + c.EVAL_CHUNK]).sum(axis=1)
        return correct / len(x)


def train(rates, x, y, vx, vy):
    """Trains one grid of `rates`; returns (train seconds, eval seconds, final accuracies)."""
    rng = np.random.default_rng(ARGS.seed)
    grid = Grid(rates, ARGS.hidden, rng)
    train_s = eval_s = 0.0
    t = time.perf_counter()
    accuracy = grid.evaluate(vx, vy)
    eval_s += time.perf_counter() - t
    for _ in range(ARGS.epochs):
        order = rng.permutation(len(x))
        t = time.perf_counter()
        for lo in range(0, len(x), c.BATCH):
            idx = order[lo:lo + c.BATCH]
            grid.step(x[idx], y[idx])
        train_s += time.perf_counter() - t
        t = time.perf_counter()
        accuracy = grid.evaluate(vx, vy)
        eval_s += time.perf_counter() - t
    return train_s, eval_s, list(accuracy)


def main():
    rates = [float(r) for r in ARGS.rates.split(",")]
    sets = c.w1_sets(ARGS.data, ARGS.seed)
    (_, x, y), (_, vx, vy) = sets[0], sets[1]
    start = time.perf_counter()
    if ARGS.mode == "batched":
        train_s, eval_s, accuracy = train(rates, x, y, vx, vy)
    else:
        train_s = eval_s = 0.0
        accuracy = []
        for r in rates:
            t, e, a = train([r], x, y, vx, vy)
            train_s, eval_s, accuracy = train_s + t, eval_s + e, accuracy + a
    grid_s = time.perf_counter() - start
    print(json.dumps({"mode": ARGS.mode, "hidden": ARGS.hidden, "epochs": ARGS.epochs, "rates": rates,
                      "grid_s": grid_s, "train_s": train_s, "eval_s": eval_s,
                      "final_validation_accuracy": accuracy, "kernel": kernel_name(), "threads": ARGS.threads},
                     sort_keys=True))


if __name__ == "__main__":
    main()
