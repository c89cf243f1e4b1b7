package org.visualscratchpad.server;

import java.util.Locale;
import java.util.Set;

/**
 * Keeps other web sites from driving the local server: a request must name this server in its
 * {@code Host} header (which defeats DNS rebinding), and a request with an {@code Origin} header
 * (every browser request that changes something) must come from this server's own page. Requests
 * without {@code Origin} (curl, scripts) are allowed: they cannot come from another site's page.
 *
 * <pre>{@code
 * jshell> var guard = new RequestGuard("127.0.0.1", 8077);
 * jshell> guard.check("localhost:8077", "http://evil.example", "cross-site")   // throws (403)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RequestGuard {
  private final Set<String> hosts;

  /** A guard for a server bound to {@code bindHost} on {@code port}. */
  public RequestGuard(String bindHost, int port) {
    String bound = bindHost.toLowerCase(Locale.ROOT);
    this.hosts = Set.copyOf(new java.util.HashSet<>(java.util.List.of("localhost:" + port, "127.0.0.1:" + port,
        "[::1]:" + port, (bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound) + ":" + port)));
  }

  /**
   * Checks one request.
   *
   * @param host the {@code Host} header
   * @param origin the {@code Origin} header, or null
   * @param fetchSite the {@code Sec-Fetch-Site} header, or null
   * @throws WebRequestException (403) naming the header at fault
   */
  public void check(String host, String origin, String fetchSite) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (!hosts.contains(h)) {
      throw new WebRequestException(403, "Host header (" + shorten(host) + ") must name this server, one of "
          + hosts.stream().sorted().toList() + ". Open the page through the URL the server printed.");
    }
    if (origin != null && !origin.equals("null") && !hosts.contains(stripScheme(origin))) {
      throw new WebRequestException(403, "cross-origin request from " + shorten(origin)
          + " refused: only this server's own page may call its API.");
    }
    if ("null".equals(origin) || "cross-site".equalsIgnoreCase(fetchSite)) {
      throw new WebRequestException(403, "cross-site request (Origin " + shorten(origin) + ", Sec-Fetch-Site "
          + shorten(fetchSite) + ") refused: only this server's own page may call its API.");
    }
  }

  private static String stripScheme(String origin) {
    String o = origin.toLowerCase(Locale.ROOT);
    return o.startsWith("http://") ? o.substring("http://".length()) : "\u0000not-http";
  }

  private static String shorten(String s) {
    if (s == null) {
      return "none";
    }
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
  }

  @Override
  public String toString() {
    return "RequestGuard" + hosts.stream().sorted().toList();
  }
}
