/**
 * LLaVA-1.5 and LLaVA-NeXT: {@link org.visualscratchpad.torch.llava.LlavaModel} (load, forward,
 * {@code generate}), the request and result records ({@link
 * org.visualscratchpad.torch.llava.GenerationRequest}, {@link
 * org.visualscratchpad.torch.llava.Generation}, {@link org.visualscratchpad.torch.llava.ImageInput},
 * {@link org.visualscratchpad.torch.llava.Sampling}, {@link org.visualscratchpad.torch.llava.SaeTap}),
 * regeneration from a {@link org.visualscratchpad.torch.llava.PromptCache}, and the anyres packing
 * index math ({@link org.visualscratchpad.torch.llava.AnyresLayout}). {@code LlavaModel} runs on the
 * CPU engine ({@code CpuLlava}, device {@code cpu}) or on libtorch ({@code GenerationRun}, devices
 * {@code torch:cpu} and {@code gpu}); {@link org.visualscratchpad.torch.llava.Preflight} refuses a model
 * that cannot fit before loading it, {@link org.visualscratchpad.torch.llava.GenerationTimings} says where a
 * generation's time went, {@link org.visualscratchpad.torch.llava.LoadProgress} reports loading.
 * Everything public here takes and returns plain Java values.
 */
package org.visualscratchpad.torch.llava;
