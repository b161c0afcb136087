"""PyTorch side of scripts/bench/train_scale: the IPO step of org.fspo.train.bench.TrainScale, written the
conventional way (HF modeling_llama / modeling_qwen2 eager attention, full logits, log_softmax, gather, as TRL computes
sequence log-probs; LoRA as PEFT computes it: base(x) + lora_B(lora_A(x)) * alpha / r, base frozen). CPU, 2 threads.

Step: reference log-probs under no_grad (full fine-tuning: a frozen deep copy of the model, TRL's ref_model; LoRA: the
same model with its adapters disabled, PEFT's disable_adapter()), policy forward, IPO on summed log-probs (beta 0.01),
backward, clip_grad_norm_(1.0), torch.optim.AdamW (lr 5e-5, weight decay 0). One pair: two 512-token rows (a shared
256-token prompt and two 256-token responses), no prefix sharing.

Usage: /usr/bin/python3 train_scale_torch.py smollm2-135m|qwen2.5-0.5b full|lora WARMUP STEPS
Prints one JSON object: step_s (median of the timed steps), tokens_per_s, peak_rss_mb (VmHWM before the profiled
step), phases_s, and "breakdown" from torch.profiler over one extra step (skipped with TRAIN_SCALE_PROFILE=0).
"""
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import record_function

torch.set_num_threads(2)
SEQ, RESPONSE, R, ALPHA, BETA, LR, CLIP = 512, 256, 16, 32.0, 0.01, 5e-5, 1.0
SHAPES = {  # the published config.json values that shape each model
    "smollm2-135m": dict(vocab=49152, d=576, inter=1536, layers=30, heads=9, kv=3, theta=1e5, eps=1e-5, bias=False),
    "qwen2.5-0.5b": dict(vocab=151936, d=896, inter=4864, layers=24, heads=14, kv=2, theta=1e6, eps=1e-6, bias=True),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class LoraLinear(nn.Module):
    """PEFT's lora.Linear (dropout 0): result = base(x) + lora_B(lora_A(x)) * scaling; disabled: base(x)."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base, self.scaling, self.disabled = base, alpha / r, False
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        result = self.base(x)
        if self.disabled:
            return result
        return result + self.lora_B(self.lora_A(x)) * self.scaling


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.nh, self.nkv, self.hd = c["d"], c["heads"], c["kv"], c["d"] // c["heads"]
        self.input_layernorm = RMSNorm(d, c["eps"])
        self.q_proj = nn.Linear(d, self.nh * self.hd, bias=c["bias"])
        self.k_proj = nn.Linear(d, self.nkv * self.hd, bias=c["bias"])
        self.v_proj = nn.Linear(d, self.nkv * self.hd, bias=c["bias"])
        self.o_proj = nn.Linear(self.nh * self.hd, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, c["eps"])
        self.gate_proj = nn.Linear(d, c["inter"], bias=False)
        self.up_proj = nn.Linear(d, c["inter"], bias=False)
        self.down_proj = nn.Linear(c["inter"], d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        a = self.input_layernorm(x)
        q = self.q_proj(a).view(B, T, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(a).view(B, T, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(a).view(B, T, self.nkv, self.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        with record_function("attention"):  # HF eager_attention_forward: repeat_kv, scores, softmax in f32, @ v
            g = self.nh // self.nkv
            k = k[:, :, None].expand(B, self.nkv, g, T, self.hd).reshape(B, self.nh, T, self.hd)
            v = v[:, :, None].expand(B, self.nkv, g, T, self.hd).reshape(B, self.nh, T, self.hd)
            w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd) + mask
            y = torch.matmul(F.softmax(w, dim=-1, dtype=torch.float32), v)
        x = x + self.o_proj(y.transpose(1, 2).reshape(B, T, self.nh * self.hd))
        m = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(m)) * self.up_proj(m))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab"], c["d"])
        self.layers = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["d"], c["eps"])
        hd = c["d"] // c["heads"]
        self.inv_freq = 1.0 / (c["theta"] ** (torch.arange(0, hd, 2).float() / hd))
        for mod in self.modules():  # HF _init_weights: N(0, 0.02), biases 0
            if isinstance(mod, (nn.Linear, nn.Embedding)):
                nn.init.normal_(mod.weight, std=0.02)
                if getattr(mod, "bias", None) is not None:
                    nn.init.zeros_(mod.bias)

    def forward(self, ids):
        """Final-norm hidden states [B, T, C]; the tied LM head is applied by the caller (lm_head scope)."""
        T = ids.shape[1]
        freqs = torch.outer(torch.arange(T).float(), self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((T, T), float("-inf")).triu(1)[None, None]
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.norm(x)


def add_lora(model):
    for p in model.parameters():
        p.requires_grad_(False)
    for block in model.layers:
        for name in ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"):
            setattr(block, name, LoraLinear(getattr(block, name), R, ALPHA))
    return [m for m in model.modules() if isinstance(m, LoraLinear)]


def seq_logps(model, ids, response_mask):
    """TRL's way: full logits [B, T, V], log_softmax, gather the targets, sum over the response."""
    h = model(ids)
    with record_function("lm_head"):
        logits = h @ model.embed_tokens.weight.T  # tied
        logps = torch.gather(logits[:, :-1].log_softmax(-1), 2, ids[:, 1:, None]).squeeze(2)
        return (logps * response_mask[:, 1:]).sum(-1)


def batch(vocab, gen):
    prompt = torch.randint(vocab, (SEQ - RESPONSE,), generator=gen)
    ids = torch.stack([torch.cat([prompt, torch.randint(vocab, (RESPONSE,), generator=gen)]) for _ in range(2)])
    ids[1, SEQ - RESPONSE] = (ids[0, SEQ - RESPONSE] + 1) % vocab
    response_mask = torch.zeros_like(ids)
    response_mask[:, SEQ - RESPONSE:] = 1
    return ids, response_mask


def vm(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key)) / 1024


