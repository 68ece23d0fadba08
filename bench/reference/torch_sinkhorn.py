#!/usr/bin/python3
"""Plain PyTorch-CPU references for the sinkhorn-fwd / sinkhorn-fwd-bwd workloads (../shared/bench-workloads.md).

Straightforward implementations, as a researcher would write them:
  log    : batched log-domain loop, f/g updates with torch.logsumexp
  kernel : batched kernel-domain (scaling) loop with torch.bmm
fwd-bwd differentiates through all 50 iterations with autograd (unrolled), loss = sum_b <P_b, C_b>.
Prints one JSON line per (workload, form). Uses all cores (torch's default intra-op threads).
Run: /usr/bin/python3 bench/reference/torch_sinkhorn.py [--runs 5]
"""
import argparse
import json
import os
import statistics
import time

import torch

B, N, M, D, EPS, ITERS = 4096, 49, 16, 64, 0.05, 50


def cosine_cost(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.nn.functional.normalize(torch.randn(B, N, D, generator=g), dim=-1)
    y = torch.nn.functional.normalize(torch.randn(B, M, D, generator=g), dim=-1)
    return (1 - torch.bmm(x, y.transpose(1, 2))).clamp_min(0)


def sinkhorn_log(C):
    log_a = torch.full((B, N), -torch.log(torch.tensor(float(N))))
    log_b = torch.full((B, M), -torch.log(torch.tensor(float(M))))
    f = torch.zeros(B, N)
    g = torch.zeros(B, M)
    for _ in range(ITERS):
        f = -EPS * torch.logsumexp(log_b[:, None, :] + (g[:, None, :] - C) / EPS, dim=2)
        g = -EPS * torch.logsumexp(log_a[:, :, None] + (f[:, :, None] - C) / EPS, dim=1)
    return torch.exp(log_a[:, :, None] + log_b[:, None, :] + (f[:, :, None] + g[:, None, :] - C) / EPS)


def sinkhorn_kernel(C):
    K = torch.exp(-C / EPS)
    a = torch.full((B, N, 1), 1.0 / N)
    b = torch.full((B, M, 1), 1.0 / M)
    v = b.clone()
    for _ in range(ITERS):
        u = a / torch.bmm(K, v)
        v = b / torch.bmm(K.transpose(1, 2), u)
    return u * K * v.transpose(1, 2)


def timed(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), len(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    # Debian's torch starts with 1 OpenMP thread here (omp_get_max_threads() = 1): use every core, as the
    # workload spec asks of the reference.
    torch.set_num_threads(os.cpu_count())
    C = cosine_cost()
    for form, solver in (('log', sinkhorn_log), ('kernel', sinkhorn_kernel)):
        with torch.no_grad():
            P = solver(C)
            ms, runs = timed(lambda: solver(C), args.runs)
        print(json.dumps({
            'workload': 'sinkhorn-fwd', 'impl': f'pytorch-cpu {form}', 'median_ms': ms, 'runs': runs,
            'threads': torch.get_num_threads(), 'torch': torch.__version__,
            'max_marginal_error_rows': (P.sum(2) - 1.0 / N).abs().max().item(),
            'max_marginal_error_cols': (P.sum(1) - 1.0 / M).abs().max().item(),
        }), flush=True)

        def fwd_bwd():
            c = C.clone().requires_grad_(True)
            loss = (solver(c) * c).sum()
            loss.backward()
            return c.grad

        ms, runs = timed(fwd_bwd, args.runs)
        print(json.dumps({
            'workload': 'sinkhorn-fwd-bwd', 'impl': f'pytorch-cpu {form} autograd (unrolled)', 'median_ms': ms,
            'runs': runs, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
        }), flush=True)


if __name__ == '__main__':
    main()
