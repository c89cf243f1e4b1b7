package org.visualscratchpad.torch.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.CheckpointFormatException;

/**
 * One object of a Hugging Face {@code config.json} (the root or a nested {@code text_config} /
 * {@code vision_config}), read with the class defaults supplied by the caller for omitted keys.
 * Every error names the file and the field.
 *
 * <pre>{@code
 * jshell> var cfg = ConfigJson.read(Path.of("llava/config.json"))
 * jshell> cfg.child("text_config").getInt("num_hidden_layers", 32)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final String prefix;
  private final JsonNode node;

  private ConfigJson(Path file, String prefix, JsonNode node) {
    this.file = file;
    this.prefix = prefix;
    this.node = node;
  }

  /**
   * Reads {@code config.json} (a file, or a folder holding one).
   *
   * @throws CheckpointFormatException if it is missing or not a JSON object
   */
  public static ConfigJson read(Path fileOrDir) {
    Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("config.json") : fileOrDir;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "config.json is missing. Point at a Hugging Face model folder "
          + "(config.json + *.safetensors), as save_pretrained or the Hub writes it.");
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.isObject()) {
        throw new CheckpointFormatException(file, "must hold a JSON object");
      }
      return new ConfigJson(file, "", n);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The file this was read from. */
  public Path file() {
    return file;
  }

  /** Whether {@code key} is present and not null. */
  public boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  /** Whether {@code key} is present, even with a null value. */
  public boolean containsKey(String key) {
    return node.has(key);
  }

  /** A nested object ({@code text_config}); an empty object (all defaults) when absent. */
  public ConfigJson child(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return new ConfigJson(file, prefix + key + ".", JSON.createObjectNode());
    }
    if (!v.isObject()) {
      throw new CheckpointFormatException(file, "field " + prefix + key + " must be an object");
    }
    return new ConfigJson(file, prefix + key + ".", v);
  }

  /** The raw node of {@code key}, or null. */
  public JsonNode raw(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  public int getInt(String key, int dflt) {
    JsonNode v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!v.canConvertToInt() || (v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble()))) {
      throw bad(key, v, "an integer");
    }
    return v.asInt();
  }

  /** A required integer. */
  public int requireInt(String key) {
    if (!has(key)) {
      throw new CheckpointFormatException(file, "field " + prefix + key + " is missing. Add it to config.json.");
    }
    return getInt(key, 0);
  }

  public double getDouble(String key, double dflt) {
    JsonNode v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw bad(key, v, "a number");
    }
    return v.asDouble();
  }

  public String getString(String key, String dflt) {
    JsonNode v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw bad(key, v, "a string");
    }
    return v.asText();
  }

  public boolean getBoolean(String key, boolean dflt) {
    JsonNode v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw bad(key, v, "true or false");
    }
    return v.asBoolean();
  }

  /** A list of integer pairs ({@code image_grid_pinpoints}), or {@code dflt} when absent. */
  public List<int[]> getIntPairs(String key, List<int[]> dflt) {
    JsonNode v = raw(key);
    if (v == null) {
      return dflt;
    }
    List<int[]> out = new ArrayList<>();
    if (!v.isArray()) {
      throw bad(key, v, "a list of [height, width] pairs");
    }
    for (JsonNode p : v) {
      if (!p.isArray() || p.size() != 2 || !p.get(0).canConvertToInt() || !p.get(1).canConvertToInt()) {
        throw bad(key, v, "a list of [height, width] pairs");
      }
      out.add(new int[] {p.get(0).asInt(), p.get(1).asInt()});
    }
    return out;
  }

  /** The error for an invalid value of {@code key}. */
  public CheckpointFormatException bad(String key, Object value, String expected) {
    return new CheckpointFormatException(file, "field " + prefix + key + " (" + value + ") must be " + expected
        + ". Fix config.json.");
  }

  @Override
  public String toString() {
    return "ConfigJson[" + file + (prefix.isEmpty() ? "" : " " + prefix) + "]";
  }
}