def main():
    shape, mode, warmup, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    model = Llama(SHAPES[shape])
    params = sum(p.numel() for p in model.parameters())
    if mode == "lora":
        loras, ref_model = add_lora(model), None
    else:
        loras, ref_model = [], copy.deepcopy(model).requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    ids, response_mask = batch(SHAPES[shape]["vocab"], torch.Generator().manual_seed(1))
    last = {}

    def step():
        t0 = time.perf_counter()
        with torch.no_grad():
            for m in loras:
                m.disabled = True
            ref = seq_logps(ref_model or model, ids, response_mask)
            for m in loras:
                m.disabled = False
        t1 = time.perf_counter()
        pol = seq_logps(model, ids, response_mask)
        h = (pol[0] - ref[0]) - (pol[1] - ref[1])
        loss = (h - 1 / (2 * BETA)) ** 2  # IPO, summed log-probs, one pair
        t2 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t3 = time.perf_counter()
        with record_function("optimizer"):
            torch.nn.utils.clip_grad_norm_(trainable, CLIP)
            opt.step()
        t4 = time.perf_counter()
        last["loss"] = loss.item()
        return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0]

    phases, cpu = [], []
    for s in range(warmup + steps):
        c0 = time.process_time()
        t = step()
        if s >= warmup:
            phases.append(t)
            cpu.append(time.process_time() - c0)
    peak = vm("VmHWM:")
    med = [sorted(p[i] for p in phases)[len(phases) // 2] for i in range(5)]
    from train_scale_torch_profile import profile  # noqa: E402 (beside this file)
    skip = os.environ.get("TRAIN_SCALE_PROFILE") == "0"
    print(json.dumps({
        "name": shape, "mode": mode, "params": params, "trainable": sum(p.numel() for p in trainable),
        "seq_len": SEQ, "step_s": round(med[4], 3), "tokens_per_s": round(2 * SEQ / med[4], 3),
        "peak_rss_mb": round(peak), "cpu_s_per_step": round(sorted(cpu)[len(cpu) // 2], 3), "loss": last["loss"],
        "step_times_s": [round(p[4], 3) for p in phases],
        "phases_s": dict(zip(("ref_forward", "forward", "backward", "optimizer"), (round(x, 3) for x in med))),
        "ref_included": True, "prefix_sharing": False, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "breakdown": None if skip else profile(step, med[4])}))


if __name__ == "__main__":
    main()
