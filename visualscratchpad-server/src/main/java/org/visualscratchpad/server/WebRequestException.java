package org.visualscratchpad.server;

import org.visualscratchpad.InvalidInputException;

/**
 * A request the scratchpad server refuses, with the HTTP status it answers and a message the page
 * shows as is (never a stack trace). Nothing loaded is changed by such a request.
 *
 * <pre>{@code
 * jshell> new WebRequestException(413, "request body (20 MiB) must be at most 16 MiB. Send a smaller image.")
 * }</pre>
 */
public class WebRequestException extends InvalidInputException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /**
   * @param status the HTTP status (4xx)
   * @param message what is wrong and how to fix it
   */
  public WebRequestException(int status, String message) {
    super(message);
    this.status = status;
  }

  public WebRequestException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the server answers with. */
  public int status() {
    return status;
  }

  static WebRequestException tooLarge(String what, long size, long limit, String fix) {
    return new WebRequestException(413, what + " (" + ServerOptions.size(size) + ") must be at most "
        + ServerOptions.size(limit) + ". " + fix);
  }

  static WebRequestException badField(String field, Object value, String constraint) {
    String shown = String.valueOf(value);
    if (shown.length() > 120) {
      // a bad value is quoted so that the sender recognises it, not echoed whole
      shown = shown.substring(0, 100) + "... (" + shown.length() + " characters)";
    }
    return new WebRequestException(400, "field '" + field + "' (" + shown + ") must " + constraint + ".");
  }
}
