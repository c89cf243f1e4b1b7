/**
 * The CPU engine: LLaVA's CLIP tower and Llama / Mistral decoder in plain Java on the Vector API, with
 * the weights held in their stored precision on the heap.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.torch.cpu.PackedWeight}: a weight matrix in F32, F16 or BF16, packed
 *       in 32-row panels (and {@code Stack}: q/k/v or gate/up stacked into one);
 *   <li>{@link org.visualscratchpad.torch.cpu.CpuOps}: the operations the models are written against
 *       (linear, attention GEMMs, softmax, norms, activations), dispatching to {@code VectorCpuOps} or the
 *       scalar reference {@code ScalarCpuOps}; {@link org.visualscratchpad.torch.cpu.CpuThreads}: the pool;
 *   <li>{@link org.visualscratchpad.torch.cpu.CpuWeights}: reading a checkpoint's tensors into packed
 *       weights; {@link org.visualscratchpad.torch.cpu.CpuClipTower},
 *       {@link org.visualscratchpad.torch.cpu.CpuLlama}, {@link org.visualscratchpad.torch.cpu.CpuKvCache}
 *       and {@code CpuAttention} (eager attention whose probabilities are observed block by block).
 * </ul>
 *
 * <p>LLaVA's assembly on this engine (projector, anyres packing, generation, capture, reuse) is {@code
 * CpuLlava} in {@code org.visualscratchpad.torch.llava}, behind {@code LlavaModel}.
 */
package org.visualscratchpad.torch.cpu;
