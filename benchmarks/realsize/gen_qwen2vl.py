#!/usr/bin/env python3
"""Random-weight Qwen2-VL checkpoints with the real Hub key names and shapes, and an SAE on their vision tower.

  python3 gen_qwen2vl.py --size 7b --out /tmp/vsp-realsize/qwen2vl-7b      # exact Qwen/Qwen2-VL-7B-Instruct shapes
  python3 gen_qwen2vl.py --size 2b --out /tmp/vsp-realsize/qwen2vl-2b      # Qwen/Qwen2-VL-2B-Instruct shapes
  python3 gen_qwen2vl.py --sae-for /tmp/vsp-realsize/qwen2vl-7b --image scene336.png --out /tmp/vsp-realsize/sae-qwen-l16

Checkpoint: the key layout of the Hub upload (`visual.*`, `model.*`, `lm_head.weight`; the 2B model ties lm_head to
the embedding and has none), BF16 on disk (as the Hub's), sharded at ~5 GB with model.safetensors.index.json; the
Hub's config.json (rope_scaling {"type": "mrope", "mrope_section": [16, 24, 24]}, vision_config with "in_chans"),
preprocessor_config.json (min_pixels 3136, max_pixels 12845056 or --max-pixels), the chat template (chat_template.json and
tokenizer_config.json), generation_config.json and a word-level tokenizer.json that keeps Qwen's special-token ids
(<|endoftext|> 151643, <|im_start|> 151644, <|im_end|> 151645, <|vision_start|> 151652, <|vision_end|> 151653,
<|image_pad|> 151655) and a few English words. Seeded like ../../../shared/tools/realsize/gen_llava.py: every tensor
draws from PCG64 seeded by (seed, crc32(name)); weights N(0, 0.02), biases N(0, 0.01), norm gains ~1; the lm_head
rows of <|im_end|> and <|endoftext|> are zero, so greedy decoding runs to max_new_tokens.

SAE (--sae-for): a SAELens 'standard' SAE (1280 -> 32x) at vision.blocks.L.hook_resid_post (= hidden_states[L + 1],
no CLS row: rows are the image's patches in the processor's 2x2 merge-window order), calibrated as gen_sae.py does
on the real activations of the checkpoint's vision tower for one 336x336 PNG (a multiple of 28 px, so smart_resize
is a no-op), computed by a float32 NumPy forward of the tower (2D rotary, pre-LN blocks, quick_gelu).

Writes only where --out points (use /tmp: the 7B checkpoint is 16.6 GB and takes several minutes); never commit
the output.
"""
import argparse
import json
import os
import sys
import time
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "tools", "realsize"))
import stwriter  # noqa: E402
from stwriter import write_file, write_sharded  # noqa: E402

stwriter.NP["BF16"] = np.uint16   # fill() below hands BF16 tensors over as their bit patterns

VISION = dict(depth=32, embed_dim=1280, mlp_ratio=4, num_heads=16, in_chans=3, patch_size=14,
              spatial_merge_size=2, spatial_patch_size=14, temporal_patch_size=2)
