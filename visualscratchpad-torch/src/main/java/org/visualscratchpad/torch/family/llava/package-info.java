/**
 * LLaVA-1.5 and LLaVA-NeXT as a family ({@link org.visualscratchpad.torch.family.llava.LlavaFamily}): CLIP
 * tower, GELU projector, Llama / Mistral; NeXT's anyres packing by {@code LlavaNextFeatureLayout}. Their
 * configuration is {@code llava.LlavaConfig}; on the CPU engine {@code LlavaCpuModel}; on libtorch {@code
 * LlavaModel}'s own path.
 */
package org.visualscratchpad.torch.family.llava;
