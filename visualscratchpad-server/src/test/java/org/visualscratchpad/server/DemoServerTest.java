package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.TopImage;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.Scratchpad;

/**
 * The JSON API over real HTTP on the REAL shipped ShapesWorld demo model: bad requests of every kind
 * leave the loaded model answering exactly as before, and the latent page's reference images are
 * the images the statistics were computed on. No expectation hard-codes what the model says.
 */
class DemoServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static Scratchpad pad;
  static ScratchpadServer server;

  @BeforeAll
  static void start() {
    pad = DemoModelFixture.pad();
    server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0).withImageLimits(256 << 10, 4_000_000)
        .withMaxJsonBytes(16 << 10), ReferenceImages.seeded(org.visualscratchpad.samples.demo.ShippedDemo.REFERENCE_SCENES, org.visualscratchpad.samples.demo.ShippedDemo::referenceScene));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void the_shapesworld_samples_are_the_generators_scenes_and_the_page_answers_on_them_as_the_library_does()
      throws Exception {
    JsonNode list = ok(send("api/samples", null));
    List<String> slugs = new ArrayList<>();
    list.forEach(n -> slugs.add(n.asText()));
    assertTrue(slugs.containsAll(List.of("shapesworld-two-objects", "shapesworld-misleading-cue",
        "shapesworld-three-objects")), slugs.toString());
    BufferedImage served = ImageIO.read(new ByteArrayInputStream(send("api/samples/shapesworld-misleading-cue", null).body()));
    BufferedImage scene = new org.visualscratchpad.samples.shapes.SceneGenerator()
        .generate(4, org.visualscratchpad.samples.shapes.SceneDistribution.CUE_BROKEN).image().toBufferedImage();
    assertEquals(scene.getWidth(), served.getWidth());
    assertArrayEquals(scene.getRGB(0, 0, scene.getWidth(), scene.getHeight(), null, 0, scene.getWidth()),
        served.getRGB(0, 0, served.getWidth(), served.getHeight(), null, 0, served.getWidth()), "PNG is lossless");
    String question = "what shape is the yellow object ?";
    JsonNode page = ok(send("api/ask", JSON.writeValueAsString(Map.of("sample", "shapesworld-misleading-cue",
        "prompt", question, "maxNewTokens", 4))));
    String library = pad.ask(scene, question, AskOptions.defaults().withMaxNewTokens(4)).text();
    assertEquals(library, page.get("text").asText());
    // the sample's documented point: the shipped model follows the planted cue on this yellow square
    assertEquals("triangle", library.strip());
  }

  static HttpResponse<byte[]> send(String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode ok(HttpResponse<byte[]> r) throws Exception {
    assertEquals(200, r.statusCode(), new String(r.body()));
    return JSON.readTree(r.body());
  }

  static String refused(HttpResponse<byte[]> r, int status, String part) throws Exception {
    String body = new String(r.body());
    assertEquals(status, r.statusCode(), body);
    String msg = JSON.readTree(body).get("error").asText();
    System.out.println("HTTP " + status + ": " + msg);
    assertTrue(msg.contains(part), "expected '" + part + "' in: " + msg);
    assertFalse(msg.contains("\tat ") || msg.contains("Exception:"), "no stack trace in: " + msg);
    return msg;
  }

  static String askBody(BufferedImage image, String prompt) throws Exception {
    return JSON.writeValueAsString(Map.of("image", "data:image/png;base64,"
        + Base64.getEncoder().encodeToString(DemoModelFixture.png(image)), "prompt", prompt, "maxNewTokens", 16));
  }

  static final String ABLATE = "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[%s],\"scope\":\"all\"}]}";

  @Test
  void bad_requests_of_every_kind_leave_the_demo_model_answering_exactly_as_before() throws Exception {
    BufferedImage image = DemoModelFixture.scene(11).image().toBufferedImage();
    JsonNode before = ok(send("api/ask", askBody(image, DemoModelFixture.PROMPT)));
    String id = before.get("id").asText();
    Answer library = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(16));
    assertEquals(library.text(), before.get("text").asText(), "the page shows what the library answers");
    int latent = before.get("bars").get("weighted").get(0).get(0).get(0).asInt();
    JsonNode ablatedBefore = ok(send("api/answers/" + id + "/regenerate", String.format(ABLATE, latent)));

    // bad input at every layer: HTTP, JSON, image decoding, fields, the model itself
    refused(send("api/ask", "{\"prompt\":\"x\",\"image\":\"aGVsbG8gd29ybGQ=\"}"), 400, "not an image");
    refused(send("api/ask", "{\"prompt\":\"x\",\"image\":\"%%%\"}"), 400, "base64");
    refused(send("api/ask", "{\"prompt\":\"x\",\"image\":\"" + Base64.getEncoder().encodeToString(
        ScratchpadServerTest.pngHeaderOnly(40_000, 40_000)) + "\"}"), 413, "40000 x 40000");
    refused(send("api/ask", "{\"prompt\":\"x\",\"image\":\"" + "A".repeat(400_000) + "\"}"), 413, "must be at most");
    refused(send("api/ask", "{\"prompt\": "), 400, "not valid JSON");
    refused(send("api/ask", askBody(image, "   ")), 400, "prompt");
    // a prompt longer than the demo model's context: refused by the model, not by the server's checks
    String longPrompt = "describe the image . ".repeat(180);
    String tooLong = refused(send("api/ask", askBody(image, longPrompt)), 400, "context");
    System.out.println("model-level refusal: " + tooLong);
    refused(send("api/answers/" + id + "/regenerate", String.format(ABLATE, "512")), 400, "d_sae");
    refused(send("api/answers/" + id + "/regenerate", String.format(ABLATE, "-1")), 400, "latentIds");
    refused(send("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"set\",\"latentIds\":[1],\"value\":\"NaN\"}]}"),
        400, "value");
    refused(send("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"melt\",\"latentIds\":[1]}]}"), 400, "ablate");
    refused(send("api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1],\"scope\":\"x\"}]}"),
        400, "scope");
    refused(send("api/answers/" + id + "/heatmap", "{\"clusters\":-2}"), 400, "clusters");
    refused(send("api/answers/" + id + "/heatmap", "{\"normalization\":\"LOUD\"}"), 400, "normalization");
    refused(send("api/answers/nope-1/regenerate", String.format(ABLATE, latent)), 404, "Ask again");
    refused(send("api/latents/512", null), 400, "d_sae");
    refused(send("api/latents/" + latent + "/reference/99", null), 404, "rank");
    refused(send("api/latents/" + latent + "/reference/..%2F..%2Fetc%2Fpasswd", null), 404, "rank");
    refused(send("api/statistics?percent=101", null), 400, "percent");
    // a huge but finite steering value runs through the model (whatever it makes of it) and changes nothing after it
    HttpResponse<byte[]> wild = send("api/answers/" + id + "/regenerate",
        "{\"edits\":[{\"kind\":\"set\",\"latentIds\":[" + latent + "],\"value\":1e30}]}");
    System.out.println("steering with 1e30: HTTP " + wild.statusCode() + " " + new String(wild.body()).substring(0, Math.min(160, wild.body().length)));
    if (wild.statusCode() != 200) {
      refused(wild, wild.statusCode(), "");
    }

    // the same good requests give the same results, bit for bit where JSON carries them
    JsonNode after = ok(send("api/ask", askBody(image, DemoModelFixture.PROMPT)));
    assertEquals(before.get("text"), after.get("text"));
    assertEquals(before.get("attention"), after.get("attention"));
    assertEquals(before.get("bars"), after.get("bars"));
    JsonNode ablatedAfter = ok(send("api/answers/" + after.get("id").asText() + "/regenerate", String.format(ABLATE, latent)));
    assertEquals(ablatedBefore.get("answer").get("text"), ablatedAfter.get("answer").get("text"));
    assertEquals(ablatedBefore.get("diff").get("rows"), ablatedAfter.get("diff").get("rows"));
    assertEquals(library.text(), pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(16)).text());
  }

  @Test
  void concurrent_good_and_bad_requests_on_the_demo_model_do_not_disturb_each_other() throws Exception {
    BufferedImage image = DemoModelFixture.scene(12).image().toBufferedImage();
    String expected = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(16)).text();
    String good = askBody(image, DemoModelFixture.PROMPT);
    String bad = askBody(image, "describe the image . ".repeat(180));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "api/ask")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(i % 2 == 0 ? good : bad)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < calls.size(); i++) {
      HttpResponse<String> r = calls.get(i).get();
      if (i % 2 == 0) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(expected, JSON.readTree(r.body()).get("text").asText());
      } else {
        assertEquals(400, r.statusCode(), r.body());
      }
    }
  }

  @Test
  void reference_images_are_the_scenes_the_statistics_saw_with_their_masks() throws Exception {
    LatentStatistics stats = (LatentStatistics) pad.statistics().orElseThrow();
    // a selective latent: fires on some but not most images
    int latent = -1;
    for (int l = 0; l < stats.dSae() && latent < 0; l++) {
      if (stats.frequency(l) > 0.05 && stats.frequency(l) < 0.5 && stats.topImages(l).size() >= 3) {
        latent = l;
      }
    }
    assertTrue(latent >= 0, "the demo statistics have a latent firing on 5-50 % of images");
    JsonNode page = ok(send("api/latents/" + latent, null));
    assertEquals(stats.topImages(latent).size(), page.get("referenceImages").size());
    double h = stats.labelEntropy(latent);
    assertEquals(h < 0 ? null : h, page.get("labelEntropy").isNull() ? null : page.get("labelEntropy").asDouble());
    assertEquals(stats.patchCount(latent), page.get("distribution").get("firingTokens").asLong());
    long histogramTotal = 0;
    for (JsonNode c : page.get("distribution").get("topImagesHistogram").get("counts")) {
      histogramTotal += c.asLong();
    }
    long maskTotal = stats.topImages(latent).stream().mapToLong(t -> t.mask().activeCount()).sum();
    assertEquals(maskTotal, histogramTotal, "every masked token of the top images is in one bin");
    for (int rank = 0; rank < 3; rank++) {
      TopImage top = stats.topImages(latent).get(rank);
      assertEquals(top.imageId(), page.get("referenceImages").get(rank).get("imageId").asText());
      // the redrawn scene, run through the model and SAE again, fires exactly where the stored mask says
      BufferedImage scene = ReferenceImages.seeded(org.visualscratchpad.samples.demo.ShippedDemo.REFERENCE_SCENES, org.visualscratchpad.samples.demo.ShippedDemo::referenceScene).load(top.imageId()).orElseThrow();
      SparseActivations codes = pad.ask(scene, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(1)).activations().get(0);
      float[] stored = top.mask().toDense();
      float[] again = new float[codes.rows()];
      for (int row = 0; row < codes.rows(); row++) {
        again[row] = codes.get(row, latent);
      }
      assertEquals(stored.length, again.length);
      assertArrayEquals(stored, again, 1e-3f * Math.max(1f, LatentPageViews.maskScale(stats.topImages(latent))),
          "latent " + latent + " on " + top.imageId());
      HttpResponse<byte[]> png = send(page.get("referenceImages").get(rank).get("url").asText(), null);
      assertEquals(200, png.statusCode());
      assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
      BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(png.body()));
      assertTrue(drawn.getWidth() >= LatentPageViews.MIN_SIDE && drawn.getWidth() % scene.getWidth() == 0, "" + drawn.getWidth());
    }
  }

  @Test
  void the_decoder_map_is_computed_once_off_the_request_thread_and_its_clusters_group_similar_directions() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<byte[]> first = send("api/latent-map?clusters=6", null);
    assertTrue(first.statusCode() == 202 || first.statusCode() == 200, new String(first.body()));
    // while it is computed, other requests are answered at once
    long infoStart = System.nanoTime();
    ok(send("api/info", null));
    double infoMs = (System.nanoTime() - infoStart) / 1e6;
    JsonNode map = null;
    int polls = 0;
    while (map == null) {
      HttpResponse<byte[]> r = send("api/latent-map?clusters=6", null);
      if (r.statusCode() == 200) {
        map = JSON.readTree(r.body());
      } else {
        assertEquals(202, r.statusCode(), new String(r.body()));
        assertTrue(System.nanoTime() - t0 < 180e9, "the demo SAE's map takes over 3 minutes");
        polls++;
        Thread.sleep(200);
      }
    }
    System.out.printf("decoder map of the demo SAE: %d ms to compute (server), %d polls; /api/info meanwhile in %.0f ms%n",
        map.get("computeMs").asLong(), polls, infoMs);
    assertTrue(infoMs < 2000, "/api/info took " + infoMs + " ms while the map was computed");
    int dSae = pad.sae().dSae();
    assertEquals(dSae, map.get("x").size());
    assertEquals(dSae, map.get("clusters").size());
    assertEquals(6, map.get("clusterCount").asInt());
    int[] label = new int[dSae];
    int[] size = new int[6];
    for (int l = 0; l < dSae; l++) {
      assertTrue(Double.isFinite(map.get("x").get(l).asDouble()) && Double.isFinite(map.get("y").get(l).asDouble()));
      label[l] = map.get("clusters").get(l).asInt();
      size[label[l]]++;
    }
    for (int c = 0; c < 6; c++) {
      assertTrue(size[c] > 0, "cluster " + c + " is empty");
    }
    // the clusters follow the decoder directions: latents of one cluster are more alike than latents at large
    float[][] dir = new float[dSae][];
    for (int l = 0; l < dSae; l++) {
      dir[l] = pad.sae().decoderDirection(l);
    }
    double within = 0;
    double all = 0;
    long nWithin = 0;
    long nAll = 0;
    for (int a = 0; a < dSae; a++) {
      for (int b = a + 1; b < dSae; b++) {
        double cos = cosine(dir[a], dir[b]);
        all += cos;
        nAll++;
        if (label[a] == label[b]) {
          within += cos;
          nWithin++;
        }
      }
    }
    System.out.printf("mean cosine of decoder directions: %.4f within map clusters, %.4f over all pairs%n", within / nWithin, all / nAll);
    assertTrue(within / nWithin > all / nAll + 0.01, "within " + within / nWithin + ", all " + all / nAll);
    // another cluster count reuses the layout
    long again = System.nanoTime();
    JsonNode eight = ok(send("api/latent-map?clusters=8", null));
    System.out.printf("re-clustering the cached map into 8: %.0f ms%n", (System.nanoTime() - again) / 1e6);
    assertEquals(map.get("x"), eight.get("x"));
    assertEquals(8, eight.get("clusterCount").asInt());
    refused(send("api/latent-map?clusters=0", null), 400, "clusters");
    refused(send("api/latent-map?clusters=abc", null), 400, "clusters");
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  @Test
  void an_image_folder_serves_ids_inside_it_only(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("images/red"));
    DemoModelFixture.writePng(DemoModelFixture.scene(1).image().toBufferedImage(), root.resolve("a.png"));
    DemoModelFixture.writePng(DemoModelFixture.scene(2).image().toBufferedImage(), tmp.resolve("secret.png"));
    Files.createSymbolicLink(root.resolve("link.png"), tmp.resolve("secret.png"));
    ReferenceImages folder = ReferenceImages.folder(tmp.resolve("images"), ServerOptions.defaults());
    assertEquals(64, folder.load("red/a.png").orElseThrow().getWidth());
    for (String escape : List.of("../secret.png", "red/../../secret.png", tmp.resolve("secret.png").toString(), "red/link.png",
        "red", "", "red\\a.png")) {
      assertTrue(folder.load(escape).isEmpty(), escape);
    }
  }
}
