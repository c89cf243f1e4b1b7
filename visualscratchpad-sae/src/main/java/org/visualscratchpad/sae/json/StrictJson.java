package org.visualscratchpad.sae.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;

/**
 * Binds JSON to typed records strictly (Jackson data binding): a field the record does not declare,
 * a key given twice, anything after the JSON value, a string where a number belongs (or the other way
 * round), a fraction where an integer belongs: each is refused with a {@link JsonFieldException} that
 * names the field and what it must be. Messages never show Jackson's class names or reference chains.
 *
 * <pre>{@code
 * jshell> record Ask(String prompt, Integer maxNewTokens) {}
 * jshell> StrictJson.read("{\"prompt\": \"hi\", \"maxNewToken\": 3}".getBytes(), Ask.class)
 * |  JsonFieldException: field 'maxNewToken' is not known here; the known fields are [maxNewTokens, prompt]. Check its spelling.
 * }</pre>
 *
 * <p>Thread-safe (the mapper is configured once and shared).
 */
public final class StrictJson {
  private static final ObjectMapper MAPPER = strictMapper();

  private StrictJson() {}

  private static ObjectMapper strictMapper() {
    JsonMapper m = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .build();
    for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean, LogicalType.Textual,
        LogicalType.Enum, LogicalType.Collection, LogicalType.POJO)) {
      for (CoercionInputShape shape : CoercionInputShape.values()) {
        boolean natural = switch (t) {
          case Integer -> shape == CoercionInputShape.Integer;
          case Float -> shape == CoercionInputShape.Integer || shape == CoercionInputShape.Float;
          case Boolean -> shape == CoercionInputShape.Boolean;
          case Textual -> shape == CoercionInputShape.String || shape == CoercionInputShape.EmptyString;
          case Enum -> shape == CoercionInputShape.String;
          case Collection -> shape == CoercionInputShape.Array;
          default -> shape == CoercionInputShape.Object;
        };
        if (!natural) {
          m.coercionConfigFor(t).setCoercion(shape, CoercionAction.Fail);
        }
      }
    }
    return m;
  }

  /** The strict mapper itself, for callers that write with the same settings. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * {@code json} bound to {@code type}.
   *
   * @throws JsonFieldException naming the field at fault, or the document when it is not JSON
   */
  public static <T> T read(byte[] json, Class<T> type) {
    InvalidInputException.check(json != null, "JSON must not be null");
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw translate(e, type);
    }
  }

  /** {@link #read(byte[], Class)} of a string. */
  public static <T> T read(String json, Class<T> type) {
    InvalidInputException.check(json != null, "JSON must not be null");
    return read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type);
  }

  /** {@link #read(byte[], Class)} of a parsed tree (e.g. one field of a larger document). */
  public static <T> T read(JsonNode json, Class<T> type) {
    InvalidInputException.check(json != null, "JSON must not be null");
    try (JsonParser p = MAPPER.treeAsTokens(json)) {
      return MAPPER.readValue(p, type);
    } catch (IOException e) {
      throw translate(e, type);
    }
  }

  /**
   * A parsed tree of {@code json} (any JSON value), with duplicate keys and trailing data refused.
   *
   * @throws JsonFieldException if it is not one valid JSON value
   */
  public static JsonNode tree(byte[] json) {
    InvalidInputException.check(json != null, "JSON must not be null");
    try {
      JsonNode n = MAPPER.readTree(json);
      if (n == null || n.isMissingNode()) {
        throw new JsonFieldException("", "the document is empty; send a JSON value");
      }
      return n;
    } catch (IOException e) {
      throw translate(e, JsonNode.class);
    }
  }

  /** A Jackson failure as a message about the document: field, value, expectation; no library internals. */
  static JsonFieldException translate(IOException e, Class<?> root) {
    String field = e instanceof JsonMappingException jm ? path(jm.getPath()) : "";
    if (e instanceof UnrecognizedPropertyException u) {
      List<String> known = new ArrayList<>();
      Collection<Object> ids = u.getKnownPropertyIds();
      if (ids != null) {
        ids.forEach(k -> known.add(String.valueOf(k)));
      }
      known.sort(null);
      return new JsonFieldException(field, "is not known here; the known fields are " + known + ". Check its spelling.");
    }
    if (e instanceof ValueInstantiationException v && v.getCause() instanceof InvalidInputException bad) {
      if (bad instanceof JsonFieldException jf) {
        return jf.under(field);
      }
      return new JsonFieldException(field, "is invalid: " + bad.getMessage());
    }
    if (e instanceof InvalidFormatException f) {
      return new JsonFieldException(field, "(" + JsonFieldException.quote(f.getValue()) + ") must be "
          + expected(f.getTargetType()));
    }
    if (e instanceof MismatchedInputException m) {
      String original = String.valueOf(m.getOriginalMessage());
      if (original.startsWith("Trailing token")) {
        return new JsonFieldException("", "the document goes on after its JSON value" + at(m.getLocation())
            + "; send exactly one JSON value, nothing after it");
      }
      if (m.getTargetType() == null || field.isEmpty() && m.getTargetType() == root) {
        return new JsonFieldException(field, (field.isEmpty() ? "the document must be " : "must be ")
            + expected(root).replace("an object", "a JSON object") + at(m.getLocation()));
      }
      return new JsonFieldException(field, got(m) + "must be " + expected(m.getTargetType()));
    }
    if (e instanceof JsonMappingException jm && jm.getCause() instanceof InputCoercionException ic) {
      return new JsonFieldException(field, "holds a number out of range (" + JsonFieldException.quote(text(ic))
          + ")");
    }
    if (e instanceof InputCoercionException ic) {
      return new JsonFieldException(field, "holds a number out of range (" + JsonFieldException.quote(text(ic))
          + ")" + at(ic.getLocation()));
    }
    if (e instanceof JacksonException j) {
      String msg = String.valueOf(j.getOriginalMessage());
      int nl = msg.indexOf('\n');
      msg = nl >= 0 ? msg.substring(0, nl) : msg;
      if (msg.startsWith("Duplicate field")) {
        return new JsonFieldException(field, "is not valid: " + msg.replace("Duplicate field", "the key")
            .replaceAll("'$", "' is given twice").replaceAll("\\s+", " ") + at(j.getLocation()));
      }
      return new JsonFieldException(field, (field.isEmpty() ? "the document " : "") + "is not valid JSON"
          + at(j.getLocation()) + ": " + clean(msg));
    }
    return new JsonFieldException(field, "could not be read: " + e.getMessage());
  }

  /** The number of a coercion error, from the parser's own wording ({@code Numeric value (123...) out of range}). */
  private static String text(InputCoercionException ic) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(([-+0-9.eE]+)\\)")
        .matcher(String.valueOf(ic.getOriginalMessage()));
    return m.find() ? m.group(1) : "?";
  }


  /** Jackson's parser wording without its Java types: {@code Unexpected character ('}' (code 125))}. */
  private static String clean(String msg) {
    String m = msg.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
        .replaceAll("\\[Source:[^\\]]*\\]", "").replaceAll("`[a-zA-Z0-9_.$]+`", "value")
        .replaceAll("\\(class [^)]*\\)", "").strip();
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  /** The offending value as the parser's wording quotes it ({@code ("abc") }, {@code (a list) }), or nothing. */
  private static String got(MismatchedInputException m) {
    String msg = String.valueOf(m.getOriginalMessage());
    java.util.regex.Matcher coerce = java.util.regex.Pattern.compile("^Cannot coerce \\w+ value \\((.*)\\) to ",
        java.util.regex.Pattern.DOTALL).matcher(msg);
    if (coerce.find()) {
      return "(" + JsonFieldException.quote(coerce.group(1)) + ") ";
    }
    if (msg.contains("from Array value")) {
      return "(a list) ";
    }
    if (msg.contains("from Object value")) {
      return "(an object) ";
    }
    return "";
  }

  private static String at(JsonLocation loc) {
    return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }

  /** {@code edits[0].value} from Jackson's reference chain. */
  static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** What a value of {@code type} must be, in words. */
  static String expected(Class<?> type) {
    if (type == null) {
      return "a value of another type";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class || type == short.class) {
      return "an integer";
    }
    if (type == Float.class || type == float.class || type == Double.class || type == double.class
        || Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class || CharSequence.class.isAssignableFrom(type)) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + Arrays.toString(type.getEnumConstants());
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
      return JsonNode.class.isAssignableFrom(type) ? "a JSON value" : "an object ({...})";
    }
    return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
  }
}
