/**
 * What the VLM runtime feeds its models: pixel values, image-token layouts and prompt token ids,
 * reproducing Hugging Face's processors exactly. Pure Java (the tokenizer is DJL's binding of the
 * Rust {@code tokenizers} library); no NDArray appears here.
 *
 * <p>{@link org.visualscratchpad.torch.input.InputPipeline} ties them together for a checkpoint
 * folder: images and a conversation in, {@link org.visualscratchpad.torch.input.VlmInputs} out
 * ({@code pixel_values}, {@code image_sizes}, token layouts, {@code input_ids}).
 *
 * <table>
 *   <caption>Subpackages, in data-flow order</caption>
 *   <tr><th>package</th><th>holds</th></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.input.image}</td><td>{@code ImageDecoder} (safe decoding
 *       to 8-bit RGB), {@code RgbImage}, {@code PillowResize} (Pillow-exact resampling)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.input.preprocess}</td><td>{@code PreprocessorConfig},
 *       {@code ImagePreprocessor} ({@code ClipImageProcessor}, {@code LlavaNextImageProcessor}),
 *       {@code ImageInputs}, {@code PixelValues}, crop geometry</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.input.layout}</td><td>{@code ImageFeatureLayout}: image
 *       token count, packing order (newlines), feature gather rows, token to pixel boxes</td></tr>
 *   <tr><td>{@link org.visualscratchpad.torch.input.prompt}</td><td>{@code PromptTokenizer},
 *       {@code ChatTemplate}, {@code PromptFormat}, {@code PromptInputs}, {@code ContextWindow}</td></tr>
 * </table>
 *
 * <pre>{@code
 * Path dir = Path.of("llava-v1.6-mistral-7b-hf");
 * ImagePreprocessor proc = ImagePreprocessor.forCheckpoint(dir);
 * ImageInputs image = proc.preprocess(ImageDecoder.defaults().decode(Path.of("cat.jpg")));
 * ImageFeatureLayout layout = ImageFeatureLayout.of(image, proc.config(), 14, FeatureSelect.DEFAULT);
 * String text = PromptFormat.forCheckpoint(dir).render(List.of(ChatMessage.userWithImage("What is shown?")), GenerationPrompt.ADD);
 * try (PromptTokenizer tok = PromptTokenizer.load(dir)) {
 *   PromptInputs prompt = tok.encodePrompt(text, "<image>", 32000, List.of(layout.tokenCount()));
 *   prompt.checkFitsContext(32768, 256);
 * }
 * }</pre>
 */
package org.visualscratchpad.torch.input;
