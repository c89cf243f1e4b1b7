package org.visualscratchpad.torch.input;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.prompt.PromptInputs;

/**
 * Everything a LLaVA forward pass or generation takes, for one prompt: per image its crops ({@code
 * pixel_values}, {@code image_sizes}) and its token layout, and the prompt ids with the image
 * spans. Image {@code k}'s packed features go to {@code prompt.imageSpans().get(k)}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var in = pipeline.prepare(List.of(image), List.of(ChatMessage.userWithImage("What is shown?")), 64)
 * in ==> VlmInputs[1 image, 2340 image tokens, PromptInputs[TokenIds[2352] ...]]
 * }</pre>
 *
 * @param images the preprocessed images, in prompt order
 * @param layouts each image's token layout
 * @param prompt the ids, image tokens expanded
 */
public record VlmInputs(List<ImageInputs> images, List<ImageFeatureLayout> layouts, PromptInputs prompt) {
  public VlmInputs {
    images = List.copyOf(images);
    layouts = List.copyOf(layouts);
    InvalidInputException.check(prompt != null, "prompt must not be null");
    InvalidInputException.check(images.size() == layouts.size() && layouts.size() == prompt.imageSpans().size(),
        "images (%s), layouts (%s) and image spans (%s) must be as many", images.size(), layouts.size(),
        prompt.imageSpans().size());
    for (int image = 0; image < layouts.size(); image++) {
      InvalidInputException.check(layouts.get(image).tokenCount() == prompt.imageSpans().get(image).length(),
          "image %s has %s feature tokens but its span in the prompt has %s", image, layouts.get(image).tokenCount(),
          prompt.imageSpans().get(image).length());
    }
  }

  @Override
  public String toString() {
    return "VlmInputs[" + images.size() + " image" + (images.size() == 1 ? "" : "s") + ", "
        + prompt.imageTokenCount() + " image tokens, " + prompt + "]";
  }
}
