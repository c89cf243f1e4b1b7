package org.visualscratchpad.torch.llava;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The result of {@link LlavaModel#generate}: plain Java values only.
 *
 * <pre>{@code
 * jshell> var g = model.generate(req)
 * g ==> Generation[8 new tokens [169, 75, ...], MAX_NEW_TOKENS, step logits [8 x 200], 1 hooked crops, attention 8 x 36]
 * }</pre>
 *
 * @param promptIds the prompt
 * @param newTokens the generated ids (a stop token included)
 * @param stepLogits {@code [steps x vocab]}: row t produced new token t; null if not asked
 * @param hookActivations per crop, the SAE's input {@code z} {@code [tokensPerCrop x d]} before any edit; empty without an SAE tap
 * @param editedActivations per crop, {@code z'} as written back; equal to hookActivations when nothing was edited
 * @param attention text-to-image attention of the new tokens in the tap's convention; null without a tap
 * @param promptAttention own-position attention of every prompt token; null without a tap or when the request left
 *     it out ({@link GenerationRequest#withPromptAttention})
 * @param imageTokenPositions the sequence positions of the image tokens the attention columns refer to (newlines excluded)
 * @param stopReason why generation ended
 * @param seed the sampling seed (0 for greedy)
 * @param timings where the time went (CPU engine), or null
 */
public record Generation(
    List<Integer> promptIds, List<Integer> newTokens, FloatMatrix stepLogits, List<FloatMatrix> hookActivations,
    List<FloatMatrix> editedActivations, TextImageAttention attention, TextImageAttention promptAttention,
    List<Integer> imageTokenPositions, StopReason stopReason, long seed, GenerationTimings timings) {

  public Generation {
    promptIds = List.copyOf(promptIds);
    newTokens = List.copyOf(newTokens);
    hookActivations = List.copyOf(hookActivations);
    editedActivations = List.copyOf(editedActivations);
    imageTokenPositions = List.copyOf(imageTokenPositions);
    InvalidInputException.check(stepLogits == null || stepLogits.rows() == newTokens.size(),
        "step logits rows (%s) must equal the new tokens (%s)", stepLogits == null ? 0 : stepLogits.rows(), newTokens.size());
  }

  /** This generation with {@code t} as its timings. */
  public Generation withTimings(GenerationTimings t) {
    return new Generation(promptIds, newTokens, stepLogits, hookActivations, editedActivations, attention,
        promptAttention, imageTokenPositions, stopReason, seed, t);
  }

  /** The prompt followed by the new tokens. */
  public List<Integer> sequence() {
    List<Integer> all = new ArrayList<>(promptIds);
    all.addAll(newTokens);
    return all;
  }

  @Override
  public String toString() {
    List<Integer> shown = newTokens.subList(0, Math.min(8, newTokens.size()));
    return "Generation[" + newTokens.size() + " new tokens " + shown + (newTokens.size() > 8 ? "..." : "") + ", "
        + stopReason + (stepLogits == null ? "" : ", step logits [" + stepLogits.rows() + " x " + stepLogits.cols() + "]")
        + ", " + hookActivations.size() + " hooked crops"
        + (attention == null ? "" : ", attention " + attention.weights().rows() + " x " + attention.weights().cols())
        + "]";
  }
}
