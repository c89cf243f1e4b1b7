package org.visualscratchpad.torch.family.qwen2vl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * Qwen2-VL's multimodal rotary position embedding (M-RoPE): three rows of position ids (temporal, height,
 * width) as {@code Qwen2VLForConditionalGeneration.get_rope_index} computes them, and the rotary angles
 * they give, the head's frequencies split into {@code mrope_section} chunks that read one row each.
 *
 * <p>Positions: text tokens get equal t/h/w positions counting up; the merged image tokens {@code (t, i, j)}
 * of an image whose block starts at text offset {@code s} (the position after its {@code
 * <|vision_start|>}) get {@code (s + t, s + i, s + j)}; the text after the image resumes at the largest
 * position so far plus one; left padding gets 1. {@code rope_deltas} = largest position + 1 - padded
 * length: during generation the token at cache position {@code c} gets position {@code c + delta} in all
 * three rows. An image counts only when its first image token directly follows {@code <|vision_start|>},
 * as in transformers.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * jshell> var idx = MRope.ropeIndex(ids, mask, List.of(new GridThw(1, 4, 6)), tokens);
 * jshell> idx.positions(0)[0]    // the temporal row of batch row 0
 * jshell> idx.delta(0)
 * }</pre>
 */
public final class MRope {
  private MRope() {}

  /**
   * The special ids {@code get_rope_index} looks for.
   *
   * @param imageTokenId {@code image_token_id}
   * @param videoTokenId {@code video_token_id} (videos are refused), or -1
   * @param visionStartTokenId {@code vision_start_token_id}
   * @param spatialMergeSize {@code vision_config.spatial_merge_size}
   */
  public record Tokens(long imageTokenId, long videoTokenId, long visionStartTokenId, int spatialMergeSize) {
    public Tokens {
      InvalidInputException.check(spatialMergeSize > 0, "spatial_merge_size (%s) must be positive", spatialMergeSize);
    }
  }

  /**
   * Position ids {@code [3][B][L]} (rows t, h, w) and {@code rope_deltas} {@code [B]} of one batch. The
   * arrays are owned by this value; accessors return copies.
   */
  public static final class RopeIndex {
    private final long[][][] positions;
    private final long[] deltas;

    RopeIndex(long[][][] positions, long[] deltas) {
      this.positions = positions;
      this.deltas = deltas;
    }

    /** Row {@code axis} (0 = t, 1 = h, 2 = w): {@code [B][L]}, a copy. */
    public long[][] positions(int axis) {
      long[][] out = new long[positions[axis].length][];
      for (int b = 0; b < out.length; b++) {
        out[b] = positions[axis][b].clone();
      }
      return out;
    }

    /** All three rows {@code [3][B][L]}, a copy. */
    public long[][][] all() {
      return new long[][][] {positions(0), positions(1), positions(2)};
    }

    /** {@code rope_deltas[row]}. */
    public long delta(int row) {
      return deltas[row];
    }

    /** {@code rope_deltas}, a copy. */
    public long[] deltas() {
      return deltas.clone();
    }

    @Override
    public String toString() {
      return "RopeIndex[" + deltas.length + " x " + positions[0][0].length + ", deltas " + Arrays.toString(deltas) + "]";
    }
  }

