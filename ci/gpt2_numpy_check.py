#!/usr/bin/env python3
"""Cross-checks a GPT checkpoint written by attn4j against an independent NumPy GPT-2 forward pass.

Reads MODEL_DIR/model.safetensors with the `safetensors` package (Hugging Face's reader) and MODEL_DIR/config.json,
runs GPT-2 (pre-LayerNorm, Conv1D [in, out] weights, gelu_new, tied head, causal softmax attention) in float64, and
compares its logits with those the Java model printed (`./attn4j logits --model MODEL_DIR --tokens ...`).

usage: gpt2_numpy_check.py MODEL_DIR JAVA_LOGITS_FILE TOKEN [TOKEN ...]
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file


def gpt2_logits(model_dir, tokens):
    w = load_file(model_dir + "/model.safetensors")
    c = json.load(open(model_dir + "/config.json"))
    d, heads, eps = c["n_embd"], c["n_head"], c["layer_norm_epsilon"]

    def layer_norm(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    def gelu(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))

    t = len(tokens)
    x = (w["transformer.wte.weight"][tokens] + w["transformer.wpe.weight"][:t]).astype(np.float64)
    for layer in range(c["n_layer"]):
        p = "transformer.h.%d." % layer
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        dh = d // heads
        q, k, v = (a.reshape(t, heads, dh).transpose(1, 0, 2) for a in (q, k, v))
        s = q @ k.transpose(0, 2, 1) / np.sqrt(dh) + np.triu(np.full((t, t), -np.inf), 1)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        o = (a @ v).transpose(1, 0, 2).reshape(t, d)
        x = x + o @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        x = x + gelu(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] \
            + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"])
    head = w.get("lm_head.weight", w["transformer.wte.weight"])
    return x @ head.T


def main():
    model_dir, java_file, tokens = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3:]]
    ref = gpt2_logits(model_dir, tokens)
    java = np.array([float(v) for v in open(java_file).read().split()]).reshape(ref.shape)
    diff = np.abs(ref - java).max()
    print("max |numpy - java| = %.3g (largest logit %.3g); argmax equal: %s"
          % (diff, np.abs(ref).max(), bool((ref.argmax(-1) == java.argmax(-1)).all())))
    sys.exit(0 if diff < 1e-4 * max(1.0, np.abs(ref).max()) else 1)


if __name__ == "__main__":
    main()
