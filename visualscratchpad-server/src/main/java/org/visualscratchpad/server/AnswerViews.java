package org.visualscratchpad.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.json.PlanJson;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.RankOptions;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Token;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The JSON shapes the page reads, built from the fluent API's values (plain maps and lists that
 * Jackson writes as they are). Every array's shape is written beside it.
 */
final class AnswerViews {
  private AnswerViews() {}

  /** A token as {@code {index, id, text, position}}. */
  static Map<String, Object> token(int index, Token t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", index);
    m.put("id", t.id());
    m.put("text", t.text());
    m.put("position", t.position());
    return m;
  }

  /**
   * Everything the observation panel draws for one answer: tokens, image-token boxes {@code
   * [imageTokens][x, y, w, h, crop]} in the full image's pixels ({@code image.width x image.height}; the
   * image served is a preview of at most {@value AnswerCache#PREVIEW_SIDE} px a side), attention {@code
   * [generated][imageTokens]}, the activation bars per generated token (weighted and plain, best
   * first), and the plan as text and as the plan codec's JSON ({@code planJson}).
   */
  static Map<String, Object> answer(String id, AnswerCache.Held held, int barsTopK) {
    Answer a = held.answer();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("prompt", a.prompt());
    m.put("text", a.text());
    m.put("plan", a.plan().edits().isEmpty() ? "no edit" : a.plan().toString());
    m.put("planJson", PlanJson.toJson(a.plan()));
    m.put("edits", a.plan().edits().stream().map(LatentIntervention::toString).toList());
    // width and height of the full image: the image-token boxes are in its pixels; the served image is a preview
    m.put("image", Map.of("width", held.width(), "height", held.height(), "url", "api/answers/" + id + "/image"));
    m.put("maxNewTokens", a.options().maxNewTokens());
    List<Map<String, Object>> prompt = new ArrayList<>();
    for (int i = 0; i < a.promptTokens().size(); i++) {
      prompt.add(token(i, a.promptTokens().get(i)));
    }
    m.put("promptTokens", prompt);
    List<Map<String, Object>> gen = new ArrayList<>();
    for (int i = 0; i < a.generated().size(); i++) {
      gen.add(token(i, a.generated().get(i)));
    }
    m.put("generated", gen);
    List<int[]> boxes = new ArrayList<>(a.imageTokens().size());
    for (ImageTokenLocation l : a.imageTokens()) {
      boxes.add(new int[] {l.box().x(), l.box().y(), l.box().width(), l.box().height(), l.crop()});
    }
    m.put("imageTokens", boxes);
    FloatMatrix w = a.attention().weights();
    List<float[]> rows = new ArrayList<>(w.rows());
    float[] mass = new float[w.rows()];
    for (int r = 0; r < w.rows(); r++) {
      rows.add(w.row(r));
      mass[r] = a.attention().imageMass(r);
    }
    m.put("attention", rows);
    m.put("imageMass", mass);
    m.put("attentionConvention", a.attention().convention().name());
    SparseActivations a0 = a.activations().get(0);
    m.put("activations", Map.of("crops", a.activations().size(), "tokensPerCrop", a0.rows(), "dSae", a0.dSae(),
        "meanL0", a0.meanL0()));
    try {
      LatentRanking weighted = a.rankLatents(RankOptions.defaults().withTopK(barsTopK));
      LatentRanking plain = a.rankLatents(RankOptions.defaults().withTopK(barsTopK).plain());
      m.put("bars", Map.of("weighted", barsPerToken(weighted.perToken()), "plain", barsPerToken(plain.perToken()),
          "overallWeighted", bars(weighted.overall()), "overallPlain", bars(plain.overall())));
    } catch (ScratchpadException e) {
      m.put("barsError", e.getMessage());
    }
    return m;
  }

  private static List<List<Object[]>> barsPerToken(List<List<RankedLatent>> perToken) {
    return perToken.stream().map(AnswerViews::bars).toList();
  }

  /** {@code [[latentId, score], ...]} best first. */
  private static List<Object[]> bars(List<RankedLatent> ranked) {
    return ranked.stream().map(r -> new Object[] {r.latentId(), r.score()}).toList();
  }

  /** The heatmap {@code values [tokens][latents]} with its labels, and the clusters (null when not clustered). */
  static Map<String, Object> heatmap(TokenLatentHeatmap hm, LatentClusters clusters) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", hm.tokens());
    m.put("latentIds", hm.latentIds());
    List<float[]> rows = new ArrayList<>();
    for (int r = 0; r < hm.values().rows(); r++) {
      rows.add(hm.values().row(r));
    }
    m.put("values", rows);
    m.put("filteredOut", hm.filteredOut());
    m.put("warnings", hm.warnings());
    m.put("options", hm.options());
    if (clusters != null) {
      m.put("clusterOptions", clusters.options());
      m.put("clusters", clusters.clusters().stream().map(c -> Map.of("index", c.index(), "latentIds", c.latentIds(),
          "strongestTokens", c.strongestTokens())).toList());
      m.put("leafOrder", clusters.leafOrder());
    }
    return m;
  }

  /**
   * The statistics scatter: every latent's mean activation and frequency, the noisy latents by the
   * one rule ({@link NoisyLatents}: {@code noisy}, ascending ids) and where the scatter draws each
   * axis's cut (the smallest flagged value; +infinity when the axis flags nothing).
   */
  static Map<String, Object> statistics(DatasetStatistics s, double percent) {
    NoisyLatents noisy = s.noisyLatents(percent);
    int n = s.dSae();
    float[] mean = new float[n];
    float[] freq = new float[n];
    for (int l = 0; l < n; l++) {
      mean[l] = s.meanActivation(l);
      freq[l] = s.frequency(l);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dSae", n);
    m.put("percent", percent);
    m.put("meanThreshold", (float) noisy.meanActivationThreshold().orElse(Double.POSITIVE_INFINITY));
    m.put("frequencyThreshold", (float) noisy.frequencyThreshold().orElse(Double.POSITIVE_INFINITY));
    m.put("noisy", noisy.union().stream().toArray());
    m.put("meanActivation", mean);
    m.put("frequency", freq);
    return m;
  }

  /** The two answers token by token: {@code rows [{index, before, after, changed}]}. */
  static Map<String, Object> diff(AnswerDiff d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("changed", d.changed());
    m.put("firstChange", d.firstChange());
    m.put("before", d.before().text());
    m.put("after", d.after().text());
    m.put("rows", d.rows());
    return m;
  }
}
