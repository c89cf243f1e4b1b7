/**
 * Plain-Java results of recorded runs: {@link org.visualscratchpad.torch.trace.DenseTensor} and
 * {@link org.visualscratchpad.torch.trace.Trace} (tensors under Hugging Face's output names).
 */
package org.visualscratchpad.torch.trace;
