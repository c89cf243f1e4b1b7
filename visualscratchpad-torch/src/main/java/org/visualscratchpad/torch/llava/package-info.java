/**
 * The VLM runtime: {@link org.visualscratchpad.torch.llava.LlavaModel} (load any registered family, forward,
 * {@code generate}), the request and result records ({@link org.visualscratchpad.torch.llava.GenerationRequest},
 * {@link org.visualscratchpad.torch.llava.Generation}, {@link org.visualscratchpad.torch.llava.ImageInput},
 * {@link org.visualscratchpad.torch.llava.Sampling}, {@link org.visualscratchpad.torch.llava.SaeTap}),
 * regeneration from a {@link org.visualscratchpad.torch.llava.PromptCache}, and LLaVA's configuration ({@link
 * org.visualscratchpad.torch.llava.LlavaConfig}). {@code LlavaModel} picks the family by {@code model_type}
 * ({@code org.visualscratchpad.torch.family}) and runs it on the CPU engine ({@code CpuVlm}, device {@code cpu},
 * every family) or on libtorch ({@code GenerationRun}, devices {@code torch:cpu} and {@code gpu}, LLaVA-1.5 and
 * LLaVA-NeXT only); {@link org.visualscratchpad.torch.llava.Preflight} refuses a model that cannot fit before
 * loading it, {@link org.visualscratchpad.torch.llava.GenerationTimings} says where a generation's time went,
 * {@link org.visualscratchpad.torch.llava.LoadProgress} reports loading. Everything public here takes and
 * returns plain Java values.
 */
package org.visualscratchpad.torch.llava;
