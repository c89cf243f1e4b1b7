#!/usr/bin/env python3
"""Random-weight LLaVA-OneVision checkpoints with the real Hub key names and shapes, a calibrated SAE on their
SigLIP tower, and test images: what `run.sh ov|ov7b` measures. Python 3 + NumPy; the safetensors writer and the
seeding follow ../../../shared/tools/realsize (its stwriter.py is imported from there).

  python3 gen_onevision.py --size 7b   --out /tmp/vsp-realsize/llava-ov-7b     # llava-hf/llava-onevision-qwen2-7b-ov-hf shapes
  python3 gen_onevision.py --size 0.5b --out /tmp/vsp-realsize/llava-ov-0.5b   # llava-hf/llava-onevision-qwen2-0.5b-ov-hf
  python3 gen_onevision.py --images /tmp/vsp-realsize/images                   # scene384.png (base + 1 tile), scene768.png (2 x 2 tiles)
  python3 gen_onevision.py --sae /tmp/vsp-realsize/sae-ov-l20 --model /tmp/vsp-realsize/llava-ov-0.5b \\
      --image /tmp/vsp-realsize/images/scene384.png --layer 20                # SAELens SAE 1152 -> 18432, ~1-4 % firing

Checkpoint: SigLIP so400m/14 at 384 px (26 layers, width 1152, no CLS, patch embedding with bias,
post_layernorm), two-layer GELU projector with biases, image_newline, Qwen2 (q/k/v biases, GQA, rope_theta 1e6);
legacy key layout (vision_tower.*, multi_modal_projector.*, image_newline, language_model.model.*,
language_model.lm_head.weight) as transformers 4.45 saves it; F16, sharded at ~5 GB (or --shard-gb) with
model.safetensors.index.json. Every tensor draws from PCG64 seeded by (seed, crc32(name)): weights N(0, 0.02),
biases N(0, 0.01), norm gains 1 + N(0, 0.01); the lm_head rows of <|im_end|> and <|endoftext|> are zero, so greedy
decoding never stops early. Side files: config.json (keys equal to the class defaults omitted, as on the Hub),
generation_config.json, preprocessor_config.json (LlavaOnevisionImageProcessor: 384 px, mean/std 0.5, bicubic,
the 36 pinpoints), a word-level tokenizer.json with Qwen's special ids, tokenizer_config.json and a Qwen-style
chat_template.json.

The 7B checkpoint is about 16 GB and takes several minutes to write; write it under /tmp, never into the repository.
"""
import argparse
import json
import os
import sys
import time
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("VSP_REALSIZE_TOOLS", os.path.join(HERE, "..", "..", "..", "shared", "tools", "realsize"))
sys.path.insert(0, SHARED)
from stwriter import write_file, write_sharded  # noqa: E402

SIZES = {
    # Qwen2-7B as in llava-hf/llava-onevision-qwen2-7b-ov-hf
    "7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
               num_key_value_heads=4, vocab_size=152128, tie_word_embeddings=False),
    # Qwen2-0.5B as in llava-hf/llava-onevision-qwen2-0.5b-ov-hf (tied output head)
    "0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                 num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
}
VISION = dict(hidden_size=1152, image_size=384, intermediate_size=4304, model_type="siglip_vision_model",
              num_attention_heads=16, num_hidden_layers=26, patch_size=14, vision_use_head=False)
SIDE = 384
GRID = SIDE // 14          # 27 x 27 = 729 patches a crop
PINPOINTS = [[SIDE * i, SIDE * j] for i in range(1, 7) for j in range(1, 7)]
IM_START, IM_END, ENDOFTEXT, IMAGE, VIDEO = 151644, 151645, 151643, 151646, 151647


def vision_plan(dt="F16"):
    p = "vision_tower.vision_model."
    d, f = VISION["hidden_size"], VISION["intermediate_size"]
    plan = [(p + "embeddings.patch_embedding.weight", (d, 3, 14, 14), dt),
            (p + "embeddings.patch_embedding.bias", (d,), dt),
            (p + "embeddings.position_embedding.weight", (GRID * GRID, d), dt)]
    for i in range(VISION["num_hidden_layers"]):
        q = p + "encoder.layers.%d." % i
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            plan += [(q + "self_attn.%s.weight" % n, (d, d), dt), (q + "self_attn.%s.bias" % n, (d,), dt)]
        plan += [(q + "layer_norm1.weight", (d,), dt), (q + "layer_norm1.bias", (d,), dt),
                 (q + "mlp.fc1.weight", (f, d), dt), (q + "mlp.fc1.bias", (f,), dt),
                 (q + "mlp.fc2.weight", (d, f), dt), (q + "mlp.fc2.bias", (d,), dt),
                 (q + "layer_norm2.weight", (d,), dt), (q + "layer_norm2.bias", (d,), dt)]
    plan += [(p + "post_layernorm.weight", (d,), dt), (p + "post_layernorm.bias", (d,), dt)]
    return plan


