package org.visualscratchpad.torch.input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.prompt.ChatMessage;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.GenerationPrompt;
import org.visualscratchpad.torch.input.prompt.PromptFormat;
import org.visualscratchpad.torch.input.prompt.PromptInputs;
import org.visualscratchpad.torch.input.prompt.PromptTokenizer;
import org.visualscratchpad.torch.input.prompt.SpecialTokens;

/**
 * A checkpoint's whole input side: image processor ({@code preprocessor_config.json}), image-token
 * layout, prompt format (chat template or LLaVA's plain format) and tokenizer ({@code tokenizer.json}),
 * turning images and a conversation into {@link VlmInputs}, with the context-length check done. Opened
 * for a model family ({@link #open(Path, VlmFamily, VlmConfig)}), the processor and the layout are the
 * family's: the very layout its model packs image features by.
 *
 * <p>BOS: the tokenizer adds its special tokens unless the rendered prompt already starts with the
 * template's {@code bos_token} (a tokenizer-style template that writes BOS itself), so the sequence
 * never starts with two.
 *
 * <p>Thread-safe; {@link #close()} frees the native tokenizer.
 *
 * <pre>{@code
 * jshell> var pipeline = InputPipeline.open(Path.of("llava-v1.6-mistral-7b-hf"), new InputSpec(14, 32000, FeatureSelect.DEFAULT, 32768))
 * jshell> var in = pipeline.prepare(List.of(ImageDecoder.defaults().decode(Path.of("cat.jpg"))),
 *    ...>     List.of(ChatMessage.userWithImage("What is shown?")), 64)
 * in ==> VlmInputs[1 image, 2340 image tokens, PromptInputs[...]]
 * }</pre>
 */
public final class InputPipeline implements AutoCloseable {
  private final ImagePreprocessor processor;
  private final PromptFormat format;
  private final PromptTokenizer tokenizer;
  private final InputSpec spec;
  private final LayoutRule layouts;
  private final String imagePlaceholder;

  /** How a preprocessed image's geometry becomes its image-token layout. */
  @FunctionalInterface
  public interface LayoutRule {
    /** The layout of an image preprocessed into {@code geometry} with {@code config}. */
    ImageFeatureLayout layout(CropGeometry geometry, PreprocessorConfig config);
  }

  private InputPipeline(ImagePreprocessor processor, PromptFormat format, PromptTokenizer tokenizer, InputSpec spec,
      LayoutRule layouts, String imagePlaceholder) {
    this.processor = processor;
    this.format = format;
    this.tokenizer = tokenizer;
    this.spec = spec;
    this.layouts = layouts;
    this.imagePlaceholder = imagePlaceholder;
  }

  /**
   * The pipeline of the checkpoint folder {@code modelDir}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if {@code preprocessor_config.json} or
   *     {@code tokenizer.json} is missing or malformed
   */
  public static InputPipeline open(Path modelDir, InputSpec spec) {
    InvalidInputException.check(modelDir != null && spec != null, "modelDir and spec must not be null");
    ImagePreprocessor processor = ImagePreprocessor.of(PreprocessorConfig.read(modelDir));
    PromptFormat format = PromptFormat.forCheckpoint(modelDir);
    return new InputPipeline(processor, format, PromptTokenizer.load(modelDir), spec,
        (g, c) -> ImageFeatureLayout.of(g, c, spec.patchSize(), spec.select()), "<image>");
  }

  /**
   * The pipeline of the checkpoint folder {@code modelDir} of {@code family}: the family's image processor and
   * image-token layout ({@link VlmFamily#imageProcessor}, {@link VlmFamily#layout}), the model's image token id
   * and context length.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if {@code preprocessor_config.json} or
   *     {@code tokenizer.json} is missing or malformed
   */
  public static InputPipeline open(Path modelDir, VlmFamily family, VlmConfig model) {
    InvalidInputException.check(modelDir != null && family != null && model != null,
        "modelDir, family and model must not be null");
    ImagePreprocessor processor = family.imageProcessor(modelDir, model);
    String placeholder = model.imagePlaceholder();
    PromptFormat format = PromptFormat.forCheckpoint(modelDir);
    if (format instanceof PromptFormat.Templated t && !placeholder.equals("<image>")) {
      format = new PromptFormat.Templated(t.template().withImageToken(placeholder));
    }
    InputSpec spec = new InputSpec(model.vision().patchSize(), model.imageTokenIndex(),
        org.visualscratchpad.torch.input.layout.FeatureSelect.DEFAULT, model.text().maxPositionEmbeddings());
    return new InputPipeline(processor, format, PromptTokenizer.load(modelDir), spec,
        (g, c) -> family.layout(g, c, model), placeholder);
  }

  public ImagePreprocessor processor() {
    return processor;
  }

  public PromptFormat format() {
    return format;
  }

  public PromptTokenizer tokenizer() {
    return tokenizer;
  }

  public InputSpec spec() {
    return spec;
  }

  /**
   * Preprocesses {@code images}, renders {@code messages} with the generation prompt, tokenizes,
   * expands each image token and checks that {@code maxNewTokens} more fit in the context.
   *
   * @throws InvalidInputException if the messages hold another number of images than given, or the
   *     prompt does not fit
   */
  public VlmInputs prepare(List<RgbImage> images, List<ChatMessage> messages, int maxNewTokens) {
    int placeholders = 0;
    for (ChatMessage m : messages) {
      placeholders += m.imageCount();
    }
    InvalidInputException.check(placeholders == images.size(),
        "the messages hold %s image parts but %s images were given", placeholders, images.size());
    List<ImageInputs> inputs = new ArrayList<>();
    List<ImageFeatureLayout> layouts = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (RgbImage image : images) {
      ImageInputs in = processor.preprocess(image);
      ImageFeatureLayout layout = this.layouts.layout(in.geometry(), processor.config());
      inputs.add(in);
      layouts.add(layout);
      counts.add(layout.tokenCount());
    }
    String text = format.render(messages, GenerationPrompt.ADD);
    String bos = format instanceof PromptFormat.Templated t ? t.template().specialTokens().get("bos_token") : null;
    SpecialTokens special = bos != null && !bos.isEmpty() && text.startsWith(bos)
        ? SpecialTokens.EXCLUDE
        : SpecialTokens.INCLUDE;
    PromptInputs prompt = tokenizer.encodePrompt(text, special, imagePlaceholder, spec.imageTokenId(), counts);
    prompt.checkFitsContext(spec.contextLength(), maxNewTokens);
    return new VlmInputs(inputs, layouts, prompt);
  }

  /**
   * Where each image token of an image of {@code size} comes from (crops, patches, pixel boxes), as
   * {@link #prepare} would lay it out, computed from the size alone.
   */
  public ImageFeatureLayout layoutFor(ImageSize size) {
    InvalidInputException.check(size != null, "image size must not be null");
    return layouts.layout(processor.plan(size), processor.config());
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "InputPipeline[" + processor + ", " + format + ", " + tokenizer + ", " + spec + "]";
  }
}
