package org.visualscratchpad.analysis.heatmap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.ranking.AttentionScorer;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The raw token-latent matrix before normalisation and clustering: the union of every token's
 * top-{@code k} latents (noisy latents excluded) as columns, ascending by latent id, and their
 * attention-weighted scores on every token of the span. The API's {@link
 * org.visualscratchpad.scratchpad.TokenLatentHeatmap} is this matrix normalised ({@link #normalise}).
 *
 * <pre>{@code
 * jshell> var m = HeatmapMatrix.compute(patches, attn, tokens, new TokenSpan(0, 8), FilteredLatents.none(256), 20, AttentionWeighting.RAW)
 * m ==> HeatmapMatrix[8 tokens x 47 latents, k 20, ...]
 * }</pre>
 *
 * @param tokens the span's token strings, one per row
 * @param span the rows of the attention used
 * @param latentIds the columns, ascending
 * @param scores {@code [tokens x latentIds]}
 * @param topK the k used
 * @param filtered the excluded latents
 * @param weighting how attention weighted the patches
 * @param filteredOut the excluded latents that would have been columns without the exclusion, ascending
 */
public record HeatmapMatrix(List<String> tokens, TokenSpan span, List<Integer> latentIds, FloatMatrix scores, int topK,
    FilteredLatents filtered, AttentionWeighting weighting, List<Integer> filteredOut) {
  public HeatmapMatrix {
    tokens = List.copyOf(tokens);
    latentIds = List.copyOf(latentIds);
    filteredOut = List.copyOf(filteredOut);
    InvalidInputException.check(scores.rows() == tokens.size() && scores.cols() == latentIds.size(),
        "scores [%s x %s] must be [tokens (%s) x latents (%s)]", scores.rows(), scores.cols(), tokens.size(), latentIds.size());
  }

  /**
   * Selects the columns and computes their scores, in one scoring pass: the excluded latents are
   * scored into their own top-{@code k} ({@link AttentionScorer#topKSplit}), which tells which of
   * them the exclusion removed ({@link #filteredOut()}) without building the heatmap twice.
   *
   * @param attention {@code [allTokens x imageTokens]}, rows of {@code span} are used
   * @param tokens the strings of all attention rows
   * @throws InvalidInputException if the span leaves the attention, the filter's d_sae disagrees, or
   *     no latent is active on the span (nothing to show)
   */
  public static HeatmapMatrix compute(PatchActivations patches, FloatMatrix attention, List<String> tokens, TokenSpan span,
      FilteredLatents filtered, int topK, AttentionWeighting weighting) {
    InvalidInputException.check(tokens.size() == attention.rows(),
        "tokens (%s) must match the attention rows (%s)", tokens.size(), attention.rows());
    InvalidInputException.check(span.to() <= attention.rows(),
        "token span %s must lie within the %s attention rows", span, attention.rows());
    InvalidInputException.check(filtered.dSae() == patches.dSae(),
        "latent statistics cover %s latents but the SAE has %s; use the statistics of this SAE", filtered.dSae(), patches.dSae());
    FloatMatrix rows = attention.rowRange(span.from(), span.to());
    InvalidInputException.check(topK >= 1, "topK (%s) must be >= 1", topK);
    AttentionScorer scorer = new AttentionScorer(patches, rows, weighting);
    AttentionScorer.Split top = scorer.topKSplit(topK, filtered.excludedSet());
    BitSet union = new BitSet(patches.dSae());
    BitSet removed = new BitSet(patches.dSae());
    for (int t = 0; t < top.kept().size(); t++) {
      for (RankedLatent r : top.kept().get(t)) {
        union.set(r.latentId());
      }
      if (!top.excluded().get(t).isEmpty()) {
        for (RankedLatent r : top.merged(t, topK)) {
          if (filtered.isExcluded(r.latentId())) {
            removed.set(r.latentId());
          }
        }
      }
    }
    InvalidInputException.check(!union.isEmpty(),
        "no latent has a positive attention-weighted score on tokens %s (after excluding %s noisy latents); "
            + "check that the span's tokens attend to the image and the SAE fires on it", span, filtered.excludedCount());
    int[] ids = union.stream().toArray();
    FloatMatrix scores = scorer.scoresOf(ids);
    List<Integer> idList = new ArrayList<>(ids.length);
    for (int id : ids) {
      idList.add(id);
    }
    return new HeatmapMatrix(tokens.subList(span.from(), span.to()), span, idList, scores, topK, filtered, weighting,
        removed.stream().boxed().toList());
  }

  /**
   * Scales rows or columns by their largest absolute value (paper §A.2), so that each spans [0, 1]
   * for non-negative scores; an all-zero row or column stays zero. {@code NONE} returns the matrix.
   */
  public static FloatMatrix normalise(FloatMatrix m, HeatmapOptions.Normalization normalization) {
    int rows = m.rows();
    int cols = m.cols();
    float[] d = m.toArray();
    if (normalization == HeatmapOptions.Normalization.ROW) {
      for (int r = 0; r < rows; r++) {
        float max = 0;
        for (int c = 0; c < cols; c++) {
          max = Math.max(max, Math.abs(d[r * cols + c]));
        }
        for (int c = 0; c < cols && max > 0; c++) {
          d[r * cols + c] /= max;
        }
      }
    } else if (normalization == HeatmapOptions.Normalization.COLUMN) {
      for (int c = 0; c < cols; c++) {
        float max = 0;
        for (int r = 0; r < rows; r++) {
          max = Math.max(max, Math.abs(d[r * cols + c]));
        }
        for (int r = 0; r < rows && max > 0; r++) {
          d[r * cols + c] /= max;
        }
      }
    }
    return FloatMatrix.adopt(rows, cols, d);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "HeatmapMatrix[%d tokens x %d latents, k %d, %s, %s, span %s]", tokens.size(),
        latentIds.size(), topK, weighting, filtered, span);
  }
}