def lm_plan(c, dt="F16"):
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    hd = H // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * hd
    dv = VISION["hidden_size"]
    plan = [("multi_modal_projector.linear_1.weight", (H, dv), dt), ("multi_modal_projector.linear_1.bias", (H,), dt),
            ("multi_modal_projector.linear_2.weight", (H, H), dt), ("multi_modal_projector.linear_2.bias", (H,), dt),
            ("image_newline", (H,), dt),
            ("language_model.model.embed_tokens.weight", (V, H), dt)]
    for i in range(c["num_hidden_layers"]):
        q = "language_model.model.layers.%d." % i
        plan += [(q + "self_attn.q_proj.weight", (H, H), dt), (q + "self_attn.q_proj.bias", (H,), dt),
                 (q + "self_attn.k_proj.weight", (kv, H), dt), (q + "self_attn.k_proj.bias", (kv,), dt),
                 (q + "self_attn.v_proj.weight", (kv, H), dt), (q + "self_attn.v_proj.bias", (kv,), dt),
                 (q + "self_attn.o_proj.weight", (H, H), dt),
                 (q + "mlp.gate_proj.weight", (I, H), dt), (q + "mlp.up_proj.weight", (I, H), dt),
                 (q + "mlp.down_proj.weight", (H, I), dt),
                 (q + "input_layernorm.weight", (H,), dt), (q + "post_attention_layernorm.weight", (H,), dt)]
    plan += [("language_model.model.norm.weight", (H,), dt)]
    if not c["tie_word_embeddings"]:
        plan += [("language_model.lm_head.weight", (V, H), dt)]
    return plan


def make_fill(seed, tied):
    def fill(name, shape):
        rng = np.random.Generator(np.random.PCG64([seed, zlib.crc32(name.encode())]))
        n = int(np.prod(shape))
        last = name.rsplit(".", 1)[-1]
        if ("norm" in name or "layer_norm" in name) and last == "weight":
            a = 1.0 + 0.01 * rng.standard_normal(n, dtype=np.float32)
        elif last == "bias":
            a = 0.01 * rng.standard_normal(n, dtype=np.float32)
        elif name == "image_newline":
            a = 0.1 * rng.standard_normal(n, dtype=np.float32)
        else:
            a = rng.standard_normal(n, dtype=np.float32)
            a *= 0.02
        a = a.reshape(shape)
        # the stop tokens never win greedy decoding: full max_new_tokens
        if name.endswith("lm_head.weight") or (tied and name.endswith("embed_tokens.weight")):
            a[IM_END, :] = 0.0
            a[ENDOFTEXT, :] = 0.0
        return a
    return fill


