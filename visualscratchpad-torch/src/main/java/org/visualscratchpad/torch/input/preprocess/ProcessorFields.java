package org.visualscratchpad.torch.input.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * Typed fields of a processor's JSON ({@code preprocessor_config.json}), with the Hugging Face default when a field
 * is absent or null; a field of the wrong type is refused with its name and value.
 */
public final class ProcessorFields {
  private ProcessorFields() {}

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
