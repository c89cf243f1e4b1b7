/**
 * The safetensors format: {@link org.visualscratchpad.safetensors.SafetensorsFile} (one
 * memory-mapped, validated file), {@link org.visualscratchpad.safetensors.SafetensorsCheckpoint}
 * (single or sharded checkpoints), {@link org.visualscratchpad.safetensors.SafetensorsWriter}, and
 * F16/BF16 conversions done in Java ({@link org.visualscratchpad.safetensors.Half}).
 */
package org.visualscratchpad.safetensors;
