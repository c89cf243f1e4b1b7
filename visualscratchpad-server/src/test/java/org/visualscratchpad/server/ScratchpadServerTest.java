package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API and its safety limits, over real HTTP, on the test-only fake model. */
class ScratchpadServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static FakeScratchpad pad;
  static ScratchpadServer server;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    pad = new FakeScratchpad();
    server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0).withImageLimits(64 << 10, 1_000_000)
        .withMaxJsonBytes(8 << 10).withCachedAnswers(4));
  }

  @AfterAll
  static void stop() {
    server.close();
    pad.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  static String error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
    JsonNode n = JSON.readTree(r.body());
    String msg = n.get("error").asText();
    System.out.println("HTTP " + status + ": " + msg);
    assertFalse(msg.contains("\tat ") || msg.contains("Exception:"), "no stack trace in: " + msg);
    assertFalse(msg.contains("com.fasterxml") || msg.contains("`") || msg.contains("Source:")
        || msg.contains("reference chain") || msg.contains("java.lang."), "no library internals in: " + msg);
    return msg;
  }

  static String png(BufferedImage img) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }

  static String askSample(String sample) throws Exception {
    return ok(post("api/ask", "{\"sample\":\"" + sample + "\",\"prompt\":\"What colour is the shape?\"}")).get("id").asText();
  }

  @Test
  void info_describes_the_sae_and_the_limits() throws Exception {
    JsonNode info = ok(get("api/info"));
    assertEquals(FakeScratchpad.D_SAE, info.get("sae").get("dSae").asInt());
    assertTrue(info.get("statistics").asBoolean());
    assertEquals(64 << 10, info.get("limits").get("maxImageBytes").asLong());
  }

  @Test
  void asking_about_an_uploaded_image_returns_tokens_attention_boxes_and_bars() throws Exception {
    JsonNode a = ok(post("api/ask", JSON.writeValueAsString(java.util.Map.of("image", png(SampleImage.BLUE_SQUARE.render()),
        "prompt", "What colour is it?", "maxNewTokens", 8))));
    assertEquals("The shape is blue.", a.get("text").asText());
    assertEquals(5, a.get("generated").size());
    assertEquals(36, a.get("imageTokens").size());
    assertEquals(5, a.get("attention").size());
    assertEquals(36, a.get("attention").get(3).size());
    // the colour word attends most to a blue patch: the square covers the centre
    JsonNode row = a.get("attention").get(3);
    int best = 0;
    for (int k = 1; k < row.size(); k++) {
      best = row.get(k).asDouble() > row.get(best).asDouble() ? k : best;
    }
    int x = a.get("imageTokens").get(best).get(0).asInt();
    assertTrue(x >= 56 && x < 280, "blue patch expected near the centre, got x=" + x);
    assertEquals(201, a.get("bars").get("weighted").get(3).get(0).get(0).asInt(), a.get("bars").toString());
    assertEquals(200, get(a.get("image").get("url").asText()).statusCode());
  }

  @Test
  void heatmap_filters_the_noisy_latent_and_clusters_the_colour_latents() throws Exception {
    String id = askSample("red-circle");
    JsonNode hm = ok(post("api/answers/" + id + "/heatmap",
        "{\"topK\":10,\"filter\":\"BOTH\",\"percent\":2,\"normalization\":\"COLUMN\",\"method\":\"AVERAGE\",\"distance\":\"CORRELATION\",\"clusters\":3}"));
    assertTrue(hm.get("filteredOut").toString().contains("5"), hm.get("filteredOut").toString());
    assertFalse(hm.get("latentIds").toString().matches(".*\\b5\\b.*"), hm.get("latentIds").toString());
    assertEquals(3, hm.get("clusters").size());
    boolean redTogether = false;
    for (JsonNode c : hm.get("clusters")) {
      String ids = c.get("latentIds").toString();
      redTogether |= ids.contains("101") && ids.contains("102") && ids.contains("103");
    }
    assertTrue(redTogether, hm.get("clusters").toString());
  }

  @Test
  void ablating_the_red_latents_changes_the_answer_and_marks_the_changed_token() throws Exception {
    String id = askSample("red-and-blue");
    JsonNode r = ok(post("api/answers/" + id + "/regenerate",
        "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[101,102,103],\"scope\":\"all\"}]}"));
    assertEquals("The shape is blue.", r.get("answer").get("text").asText());
    assertEquals("The shape is red.", r.get("diff").get("before").asText());
    assertEquals(3, r.get("diff").get("firstChange").asInt());
    assertTrue(r.get("diff").get("rows").get(3).get("changed").asBoolean());
    assertFalse(r.get("diff").get("rows").get(2).get("changed").asBoolean());
    // steering with a value on the patches brings green in
    JsonNode s = ok(post("api/answers/" + id + "/regenerate",
        "{\"edits\":[{\"kind\":\"set\",\"latentIds\":[301],\"value\":9,\"scope\":\"patches\"}]}"));
    assertEquals("The shape is green.", s.get("answer").get("text").asText());
    JsonNode diff = ok(get("api/answers/" + id + "/diff/" + s.get("answer").get("id").asText()));
    assertTrue(diff.get("changed").asBoolean());
  }

  @Test
  void clip_classification_reports_probabilities_before_and_after_an_edit() throws Exception {
    JsonNode r = ok(post("api/classify", "{\"sample\":\"red-and-blue\",\"classes\":[\"red\",\"green\",\"blue\"],"
        + "\"templates\":\"imagenet\",\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[101,102,103]}]}"));
    assertEquals(80, r.get("templates").asInt());
    assertEquals("red", r.get("before").get(0).get("className").asText());
    double redBefore = r.get("before").get(0).get("probability").asDouble();
    double redAfter = r.get("after").get(0).get("probability").asDouble();
    double blueAfter = r.get("after").get(2).get("probability").asDouble();
    assertTrue(redBefore > 0.5 && redAfter < redBefore && blueAfter > redAfter, r.toString());
    JsonNode plain = ok(post("api/classify", "{\"sample\":\"blue-square\",\"classes\":[\"a red thing\",\"a blue thing\"]}"));
    assertTrue(plain.get("after").isNull());
    assertTrue(plain.get("before").get(1).get("probability").asDouble() > 0.9, plain.toString());
    expect(post("api/classify", "{\"sample\":\"blue-square\",\"classes\":[\"red\"]}"), 400, "2 to 1000 class names");
    expect(post("api/classify", "{\"sample\":\"blue-square\",\"classes\":[\"red\",\"blue\"],\"templates\":[\"no slot\"]}"),
        400, "must contain {}");
    assertTrue(ok(get("api/class-sets")).has("colours"));
  }

  static void expect(HttpResponse<String> r, int status, String part) throws Exception {
    String msg = error(r, status);
    assertTrue(msg.contains(part), "expected '" + part + "' in: " + msg);
  }

  @Test
  void statistics_and_latent_page_report_thresholds_ranks_and_the_patch_mask() throws Exception {
    JsonNode s = ok(get("api/statistics?percent=2"));
    assertEquals(FakeScratchpad.D_SAE, s.get("meanActivation").size());
    assertTrue(s.get("meanActivation").get(5).asDouble() >= s.get("meanThreshold").asDouble());
    String id = askSample("red-circle");
    JsonNode l = ok(get("api/latents/101?answer=" + id));
    assertEquals(36, l.get("patchActivations").size());
    assertTrue(l.get("maxPatchActivation").asDouble() > 0);
    assertEquals(0.0, l.get("patchActivations").get(0).asDouble(), "corner patch is background");
    assertEquals(1, ok(get("api/latents/5")).get("meanActivationRank").asInt());
  }

  @Test
  void oversized_bodies_are_refused_with_413_without_being_buffered() throws Exception {
    String big = "{\"prompt\":\"x\",\"image\":\"" + "A".repeat(200_000) + "\"}";
    assertTrue(error(post("api/ask", big), 413).contains("must be at most"));
    String bigJson = "{\"topK\":20,\"pad\":\"" + "x".repeat(20_000) + "\"}";
    String id = askSample("red-circle");
    assertTrue(error(post("api/answers/" + id + "/heatmap", bigJson), 413).contains("heatmap request"));
  }

  @Test
  void an_image_claiming_too_many_pixels_is_refused_before_decoding() throws Exception {
    byte[] bomb = pngHeaderOnly(50_000, 50_000);
    String body = "{\"prompt\":\"x\",\"image\":\"" + Base64.getEncoder().encodeToString(bomb) + "\"}";
    String msg = error(post("api/ask", body), 413);
    assertTrue(msg.contains("50000 x 50000"), msg);
  }

  @Test
  void bad_images_and_bad_json_get_clear_messages_and_the_model_keeps_working() throws Exception {
    assertTrue(error(post("api/ask", "{\"prompt\":\"x\",\"image\":\"aGVsbG8gd29ybGQ=\"}"), 400).contains("not an image"));
    assertTrue(error(post("api/ask", "{\"prompt\":\"x\",\"image\":\"%%%\"}"), 400).contains("base64"));
    assertTrue(error(post("api/ask", "{\"prompt\": \"x\", "), 400).contains("not valid JSON"));
    assertTrue(error(post("api/ask", "[1,2]"), 400).contains("JSON object"));
    assertTrue(error(post("api/ask", "{\"sample\":\"red-circle\"}"), 400).contains("prompt"));
    assertTrue(error(post("api/ask", "{\"sample\":\"../../etc/passwd\",\"prompt\":\"x\"}"), 404).contains("does not exist"));
    assertTrue(error(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"" + "y ".repeat(300) + "\"}"), 400)
        .contains("context"), "a model-level refusal is reported as such");
    String id = askSample("red-circle");
    assertTrue(error(post("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[99999]}]}"), 400)
        .contains("d_sae"));
    assertTrue(error(post("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"set\",\"latentIds\":[1]}]}"), 400)
        .contains("value"));
    assertTrue(error(post("api/answers/" + id + "/heatmap", "{\"topK\":-3}"), 400).contains("topK"));
    assertTrue(error(post("api/answers/" + id + "/heatmap", "{\"method\":\"MAGIC\"}"), 400).contains("KMEANS"));
    assertTrue(error(get("api/latents/abc"), 400).contains("latent id"));
    assertTrue(error(get("api/answers/nope"), 404).contains("Ask again"));
    assertTrue(error(get("api/nothing-here"), 404).contains("no API endpoint"));
    // the next good request still works, with the same answer as before
    JsonNode a = ok(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"What colour?\"}"));
    assertEquals("The shape is red.", a.get("text").asText());
  }

  @Test
  void cross_origin_and_foreign_host_requests_are_refused() throws Exception {
    String id = askSample("red-circle");
    assertTrue(error(post("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[101]}]}",
        "Origin", "http://evil.example"), 403).contains("cross-origin"));
    assertTrue(error(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"x\"}", "Origin", "null"), 403).contains("cross-site"));
    String same = "http://127.0.0.1:" + server.port();
    assertEquals(200, post("api/answers/" + id + "/heatmap", "{}", "Origin", same).statusCode());
    // a form post (text/plain, the one cross-site POST a browser sends without asking) is refused too
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/ask"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(415, form.statusCode());
    // DNS rebinding: a foreign Host header
    String raw = rawGet("/api/info", "attacker.example:" + server.port());
    assertTrue(raw.startsWith("HTTP/1.1 403"), raw);
    assertTrue(raw.contains("Host header"), raw);
    assertTrue(rawGet("/api/info", "localhost:" + server.port()).startsWith("HTTP/1.1 200"));
  }

  @Test
  void concurrent_good_and_bad_requests_do_not_disturb_each_other() throws Exception {
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String body = i % 2 == 0 ? "{\"sample\":\"blue-square\",\"prompt\":\"What colour?\"}" : "{\"prompt\":\"x\",\"image\":\"aGVsbG8=\"}";
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "api/ask")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < calls.size(); i++) {
      HttpResponse<String> r = calls.get(i).get();
      if (i % 2 == 0) {
        assertEquals("The shape is blue.", ok(r).get("text").asText());
      } else {
        expect(r, 400, "not an image");
      }
    }
  }

  @Test
  void the_cache_keeps_the_most_recent_answers_only() throws Exception {
    String first = askSample("red-circle");
    for (int i = 0; i < 4; i++) {
      askSample("blue-square");
    }
    assertTrue(error(get("api/answers/" + first), 404).contains("keeps the last 4"));
    assertEquals(4, server.heldAnswers());
  }

  @Test
  void options_and_guard_validate_their_inputs() {
    assertThrows(org.visualscratchpad.InvalidInputException.class, () -> ServerOptions.defaults().withPort(70000));
    RequestGuard g = new RequestGuard("127.0.0.1", 8077);
    g.check("127.0.0.1:8077", "http://localhost:8077", "same-origin");
    assertEquals(403, assertThrows(WebRequestException.class, () -> g.check("127.0.0.1:8077", "https://127.0.0.1:8077", null)).status());
    assertEquals(403, assertThrows(WebRequestException.class, () -> g.check("127.0.0.1:9999", null, null)).status());
    assertEquals(403, assertThrows(WebRequestException.class, () -> g.check("127.0.0.1:8077", null, "cross-site")).status());
    assertNotEquals("", ServerOptions.defaults().toString());
  }

  @Test
  void the_page_and_its_vendored_chart_library_are_served() throws Exception {
    HttpResponse<String> page = get("");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<link rel=\"icon\" href=\"data:,\">"));
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
    HttpResponse<byte[]> js = http.send(HttpRequest.newBuilder(URI.create(server.url() + "vendor/echarts/echarts.esm.min.js")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, js.statusCode());
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    String hex = java.util.HexFormat.of().formatHex(sha.digest(js.body()));
    String readme = get("vendor/echarts/README.md").body();
    assertTrue(readme.contains(hex), "the README records the served file's sha256 " + hex);
  }

  static String rawGet(String path, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A PNG signature and an IHDR chunk claiming {@code w x h} pixels, with no pixel data. */
  static byte[] pngHeaderOnly(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 17 + 4);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
    return b.array();
  }

  /** Found by fuzzing: a 5,000-character bad value came back whole in the error message. */
  @Test
  void an_error_quotes_a_long_bad_value_abbreviated() throws Exception {
    String msg = error(post("api/ask", JSON.writeValueAsString(java.util.Map.of("sample", SampleImage.BLUE_SQUARE.slug(),
        "prompt", "What?", "maxNewTokens", "x".repeat(5000)))), 400);
    assertTrue(msg.contains("maxNewTokens") && msg.length() < 400 && msg.contains("..."), msg);
  }

  /** Issue 13 item 14: strict request bodies. */
  @Test
  void unknown_fields_and_trailing_data_are_refused_naming_the_field() throws Exception {
    String msg = error(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"x\",\"maxNewToken\":3}"), 400);
    assertTrue(msg.contains("'maxNewToken'") && msg.contains("maxNewTokens"), msg);
    assertTrue(error(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"x\"} {}"), 400).contains("goes on after"));
    assertTrue(error(post("api/ask", "{\"sample\":\"red-circle\",\"prompt\":\"x\",\"prompt\":\"y\"}"), 400).contains("twice"));
    String id = askSample("red-circle");
    assertTrue(error(post("api/answers/" + id + "/heatmap", "{\"topk\":5}"), 400).contains("'topk'"));
    assertTrue(error(post("api/answers/" + id + "/heatmap", "{\"topK\":\"5\"}"), 400).contains("'topK' (\"5\") must be an integer"));
    assertTrue(error(post("api/answers/" + id + "/regenerate",
        "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[101],\"maxNewTokens\":2}]}"), 400).contains("'edits[0].maxNewTokens'"));
    assertTrue(error(post("api/answers/" + id + "/regenerate", "{\"edits\":[]}"), 400).contains("1 to 64 edits"));
    assertTrue(error(post("api/classify", "{\"sample\":\"red-circle\",\"classes\":[\"a\",\"b\"],\"edit\":[]}"), 400)
        .contains("'edit'"));
    // the plan codec's own form is accepted too: an object scope, an error term
    JsonNode r = ok(post("api/answers/" + id + "/regenerate",
        "{\"errorTerm\":\"KEEP\",\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[101,102,103],\"scope\":{\"kind\":\"all\"}}]}"));
    assertEquals("KEEP", r.get("answer").get("planJson").get("errorTerm").asText());
  }

  /** Issue 13 item 14: errors Jetty answers before the API are JSON too, not its HTML page. */
  @Test
  void malformed_http_requests_get_json_errors() throws Exception {
    for (String path : List.of("/api/%zz", "/api/answers/..%2f..%2fetc", "/%C0%AE%C0%AE/")) {
      String raw = rawGet(path, "127.0.0.1:" + server.port());
      String head = raw.substring(0, raw.indexOf("\r\n\r\n"));
      String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
      assertTrue(head.startsWith("HTTP/1.1 4"), raw);
      assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), raw);
      if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("}") + 1);
      }
      JsonNode n = JSON.readTree(body);
      assertTrue(n.get("error").isTextual() && !n.get("error").asText().contains("<"), body);
      System.out.println(path + " -> " + head.lines().findFirst().orElse("") + " " + n.get("error").asText());
    }
  }

  /** Issue 13 item 14: asking a model that cannot is a 400 that says so, not a 500. */
  @Test
  void capability_errors_are_400s_and_info_lists_what_the_model_can_do() throws Exception {
    FakeScratchpad llavaLike = new FakeScratchpad();
    llavaLike.capabilities = java.util.EnumSet.of(org.visualscratchpad.scratchpad.Scratchpad.Capability.ASK);
    FakeScratchpad clipLike = new FakeScratchpad();
    clipLike.capabilities = java.util.EnumSet.of(org.visualscratchpad.scratchpad.Scratchpad.Capability.CLASSIFY);
    try (ScratchpadServer a = ScratchpadServer.start(llavaLike, ServerOptions.defaults().withPort(0));
         ScratchpadServer c = ScratchpadServer.start(clipLike, ServerOptions.defaults().withPort(0))) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a.url() + "api/classify"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"sample\":\"red-circle\",\"classes\":[\"red\",\"blue\"]}")).build(), HttpResponse.BodyHandlers.ofString());
      String msg = error(r, 400);
      assertTrue(msg.contains("cannot classify") && msg.contains("CLIP"), msg);
      r = http.send(HttpRequest.newBuilder(URI.create(c.url() + "api/ask")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"sample\":\"red-circle\",\"prompt\":\"x\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      msg = error(r, 400);
      assertTrue(msg.contains("cannot ask") && msg.contains("LLaVA"), msg);
      JsonNode info = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(c.url() + "api/info")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertEquals("[\"classify\"]", info.get("capabilities").toString());
    } finally {
      llavaLike.close();
      clipLike.close();
    }
    assertEquals("[\"ask\",\"classify\"]", ok(get("api/info")).get("capabilities").toString());
  }
}