  /**
   * {@code get_rope_index(input_ids, image_grid_thw, None, attention_mask)}.
   *
   * @param ids {@code [B][L]}, image tokens expanded (one per merged token)
   * @param mask {@code [B][L]} 1 = token, 0 = left padding; null = all tokens
   * @param grids {@code image_grid_thw} of the batch's images in order of appearance, row by row
   * @throws InvalidInputException if the images' token blocks do not match their grids, a video appears, or
   *     grids are left over
   */
  public static RopeIndex ropeIndex(long[][] ids, int[][] mask, List<GridThw> grids, Tokens tokens) {
    int b = ids.length;
    InvalidInputException.check(b > 0, "input_ids must have at least one row");
    int len = ids[0].length;
    long[][][] pos = new long[3][b][len];
    long[] deltas = new long[b];
    if (grids == null || grids.isEmpty()) {
      for (int i = 0; i < b; i++) {
        long c = 0;
        long max = Long.MIN_VALUE;
        for (int t = 0; t < len; t++) {
          boolean real = mask == null || mask[i][t] != 0;
          c += real ? 1 : 0;
          long p = real ? c - 1 : 1;
          for (int a = 0; a < 3; a++) {
            pos[a][i][t] = p;
          }
          max = Math.max(max, p);
        }
        deltas[i] = max + 1 - len;
      }
      return new RopeIndex(pos, deltas);
    }
    int image = 0;
    int m = tokens.spatialMergeSize();
    for (int i = 0; i < b; i++) {
      InvalidInputException.check(ids[i].length == len, "every row of input_ids must have length %s", len);
      List<Integer> keep = new ArrayList<>();
      for (int t = 0; t < len; t++) {
        if (mask == null || mask[i][t] != 0) {
          keep.add(t);
        }
      }
      int n = keep.size();
      long[] row = new long[n];
      for (int k = 0; k < n; k++) {
        row[k] = ids[i][keep.get(k)];
      }
      int images = 0;
      for (int k = 0; k + 1 < n; k++) {
        if (row[k] == tokens.visionStartTokenId()) {
          InvalidInputException.check(row[k + 1] != tokens.videoTokenId(),
              "row %s holds a video (token %s after <|vision_start|>); only images are supported", i,
              tokens.videoTokenId());
          if (row[k + 1] == tokens.imageTokenId()) {
            images++;
          }
        }
      }
      long[][] out = new long[3][n];
      int st = 0;
      long lastMax = -1;
      boolean any = false;
      for (int k = 0; k < images; k++) {
        int ed = indexOf(row, tokens.imageTokenId(), st);
        InvalidInputException.check(ed >= 0, "row %s: image %s has no image token (id %s) after position %s", i, k,
            tokens.imageTokenId(), st);
        InvalidInputException.check(image < grids.size(), "input_ids hold more images than the %s image grids given",
            grids.size());
        GridThw g = grids.get(image++);
        int gh = g.h() / m;
        int gw = g.w() / m;
        int count = g.mergedTokens(m);
        InvalidInputException.check(ed + count <= n && allEqual(row, ed, ed + count, tokens.imageTokenId()),
            "row %s: image %s (%s) needs %s consecutive image tokens (id %s) from position %s", i, image - 1, g, count,
            tokens.imageTokenId(), ed);
        long stIdx = any ? lastMax + 1 : 0;
        int textLen = ed - st;
        for (int q = 0; q < textLen; q++) {
          for (int a = 0; a < 3; a++) {
            out[a][st + q] = stIdx + q;
          }
        }
        long base = stIdx + textLen;
        long max = base + Math.max(g.t() - 1, Math.max(gh - 1, gw - 1));
        int at = ed;
        for (int tt = 0; tt < g.t(); tt++) {
          for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
              out[0][at] = base + tt;
              out[1][at] = base + y;
              out[2][at] = base + x;
              at++;
            }
          }
        }
        lastMax = max;
        any = true;
        st = ed + count;
      }
      if (st < n) {
        long stIdx = any ? lastMax + 1 : 0;
        for (int q = 0; st + q < n; q++) {
          for (int a = 0; a < 3; a++) {
            out[a][st + q] = stIdx + q;
          }
        }
      }
      for (int a = 0; a < 3; a++) {
        Arrays.fill(pos[a][i], 1);
      }
      long max = Long.MIN_VALUE;
      for (int k = 0; k < n; k++) {
        for (int a = 0; a < 3; a++) {
          pos[a][i][keep.get(k)] = out[a][k];
          max = Math.max(max, out[a][k]);
        }
      }
      deltas[i] = (n == 0 ? 0 : max + 1) - len;
    }
    InvalidInputException.check(image == grids.size(), "%s image grids were given but input_ids hold %s images "
        + "(each introduced by <|vision_start|>, id %s)", grids.size(), image, tokens.visionStartTokenId());
    return new RopeIndex(pos, deltas);
  }

  private static int indexOf(long[] row, long id, int from) {
    for (int k = from; k < row.length; k++) {
      if (row[k] == id) {
        return k;
      }
    }
    return -1;
  }

  private static boolean allEqual(long[] row, int from, int to, long id) {
    for (int k = from; k < to; k++) {
      if (row[k] != id) {
        return false;
      }
    }
    return true;
  }

  /**
   * Which position row (0 = t, 1 = h, 2 = w) each of the {@code half = head_dim / 2} rotary frequencies
   * reads: the first {@code section[0]} read t, the next {@code section[1]} h, the rest w.
   *
   * @throws InvalidInputException if the section does not have 3 non-negative entries summing to {@code half}
   */
  public static int[] axisOfFrequency(int[] section, int half) {
    InvalidInputException.check(section != null && section.length == 3,
        "mrope_section (%s) must have 3 entries (t, h, w)", Arrays.toString(section));
    InvalidInputException.check(section[0] >= 0 && section[1] >= 0 && section[2] >= 0
            && section[0] + section[1] + section[2] == half,
        "mrope_section (%s) must be non-negative and sum to head_dim / 2 (%s)", Arrays.toString(section), half);
    int[] axis = new int[half];
    for (int f = 0; f < half; f++) {
      axis[f] = f < section[0] ? 0 : f < section[0] + section[1] ? 1 : 2;
    }
    return axis;
  }

  /**
   * M-RoPE's cosines and sines {@code [B * S, head_dim / 2]} (rotate-half layout: frequency {@code f}
   * turns dims {@code f} and {@code f + head_dim / 2}): {@code position[axis(f)] * invFreq[f]} in float32.
   *
   * @param positions {@code [3][B][S]}
   * @param axis {@link #axisOfFrequency}
   */
  public static float[][] angles(float[] invFreq, int[] axis, long[][][] positions, int b, int s) {
    int half = invFreq.length;
    InvalidInputException.check(axis.length == half, "axis map (%s) must cover the %s frequencies", axis.length, half);
    float[] cos = new float[Math.multiplyExact(b * s, half)];
    float[] sin = new float[cos.length];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < s; t++) {
        int base = (i * s + t) * half;
        for (int f = 0; f < half; f++) {
          float phase = (float) positions[axis[f]][i][t] * invFreq[f];
          cos[base + f] = (float) Math.cos(phase);
          sin[base + f] = (float) Math.sin(phase);
        }
      }
    }
    return new float[][] {cos, sin};
  }
}
