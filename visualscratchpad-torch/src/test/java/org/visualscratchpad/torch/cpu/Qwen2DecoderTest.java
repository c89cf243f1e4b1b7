package org.visualscratchpad.torch.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.family.TextPositions;
import org.visualscratchpad.torch.llama.LlamaConfig;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * The Qwen2 language model on the CPU engine (q/k/v biases, GQA 4/2, rope_theta 1e6 from the config, the
 * Qwen2 defaults for what config.json omits), against the language-model outputs transformers computed in the
 * llava_onevision fixture: the reference image features written at the image tokens, then every hidden state,
 * every attention map, the logits, and greedy decoding with the KV cache, single and left-padded batch.
 */
class Qwen2DecoderTest {
  private static final int IMAGE = 195;

  private static CpuLlama load(Path dir) {
    LlamaConfig cfg = LlamaConfig.read(ConfigJson.read(dir).child("text_config"), "qwen2");
    assertTrue(cfg.attentionBias());
    assertEquals(1e-6, cfg.rmsNormEps());
    assertEquals(1e6, cfg.ropeTheta());
    try (Weights w = Weights.open(dir)) {
      return new CpuLlama(new CpuWeights(w, null), "language_model", "lm_head.weight", cfg);
    }
  }

  /** Embeddings of {@code ids} with {@code features} (rows in prompt order) at the image tokens. */
  private static float[] embed(CpuLlama lm, long[][] ids, float[] features) {
    long[][] text = new long[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      text[i] = Arrays.stream(ids[i]).map(v -> v == IMAGE ? 0 : v).toArray();
    }
    float[] e = lm.embed(text);
    int d = lm.config().hiddenSize();
    int s = ids[0].length;
    int j = 0;
    for (int i = 0; i < ids.length; i++) {
      for (int t = 0; t < s; t++) {
        if (ids[i][t] == IMAGE) {
          System.arraycopy(features, j++ * d, e, (i * s + t) * d, d);
        }
      }
    }
    assertEquals(features.length / d, j);
    return e;
  }

  private static double maxDiff(float[] a, DenseTensor ref, int[][] mask, int perRow) {
    assertEquals(ref.size(), a.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (mask != null) {
        int row = i / perRow;   // (batch row, position) for [B, L, ...]
        if (mask[row / mask[0].length][row % mask[0].length] == 0) {
          continue;
        }
      }
      max = Math.max(max, Math.abs(a[i] - ref.at(i)));
    }
    return max;
  }

  @Test
  void hidden_states_attentions_logits_and_greedy_steps_match_transformers() {
    Path dir = Fixtures.folder("llava_onevision");
    CpuLlama lm = load(dir);
    int d = lm.config().hiddenSize();
    int heads = lm.config().numHeads();
    int vocab = lm.config().vocabSize();
    try (TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"));
        TensorFile out = TensorFile.open(dir.resolve("outputs.safetensors"))) {
      for (String c : List.of("single", "batch")) {
        long[][] ids = in.longRows(c + ".input_ids");
        int b = ids.length;
        int s = ids[0].length;
        int[][] mask = new int[b][];
        long[][] am = in.longRows(c + ".attention_mask");
        for (int i = 0; i < b; i++) {
          mask[i] = Arrays.stream(am[i]).mapToInt(v -> (int) v).toArray();
        }
        TextPositions pos = in.contains(c + ".position_ids") ? TextPositions.of(in.longRows(c + ".position_ids"))
            : TextPositions.fromMask(mask);
        float[] x = embed(lm, ids, out.tensor(c + ".image_features").toArray());
        float[][] attn = new float[lm.config().numLayers()][b * heads * s * s];
        float[][] hidden = new float[lm.config().numLayers() + 1][];
        CpuKvCache cache = new CpuKvCache(lm.config().numLayers(), b, s + 8, lm.config().numKeyValueHeads()
            * lm.config().headDim());
        float[] h = lm.forward(x, b, s, pos.ids(), mask, cache, new CpuLlama.LayerSink() {
          @Override
          public boolean wants(int layer) {
            return true;
          }

          @Override
          public void accept(int layer, int row, int head, int q0, int rows, int keys, float[] probs) {
            System.arraycopy(probs, 0, attn[layer], ((row * heads + head) * s + q0) * keys, rows * keys);
          }
        }, (i, hs) -> hidden[i] = hs);
        int[][] rowMask = c.equals("batch") ? mask : null;
        for (int i = 0; i < hidden.length; i++) {
          double diff = maxDiff(hidden[i], out.tensor(c + ".lm_hidden_states." + i), rowMask, d);
          assertTrue(diff < 1e-5, c + " hidden " + i + ": " + diff);
        }
        for (int l = 0; l < attn.length; l++) {
          DenseTensor ref = out.tensor(c + ".attentions." + l);
          double max = 0;
          for (int k = 0; k < attn[l].length; k++) {
            int row = k / (heads * s * s);
            int q = (k / s) % s;
            if (mask[row][q] != 0) {
              max = Math.max(max, Math.abs(attn[l][k] - ref.at(k)));
            }
          }
          assertTrue(max < 1e-5, c + " attentions " + l + ": " + max);
        }
        float[] logits = lm.logits(h, 0, b * s);
        double ld = maxDiff(logits, out.tensor(c + ".logits"), rowMask, vocab);
        assertTrue(ld < 1e-4, c + " logits: " + ld);

        // greedy decoding with the KV cache: every step's logits and the chosen tokens
        DenseTensor steps = out.tensor(c + ".generated_step_logits");
        long[][] gen = out.longRows(c + ".generated_ids");
        float[] last = new float[b * vocab];
        for (int i = 0; i < b; i++) {
          System.arraycopy(logits, ((i + 1) * s - 1) * vocab, last, i * vocab, vocab);
        }
        for (int t = 0; t < 8; t++) {
          long[][] tok = new long[b][1];
          for (int i = 0; i < b; i++) {
            int best = 0;
            for (int v = 1; v < vocab; v++) {
              if (last[i * vocab + v] > last[i * vocab + best]) {
                best = v;
              }
              assertEquals(steps.at((t * b + i) * vocab + v), last[i * vocab + v], 1e-4, c + " step " + t);
            }
            assertEquals(gen[i][s + t], best, c + " token " + t + " of row " + i);
            tok[i][0] = best;
          }
          int[][] one = new int[b][1];
          for (int[] r : one) {
            r[0] = 1;
          }
          last = lm.logits(lm.forward(lm.embed(tok), b, 1, pos.step(s + t), one, cache, null, null), 0, b);
        }
      }
    }
  }
}