SIZES = {
    # Qwen/Qwen2-VL-7B-Instruct
    "7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
               num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False),
    # Qwen/Qwen2-VL-2B-Instruct
    "2b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
               num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
}
SPECIAL = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645, "<|object_ref_start|>": 151646,
           "<|object_ref_end|>": 151647, "<|box_start|>": 151648, "<|box_end|>": 151649, "<|quad_start|>": 151650,
           "<|quad_end|>": 151651, "<|vision_start|>": 151652, "<|vision_end|>": 151653, "<|vision_pad|>": 151654,
           "<|image_pad|>": 151655, "<|video_pad|>": 151656}
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n"
    "You are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: "
    "{% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def vision_plan(hidden, dt="BF16"):
    p = "visual."
    e, m = VISION["embed_dim"], VISION["embed_dim"] * VISION["mlp_ratio"]
    md = e * 4
    plan = [(p + "patch_embed.proj.weight", (e, 3, 2, 14, 14), dt)]
    for i in range(VISION["depth"]):
        q = p + "blocks.%d." % i
        plan += [(q + "norm1.weight", (e,), dt), (q + "norm1.bias", (e,), dt),
                 (q + "attn.qkv.weight", (3 * e, e), dt), (q + "attn.qkv.bias", (3 * e,), dt),
                 (q + "attn.proj.weight", (e, e), dt), (q + "attn.proj.bias", (e,), dt),
                 (q + "norm2.weight", (e,), dt), (q + "norm2.bias", (e,), dt),
                 (q + "mlp.fc1.weight", (m, e), dt), (q + "mlp.fc1.bias", (m,), dt),
                 (q + "mlp.fc2.weight", (e, m), dt), (q + "mlp.fc2.bias", (e,), dt)]
    plan += [(p + "merger.ln_q.weight", (e,), dt), (p + "merger.ln_q.bias", (e,), dt),
             (p + "merger.mlp.0.weight", (md, md), dt), (p + "merger.mlp.0.bias", (md,), dt),
             (p + "merger.mlp.2.weight", (hidden, md), dt), (p + "merger.mlp.2.bias", (hidden,), dt)]
    return plan


def lm_plan(c, dt="BF16"):
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    hd = H // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * hd
    plan = [("model.embed_tokens.weight", (V, H), dt)]
    for i in range(c["num_hidden_layers"]):
        q = "model.layers.%d." % i
        plan += [(q + "self_attn.q_proj.weight", (H, H), dt), (q + "self_attn.q_proj.bias", (H,), dt),
                 (q + "self_attn.k_proj.weight", (kv, H), dt), (q + "self_attn.k_proj.bias", (kv,), dt),
                 (q + "self_attn.v_proj.weight", (kv, H), dt), (q + "self_attn.v_proj.bias", (kv,), dt),
                 (q + "self_attn.o_proj.weight", (H, H), dt),
                 (q + "mlp.gate_proj.weight", (I, H), dt), (q + "mlp.up_proj.weight", (I, H), dt),
                 (q + "mlp.down_proj.weight", (H, I), dt),
                 (q + "input_layernorm.weight", (H,), dt), (q + "post_attention_layernorm.weight", (H,), dt)]
    plan += [("model.norm.weight", (H,), dt)]
    if not c["tie_word_embeddings"]:
        plan += [("lm_head.weight", (V, H), dt)]
    return plan


