"""PyTorch side of scripts/bench/train_throughput: the same GPT-2-style model, batch and IPO step as
org.fspo.train.bench.TrainThroughput, written the conventional way (nanoGPT-style model, eager attention, full
logits then log_softmax and gather, as TRL computes sequence log-probs). Runs on CPU with 2 threads.

Usage: /usr/bin/python3 train_throughput_torch.py D_MODEL LAYERS HEADS VOCAB PAIRS SEQ_LEN STEPS
Prints one JSON object: step_s (median of the timed steps), tokens_per_s, peak_rss_mb, loss.
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.heads) + mask
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, vocab, positions, d, layers, heads):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(positions, d)
        self.h = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids, attention_mask):
        B, T = ids.shape
        x = self.wte(ids) + self.wpe(torch.arange(T))
        causal = torch.full((T, T), float("-inf")).triu(1)
        mask = causal[None, None] + torch.where(attention_mask[:, None, None, :] > 0, 0.0, float("-inf"))
        for block in self.h:
            x = block(x, mask)
        return self.ln_f(x) @ self.wte.weight.T  # tied head, [B, T, V]


def batch(pairs, seq, vocab, gen):
    resp = seq // 4
    ids = torch.empty(2 * pairs, seq, dtype=torch.long)
    for i in range(pairs):
        prompt = torch.randint(vocab, (seq - resp,), generator=gen)
        for k in range(2):
            ids[2 * i + k] = torch.cat([prompt, torch.randint(vocab, (resp,), generator=gen)])
    response_mask = torch.zeros_like(ids)
    response_mask[:, seq - resp:] = 1
    return ids, torch.ones_like(ids), response_mask


def main():
    d, layers, heads, vocab, pairs, seq, steps = (int(a) for a in sys.argv[1:8])
    torch.manual_seed(0)
    model = Gpt2(vocab, seq, d, layers, heads)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    ids, attention_mask, response_mask = batch(pairs, seq, vocab, torch.Generator().manual_seed(1))
    ref = torch.full((2 * pairs,), -4.0 * seq / 4)  # precomputed reference log-probs
    beta, warmup, times, cpu = 0.01, 2, [], []
    for s in range(warmup + steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        logits = model(ids, attention_mask)[:, :-1]
        logps = torch.gather(logits.log_softmax(-1), 2, ids[:, 1:, None]).squeeze(2)
        seq_logps = (logps * response_mask[:, 1:]).sum(-1)
        h = (seq_logps[0::2] - ref[0::2]) - (seq_logps[1::2] - ref[1::2])
        loss = ((h - 1 / (2 * beta)) ** 2).mean()  # IPO with summed log-probs
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if s >= warmup:
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    step_s = sorted(times)[len(times) // 2]  # the median step, as the Java side reports
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step_s": step_s, "tokens_per_s": 2 * pairs * seq / step_s, "peak_rss_mb": rss_mb,
                      "cpu_s_per_step": sorted(cpu)[len(cpu) // 2],
                      "loss": loss.item(), "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
