package org.visualscratchpad.torch.family;

/**
 * The most one image can cost a family's model: crops through the vision tower and image tokens in the prompt.
 * The memory pre-flight sizes activations and the KV cache with it.
 *
 * @param crops crops of the largest image layout
 * @param imageTokens image tokens of the largest image layout (newlines included)
 */
public record ImageBudget(int crops, int imageTokens) {}
