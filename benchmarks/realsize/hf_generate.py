"""The baseline a user would pick: a plain greedy generation with Hugging Face transformers + PyTorch
on the same real-shape checkpoint, timed the way benchmarks/realsize/run.sh times `vsp ask`.

  python hf_generate.py MODEL_DIR IMAGE --dtype bf16|fp32 [--new 16] [--text-tokens 10]

Prints one JSON line: load, vision+prefill (first token), the remaining tokens, the whole process and
peak RSS. The prompt is the same as run.sh's: BOS, the words of "USER: <image> ... ASSISTANT:" as the
word-level tokenizer of the generated checkpoints splits them, the image token expanded to the
image's 576 tokens.
"""
import argparse
import json
import resource
import time

T0 = time.perf_counter()

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from transformers import CLIPImageProcessor, LlavaForConditionalGeneration  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("image")
    ap.add_argument("--dtype", choices=["bf16", "fp32"], default="bf16")
    ap.add_argument("--new", type=int, default=16)
    ap.add_argument("--prompt", default="Describe the image in detail .")
    args = ap.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32

    t = time.perf_counter()
    model = LlavaForConditionalGeneration.from_pretrained(args.model, torch_dtype=dtype,
                                                          attn_implementation="sdpa")
    model.eval()
    load = time.perf_counter() - t

    tok = Tokenizer.from_file(f"{args.model}/tokenizer.json")
    image_id = model.config.image_token_index
    n_img = (model.config.vision_config.image_size // model.config.vision_config.patch_size) ** 2
    words = tok.encode("USER:", add_special_tokens=False).ids
    rest = tok.encode(args.prompt + " ASSISTANT:", add_special_tokens=False).ids
    ids = [1] + words + [image_id] * n_img + rest
    pixels = CLIPImageProcessor.from_pretrained(args.model)(Image.open(args.image).convert("RGB"),
                                                             return_tensors="pt")["pixel_values"].to(dtype)
    input_ids = torch.tensor([ids])

    with torch.inference_mode():
        t = time.perf_counter()
        model.generate(input_ids=input_ids, pixel_values=pixels, max_new_tokens=1, do_sample=False)
        first = time.perf_counter() - t
        t = time.perf_counter()
        out = model.generate(input_ids=input_ids, pixel_values=pixels, max_new_tokens=args.new, do_sample=False,
                             min_new_tokens=args.new)
        whole = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "dtype": args.dtype, "prompt_tokens": len(ids), "new_tokens": int(out.shape[1] - len(ids)),
        "load_s": round(load, 2), "vision_prefill_s": round(first, 2), "generate_s": round(whole, 2),
        "decode_per_token_s": round((whole - first) / max(args.new - 1, 1), 3),
        "process_s_without_second_prefill": round(time.perf_counter() - T0 - first, 2),
        "peak_rss_gib": round(peak / 2**30, 2)}))


if __name__ == "__main__":
    main()
