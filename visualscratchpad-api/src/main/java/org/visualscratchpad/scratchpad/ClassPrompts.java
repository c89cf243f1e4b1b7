package org.visualscratchpad.scratchpad;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;

/**
 * Class names and the prompt templates that turn each into text for CLIP zero-shot
 * classification: each class's text embedding is the normalised mean of its templates' embeddings,
 * as in the CLIP paper. Templates contain {@code {}} where the class name goes.
 *
 * <pre>{@code
 * jshell> var prompts = ClassPrompts.of(List.of("cat", "dog", "bird"))                // "a photo of a {}."
 * jshell> var full = prompts.withTemplates(ClassPrompts.imagenetTemplates())           // the 80 CLIP templates
 * jshell> ClassPrompts.exampleClassSets().keySet()
 * }</pre>
 *
 * @param classNames distinct, non-blank class names (at least 2)
 * @param templates distinct templates, each containing {@code {}} (at least 1)
 */
public record ClassPrompts(List<String> classNames, List<String> templates) {
  private static final String RESOURCE = "clip-imagenet-templates.txt";

  public ClassPrompts {
    classNames = List.copyOf(classNames);
    templates = List.copyOf(templates);
    InvalidInputException.check(classNames.size() >= 2, "classification needs at least 2 class names; got %s", classNames);
    InvalidInputException.check(new LinkedHashSet<>(classNames).size() == classNames.size(),
        "class names %s must be distinct", classNames);
    for (String c : classNames) {
      InvalidInputException.check(!c.isBlank(), "class names must not be blank: %s", classNames);
    }
    InvalidInputException.check(!templates.isEmpty(), "at least one prompt template is needed, e.g. \"a photo of a {}.\"");
    for (String t : templates) {
      InvalidInputException.check(t.contains("{}"), "template (\"%s\") must contain {} where the class name goes", t);
    }
  }

  /** The classes with the single template {@code "a photo of a {}."}. */
  public static ClassPrompts of(List<String> classNames) {
    return new ClassPrompts(classNames, List.of("a photo of a {}."));
  }

  /** The same classes with other templates. */
  public ClassPrompts withTemplates(List<String> newTemplates) {
    return new ClassPrompts(classNames, newTemplates);
  }

  /** The texts for one class, one per template. */
  public List<String> textsFor(String className) {
    List<String> out = new ArrayList<>(templates.size());
    for (String t : templates) {
      out.add(t.replace("{}", className));
    }
    return out;
  }

  /** The 80 prompt templates the CLIP authors used for ImageNet zero-shot classification. */
  public static List<String> imagenetTemplates() {
    try (InputStream in = ClassPrompts.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new ScratchpadException("resource " + RESOURCE + " is missing from the visualscratchpad-api jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new ScratchpadException("cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /** A few example class sets by name. */
  public static Map<String, List<String>> exampleClassSets() {
    return Map.of(
        "pets", List.of("cat", "dog", "rabbit", "hamster", "parrot"),
        "vehicles", List.of("car", "bus", "bicycle", "motorcycle", "truck", "airplane", "boat"),
        "shapes", List.of("circle", "square", "triangle"),
        "colours", List.of("red", "green", "blue", "yellow"),
        "weather", List.of("sunny day", "rainy day", "snowy day", "foggy day"));
  }
}
