/**
 * Reading Hugging Face model folders: {@link org.visualscratchpad.torch.checkpoint.ConfigJson}
 * ({@code config.json} with class defaults and errors naming file and field), {@link
 * org.visualscratchpad.torch.checkpoint.Weights} (safetensors, single or sharded, F32 mapped without
 * a copy, F16/BF16 widened chunk by chunk; both Hub key layouts) and {@link
 * org.visualscratchpad.torch.checkpoint.TensorFile} (plain-Java tensors of inputs and references);
 * inside, {@code TensorSource} (a checkpoint's tensors by name, memory-mapped) and {@code Unmapper} (releases a mapping at
 * once, or leaves it to the garbage collector and says so once at DEBUG).
 */
package org.visualscratchpad.torch.checkpoint;
