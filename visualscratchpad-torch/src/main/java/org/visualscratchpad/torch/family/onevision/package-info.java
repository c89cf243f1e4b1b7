/**
 * LLaVA-OneVision ({@code model_type "llava_onevision"}; {@code llava-hf/llava-onevision-qwen2-7b-ov-hf} and its
 * 0.5B and single-image siblings), on the CPU engine only.
 *
 * <table>
 *   <caption>The family's parts</caption>
 *   <tr><th>type</th><th>what</th></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.onevision.OnevisionFamily}</td><td>the registry entry</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.onevision.OnevisionConfig}, {@link
 *       org.visualscratchpad.torch.family.onevision.SiglipConfig}</td><td>{@code config.json} with the class
 *       defaults ({@code gelu_pytorch_tanh}, {@code layer_norm_eps 1e-6}, {@code vision_feature_layer -1},
 *       strategy {@code full}, {@code anyres_max_9}; Qwen2's {@code rms_norm_eps 1e-6}, silu)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.onevision.OnevisionImageProcessor}</td><td>{@code
 *       LlavaOnevisionImageProcessor}: anyres tiles, base view, mean/std 0.5, bicubic, no centre crop</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.family.onevision.OnevisionFeatureLayout}</td><td>the one layout: base
 *       patches, the unpadded tile grid bilinearly downscaled past {@code anyres_max_9}, {@code image_newline}
 *       after each row; downscaled cells are mixed tokens of up to four patches</td></tr>
 *   <tr><td>{@code CpuSiglipTower}, {@code OnevisionCpuModel}</td><td>SigLIP (no CLS, patch embedding with
 *       bias, no pre-norm; {@code post_layernorm} unused), the GELU projector, the Qwen2 decoder</td></tr>
 * </table>
 *
 * <p>The SAE hook reads SigLIP's residual stream after layer {@code L} ({@code vision.blocks.L.hook_resid_post},
 * {@code hidden_states[L + 1]}); its rows are the patches only (no CLS row).
 */
package org.visualscratchpad.torch.family.onevision;
