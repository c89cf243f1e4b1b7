#!/usr/bin/env bash
# Real-size timed runs: `vsp ask` on random-weight checkpoints with the exact shapes of the paper's
# models (written by ../shared/tools/realsize), beside the baseline a user would pick
# (hf_generate.py: transformers + PyTorch, plain greedy generation), on a quiet machine.
#
#   benchmarks/realsize/run.sh 1b        # CLIP ViT-L/14-336 + 1.1B Llama: vsp ask, ask --ablate, PyTorch bf16/fp32
#   benchmarks/realsize/run.sh next      # the LLaVA-NeXT variant on a 672x672 image (2,928 image tokens)
#   benchmarks/realsize/run.sh 7b        # llava-1.5-7b shapes (14.1 GB F16; writing it takes minutes and 14 GB of disk)
#   benchmarks/realsize/run.sh ov        # llava-onevision-qwen2-0.5b-ov shapes (1.8 GB F16), 384 px image (base + 1 tile)
#   benchmarks/realsize/run.sh ov7b      # llava-onevision-qwen2-7b-ov shapes (16 GB F16), 384 px image
#                                        # (the OneVision checkpoints, SAE and images: benchmarks/realsize/gen_onevision.py)
#   benchmarks/realsize/run.sh qwen2vl-7b  # Qwen/Qwen2-VL-7B-Instruct shapes (gen_qwen2vl.py: 16.6 GB BF16, CPU engine only)
#   benchmarks/realsize/run.sh qwen2vl-2b  # Qwen/Qwen2-VL-2B-Instruct shapes (4.4 GB BF16)
#     (written with the Hub's max_pixels 12845056; the pre-flight budgets one image of up to 1,280 tokens and a
#     larger image is checked against the free heap when asked; the 336 px test image gives 144 tokens)
#
# Env: DIR (default /tmp/vsp-realsize) for the checkpoints, REPEAT (default 3), PYTHON: a python with torch,
# transformers, tokenizers and pillow for the baseline (skipped when unset). Each line of output carries
# `cat /proc/loadavg` taken just before the run; figures taken while anything else runs are noise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GEN="$ROOT/../shared/tools/realsize"
DIR="${DIR:-/tmp/vsp-realsize}"
REPEAT="${REPEAT:-3}"
what="${1:-1b}"
OV="$ROOT/benchmarks/realsize/gen_onevision.py"
mkdir -p "$DIR"
[ -d "$DIR/images" ] || python3 "$GEN/gen_images.py" "$DIR/images"
[ -f "$DIR/images/scene384.png" ] || python3 "$OV" --images "$DIR/images"
sae="$DIR/sae-l18"
case "$what" in
  ov|ov7b|qwen2vl-7b|qwen2vl-2b) ;;
  *) [ -d "$DIR/llava-1b" ] || python3 "$GEN/gen_llava.py" --size 1b --out "$DIR/llava-1b" --shard-gb 2.0
     [ -d "$DIR/sae-l18" ] || python3 "$GEN/gen_sae.py" --model "$DIR/llava-1b" --image "$DIR/images/scene336.png" \
       --out "$DIR/sae-l18" --zlo 2.0 --zhi 2.6 ;;
esac
case "$what" in
  1b) model="$DIR/llava-1b"; image="$DIR/images/scene336.png" ;;
  next) [ -d "$DIR/llava-next-1b" ] || python3 "$GEN/gen_llava.py" --next-from "$DIR/llava-1b" --out "$DIR/llava-next-1b"
        model="$DIR/llava-next-1b"; image="$DIR/images/scene672.png" ;;
  7b) [ -d "$DIR/llava-7b" ] || python3 "$GEN/gen_llava.py" --size 7b --out "$DIR/llava-7b"
      model="$DIR/llava-7b"; image="$DIR/images/scene336.png" ;;
  ov|ov7b) size=$([ "$what" = ov ] && echo 0.5b || echo 7b)
      [ -d "$DIR/llava-ov-$size" ] || python3 "$OV" --size "$size" --out "$DIR/llava-ov-$size"
      # the SAE after SigLIP layer 20, calibrated on the 0.5B checkpoint's tower (both sizes share its shapes)
      [ -d "$DIR/llava-ov-0.5b" ] || python3 "$OV" --size 0.5b --out "$DIR/llava-ov-0.5b"
      [ -d "$DIR/sae-ov-l20" ] || python3 "$OV" --sae "$DIR/sae-ov-l20" --model "$DIR/llava-ov-0.5b" \
        --image "$DIR/images/scene384.png" --layer 20
      model="$DIR/llava-ov-$size"; image="$DIR/images/scene384.png"; sae="$DIR/sae-ov-l20" ;;
  qwen2vl-7b|qwen2vl-2b)
      size="${what#qwen2vl-}"
      [ -d "$DIR/$what" ] || python3 "$ROOT/benchmarks/realsize/gen_qwen2vl.py" --size "$size" --out "$DIR/$what"
      [ -d "$DIR/sae-$what-l16" ] || python3 "$ROOT/benchmarks/realsize/gen_qwen2vl.py" --sae-for "$DIR/$what" \
        --image "$DIR/images/scene336.png" --out "$DIR/sae-$what-l16" --layer 16
      model="$DIR/$what"; image="$DIR/images/scene336.png"; sae="$DIR/sae-$what-l16" ;;
  *) echo "usage: run.sh 1b|next|7b|ov|ov7b|qwen2vl-7b|qwen2vl-2b" >&2; exit 2 ;;
esac
"$ROOT/bin/vsp" --help >/dev/null   # build once, outside the timings

timed() {   # label, command...: whole-process wall time and peak RSS
  local label="$1"; shift
  local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  local log; log="$(mktemp)"
  /usr/bin/time -f "%e %M" -o "$log.time" "$@" > "$log" 2>&1 || { echo "$label FAILED"; tail -5 "$log"; return 1; }
  read -r secs kb < "$log.time"
  printf '%-28s %7.1f s  peak RSS %5.2f GiB  load %s\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1048576}')" "$load"
  grep -E '^  (load|vision|prefill|decode|sae-encode|analysis|regenerate(/[a-z-]+)?|total) ' "$log" | sed 's/^/    /' || true
  grep -E '^\{' "$log" | sed 's/^/    /' || true
  rm -f "$log" "$log.time"
}

for i in $(seq "$REPEAT"); do
  timed "vsp ask ($what) #$i" "$ROOT/bin/vsp" ask --model "$model" --sae "$sae" --image "$image" \
    --prompt "Describe the image in detail ." --max-new-tokens 16 --timings
  if [ "$what" != 7b ] && [ "$what" != ov7b ] && [ "$what" != qwen2vl-7b ]; then
    timed "vsp ask --ablate ($what) #$i" "$ROOT/bin/vsp" ask --model "$model" --sae "$sae" --image "$image" \
      --prompt "Describe the image in detail ." --max-new-tokens 16 --timings --ablate 1,2,3,4,5,6,7,8
  fi
  if [ -n "${PYTHON:-}" ] && [ "$what" = 1b ]; then
    timed "PyTorch bf16 #$i" "$PYTHON" "$ROOT/benchmarks/realsize/hf_generate.py" "$model" "$image" --dtype bf16
    timed "PyTorch fp32 #$i" "$PYTHON" "$ROOT/benchmarks/realsize/hf_generate.py" "$model" "$image" --dtype fp32
  fi
done
