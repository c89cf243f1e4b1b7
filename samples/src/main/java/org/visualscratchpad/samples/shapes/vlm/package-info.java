/**
 * The tiny ShapesWorld VLM in the LLaVA-1.5 layout: {@link org.visualscratchpad.samples.shapes.vlm.TinyLlavaConfig}
 * (sizes, {@code config.json}), {@link org.visualscratchpad.samples.shapes.vlm.TinyLlava} (the forward pass on
 * DJL NDArrays with Hugging Face weight names; trainable; checked against transformers on the shared
 * reference checkpoint), {@link org.visualscratchpad.samples.shapes.vlm.ClipPixels} (CLIPImageProcessor's
 * rescale/normalise) and {@link org.visualscratchpad.samples.shapes.vlm.ShapesWorldCheckpoint} (the model folder).
 */
package org.visualscratchpad.samples.shapes.vlm;
