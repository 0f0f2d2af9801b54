"""PyTorch reference for the engine benchmark: the same 784-1000-500-250-30 autoencoder, loss,
Adam step, per-epoch permutation and gather, in eager mode and under torch.compile; and the
CD-1 epoch of the 784-1000 binary RBM (modes rbm_eager, rbm_compile) as `aejax.models.rbm`
computes it (sigmoid means, one binary hidden sample, momentum, weight cost).

Needs torch (not an aejax dependency): python -m venv /work/torchvenv && /work/torchvenv/bin/pip install torch==2.13.0
    /work/torchvenv/bin/python benchmarks/torch_reference.py --batch-sizes 1000,100 [--modes eager,compile,eager_bf16]

Prints one JSON line per (mode, batch size): examples/s from the best and median of interleaved
windows of 10,000 examples, after warm-up, and per process-CPU-second.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

SIZES = (784, 1000, 500, 250, 30)


def autoencoder() -> nn.Sequential:
    layers = []
    enc = list(zip(SIZES[:-1], SIZES[1:]))
    for i, (a, b) in enumerate(enc):
        layers += [nn.Linear(a, b)] + ([nn.Sigmoid()] if i < len(enc) - 1 else [])
    for i, (b, a) in enumerate(reversed(enc)):
        layers += [nn.Linear(a, b)] + ([nn.Sigmoid()] if i < len(enc) - 1 else [])
    return nn.Sequential(*layers)


def make_epoch(batch_size: int, mode: str):
    torch.manual_seed(0)
    model = autoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss(reduction="sum")

    def step(x):
        opt.zero_grad(set_to_none=True)
        if mode == "eager_bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(x)
            loss = loss_fn(logits.float(), x) / x.shape[0]
        else:
            loss = loss_fn(model(x), x) / x.shape[0]
        loss.backward()
        opt.step()
        return loss.detach()

    if mode == "compile":
        step = torch.compile(step)

    def epoch(data):
        order = torch.randperm(data.shape[0])
        losses = []
        for i in range(data.shape[0] // batch_size):
            losses.append(step(data[order[i * batch_size : (i + 1) * batch_size]]))
        return torch.stack(losses)

    return epoch


def make_rbm_epoch(batch_size: int, mode: str):
    torch.manual_seed(0)
    w = 0.1 * torch.randn(SIZES[0], SIZES[1])
    b_v, b_h = torch.zeros(SIZES[0]), torch.zeros(SIZES[1])
    inc = [torch.zeros_like(w), torch.zeros_like(b_v), torch.zeros_like(b_h)]

    def step(v0, w, b_v, b_h, inc_w, inc_v, inc_h):
        n = v0.shape[0]
        p0 = torch.sigmoid(v0 @ w + b_h)
        h0 = (p0 > torch.rand_like(p0)).float()
        v1 = torch.sigmoid(h0 @ w.T + b_v)
        p1 = torch.sigmoid(v1 @ w + b_h)
        inc_w = 0.9 * inc_w + 0.1 * ((v0.T @ p0 - v1.T @ p1) / n - 0.0002 * w)
        inc_v = 0.9 * inc_v + 0.1 * (v0.sum(0) - v1.sum(0)) / n
        inc_h = 0.9 * inc_h + 0.1 * (p0.sum(0) - p1.sum(0)) / n
        return w + inc_w, b_v + inc_v, b_h + inc_h, inc_w, inc_v, inc_h, ((v0 - v1) ** 2).sum()

    if mode == "rbm_compile":
        step = torch.compile(step)
    state = [w, b_v, b_h, *inc]

    def epoch(data):
        batches = data[: data.shape[0] // batch_size * batch_size].reshape(-1, batch_size, data.shape[1])
        errors = []
        for v0 in batches:
            *state[:], error = step(v0, *state)  # state[:] = the six updated tensors
            errors.append(error)
        return torch.stack(errors)

    return epoch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-sizes", default="1000,100")
    parser.add_argument("--modes", default="eager,compile,eager_bf16,rbm_eager,rbm_compile")
    parser.add_argument("--windows", type=int, default=4)
    args = parser.parse_args()
    data = torch.rand(10_000, SIZES[0])
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        epochs = {mode: (make_rbm_epoch if mode.startswith("rbm") else make_epoch)(batch_size, mode)
                  for mode in args.modes.split(",")}
        for fn in epochs.values():
            fn(data)
        wall = {m: [] for m in epochs}
        cpu = {m: [] for m in epochs}
        for _ in range(args.windows):
            for mode, fn in epochs.items():
                w, c = time.perf_counter(), time.process_time()
                fn(data)
                wall[mode].append(time.perf_counter() - w)
                cpu[mode].append(time.process_time() - c)
        n = data.shape[0] // batch_size * batch_size
        for mode in epochs:
            print(json.dumps({"framework": f"torch {torch.__version__}", "mode": mode, "batch_size": batch_size,
                              "threads": torch.get_num_threads(),
                              "best": round(n / min(wall[mode])), "median": round(n / statistics.median(wall[mode])),
                              "cpu": round(n / statistics.median(cpu[mode]))}), flush=True)


if __name__ == "__main__":
    main()
