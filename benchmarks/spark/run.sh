#!/usr/bin/env bash
# Timed runs of dataset statistics at real size: `vsp stats` on one machine against `vsp stats --spark local[2]`
# (image folder and WebDataset shards of the same images), CLIP ViT-L/14-336 tower to layer 18 + a 1024 -> 32768 SAE
# (random weights with the real shapes, ../shared/tools/realsize). Checks that the three statistics folders are
# byte-identical, prints images/s, the Spark/single ratio, the aggregation share of encoder time, and projects the
# cost of ImageNet-1k train (1,281,167 images) per executor-hour from the measured per-image cost.
#
#   benchmarks/spark/run.sh            # N=64 images (about 2-4 minutes per run on 2 cores)
#   N=200 REPEAT=2 benchmarks/spark/run.sh
#
# Env: DIR (default /tmp/vsp-realsize) for the checkpoints and the dataset, N images, REPEAT runs of each. Every
# line carries `cat /proc/loadavg` taken before the run: figures taken while anything else runs are noise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GEN="$ROOT/../shared/tools/realsize"
DIR="${DIR:-/tmp/vsp-realsize}"
N="${N:-64}"
REPEAT="${REPEAT:-1}"
mkdir -p "$DIR"
[ -d "$DIR/images" ] || python3 "$GEN/gen_images.py" "$DIR/images"
[ -d "$DIR/llava-1b" ] || python3 "$GEN/gen_llava.py" --size 1b --out "$DIR/llava-1b" --shard-gb 2.0
[ -d "$DIR/sae-l18" ] || python3 "$GEN/gen_sae.py" --model "$DIR/llava-1b" --image "$DIR/images/scene336.png" \
  --out "$DIR/sae-l18" --zlo 2.0 --zhi 2.6
DATA="$DIR/stats-data-$N"
[ -d "$DATA" ] || python3 "$ROOT/benchmarks/spark/gen_dataset.py" "$DATA" "$N"
"$ROOT/bin/vsp" --help >/dev/null                                   # builds, outside the timings
"$ROOT/bin/vsp" stats --spark local --help >/dev/null               # builds the Spark module

run() {   # label, out, args...: prints the command's timings line with the load average
  local label="$1" out="$2"; shift 2
  local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf "$out"
  local log; log="$(mktemp)"
  /usr/bin/time -f "%e %M" -o "$log.time" "$ROOT/bin/vsp" stats "$@" --model "$DIR/llava-1b" --sae "$DIR/sae-l18" \
    --out "$out" --timings > "$log" 2>&1 || { echo "$label FAILED"; tail -20 "$log"; exit 1; }
  read -r secs kb < "$log.time"
  printf '%-34s process %6.1f s, peak RSS %5.2f GiB, load %s\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1048576}')" "$load"
  grep '^timings:' "$log" | sed 's/^/    /'
  grep '^timings:' "$log" | grep -o '[0-9.]* images/s' | head -1 | cut -d' ' -f1 > "$out.rate"
  grep '^timings:' "$log" | grep -o 'aggregation [0-9.]* %' | head -1 > "$out.agg"
  rm -f "$log" "$log.time"
}

for i in $(seq "$REPEAT"); do
  run "vsp stats (one machine) #$i" "$DIR/stats-single" --images "$DATA/images"
  run "vsp stats --spark local[2] folder #$i" "$DIR/stats-spark-folder" --spark 'local[2]' --images "$DATA/images"
  run "vsp stats --spark local[2] tar #$i" "$DIR/stats-spark-tar" --spark 'local[2]' --tar "$DATA/shards"
  for f in latent_stats.json latent_stats.safetensors skipped.txt; do
    cmp -s "$DIR/stats-single/$f" "$DIR/stats-spark-folder/$f" && cmp -s "$DIR/stats-single/$f" "$DIR/stats-spark-tar/$f" \
      || { echo "  $f DIFFERS between the runs"; exit 1; }
  done
  echo "  the three statistics folders are byte-identical"
  single="$(cat "$DIR/stats-single.rate")"; spark="$(cat "$DIR/stats-spark-folder.rate")"
  awk -v s="$single" -v p="$spark" -v c="$(nproc)" -v agg="$(cat "$DIR/stats-spark-folder.agg")" 'BEGIN {
    printf "  local[2] / one machine: %.2fx (target >= 0.9x); Spark %s of encoder time (target <= 5 %%)\n", p / s, agg
    n = 1281167
    printf "  ImageNet-1k train projection from the one-machine rate (%.3f images/s on %d cores):\n", s, c
    printf "    %.0f executor-hours on an executor like this one (%d cores), %.0f core-hours;\n", n / s / 3600, c, n / s / 3600 * c
    printf "    on E such executors about %.0f / E hours of wall time, plus the model load per executor and the merge\n", n / s / 3600
  }'
done