def tokenizer_json(vocab_size):
    words = ["user", "assistant", "system", "What", "is", "shown", "in", "this", "image", "?", "Describe", "the",
             "picture", ".", ",", "detail", "a", "cat", "dog", "red", "blue", "and", "It", "colour", "of", "circle",
             "square"]
    vocab = {"<unk>": 0}
    for w in words:
        vocab[w] = len(vocab)
    while len(vocab) < ENDOFTEXT:
        vocab["tok%d" % len(vocab)] = len(vocab)
    special = {ENDOFTEXT: "<|endoftext|>", IM_START: "<|im_start|>", IM_END: "<|im_end|>", IMAGE: "<image>",
               VIDEO: "<video>"}
    for i in range(ENDOFTEXT, vocab_size):
        vocab[special.get(i, "<extra_%d>" % i)] = i

    def added(i, c):
        return {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [added(0, "<unk>")] + [added(i, c) for i, c in sorted(special.items())],
            "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None,
            "decoder": None, "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}


CHAT_TEMPLATE = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + ' ' }}"
                 "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}"
                 "{% endfor %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
                 "{{ content['text'] }}{% endfor %}{{ '<|im_end|>\\n' }}{% endfor %}"
                 "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def write_side_files(out, size, c):
    text = {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": ENDOFTEXT, "eos_token_id": IM_END,
            "hidden_size": c["hidden_size"], "intermediate_size": c["intermediate_size"],
            "max_position_embeddings": 32768, "max_window_layers": c["num_hidden_layers"], "model_type": "qwen2",
            "num_attention_heads": c["num_attention_heads"], "num_hidden_layers": c["num_hidden_layers"],
            "num_key_value_heads": c["num_key_value_heads"], "rope_theta": 1000000.0, "torch_dtype": "float16",
            "vocab_size": c["vocab_size"]}
    if c["tie_word_embeddings"]:
        text["tie_word_embeddings"] = True
    cfg = {"architectures": ["LlavaOnevisionForConditionalGeneration"], "image_grid_pinpoints": PINPOINTS,
           "image_token_index": IMAGE, "model_type": "llava_onevision", "projector_hidden_act": "gelu",
           "text_config": text, "tie_word_embeddings": c["tie_word_embeddings"], "torch_dtype": "float16",
           "transformers_version": "4.45.1", "use_image_newline_parameter": True, "video_token_index": VIDEO,
           "vision_aspect_ratio": "anyres_max_9", "vision_config": VISION, "vision_feature_layer": -1,
           "vision_feature_select_strategy": "full", "_name_or_path": "random-onevision-%s" % size}
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
    json.dump({"_from_model_config": True, "bos_token_id": ENDOFTEXT, "eos_token_id": [IM_END, ENDOFTEXT],
               "pad_token_id": ENDOFTEXT, "transformers_version": "4.45.1"},
              open(os.path.join(out, "generation_config.json"), "w"), indent=2)
    pre = {"do_convert_rgb": True, "do_normalize": True, "do_pad": True, "do_rescale": True, "do_resize": True,
           "image_grid_pinpoints": PINPOINTS, "image_mean": [0.5, 0.5, 0.5],
           "image_processor_type": "LlavaOnevisionImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 3,
           "rescale_factor": 0.00392156862745098, "size": {"height": SIDE, "width": SIDE}}
    json.dump(pre, open(os.path.join(out, "preprocessor_config.json"), "w"), indent=2)
    json.dump(tokenizer_json(c["vocab_size"]), open(os.path.join(out, "tokenizer.json"), "w"))
    json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
              open(os.path.join(out, "tokenizer_config.json"), "w"))
    json.dump({"chat_template": CHAT_TEMPLATE}, open(os.path.join(out, "chat_template.json"), "w"))


# ----------------------------------------------------------------------------------------------------------------
# images and the SAE


def write_images(out):
    from gen_images import png, scene
    os.makedirs(out, exist_ok=True)
    png(os.path.join(out, "scene384.png"), scene(SIDE, 3))       # best pinpoint 384 x 384: base view + 1 tile
    png(os.path.join(out, "scene768.png"), scene(2 * SIDE, 4))   # 768 x 768: base view + 2 x 2 tiles
    print("wrote", out)


def ln(x, w, b, eps=1e-6):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def siglip_layer_acts(model, image, layer):
    """hidden_states[layer + 1] of the base view of a 384 x 384 PNG (the processor's resize is then a no-op)."""
    from gen_sae import Weights, read_png
    W = Weights(model)
    p = "vision_tower.vision_model."
    img = read_png(image)
    assert img.shape[:2] == (SIDE, SIDE), "use a %d x %d image (its base view needs no resize)" % (SIDE, SIDE)
    px = ((img.astype(np.float64) * (1 / 255)).astype(np.float32) - 0.5) / 0.5
    d = VISION["hidden_size"]
    heads = VISION["num_attention_heads"]
    hd = d // heads
    used = GRID * 14   # the strided convolution's 27 patches use 378 of the 384 px
    patches = px[:used, :used].transpose(2, 0, 1).reshape(3, GRID, 14, GRID, 14).transpose(1, 3, 0, 2, 4) \
        .reshape(GRID * GRID, 588)
    x = patches @ W(p + "embeddings.patch_embedding.weight").reshape(d, 588).T + W(p + "embeddings.patch_embedding.bias")
    x = x + W(p + "embeddings.position_embedding.weight")
    n = x.shape[0]
    for i in range(layer + 1):
        q = p + "encoder.layers.%d." % i
        g = lambda name: W(q + name)
        h = ln(x, g("layer_norm1.weight"), g("layer_norm1.bias"))
        qq = (h @ g("self_attn.q_proj.weight").T + g("self_attn.q_proj.bias")).reshape(n, heads, hd).transpose(1, 0, 2)
        kk = (h @ g("self_attn.k_proj.weight").T + g("self_attn.k_proj.bias")).reshape(n, heads, hd).transpose(1, 0, 2)
        vv = (h @ g("self_attn.v_proj.weight").T + g("self_attn.v_proj.bias")).reshape(n, heads, hd).transpose(1, 0, 2)
        s = qq @ kk.transpose(0, 2, 1) * hd ** -0.5
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        o = (s @ vv).transpose(1, 0, 2).reshape(n, d)
        x = x + o @ g("self_attn.out_proj.weight").T + g("self_attn.out_proj.bias")
        h = ln(x, g("layer_norm2.weight"), g("layer_norm2.bias"))
        m = h @ g("mlp.fc1.weight").T + g("mlp.fc1.bias")
        m = 0.5 * m * (1 + np.tanh(np.sqrt(2 / np.pi) * (m + 0.044715 * m ** 3)))   # gelu_pytorch_tanh
        x = x + m @ g("mlp.fc2.weight").T + g("mlp.fc2.bias")
    return x


