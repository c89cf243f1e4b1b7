package org.visualscratchpad.samples.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnalysisProvider;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.RankOptions;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * TEST ONLY: a small, plain implementation of the analysis SPI (ranking, heatmap, average-linkage
 * clustering) so that the web layer can be tested before {@code visualscratchpad-analysis} ships
 * its provider. Registered in src/test/resources/META-INF/services; delete that registration once
 * the real provider is on the test class path. Never shipped.
 */
public final class FakeAnalysisProvider implements AnalysisProvider {

  /** Scores per latent for one generated token: attention-weighted sum, or plain mean over patches. */
  static Map<Integer, Float> scores(Answer a, int token, boolean weighted) {
    Map<Integer, Float> m = new HashMap<>();
    List<ImageTokenLocation> locs = a.imageTokens();
    for (int k = 0; k < locs.size(); k++) {
      SparseActivations acts = a.activations().get(locs.get(k).crop());
      int row = locs.get(k).patchIndex() + 1;
      float w = weighted ? a.attention().weights().get(token, k) : 1f / locs.size();
      for (int i = acts.rowStart(row); i < acts.rowEnd(row); i++) {
        m.merge(acts.latentAt(i), w * acts.valueAt(i), Float::sum);
      }
    }
    return m;
  }

  static List<RankedLatent> top(Map<Integer, Float> scores, int k) {
    return scores.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted((x, y) -> x.getValue().equals(y.getValue()) ? Integer.compare(x.getKey(), y.getKey()) : Float.compare(y.getValue(), x.getValue()))
        .limit(k).map(e -> new RankedLatent(e.getKey(), e.getValue())).toList();
  }

  @Override
  public LatentRanking rank(Answer answer, RankOptions options) {
    List<List<RankedLatent>> perToken = new ArrayList<>();
    Map<Integer, Float> overall = new HashMap<>();
    int n = answer.generated().size();
    int end = options.spanEnd() < 0 ? n : Math.min(n, options.spanEnd());
    for (int t = 0; t < n; t++) {
      Map<Integer, Float> s = scores(answer, t, options.attentionWeighted());
      perToken.add(top(s, options.topK()));
      if (t >= options.spanStart() && t < end) {
        s.forEach((l, v) -> overall.merge(l, v / Math.max(1, end - options.spanStart()), Float::sum));
      }
    }
    return new LatentRanking(answer, options, perToken, top(overall, options.topK()));
  }

  @Override
  public TokenLatentHeatmap heatmap(Answer answer, HeatmapOptions options) {
    int n = answer.generated().size();
    List<Map<Integer, Float>> rows = new ArrayList<>();
    LinkedHashSet<Integer> columns = new LinkedHashSet<>();
    for (int t = 0; t < n; t++) {
      Map<Integer, Float> s = scores(answer, t, options.attentionWeighted());
      rows.add(s);
      top(s, options.topK()).forEach(r -> columns.add(r.latentId()));
    }
    List<Integer> kept = new ArrayList<>();
    List<Integer> filtered = new ArrayList<>();
    DatasetStatistics stats = answer.source().flatMap(p -> p.statistics()).orElse(null);
    float meanThr = Float.POSITIVE_INFINITY;
    float freqThr = Float.POSITIVE_INFINITY;
    if (stats != null) {
      float[] mean = new float[stats.dSae()];
      float[] freq = new float[stats.dSae()];
      for (int l = 0; l < mean.length; l++) {
        mean[l] = stats.meanActivation(l);
        freq[l] = stats.frequency(l);
      }
      meanThr = ScratchpadServer.topPercentThreshold(mean, options.noisyPercent());
      freqThr = ScratchpadServer.topPercentThreshold(freq, options.noisyPercent());
    }
    for (int l : columns) {
      boolean byMean = stats != null && stats.meanActivation(l) >= meanThr;
      boolean byFreq = stats != null && stats.frequency(l) >= freqThr;
      boolean noisy = switch (options.noisyFilter()) {
        case NONE -> false;
        case MEAN_ACTIVATION -> byMean;
        case FREQUENCY -> byFreq;
        case BOTH -> byMean || byFreq;
      };
      (noisy ? filtered : kept).add(l);
    }
    float[] v = new float[n * kept.size()];
    for (int t = 0; t < n; t++) {
      for (int j = 0; j < kept.size(); j++) {
        v[t * kept.size() + j] = rows.get(t).getOrDefault(kept.get(j), 0f);
      }
    }
    normalise(v, n, kept.size(), options.normalization());
    return new TokenLatentHeatmap(answer, options, answer.generated().stream().map(tk -> tk.text()).toList(), kept,
        FloatMatrix.of(n, kept.size(), v), filtered);
  }

