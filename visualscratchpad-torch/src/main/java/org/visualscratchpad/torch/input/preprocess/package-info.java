/**
 * Hugging Face's image processors: {@code ClipImageProcessor} (resize, centre crop, rescale,
 * normalise) and {@code LlavaNextImageProcessor} (anyres tiling), driven by {@code
 * PreprocessorConfig} ({@code preprocessor_config.json}); they produce {@code ImageInputs} (the
 * crops' {@code PixelValues}, the image size and the {@code CropGeometry}). Bit-identical to
 * transformers 4.45.1 on {@code ../shared/fixtures/hf-reference}.
 */
package org.visualscratchpad.torch.input.preprocess;
