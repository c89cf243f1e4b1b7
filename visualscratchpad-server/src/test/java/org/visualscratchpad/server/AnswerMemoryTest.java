package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 5: large uploads cannot exhaust the heap through the answer store or the requests in
 * flight. The store keeps a preview and the upload's file bytes, never the decoded full image, and is
 * bounded by bytes; a request that does not fit is answered 413 or 503 with a JSON message.
 */
class AnswerMemoryTest {

  /** A {@code side x side} PNG (a red square on white: small as a file, large decoded), as a data URL. */
  static String bigPng(int side, Color colour) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, side, side);
    g.setColor(colour);
    g.fillRect(side / 3, side / 3, side / 3, side / 3);
    g.dispose();
    return ScratchpadServerTest.png(img);
  }

  static HttpResponse<String> post(ScratchpadServer server, String path, String body) throws Exception {
    return ScratchpadServerTest.http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> getBytes(ScratchpadServer server, String path) throws Exception {
    return ScratchpadServerTest.http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String ask(String image) throws Exception {
    return ScratchpadServerTest.JSON.writeValueAsString(Map.of("image", image, "prompt", "What colour?"));
  }

  @Test
  void the_store_is_bounded_by_bytes_and_keeps_previews_not_full_images() throws Exception {
    FakeScratchpad pad = new FakeScratchpad();
    // a 2000 x 2000 upload is 16 MB decoded; its preview 768 x 768 (2.25 MiB) and codes fit 3 in 8 MiB
    ServerOptions o = ServerOptions.defaults().withPort(0).withImageLimits(4 << 20, 20_000_000).withCachedAnswers(64)
        .withMaxCachedBytes(8L << 20).withMaxWorkingBytes(1L << 30);
    try (ScratchpadServer server = ScratchpadServer.start(pad, o)) {
      String first = null;
      String lastImage = null;
      for (int i = 0; i < 6; i++) {
        lastImage = bigPng(2000, i % 2 == 0 ? Color.RED : Color.BLUE);
        JsonNode a = ScratchpadServerTest.ok(post(server, "api/ask", ask(lastImage)));
        first = first == null ? a.get("id").asText() : first;
        assertEquals(2000, a.get("image").get("width").asInt(), "the view gives the full image's size");
        assertTrue(server.heldBytes() <= 8L << 20, "held " + server.heldBytes());
        BufferedImage served = ImageIO.read(new java.io.ByteArrayInputStream(
            getBytes(server, a.get("image").get("url").asText()).body()));
        assertEquals(AnswerCache.PREVIEW_SIDE, served.getWidth(), "the image served is the preview");
      }
      assertTrue(server.heldAnswers() < 6 && server.heldAnswers() >= 2, "held " + server.heldAnswers());
      String gone = ScratchpadServerTest.error(ScratchpadServerTest.http.send(HttpRequest.newBuilder(
          URI.create(server.url() + "api/answers/" + first)).build(), HttpResponse.BodyHandlers.ofString()), 404);
      assertTrue(gone.contains("within 8 MiB"), gone);
      // a held answer regenerates from the upload's bytes, decoded again at full resolution
      JsonNode last = ScratchpadServerTest.ok(post(server, "api/ask", ask(lastImage)));
      JsonNode r = ScratchpadServerTest.ok(post(server, "api/answers/" + last.get("id").asText() + "/regenerate",
          "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[201,202]}]}"));
      assertEquals("The shape is blue.", last.get("text").asText());
      assertEquals("The shape is unclear.", r.get("answer").get("text").asText());
      assertEquals(2000, r.get("answer").get("image").get("width").asInt());
    } finally {
      pad.close();
    }
  }

  @Test
  void an_answer_larger_than_the_whole_store_is_refused_with_413() throws Exception {
    FakeScratchpad pad = new FakeScratchpad();
    ServerOptions o = ServerOptions.defaults().withPort(0).withImageLimits(4 << 20, 20_000_000)
        .withMaxCachedBytes(1L << 20);
    try (ScratchpadServer server = ScratchpadServer.start(pad, o)) {
      String msg = ScratchpadServerTest.error(post(server, "api/ask", ask(bigPng(2000, Color.RED))), 413);
      assertTrue(msg.contains("larger than this server keeps for all answers (1 MiB)"), msg);
      assertEquals(0, server.heldAnswers());
      // a small image still fits and is answered
      assertEquals("The shape is red.", ScratchpadServerTest.ok(post(server, "api/ask", ask(bigPng(200, Color.RED))))
          .get("text").asText());
    } finally {
      pad.close();
    }
  }

  @Test
  void an_image_too_large_for_the_working_memory_is_413_and_one_that_must_wait_is_503() throws Exception {
    FakeScratchpad pad = new FakeScratchpad();
    // 2000 x 2000 x 24 bytes = 92 MiB of working memory; 1000 x 1000 = 23 MiB
    ServerOptions o = ServerOptions.defaults().withPort(0).withImageLimits(4 << 20, 20_000_000)
        .withMaxWorkingBytes(40L << 20);
    try (ScratchpadServer server = ScratchpadServer.start(pad, o)) {
      String msg = ScratchpadServerTest.error(post(server, "api/ask", ask(bigPng(2000, Color.RED))), 413);
      assertTrue(msg.contains("2000 x 2000") && msg.contains("more than this server gives a request (40 MiB)"), msg);
      // hold one 1000 x 1000 ask in flight: a second one does not fit beside it
      pad.holdAsks = new CountDownLatch(1);
      pad.askStarted = new CountDownLatch(1);
      String image = bigPng(1000, Color.RED);
      CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
        try {
          return post(server, "api/ask", ask(image));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertTrue(pad.askStarted.await(30, TimeUnit.SECONDS));
      HttpResponse<String> busy = post(server, "api/ask", ask(image));
      String busyMsg = ScratchpadServerTest.error(busy, 503);
      assertTrue(busyMsg.contains("busy") && busyMsg.contains("Try again"), busyMsg);
      pad.holdAsks.countDown();
      assertEquals("The shape is red.", ScratchpadServerTest.ok(held.get(60, TimeUnit.SECONDS)).get("text").asText());
      pad.holdAsks = null;
      pad.askStarted = null;
      // once the first is answered, the same request fits again
      assertEquals("The shape is red.", ScratchpadServerTest.ok(post(server, "api/ask", ask(image))).get("text").asText());
    } finally {
      pad.close();
    }
  }
}
