#!/usr/bin/env python3
"""A random Hugging Face Llama-layout checkpoint of a real model's shapes (F32, N(0, 0.02), norms 1), for smoke runs.

  scripts/bench/random_checkpoint.py OUT_DIR TOKENIZER_JSON [--preset qwen2.5-0.5b]

Qwen2.5-0.5B's shapes (hidden 896, intermediate 4864, 24 layers, 14 heads, 2 kv heads, vocab 151936, tied) are
written as model_type llama with attention_bias false: this trainer has no qwen2 family (its q/k/v biases) yet.
Only numpy; safetensors is written by hand (8-byte little-endian header length, JSON header, raw tensors).
"""
import json
import struct
import sys
from pathlib import Path
import shutil

import numpy as np

PRESETS = {
    "qwen2.5-0.5b": dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True,
                         rope_theta=1000000.0, rms_norm_eps=1e-6, max_position_embeddings=32768),
}


def shapes(c):
    C, I, hd = c["hidden_size"], c["intermediate_size"], c["hidden_size"] // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    s = {"model.embed_tokens.weight": (c["vocab_size"], C)}
    for l in range(c["num_hidden_layers"]):
        h = f"model.layers.{l}."
        s.update({h + "self_attn.q_proj.weight": (q, C), h + "self_attn.k_proj.weight": (kv, C),
                  h + "self_attn.v_proj.weight": (kv, C), h + "self_attn.o_proj.weight": (C, q),
                  h + "mlp.gate_proj.weight": (I, C), h + "mlp.up_proj.weight": (I, C),
                  h + "mlp.down_proj.weight": (C, I), h + "input_layernorm.weight": (C,),
                  h + "post_attention_layernorm.weight": (C,)})
    s["model.norm.weight"] = (C,)
    return s


def main():
    out, tokenizer = Path(sys.argv[1]), Path(sys.argv[2])
    preset = sys.argv[sys.argv.index("--preset") + 1] if "--preset" in sys.argv else "qwen2.5-0.5b"
    c = dict(PRESETS[preset], model_type="llama", architectures=["LlamaForCausalLM"], hidden_act="silu",
             attention_bias=False, mlp_bias=False, bos_token_id=0, eos_token_id=1, torch_dtype="float32")
    out.mkdir(parents=True, exist_ok=False)
    (out / "config.json").write_text(json.dumps(c, indent=2))
    shutil.copy(tokenizer, out / "tokenizer.json")
    header, offset = {}, 0
    sh = shapes(c)
    for name, shape in sh.items():
        n = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    rng = np.random.default_rng(0)
    with open(out / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for name, shape in sh.items():
            a = np.ones(shape, np.float32) if len(shape) == 1 else \
                (rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02))
            f.write(a.astype("<f4").tobytes())
    params = sum(int(np.prod(s)) for s in sh.values())
    print(json.dumps({"out": str(out), "params": params}))


if __name__ == "__main__":
    main()
