package org.visualscratchpad.samples.web;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed JSON request body with typed, range-checked field readers whose errors name the field,
 * the value and what was expected.
 *
 * <pre>{@code
 * jshell> var req = JsonRequest.parse(mapper, "{\"topK\": 20}".getBytes());
 * jshell> req.intField("topK", 20, 1, 500)
 * $2 ==> 20
 * }</pre>
 */
final class JsonRequest {
  private final JsonNode root;

  private JsonRequest(JsonNode root) {
    this.root = root;
  }

  /** Parses a body; an empty body is an empty object. */
  static JsonRequest parse(ObjectMapper mapper, byte[] body) {
    if (body.length == 0) {
      return new JsonRequest(mapper.createObjectNode());
    }
    try {
      JsonNode n = mapper.readTree(body);
      if (n == null || !n.isObject()) {
        throw new WebRequestException(400, "request body must be a JSON object ({...}), not "
            + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT)) + ".");
      }
      return new JsonRequest(n);
    } catch (JacksonException e) {
      String msg = e.getOriginalMessage();
      var loc = e.getLocation();
      throw new WebRequestException(400, "request body is not valid JSON" + (loc == null ? "" : " (line " + loc.getLineNr()
          + ", column " + loc.getColumnNr() + ")") + ": " + (msg.length() > 160 ? msg.substring(0, 160) + "..." : msg) + ".");
    } catch (java.io.IOException e) {
      throw new WebRequestException(400, "request body could not be read: " + e.getMessage());
    }
  }

  JsonNode node(String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? null : n;
  }

  String string(String field, String fallback) {
    JsonNode n = node(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isTextual()) {
      throw WebRequestException.badField(field, n, "be a string");
    }
    return n.asText();
  }

  int intField(String field, int fallback, int min, int max) {
    JsonNode n = node(field);
    if (n == null) {
      return fallback;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
      throw WebRequestException.badField(field, n, "be an integer in [" + min + ", " + max + "]");
    }
    return n.asInt();
  }

  double doubleField(String field, double fallback, double min, double max) {
    JsonNode n = node(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < min || n.asDouble() > max) {
      throw WebRequestException.badField(field, n, "be a number in [" + min + ", " + max + "]");
    }
    return n.asDouble();
  }

  boolean bool(String field, boolean fallback) {
    JsonNode n = node(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw WebRequestException.badField(field, n, "be true or false");
    }
    return n.asBoolean();
  }

  <E extends Enum<E>> E enumField(String field, Class<E> type, E fallback) {
    String s = string(field, null);
    if (s == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    throw WebRequestException.badField(field, '"' + s + '"', "be one of " + List.of(type.getEnumConstants()));
  }

  /** A list of latent ids, each in [0, dSae). */
  static List<Integer> latentIds(JsonNode n, String field, int dSae) {
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw WebRequestException.badField(field, n, "be a non-empty list of latent ids");
    }
    if (n.size() > 10_000) {
      throw WebRequestException.badField(field, n.size() + " ids", "hold at most 10000 latent ids");
    }
    List<Integer> ids = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0 || e.asInt() >= dSae) {
        throw WebRequestException.badField(field, e, "hold latent ids in [0, d_sae = " + dSae + ")");
      }
      if (ids.contains(e.asInt())) {
        throw WebRequestException.badField(field, e, "name each latent once");
      }
      ids.add(e.asInt());
    }
    return ids;
  }
}
