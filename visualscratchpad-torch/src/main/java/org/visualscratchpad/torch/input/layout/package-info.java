/**
 * The image-token block of a VLM prompt as index math: {@code ImageFeatureLayout} gives the token count,
 * each token's vision-feature row ({@code pack_image_features}, {@code unpad_image}, {@code image_newline},
 * mixed tokens of a downscaled grid), each patch token's {@code ImageTokenLocation} (crop, patch, box in the
 * original image's pixels, SAE row) and how attention to its tokens is attributed to patches. The one layout of
 * each family, shared by the input pipeline and the model: {@code LlavaFeatureLayout} (LLaVA-1.5) and {@code
 * LlavaNextFeatureLayout} (LLaVA-NeXT) here, other families' in their packages.
 */
package org.visualscratchpad.torch.input.layout;
