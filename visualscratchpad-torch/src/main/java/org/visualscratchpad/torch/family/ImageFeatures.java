package org.visualscratchpad.torch.family;

/**
 * The image features of one call, ready to be written at the image tokens of the prompt: {@code features
 * [count, d_text]} (every image's tokens in prompt order) and which of them carry no vision patch (LLaVA-NeXT's
 * and OneVision's {@code image_newline}, a CLS row kept by {@code vision_feature_select_strategy=full}): those are
 * left out of the text-to-image attention the analysis reads.
 *
 * @param features {@code [count * d_text]}
 * @param count number of image tokens
 * @param noPatch per token, whether it carries no patch (a newline or CLS)
 */
public record ImageFeatures(float[] features, int count, boolean[] noPatch) {}
