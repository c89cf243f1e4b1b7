package org.visualscratchpad.sae.json;

import org.visualscratchpad.InvalidInputException;

/**
 * A JSON document that does not have the expected shape, with the path of the field at fault
 * ({@code edits[0].value}; empty for the document as a whole) and what is wrong with it. The message
 * reads {@code field 'edits[0].value' (abc) must be a number} and names no library class.
 *
 * <pre>{@code
 * jshell> try { PlanJson.read("{\"edits\": [{\"kind\": \"zap\"}]}"); }
 *    ...> catch (JsonFieldException e) { e.field(); }
 * $1 ==> "edits[0].kind"
 * }</pre>
 */
public class JsonFieldException extends InvalidInputException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String problem;

  /**
   * @param field the path of the field ({@code a.b[2].c}), or empty for the whole document
   * @param problem what is wrong, e.g. {@code (abc) must be a number} or {@code is not known here; ...}
   */
  public JsonFieldException(String field, String problem) {
    super(field.isEmpty() ? problem : "field '" + field + "' " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** The path of the field at fault, or empty for the document as a whole. */
  public String field() {
    return field;
  }

  /** What is wrong with it, without the field's name. */
  public String problem() {
    return problem;
  }

  /** The same error inside a larger document: {@code prefix + "." + field}. */
  public JsonFieldException under(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    String f = field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new JsonFieldException(f, problem);
  }

  /** A value quoted so that its sender recognises it: long values abbreviated to 100 characters and a length. */
  public static String quote(Object value) {
    String shown = String.valueOf(value);
    if (shown.length() > 120) {
      shown = shown.substring(0, 100) + "... (" + shown.length() + " characters)";
    }
    return shown;
  }
}
