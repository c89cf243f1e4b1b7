package org.visualscratchpad.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.sae.json.PlanJson;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;

/**
 * The JSON bodies the server accepts, bound strictly ({@link org.visualscratchpad.sae.json.StrictJson}:
 * an unknown field such as {@code maxNewToken}, a duplicate key or data after the object is refused
 * with a message naming it). Left-out fields take the defaults the handlers document; ranges are
 * checked by the handlers. The body of {@code POST /api/answers/{id}/regenerate} is a plan, {@link
 * PlanJson.Plan}.
 */
final class WebRequests {
  private WebRequests() {}

  /** {@code POST /api/ask}: exactly one of image (base64 or a data URL) and sample; prompt; maxNewTokens 1-512 (32). */
  record Ask(String image, String sample, String prompt, Integer maxNewTokens) {}

  /** {@code POST /api/answers/{id}/heatmap}: Fig. 9's controls; see the handler for defaults and ranges. */
  record Heatmap(Integer topK, Boolean attentionWeighted, HeatmapOptions.NoisyFilter filter, Double percent,
      HeatmapOptions.Normalization normalization, Boolean includeEndToken, Boolean cluster, Integer clusters,
      ClusterOptions.Method method, ClusterOptions.Distance distance, Double cutHeight, Integer seed, Integer restarts) {}

  /**
   * {@code POST /api/classify}: exactly one of image and sample; classes; templates ({@code "imagenet"} or
   * a list; one photo template when left out); the steering edits and error term of a plan.
   */
  record Classify(String image, String sample, List<String> classes, JsonNode templates, List<PlanJson.Edit> edits,
      ErrorTerm errorTerm) {}
}
