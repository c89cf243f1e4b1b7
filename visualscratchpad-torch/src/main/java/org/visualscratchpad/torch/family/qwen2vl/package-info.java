/**
 * Qwen2-VL ({@code model_type "qwen2_vl"}; {@code Qwen/Qwen2-VL-7B-Instruct} and {@code Qwen2-VL-2B-Instruct}),
 * on the CPU engine only: its own package and one line in {@code VlmFamilies}.
 *
 * <table>
 *   <caption>The family's parts</caption>
 *   <tr><th>type</th><th>what</th></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLFamily}</td><td>the registry entry</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLConfig}, {@link
 *       org.visualscratchpad.torch.family.qwen2vl.Qwen2VLVisionConfig}</td><td>{@code config.json} with the class
 *       defaults ({@code quick_gelu}, {@code mlp_ratio 4}, patch 14, merge 2, temporal 2; Qwen2 text keys at the
 *       top level or under {@code text_config}, {@code rope_scaling.mrope_section}), plus the processor's pixel
 *       bounds from {@code preprocessor_config.json}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImageProcessor}, {@link
 *       org.visualscratchpad.torch.family.qwen2vl.Qwen2VLProcessorConfig}</td><td>{@code Qwen2VLImageProcessor}:
 *       {@code smart_resize} to multiples of 28 px between {@code min_pixels} and {@code max_pixels} (the token
 *       count follows the image), normalisation, the patches flattened in 2 x 2 merge-window order with the frame
 *       repeated in time ({@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImage}, {@link
 *       org.visualscratchpad.torch.family.qwen2vl.GridThw} = {@code image_grid_thw})</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.Qwen2VLFeatureLayout}</td><td>the one layout: one
 *       token per 2 x 2 window, each a mix of its four patch rows (attention spread a quarter to each), every
 *       patch with its raster place, pixel box and SAE row</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.CpuQwen2VLVision}</td><td>the ViT on the CPU
 *       engine's kernels: patch embedding as a linear map, 2D rotary embeddings, attention block-diagonal per
 *       image, no CLS; the {@code PatchMerger}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.qwen2vl.MRope}</td><td>M-RoPE: {@code get_rope_index}'s three
 *       rows of position ids and {@code rope_deltas}, the {@code mrope_section} split of the frequencies</td></tr>
 *   <tr><td>{@code Qwen2VLCpuModel}</td><td>the parts for the engine's runner: tower, merger, Qwen2 decoder
 *       with M-RoPE as its rotary embedding, positions</td></tr>
 * </table>
 *
 * <p>Prompts: the chat template writes {@code <|vision_start|><|image_pad|><|vision_end|>} per image; the input
 * pipeline expands each {@code <|image_pad|>} to the image's merged tokens; several images per prompt. The SAE
 * hook reads the ViT's residual stream after block {@code L} ({@code vision.blocks.L.hook_resid_post}, {@code
 * hidden_states[L + 1]}): one crop per image, its rows the patches in merge-window order, no CLS row. For
 * ranking, heatmaps and overlays the attention to a merged token is spread equally over its four patches, and
 * every patch is drawn at its raster place ({@code ImageTokenLocation}: {@code patchRow}, {@code patchCol},
 * {@code box}; {@code saeRow} is its merge-window row). Videos are not supported.
 */
package org.visualscratchpad.torch.family.qwen2vl;
