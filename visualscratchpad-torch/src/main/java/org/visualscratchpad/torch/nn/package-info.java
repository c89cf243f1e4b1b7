/**
 * Building blocks shared by the model families: {@link org.visualscratchpad.torch.nn.Linear},
 * {@link org.visualscratchpad.torch.nn.LayerNorm}, {@link org.visualscratchpad.torch.nn.RmsNorm},
 * {@link org.visualscratchpad.torch.nn.Activation} and multi-head attention. Internal to the torch
 * backend: DJL types appear here and must not leak out of the module.
 */
package org.visualscratchpad.torch.nn;