def write_sae(out, model, image, layer, d_sae, seed, zlo, zhi):
    """As ../shared/tools/realsize/gen_sae.py, on SigLIP (no CLS: every row is a patch)."""
    t0 = time.time()
    x = siglip_layer_acts(model, image, layer)
    print("layer %d acts %s: mean %.4f std %.4f (%.1f s)" % (layer, x.shape, x.mean(), x.std(), time.time() - t0))
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    W_dec = rng.standard_normal((d_sae, d), dtype=np.float32)
    W_dec /= np.linalg.norm(W_dec, axis=1, keepdims=True)
    W_enc = np.ascontiguousarray(W_dec.T)
    b_dec = x.mean(0).astype(np.float32)
    pre = (x - b_dec) @ W_enc
    z = rng.uniform(zlo, zhi, d_sae).astype(np.float32)
    b_enc = -(pre.mean(0) + z * pre.std(0)).astype(np.float32)
    l0 = (np.maximum(pre + b_enc, 0) > 0).sum(1)
    print("calibration: L0 per token mean %.1f (%.2f %%)" % (l0.mean(), 100 * l0.mean() / d_sae))
    os.makedirs(out, exist_ok=True)
    T = {"W_enc": W_enc, "b_enc": b_enc, "W_dec": W_dec, "b_dec": b_dec}
    write_file(os.path.join(out, "sae_weights.safetensors"),
               [(k, T[k].shape, "F32") for k in ("W_enc", "b_enc", "W_dec", "b_dec")], lambda n, s: T[n],
               {"format": "pt"})
    cfg = {"architecture": "standard", "d_in": d, "d_sae": d_sae, "dtype": "float32", "device": "cpu",
           "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none",
           "metadata": {"model_name": os.path.abspath(model),
                        "model_class_name": "LlavaOnevisionForConditionalGeneration",
                        "hook_name": "vision.blocks.%d.hook_resid_post" % layer, "hook_layer": layer,
                        "hf_module": "vision_tower.vision_model.encoder.layers.%d" % layer,
                        "hf_hidden_states_index": layer + 1,
                        "token_positions": "all vision tokens: patches 0..728 in row-major grid order (SigLIP has no CLS)",
                        "context_size": GRID * GRID, "activation_fn": "relu", "expansion_factor": d_sae // d,
                        "dataset_path": "random SAE calibrated on %s (gen_onevision.py)" % os.path.basename(image)}}
    json.dump(cfg, open(os.path.join(out, "cfg.json"), "w"), indent=2)
    print("wrote %s in %.1f s" % (out, time.time() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=sorted(SIZES), default="0.5b")
    ap.add_argument("--out", help="checkpoint folder to write")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--shard-gb", type=float, default=5.0)
    ap.add_argument("--images", help="write scene384.png and scene768.png into this folder")
    ap.add_argument("--sae", help="write an SAE into this folder (needs --model and --image)")
    ap.add_argument("--model", help="checkpoint whose SigLIP activations calibrate the SAE")
    ap.add_argument("--image", help="384 x 384 PNG for the calibration")
    ap.add_argument("--layer", type=int, default=20)
    ap.add_argument("--d-sae", type=int, default=18432)
    ap.add_argument("--zlo", type=float, default=1.7)
    ap.add_argument("--zhi", type=float, default=2.3)
    a = ap.parse_args()
    t0 = time.time()
    if a.images:
        write_images(a.images)
    if a.sae:
        if not (a.model and a.image):
            ap.error("--sae needs --model and --image")
        write_sae(a.sae, a.model, a.image, a.layer, a.d_sae, 7, a.zlo, a.zhi)
    if a.out:
        c = SIZES[a.size]
        plan = vision_plan() + lm_plan(c)
        nparam = sum(int(np.prod(s)) for _, s, _ in plan)
        print("onevision %s: %d tensors, %.3f B params, %.2f GB fp16" % (a.size, len(plan), nparam / 1e9, 2 * nparam / 1e9))
        os.makedirs(a.out, exist_ok=True)
        write_sharded(a.out, plan, make_fill(a.seed, c["tie_word_embeddings"]), shard_bytes=int(a.shard_gb * 1e9))
        write_side_files(a.out, a.size, c)
    if not (a.images or a.sae or a.out):
        ap.error("nothing to do: pass --out, --images or --sae")
    print("done in %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