  private static void normalise(float[] v, int rows, int cols, HeatmapOptions.Normalization how) {
    if (how == HeatmapOptions.Normalization.NONE) {
      return;
    }
    boolean byRow = how == HeatmapOptions.Normalization.ROW;
    for (int a = 0; a < (byRow ? rows : cols); a++) {
      float max = 0;
      for (int b = 0; b < (byRow ? cols : rows); b++) {
        max = Math.max(max, v[byRow ? a * cols + b : b * cols + a]);
      }
      if (max > 0) {
        for (int b = 0; b < (byRow ? cols : rows); b++) {
          v[byRow ? a * cols + b : b * cols + a] /= max;
        }
      }
    }
  }

  @Override
  public LatentClusters cluster(TokenLatentHeatmap heatmap, ClusterOptions options) {
    FloatMatrix m = heatmap.values();
    int cols = m.cols();
    double[][] d = new double[cols][cols];
    for (int i = 0; i < cols; i++) {
      for (int j = 0; j < cols; j++) {
        d[i][j] = distance(m, i, j, options.distance());
      }
    }
    List<List<Integer>> groups = new ArrayList<>();
    for (int i = 0; i < cols; i++) {
      groups.add(new ArrayList<>(List.of(i)));
    }
    int target = Math.max(1, Math.min(cols, options.clusters() == 0 ? 1 : options.clusters()));
    while (groups.size() > target) {
      int bi = 0;
      int bj = 1;
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < groups.size(); i++) {
        for (int j = i + 1; j < groups.size(); j++) {
          double s = 0;
          for (int x : groups.get(i)) {
            for (int y : groups.get(j)) {
              s += d[x][y];
            }
          }
          s /= groups.get(i).size() * groups.get(j).size();
          if (s < best) {
            best = s;
            bi = i;
            bj = j;
          }
        }
      }
      groups.get(bi).addAll(groups.remove(bj));
    }
    List<LatentCluster> clusters = new ArrayList<>();
    List<Integer> leafOrder = new ArrayList<>();
    for (int c = 0; c < groups.size(); c++) {
      List<Integer> g = groups.get(c);
      leafOrder.addAll(g);
      int bestToken = 0;
      double bestMean = -1;
      for (int t = 0; t < m.rows(); t++) {
        double s = 0;
        for (int j : g) {
          s += m.get(t, j);
        }
        if (s > bestMean) {
          bestMean = s;
          bestToken = t;
        }
      }
      clusters.add(new LatentCluster(c, g.stream().map(heatmap.latentIds()::get).toList(),
          m.rows() == 0 ? List.of() : List.of(heatmap.tokens().get(bestToken))));
    }
    return new LatentClusters(heatmap, options, clusters, leafOrder);
  }

  private static double distance(FloatMatrix m, int a, int b, ClusterOptions.Distance how) {
    int n = m.rows();
    if (how == ClusterOptions.Distance.EUCLIDEAN) {
      double s = 0;
      for (int t = 0; t < n; t++) {
        double x = m.get(t, a) - m.get(t, b);
        s += x * x;
      }
      return Math.sqrt(s);
    }
    double ma = 0;
    double mb = 0;
    for (int t = 0; t < n; t++) {
      ma += m.get(t, a) / n;
      mb += m.get(t, b) / n;
    }
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int t = 0; t < n; t++) {
      double x = m.get(t, a) - ma;
      double y = m.get(t, b) - mb;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    return saa == 0 || sbb == 0 ? 1 : 1 - sab / Math.sqrt(saa * sbb);
  }

  @Override
  public Picture picture(TokenLatentHeatmap heatmap, LatentClusters clusters) {
    BufferedImage img = new BufferedImage(Math.max(1, heatmap.latentIds().size()), Math.max(1, heatmap.tokens().size()),
        BufferedImage.TYPE_INT_RGB);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return new Picture(out.toByteArray(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "FakeAnalysisProvider" + Arrays.asList("test only");
  }
}
