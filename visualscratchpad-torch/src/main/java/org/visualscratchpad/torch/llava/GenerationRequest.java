package org.visualscratchpad.torch.llava;

import java.util.List;
import java.util.Set;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionTap;

/**
 * One generation: a prompt whose image tokens are already expanded (one id per image feature, as
 * current processors emit), its images, and what to capture.
 *
 * <pre>{@code
 * jshell> var req = GenerationRequest.of(ids, List.of(image), 20)
 *    ...>     .withStopTokens(Set.of(2))
 *    ...>     .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP))
 *    ...>     .withSae(SaeTap.read(sae))
 * }</pre>
 *
 * @param inputIds the prompt, image tokens expanded
 * @param images the images, in the order of their image-token blocks
 * @param maxNewTokens the token limit, &gt;= 0
 * @param sampling greedy or seeded nucleus sampling
 * @param stopTokens ids that end generation (included in the output)
 * @param sae an SAE tap on the vision tower, or null
 * @param attention the text-to-image attention to capture, or null
 * @param stepLogits whether to return each step's logits
 * @param promptAttention whether to return every prompt token's attention to the image tokens ({@link
 *     Generation#promptAttention()}) beside the generated tokens'; leaving it out saves a pass over every prompt
 *     row's probabilities in every captured layer and head
 */
public record GenerationRequest(
    List<Integer> inputIds, List<ImageInput> images, int maxNewTokens, Sampling sampling, Set<Integer> stopTokens,
    SaeTap sae, AttentionTap attention, boolean stepLogits, boolean promptAttention) {

  public GenerationRequest {
    InvalidInputException.check(inputIds != null && !inputIds.isEmpty(), "input ids must not be empty");
    inputIds = List.copyOf(inputIds);
    images = List.copyOf(images);
    InvalidInputException.check(maxNewTokens >= 0, "max new tokens (%s) must be >= 0", maxNewTokens);
    sampling = sampling == null ? Sampling.greedy() : sampling;
    stopTokens = Set.copyOf(stopTokens);
  }

  /** Greedy, no stop token, step logits and (with an attention tap) the prompt's attention kept, nothing captured. */
  public static GenerationRequest of(List<Integer> inputIds, List<ImageInput> images, int maxNewTokens) {
    return new GenerationRequest(inputIds, images, maxNewTokens, Sampling.greedy(), Set.of(), null, null, true, true);
  }

  public GenerationRequest withSampling(Sampling s) {
    return new GenerationRequest(inputIds, images, maxNewTokens, s, stopTokens, sae, attention, stepLogits, promptAttention);
  }

  public GenerationRequest withStopTokens(Set<Integer> ids) {
    return new GenerationRequest(inputIds, images, maxNewTokens, sampling, ids, sae, attention, stepLogits, promptAttention);
  }

  public GenerationRequest withSae(SaeTap tap) {
    return new GenerationRequest(inputIds, images, maxNewTokens, sampling, stopTokens, tap, attention, stepLogits, promptAttention);
  }

  public GenerationRequest withAttention(AttentionTap tap) {
    return new GenerationRequest(inputIds, images, maxNewTokens, sampling, stopTokens, sae, tap, stepLogits, promptAttention);
  }

  public GenerationRequest withMaxNewTokens(int n) {
    return new GenerationRequest(inputIds, images, n, sampling, stopTokens, sae, attention, stepLogits, promptAttention);
  }

  public GenerationRequest withStepLogits(boolean keep) {
    return new GenerationRequest(inputIds, images, maxNewTokens, sampling, stopTokens, sae, attention, keep, promptAttention);
  }

  /** Whether to return the prompt tokens' attention to the image ({@link Generation#promptAttention()}). */
  public GenerationRequest withPromptAttention(boolean keep) {
    return new GenerationRequest(inputIds, images, maxNewTokens, sampling, stopTokens, sae, attention, stepLogits, keep);
  }
}
