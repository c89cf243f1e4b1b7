/**
 * Qwen2-VL ({@code Qwen/Qwen2-VL-7B-Instruct} layout, {@code model_type} {@code qwen2_vl}): the parts only
 * this family has.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImageProcessor} with {@link
 *       org.visualscratchpad.torch.family.qwen2vl.Qwen2VLProcessorConfig}: {@code smart_resize} to multiples
 *       of 28 px between {@code min_pixels} and {@code max_pixels} (so the token count varies with the image),
 *       normalisation, and the patches flattened in 2 x 2 merge-window order ({@link
 *       org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImage}, {@link
 *       org.visualscratchpad.torch.family.qwen2vl.GridThw} = {@code image_grid_thw}).
 *   <li>{@link org.visualscratchpad.torch.family.qwen2vl.CpuQwen2VLVision} with {@link
 *       org.visualscratchpad.torch.family.qwen2vl.Qwen2VLVisionConfig}: the ViT on the CPU engine's kernels
 *       (patch embedding as a linear map, 2D rotary embeddings, attention block-diagonal per image, no CLS)
 *       and the {@code PatchMerger} (2 x 2 patches -> one language-model token).
 * </ul>
 */
package org.visualscratchpad.torch.family.qwen2vl;
