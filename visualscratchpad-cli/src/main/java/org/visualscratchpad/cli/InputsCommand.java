package org.visualscratchpad.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.input.InputPipeline;
import org.visualscratchpad.torch.input.InputSpec;
import org.visualscratchpad.torch.input.VlmInputs;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.prompt.ChatMessage;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.GenerationPrompt;
import org.visualscratchpad.torch.input.prompt.PromptFormat;
import org.visualscratchpad.torch.input.prompt.PromptInputs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vsp inputs IMAGE --model DIR}: what the model would be fed for an image (and a question):
 * crops, tiling, image-token count and, when the checkpoint has a {@code tokenizer.json}, the prompt
 * ids.
 */
@Command(name = "inputs", mixinStandardHelpOptions = true,
    description = "Show how a checkpoint preprocesses an image and a question: crops, anyres grid, image tokens, prompt.")
public final class InputsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "image file (PNG, JPEG, ...)")
  Path image;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "checkpoint folder with preprocessor_config.json (and config.json, tokenizer.json if present)")
  Path model;

  @Option(names = "--question", paramLabel = "TEXT", defaultValue = "What is shown in this image?",
      description = "the user's question (default: ${DEFAULT-VALUE})")
  String question;

  @Option(names = "--max-new-tokens", defaultValue = "32",
      description = "tokens to leave room for, as vsp ask's --max-new-tokens (default: ${DEFAULT-VALUE})")
  int maxNewTokens;

  @Option(names = "--max-pixels", defaultValue = "64000000", description = "largest image to decode (default: ${DEFAULT-VALUE})")
  long maxPixels;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    RgbImage rgb = ImageDecoder.defaults().withMaxPixels(maxPixels).decode(image);
    ImagePreprocessor proc = ImagePreprocessor.forCheckpoint(model);
    ImageInputs in = proc.preprocess(rgb);
    JsonNode config = readConfig(model.resolve("config.json"));
    JsonNode vision = config.path("vision_config");
    int patchSize = vision.path("patch_size").asInt(14);
    FeatureSelect select = FeatureSelect.parse(config.path("vision_feature_select_strategy").asText("default"));
    out.printf("image      %s %s%n", image, in.imageSize());
    out.printf("processor  %s%n", proc);
    out.printf("crops      %d x [3 x %d x %d]%n", in.cropCount(), in.cropHeight(), in.cropWidth());
    if (in.geometry() instanceof AnyresGeometry g) {
      out.printf("anyres     best %s, grid %d x %d tiles, resized %s pasted at (%d, %d), canvas %s%n", g.best(),
          g.gridRows(), g.gridCols(), g.resized(), g.pasteTop(), g.pasteLeft(), g.canvas());
    } else if (in.geometry() instanceof CenterCropGeometry g) {
      out.printf("crop       resized %s, crop %s at (%d, %d)%n", g.resized(), g.crop(), g.cropTop(), g.cropLeft());
    } else if (in.geometry() instanceof org.visualscratchpad.torch.family.qwen2vl.Qwen2VLGeometry g) {
      out.printf("resize     %s (smart_resize: multiples of 28 px within min_pixels and max_pixels)%n", g.resized());
    }
    // a registered family (config.json's model_type) lays tokens out as its model packs them
    var family = org.visualscratchpad.torch.family.VlmFamilies.find(config.path("model_type").asText(""));
    var familyConfig = family.map(f -> f.readConfig(org.visualscratchpad.torch.checkpoint.ConfigJson.read(model)));
    ImageFeatureLayout layout = family.isPresent()
        ? family.get().layout(in.geometry(), proc.config(), familyConfig.get())
        : ImageFeatureLayout.of(in, proc.config(), patchSize, select);
    int newlines = (int) layout.tokens().stream()
        .filter(t -> t instanceof org.visualscratchpad.torch.input.layout.PackedImageToken.Newline).count();
    out.printf("tokens     %d image tokens (%d patches, %d newlines; patch_size %d, %s)%n", layout.tokenCount(),
        layout.attribution().locations().size(), newlines, patchSize, select);
    String text = PromptFormat.forCheckpoint(model).render(List.of(ChatMessage.userWithImage(question)),
        GenerationPrompt.ADD);
    out.printf("prompt     %s%n", text.replace("\n", "\\n"));
    if (Files.isRegularFile(model.resolve("tokenizer.json")) && (family.isPresent() || config.has("image_token_index"))) {
      int context = familyConfig.map(c -> c.text().maxPositionEmbeddings())
          .orElse(config.path("text_config").path("max_position_embeddings").asInt(0));
      long imageToken = familyConfig.map(c -> (long) c.imageTokenIndex())
          .orElse(config.path("image_token_index").asLong());
      // the pipeline ask uses: its BOS rule (no second BOS when the template writes bos_token) and its count
      InputSpec inputSpec = new InputSpec(patchSize, imageToken, select, context > 0 ? context : Integer.MAX_VALUE);
      try (InputPipeline pipeline = family.isPresent() ? InputPipeline.open(model, family.get(), familyConfig.get())
          : InputPipeline.open(model, inputSpec)) {
        VlmInputs vlm = pipeline.prepare(List.of(rgb), List.of(ChatMessage.userWithImage(question)),
            context > 0 ? maxNewTokens : 0);
        PromptInputs prompt = vlm.prompt();
        List<String> unknown = pipeline.tokenizer().unknownWords(question);
        if (!unknown.isEmpty()) {
          out.printf("warning    words %s are not in the tokenizer's vocabulary: each becomes the unknown token%n",
              unknown);
        }
        out.printf("ids        %s, images %s%n", runs(prompt.ids().toArray(), imageToken), prompt.imageSpans());
        out.printf("length     %d ids%n", prompt.length());
        if (context > 0) {
          out.printf("context    %d + %d new tokens fit in %d%n", prompt.length(), maxNewTokens, context);
        }
      }
    } else {
      out.println("ids        (no tokenizer.json or image_token_index in the checkpoint)");
    }
    out.flush();
    return 0;
  }

  /** Every id, with each run of the image token written once as {@code id x count}. */
  static String runs(long[] ids, long imageToken) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < ids.length; ) {
      int j = i;
      while (ids[i] == imageToken && j < ids.length && ids[j] == imageToken) {
        j++;
      }
      sb.append(i == 0 ? "" : ", ");
      if (j > i) {
        sb.append(imageToken).append(" x ").append(j - i);
        i = j;
      } else {
        sb.append(ids[i]);
        i++;
      }
    }
    return sb.append(']').toString();
  }

  private static JsonNode readConfig(Path file) {
    if (!Files.isRegularFile(file)) {
      return new ObjectMapper().createObjectNode();
    }
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }
}
