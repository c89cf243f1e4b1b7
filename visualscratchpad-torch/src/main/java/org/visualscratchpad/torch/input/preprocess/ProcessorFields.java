package org.visualscratchpad.torch.input.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;

/**
 * Typed fields of a processor's JSON ({@code preprocessor_config.json}), with the Hugging Face default when a field
 * is absent or null; a field of the wrong type is refused with its name and value.
 */
public final class ProcessorFields {
  private ProcessorFields() {}

  /**
   * Reads {@code preprocessor_config.json} (a file, or a folder holding one) and parses its object with {@code
   * parse}.
   *
   * @throws CheckpointFormatException naming the file if it is missing, not a JSON object, or {@code parse} refuses
   *     a field
   */
  public static <T> T read(Path fileOrDir, Function<JsonNode, T> parse) {
    Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("preprocessor_config.json") : fileOrDir;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "preprocessor_config.json does not exist. "
          + "Copy it from the Hugging Face checkpoint folder (it sits beside config.json).");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointFormatException(file, "must hold a JSON object");
    }
    try {
      return parse.apply(root);
    } catch (InvalidInputException e) {
      throw new CheckpointFormatException(file, e.getMessage(), e);
    }
  }

  /** A boolean field. */
  public static boolean bool(JsonNode root, String key, boolean dflt) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    InvalidInputException.check(n.isBoolean(), "field %s (%s) must be true or false", key, n);
    return n.booleanValue();
  }

  /** An integer field. */
  public static int integer(JsonNode root, String key, int dflt) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    InvalidInputException.check(n.canConvertToInt() && n.isIntegralNumber(), "field %s (%s) must be an integer", key, n);
    return n.intValue();
  }

  /** A number field. */
  public static double number(JsonNode root, String key, double dflt) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    InvalidInputException.check(n.isNumber(), "field %s (%s) must be a number", key, n);
    return n.doubleValue();
  }

  /** Three numbers (per channel), or one number for all three. */
  public static List<Double> triple(JsonNode root, String key, List<Double> dflt) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (n.isNumber()) {
      return List.of(n.doubleValue(), n.doubleValue(), n.doubleValue());
    }
    InvalidInputException.check(n.isArray() && n.size() == 3, "field %s (%s) must be a list of 3 numbers", key, n);
    List<Double> out = new ArrayList<>();
    for (JsonNode v : n) {
      InvalidInputException.check(v.isNumber(), "field %s (%s) must be a list of 3 numbers", key, n);
      out.add(v.doubleValue());
    }
    return out;
  }
}
