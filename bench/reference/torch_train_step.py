#!/usr/bin/env python3
"""Plain PyTorch-CPU reference for the `train-step-global` and `train-step-ot` workloads.

Same model, data shapes and losses as ../../shared/bench-workloads.md and bench/workloads/train_step.ts:

  image  [32, 64, 64, 3] in [0, 1] -> 64 patches of 8x8x3 -> linear 192->128 + learned pos emb
         -> 2 pre-LN transformer blocks (4 heads, MLP 512, GELU) -> final LN -> per-patch linear 128->128
  text   [32, 16] token ids (vocab 64), lengths uniform in [6, 16], key padding mask
         -> emb 128 + learned pos -> 2 pre-LN blocks -> final LN -> per-token linear 128->128
  global symmetric InfoNCE on L2-normalised mean-pooled features, temperature 0.07
  ot     for all 32x32 (image, caption) pairs: S = cos [64 x L_j], cost 1 - S, kernel-domain Sinkhorn
         eps 0.05, 20 iterations, uniform marginals over patches / valid tokens; s_ij = sum(P * S);
         symmetric InfoNCE over s / 0.07.  The straightforward implementation: autograd through all
         20 iterations (`--ot-grad unrolled`, default).  `--ot-grad envelope` detaches the plan instead.

GELU is the tanh approximation (as in the TF.js implementation). Adam lr 1e-3. Median wall time per step
(forward + backward + optimiser) over 20 steps after 3 warm-up steps. Uses both cores
(torch.set_num_threads(2), override with --threads). `cpu_ms` is the median CPU time of all threads per
step (divided by the thread count it approximates the wall time on idle cores). Prints one JSON line per workload:

  /usr/bin/python3 bench/reference/torch_train_step.py            # both workloads
  /usr/bin/python3 bench/reference/torch_train_step.py --workload train-step-ot --ot-grad envelope

Provenance: Debian python3-torch (1.13), CPU only.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, IMAGE, PATCH, CHANNELS = 32, 64, 8, 3
N_PATCHES = (IMAGE // PATCH) ** 2
VOCAB, LENGTH, MIN_LEN = 64, 16, 6
WIDTH, HEADS, MLP, BLOCKS, PROJ = 128, 4, 512, 2, 128
TEMPERATURE, EPS, ITERS = 0.07, 0.05, 20
WARMUP, STEPS = 3, 20


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
        self.out = nn.Linear(WIDTH, WIDTH)
        self.ln2 = nn.LayerNorm(WIDTH)
        self.fc1 = nn.Linear(WIDTH, MLP)
        self.fc2 = nn.Linear(MLP, WIDTH)

    def forward(self, x, key_bias=None):
        B, T, d = x.shape
        dh = d // HEADS
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, HEADS, dh).permute(2, 0, 3, 1, 4)  # [B, h, T, dh] each
        att = (q @ k.transpose(-2, -1)) / math.sqrt(dh)  # [B, h, T, T]
        if key_bias is not None:
            att = att + key_bias  # [B, 1, 1, T]
        y = att.softmax(-1) @ v  # [B, h, T, dh]
        x = x + self.out(y.transpose(1, 2).reshape(B, T, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate='tanh'))


class PatchEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(PATCH * PATCH * CHANNELS, WIDTH)
        self.pos = nn.Parameter(torch.randn(N_PATCHES, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, PROJ)

    def forward(self, images):  # [B, H, W, C]
        B, H, W, C = images.shape
        g = H // PATCH
        p = images.view(B, g, PATCH, g, PATCH, C).permute(0, 1, 3, 2, 4, 5).reshape(B, g * g, -1)  # [B, n, 192]
        x = self.embed(p) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.proj(self.ln(x))  # [B, n, d]


class TextEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, WIDTH)
        self.pos = nn.Parameter(torch.randn(LENGTH, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, PROJ)

    def forward(self, tokens, mask):  # [B, m], [B, m]
        x = self.tok(tokens) + self.pos
        key_bias = ((1.0 - mask) * -1e9)[:, None, None, :]  # [B, 1, 1, m]
        for blk in self.blocks:
            x = blk(x, key_bias)
        return self.proj(self.ln(x))  # [B, m, d]


def info_nce(logits):
    labels = torch.arange(logits.shape[0])
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


def global_loss(img, txt, mask):
    zi = F.normalize(img.mean(1), dim=-1)
    zt = F.normalize((txt * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), dim=-1)
    return info_nce(zi @ zt.t() / TEMPERATURE)


def ot_loss(img, txt, mask, grad_mode):
    B, n, _ = img.shape
    m = txt.shape[1]
    xi = F.normalize(img, dim=-1)
    yt = F.normalize(txt, dim=-1)
    S = torch.einsum('ind,jmd->ijnm', xi, yt).reshape(B * B, n, m)  # [B*B, n, m], pair (i, j)
    col = mask[None].expand(B, B, m).reshape(B * B, m)  # caption j's mask
    K = torch.exp(-(1.0 - S) / EPS) * col[:, None, :]
    if grad_mode == 'envelope':
        K = K.detach()
    a = torch.full((B * B, n), 1.0 / n)
    b = col / col.sum(1, keepdim=True)
    v = b.clone()
    for _ in range(ITERS):
        u = a / (K @ v[..., None]).squeeze(-1)
        v = b / ((K.transpose(1, 2) @ u[..., None]).squeeze(-1) + (1.0 - col))
    P = u[..., None] * K * v[:, None, :]
    s = (P * S).sum((1, 2)).view(B, B)
    return info_nce(s / TEMPERATURE)


def make_batch(gen):
    images = torch.rand(BATCH, IMAGE, IMAGE, CHANNELS, generator=gen)
    tokens = torch.randint(0, VOCAB, (BATCH, LENGTH), generator=gen)
    lengths = torch.randint(MIN_LEN, LENGTH + 1, (BATCH,), generator=gen)
    mask = (torch.arange(LENGTH)[None] < lengths[:, None]).float()
    return images, tokens, mask


def run(workload, ot_grad):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    images, tokens, mask = make_batch(gen)
    image_enc, text_enc = PatchEncoder(), TextEncoder()
    params = list(image_enc.parameters()) + list(text_enc.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        img, txt = image_enc(images), text_enc(tokens, mask)
        loss = global_loss(img, txt, mask) if workload == 'train-step-global' else ot_loss(img, txt, mask, ot_grad)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(WARMUP):
        step()
    times, cpu = [], []
    for _ in range(STEPS):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    out = {'workload': workload, 'median_ms': round(statistics.median(times), 2), 'runs': STEPS,
           'backend': 'pytorch-cpu', 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'loss': round(loss, 4), 'min_ms': round(min(times), 2),
           # CPU time of all threads per step; / threads ~ the wall time on otherwise idle cores
           'cpu_ms': round(statistics.median(cpu), 2)}
    if workload == 'train-step-ot':
        out['ot_grad'] = ot_grad
    print(json.dumps(out), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workload', choices=['train-step-global', 'train-step-ot', 'all'], default='all')
    parser.add_argument('--ot-grad', choices=['unrolled', 'envelope'], default='unrolled')
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = ['train-step-global', 'train-step-ot'] if args.workload == 'all' else [args.workload]
    for name in names:
        run(name, args.ot_grad)


if __name__ == '__main__':
    main()
