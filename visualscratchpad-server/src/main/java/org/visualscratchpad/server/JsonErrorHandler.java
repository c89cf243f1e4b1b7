package org.visualscratchpad.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before a request reaches the page's API (a malformed URI or
 * header, an ambiguous path): the same JSON as every other error, {@code {"error": message, "status":
 * code}}, instead of Jetty's HTML page.
 *
 * <pre>{@code
 * GET /api/%zz  ->  400 {"error": "bad HTTP request (Bad Request). Check the address: ...", "status": 400}
 * }</pre>
 */
final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TYPE = "application/json; charset=utf-8";

  static byte[] body(int status, String reason) {
    String what = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
    String message = status == 400
        ? "bad HTTP request (" + what + "). Check the address and headers: a path must not hold encoded slashes, "
            + "'..' or invalid %-escapes."
        : status == 404 ? "nothing at this address (" + what + ")."
        : status == 413 || status == 431 ? "the request is larger than this server accepts (" + what + ")."
        : "the server could not answer this request (" + what + ").";
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message);
    m.put("status", status);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      return ("{\"error\":\"error " + status + "\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
    }
  }

  @Override
  protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
      List<Charset> charsets, int code, String message, Throwable cause) throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    return true;
  }

  /** The same for errors inside the servlet context (Jetty's servlet layer has its own handler type). */
  static final class Servlet extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) throws IOException {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
      response.write(true, ByteBuffer.wrap(body(code, message)), callback);
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(new HttpField(HttpHeader.CONTENT_TYPE, TYPE));
      return ByteBuffer.wrap(body(status, reason));
    }
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, TYPE));
    return ByteBuffer.wrap(body(status, reason));
  }
}