def to_bf16_bits(a):
    """float32 -> bfloat16 bit patterns (round to nearest even), as torch's .to(torch.bfloat16)."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def make_fill(seed, plan, tied):
    dtypes = {n: dt for n, _, dt in plan}
    eos = [SPECIAL["<|im_end|>"], SPECIAL["<|endoftext|>"]]

    def fill(name, shape):
        rng = np.random.Generator(np.random.PCG64([seed, zlib.crc32(name.encode())]))
        n = int(np.prod(shape))
        last = name.rsplit(".", 1)[-1]
        if ("norm" in name or "ln_q" in name) and last == "weight":   # LayerNorm / RMSNorm gains
            a = 1.0 + 0.01 * rng.standard_normal(n, dtype=np.float32)
        elif last == "bias":
            a = 0.01 * rng.standard_normal(n, dtype=np.float32)
        else:
            a = rng.standard_normal(n, dtype=np.float32)
            a *= 0.02
        a = a.reshape(shape)
        if name == "lm_head.weight" or (tied and name == "model.embed_tokens.weight"):
            a[eos, :] = 0.0   # end-of-turn never wins greedy decoding -> full max_new_tokens
        return to_bf16_bits(a) if dtypes[name] == "BF16" else a
    return fill


def tokenizer_json():
    words = ["system", "user", "assistant", "You", "are", "a", "helpful", ".", ",", "?", ":", "What", "is", "shown",
             "in", "this", "image", "Describe", "the", "detail", "picture", "cat", "dog", "red", "blue", "and", "It",
             "colour", "of", "circle", "square", "Picture", "1", "2"]
    vocab = {"<unk>": 0}
    for w in words:
        vocab[w] = len(vocab)
    while len(vocab) < SPECIAL["<|endoftext|>"]:
        vocab["tok%d" % len(vocab)] = len(vocab)
    for tok, i in SPECIAL.items():
        vocab[tok] = i

    def added(i, c):
        return {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [added(i, t) for t, i in SPECIAL.items()],
            "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None,
            "decoder": None, "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}


def write_side_files(out, c, size, max_pixels):
    cfg = {"architectures": ["Qwen2VLForConditionalGeneration"], "attention_dropout": 0.0,
           "bos_token_id": 151643, "eos_token_id": 151645, "vision_start_token_id": 151652,
           "vision_end_token_id": 151653, "vision_token_id": 151654, "image_token_id": 151655,
           "video_token_id": 151656, "hidden_act": "silu", "hidden_size": c["hidden_size"],
           "initializer_range": 0.02, "intermediate_size": c["intermediate_size"], "max_position_embeddings": 32768,
           "max_window_layers": 28, "model_type": "qwen2_vl", "num_attention_heads": c["num_attention_heads"],
           "num_hidden_layers": c["num_hidden_layers"], "num_key_value_heads": c["num_key_value_heads"],
           "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
           "tie_word_embeddings": c["tie_word_embeddings"], "torch_dtype": "bfloat16",
           "transformers_version": "4.41.2", "use_cache": True, "use_sliding_window": False,
           "vision_config": dict(VISION, hidden_size=c["hidden_size"]),
           "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vocab_size": c["vocab_size"],
           "_name_or_path": "random-qwen2-vl-%s" % size}
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
    json.dump({"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": False,
               "eos_token_id": [151645, 151643], "transformers_version": "4.41.2"},
              open(os.path.join(out, "generation_config.json"), "w"), indent=2)
    pre = {"min_pixels": 3136, "max_pixels": max_pixels, "patch_size": 14, "temporal_patch_size": 2, "merge_size": 2,
           "image_mean": MEAN, "image_std": STD, "image_processor_type": "Qwen2VLImageProcessor",
           "processor_class": "Qwen2VLProcessor"}
    json.dump(pre, open(os.path.join(out, "preprocessor_config.json"), "w"), indent=2)
    json.dump({"chat_template": CHAT_TEMPLATE}, open(os.path.join(out, "chat_template.json"), "w"), indent=2)
    json.dump(tokenizer_json(), open(os.path.join(out, "tokenizer.json"), "w"))
    json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
               "chat_template": CHAT_TEMPLATE, "model_max_length": 32768, "tokenizer_class": "Qwen2Tokenizer"},
              open(os.path.join(out, "tokenizer_config.json"), "w"), indent=2)


# ---- the SAE: a NumPy forward of the vision tower up to block L ----

class Checkpoint:
    def __init__(self, model):
        self.model = model
        idx = os.path.join(model, "model.safetensors.index.json")
        self.map = json.load(open(idx))["weight_map"] if os.path.exists(idx) else None
        self.headers = {}

    def __call__(self, name):
        fn = os.path.join(self.model, self.map[name] if self.map else "model.safetensors")
        if fn not in self.headers:
            self.headers[fn] = stwriter.read_header(fn)
        h, base = self.headers[fn]
        e = h[name]
        b, en = e["data_offsets"]
        raw = np.memmap(fn, dtype=np.uint8, mode="r", offset=base + b, shape=(en - b,))
        if e["dtype"] == "BF16":
            return bf16_to_f32(np.frombuffer(raw, np.uint16)).reshape(e["shape"])
        dt = {"F16": np.float16, "F32": np.float32}[e["dtype"]]
        return np.frombuffer(raw, dt).reshape(e["shape"]).astype(np.float32)


def ln(x, w, b, eps=1e-6):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def vision_acts(model, image, layer):
    from gen_sae import read_png   # the shared tools' PNG reader
    W = Checkpoint(model)
    img = read_png(image)
    H, Wd = img.shape[:2]
    assert H % 28 == 0 and Wd % 28 == 0, "use an image whose sides are multiples of 28 px (smart_resize is then a no-op)"
    px = ((img.astype(np.float64) * (1 / 255)).astype(np.float32) - np.float32(MEAN)) / np.float32(STD)
    chw = px.transpose(2, 0, 1)
    gh, gw = H // 14, Wd // 14
    # Qwen2VLImageProcessor: frame repeated twice, rows (h/2, w/2, 2, 2), columns (channel, temporal, y, x)
    t = np.stack([chw, chw])                                            # (2, 3, H, W)
    p = t.reshape(2, 3, gh // 2, 2, 14, gw // 2, 2, 14).transpose(2, 5, 3, 6, 1, 0, 4, 7)
    patches = p.reshape(gh * gw, 3 * 2 * 14 * 14)
    e, heads = VISION["embed_dim"], VISION["num_heads"]
    hd = e // heads
    x = patches @ W("visual.patch_embed.proj.weight").reshape(e, -1).T
    inv = 1.0 / (10000 ** (np.arange(0, hd // 2, 2, dtype=np.float32) / (hd // 2)))
    ys = np.arange(gh).reshape(gh // 2, 2, 1, 1).repeat(gw // 2, 2).repeat(2, 3).transpose(0, 2, 1, 3).reshape(-1)
    xs = np.arange(gw).reshape(1, 1, gw // 2, 2).repeat(gh // 2, 0).repeat(2, 1).transpose(0, 2, 1, 3).reshape(-1)
    ang = np.concatenate([ys[:, None] * inv, xs[:, None] * inv], 1)    # (n, hd / 2)
    cos = np.cos(np.concatenate([ang, ang], 1))[:, None, :]
    sin = np.sin(np.concatenate([ang, ang], 1))[:, None, :]

    def rot(v):   # (n, heads, hd)
        half = hd // 2
        return v * cos + np.concatenate([-v[..., half:], v[..., :half]], -1) * sin
    n = x.shape[0]
    for i in range(layer + 1):
        g = lambda name: W("visual.blocks.%d.%s" % (i, name))   # noqa: E731
        h = ln(x, g("norm1.weight"), g("norm1.bias"))
        qkv = (h @ g("attn.qkv.weight").T + g("attn.qkv.bias")).reshape(n, 3, heads, hd)
        q, k, v = rot(qkv[:, 0]), rot(qkv[:, 1]), qkv[:, 2]
        s = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = np.einsum("hqk,khd->qhd", s, v).reshape(n, e)
        x = x + o @ g("attn.proj.weight").T + g("attn.proj.bias")
        h = ln(x, g("norm2.weight"), g("norm2.bias"))
        m = h @ g("mlp.fc1.weight").T + g("mlp.fc1.bias")
        m = m * (1 / (1 + np.exp(-1.702 * m)))
        x = x + m @ g("mlp.fc2.weight").T + g("mlp.fc2.bias")
    return x.astype(np.float32)


def write_sae(a):
    t0 = time.time()
    x = vision_acts(a.sae_for, a.image, a.layer)
    print("block %d acts %s: mean %.4f std %.4f absmax %.3f (%.1f s)" % (a.layer, x.shape, x.mean(), x.std(),
          np.abs(x).max(), time.time() - t0), flush=True)
    rng = np.random.default_rng(a.seed)
    d = x.shape[1]
    d_sae = a.d_sae or 32 * d
    W_dec = rng.standard_normal((d_sae, d), dtype=np.float32)
    W_dec /= np.linalg.norm(W_dec, axis=1, keepdims=True)
    W_enc = np.ascontiguousarray(W_dec.T)
    b_dec = x.mean(0).astype(np.float32)
    pre = (x - b_dec) @ W_enc
    z = rng.uniform(a.zlo, a.zhi, d_sae).astype(np.float32)
    b_enc = -(pre.mean(0) + z * pre.std(0)).astype(np.float32)
    act = np.maximum(pre + b_enc, 0)
    l0 = (act > 0).sum(1)
    print("calibration on this image: L0 per patch mean %.1f (%.2f %%), min %d, max %d" % (
        l0.mean(), 100 * l0.mean() / d_sae, l0.min(), l0.max()))
    os.makedirs(a.out, exist_ok=True)
    T = {"W_enc": W_enc, "b_enc": b_enc, "W_dec": W_dec, "b_dec": b_dec}
    write_file(os.path.join(a.out, "sae_weights.safetensors"),
               [("W_enc", W_enc.shape, "F32"), ("b_enc", b_enc.shape, "F32"), ("W_dec", W_dec.shape, "F32"),
                ("b_dec", b_dec.shape, "F32")], lambda n, s: T[n], {"format": "pt"})
    cfg = {"architecture": "standard", "d_in": d, "d_sae": d_sae, "dtype": "float32", "device": "cpu",
           "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none",
           "metadata": {"model_name": os.path.abspath(a.sae_for),
                        "model_class_name": "Qwen2VLForConditionalGeneration",
                        "hook_name": "vision.blocks.%d.hook_resid_post" % a.layer, "hook_layer": a.layer,
                        "hook_head_index": None, "hf_module": "visual.blocks.%d" % a.layer,
                        "token_positions": "the image's patches, no CLS, in Qwen2VLImageProcessor's 2x2 merge-window "
                                           "order",
                        "prepend_bos": False, "activation_fn": "relu", "expansion_factor": d_sae // d,
                        "dataset_path": "random SAE calibrated on %s (gen_qwen2vl.py)" % os.path.basename(a.image)}}
    json.dump(cfg, open(os.path.join(a.out, "cfg.json"), "w"), indent=2)
    print("wrote %s in %.1f s" % (a.out, time.time() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), default="7b")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--shard-gb", type=float, default=5.0)
    ap.add_argument("--max-pixels", type=int, default=12845056,
                    help="preprocessor_config.json's max_pixels (the Hub's 12845056 = 16384 image tokens; the memory "
                         "pre-flight budgets one image of this size)")
    ap.add_argument("--sae-for", help="write an SAE for this generated checkpoint instead of a checkpoint")
    ap.add_argument("--image", help="--sae-for: the calibration image (PNG, sides multiples of 28 px)")
    ap.add_argument("--layer", type=int, default=16, help="--sae-for: vision block whose output the SAE reads")
    ap.add_argument("--d-sae", type=int, default=0, help="--sae-for: latents (default 32 x 1280)")
    ap.add_argument("--zlo", type=float, default=2.0)
    ap.add_argument("--zhi", type=float, default=2.6)
    a = ap.parse_args()
    if a.sae_for:
        assert a.image, "--sae-for needs --image"
        a.seed = 7 if a.seed == 1234 else a.seed
        write_sae(a)
        return
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    c = SIZES[a.size]
    plan = vision_plan(c["hidden_size"]) + lm_plan(c)
    nparam = sum(int(np.prod(s)) for _, s, _ in plan)
    print("%s: %d tensors, %.3f B params, %.2f GB bf16" % (a.size, len(plan), nparam / 1e9, 2 * nparam / 1e9))
    write_sharded(a.out, plan, make_fill(a.seed, plan, c["tie_word_embeddings"]), shard_bytes=int(a.shard_gb * 1e9))
    write_side_files(a.out, c, a.size, a.max_pixels)
    print("done in %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
