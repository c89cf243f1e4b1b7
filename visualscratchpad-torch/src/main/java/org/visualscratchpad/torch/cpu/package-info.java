/**
 * The CPU engine: the operations the model families are written against, the CLIP tower and the Llama /
 * Mistral / Qwen2 decoder in plain Java on the Vector API, with the weights held in their stored precision on
 * the heap.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.torch.cpu.PackedWeight}: a weight matrix in F32, F16 or BF16, packed
 *       in 32-row panels (and {@code Stack}: q/k/v or gate/up stacked into one);
 *   <li>{@link org.visualscratchpad.torch.cpu.CpuOps}: the operations the models are written against
 *       (linear, attention GEMMs, softmax, norms, activations: exact and tanh GELU, quick GELU, SiLU),
 *       dispatching to {@code VectorCpuOps} or the scalar reference {@code ScalarCpuOps}; {@link
 *       org.visualscratchpad.torch.cpu.CpuThreads}: the pool;
 *   <li>{@link org.visualscratchpad.torch.cpu.CpuWeights}: reading a checkpoint's tensors into packed
 *       weights; {@link org.visualscratchpad.torch.cpu.CpuClipTower},
 *       {@link org.visualscratchpad.torch.cpu.CpuLlama}, {@link org.visualscratchpad.torch.cpu.CpuKvCache}
 *       and {@code CpuAttention} (eager attention whose probabilities are observed block by block);
 *   <li>{@link org.visualscratchpad.torch.cpu.CpuVisionTower} and {@link org.visualscratchpad.torch.cpu.VisionStream}:
 *       a family's vision tower run layer by layer over one call's stream (crops of any row count, CLS or not).
 * </ul>
 *
 * <p>Each family's parts on this engine live in its package ({@code org.visualscratchpad.torch.family.*});
 * generation, capture, SAE taps and reuse, the same for every family, are {@code CpuVlm} in {@code
 * org.visualscratchpad.torch.llava}, behind {@code LlavaModel}.
 */
package org.visualscratchpad.torch.cpu;
