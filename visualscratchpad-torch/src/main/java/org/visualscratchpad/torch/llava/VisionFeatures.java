package org.visualscratchpad.torch.llava;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The image features of one call, ready to be merged: {@code features [F, d_text]} (every image's
 * packed features, concatenated), which of them are LLaVA-NeXT newlines, and the SAE stream per
 * crop. Lives in the call's scope; internal.
 */
record VisionFeatures(NDArray features, boolean[] newline, List<FloatMatrix> hooked, List<FloatMatrix> edited) {}
