package org.visualscratchpad.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates bad inputs from valid ones with an explicit random generator: byte-level mutations
 * (bit flips, interesting bytes and integers, insertions, deletions, duplicated chunks, truncation)
 * and JSON-aware ones (a value replaced by an extreme number, a wrong type, a huge or odd string,
 * deep nesting; a field deleted or duplicated). Same seed, same inputs.
 */
public final class Mutator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 255, 256, 65535, 65536, Integer.MAX_VALUE,
      Integer.MIN_VALUE, 1L << 32, (1L << 62) + 8704, Long.MAX_VALUE, Long.MIN_VALUE, 4294967296L * 4294967296L};

  private Mutator() {}

  /** One to four byte-level mutations of {@code seed}. */
  public static byte[] bytes(byte[] seed, SplittableRandom rnd) {
    byte[] b = seed.clone();
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      b = once(b, rnd);
    }
    return b;
  }

  private static byte[] once(byte[] b, SplittableRandom rnd) {
    if (b.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int at = rnd.nextInt(b.length);
    switch (rnd.nextInt(8)) {
      case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
      case 1 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, '{', '"', '[', 0x20}[rnd.nextInt(8)];
      case 2 -> {  // an interesting little-endian integer (lengths, offsets, counts)
        long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
        int width = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
        for (int k = 0; k < width && at + k < b.length; k++) {
          b[at + k] = (byte) (v >>> (8 * k));
        }
      }
      case 3 -> {  // insert random bytes
        int len = 1 + rnd.nextInt(16);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at);
        for (int k = 0; k < len; k++) {
          out[at + k] = (byte) rnd.nextInt(256);
        }
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      case 4 -> {  // delete a range
        int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case 5 -> {  // duplicate a chunk
        int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at + len);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      case 6 -> {
        return java.util.Arrays.copyOf(b, at);  // truncate
      }
      default -> {  // overwrite with random bytes
        int len = 1 + rnd.nextInt(Math.min(8, b.length - at));
        for (int k = 0; k < len; k++) {
          b[at + k] = (byte) rnd.nextInt(256);
        }
      }
    }
    return b;
  }

  /** A mutation of the JSON document {@code seed}: structural 3 times in 4, byte-level otherwise. */
  public static byte[] json(JsonNode seed, SplittableRandom rnd) {
    if (rnd.nextInt(4) == 0) {
      return bytes(seed.toString().getBytes(StandardCharsets.UTF_8), rnd);
    }
    JsonNode copy = seed.deepCopy();
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      copy = mutateSomewhere(copy, rnd);
    }
    String text = copy.toString();
    if (text.contains("\"" + DEEP + "\"")) {
      int depth = 1 + rnd.nextInt(5000);
      text = text.replace("\"" + DEEP + "\"", "[".repeat(depth) + "1" + "]".repeat(depth));
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Placeholder for a deeply nested array (Jackson refuses to write more than 1000 levels itself). */
  private static final String DEEP = "@@vsp-deep-nesting@@";

  /** A JSON document parsed from text (for seeds). */
  public static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("seed is not JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode mutateSomewhere(JsonNode root, SplittableRandom rnd) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty()) {
      return value(rnd);
    }
    JsonNode c = containers.get(rnd.nextInt(containers.size()));
    if (c instanceof ObjectNode o && o.size() > 0) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.get(rnd.nextInt(names.size()));
      switch (rnd.nextInt(4)) {
        case 0 -> o.remove(name);
        case 1 -> o.set(name + (rnd.nextBoolean() ? "" : "x"), value(rnd));
        default -> o.set(name, value(rnd));
      }
    } else if (c instanceof ArrayNode a) {
      if (a.size() > 0 && rnd.nextBoolean()) {
        a.set(rnd.nextInt(a.size()), value(rnd));
      } else if (a.size() > 0 && rnd.nextBoolean()) {
        a.remove(rnd.nextInt(a.size()));
      } else {
        a.add(value(rnd));
      }
    } else if (c instanceof ObjectNode o) {
      o.set("x", value(rnd));
    }
    return root;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  private static JsonNode value(SplittableRandom rnd) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (rnd.nextInt(12)) {
      case 0 -> f.numberNode(INTERESTING[rnd.nextInt(INTERESTING.length)]);
      case 1 -> f.numberNode(new double[] {1e308, -1e308, 4.9e-324, 0.5, -0.0, 1e-7, 3.4e38}[rnd.nextInt(7)]);
      case 2 -> f.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
      case 3 -> f.textNode("");
      case 4 -> f.textNode("x".repeat(1 + rnd.nextInt(5000)));
      case 5 -> f.textNode(new String[] {"NaN", "Infinity", "-1", "{}", "<image>", "{{ x }}", "{% for %}", "\u0000",
          "\ud800", "../../etc/passwd", "default", "full", "BOTH", "all"}[rnd.nextInt(14)]);
      case 6 -> f.booleanNode(rnd.nextBoolean());
      case 7 -> f.nullNode();
      case 8 -> f.objectNode();
      case 9 -> {
        ArrayNode a = f.arrayNode();
        int len = rnd.nextInt(6);
        for (int i = 0; i < len; i++) {
          a.add(INTERESTING[rnd.nextInt(INTERESTING.length)]);
        }
        yield a;
      }
      case 10 -> f.textNode(DEEP);  // replaced by deep nesting once written
      default -> f.arrayNode().add(f.numberNode(rnd.nextInt(1000))).add(f.numberNode(rnd.nextInt(1000)));
    };
  }
}
