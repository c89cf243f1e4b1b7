/**
 * The image-token block of a LLaVA prompt as index math: {@code ImageFeatureLayout} gives the token
 * count, each token's vision-feature row ({@code pack_image_features}, {@code unpad_image}, {@code
 * image_newline}) and each patch token's {@code ImageTokenLocation} (crop, patch, box in the
 * original image's pixels).
 */
package org.visualscratchpad.torch.input.layout;
