package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.LatentStatistics;

/** The README's main job on the shipped ShapesWorld model, SAE and statistics. */
class DemoRunTest {
  @TempDir Path dir;

  @Test
  void the_demo_asks_ranks_clusters_ablates_and_writes_its_report_and_pictures() throws Exception {
    ShippedDemo.Folders files = ShippedDemo.extract(dir.resolve("shipped"));
    StringWriter text = new StringWriter();
    DemoRun.Result r = DemoRun.run(files, 3, dir.resolve("out"), new PrintWriter(text));

    assertFalse(r.answer().generated().isEmpty());
    assertEquals(r.answer().generated().size(), r.answer().attention().weights().rows());
    assertEquals(16, r.answer().imageTokens().size(), "4 x 4 patches");
    assertTrue(r.clusters().clusters().size() >= 2, r.clusters().toString());
    // the ablated cluster is one of the heatmap's clusters, and exactly its latents were ablated
    assertTrue(r.clusters().clusters().contains(r.ablated()));
    assertEquals(r.ablated().latentIds(), r.afterAblation().plan().edits().get(0).latentIds());

    JsonNode report = new ObjectMapper().readTree(dir.resolve("out/report.json").toFile());
    assertEquals("describe the image .", report.get("question").asText());
    assertEquals(r.answer().text(), report.get("answer").asText());
    assertEquals(r.afterAblation().text(), report.get("newAnswer").asText());
    assertEquals(r.answer().generated().size(), report.get("tokens").size());
    List<Integer> ablated = new ArrayList<>();
    report.get("ablatedLatents").forEach(n -> ablated.add(n.asInt()));
    assertEquals(r.ablated().latentIds(), ablated);
    // the plan is structured JSON, not a toString
    JsonNode plan = report.get("plan");
    assertTrue(plan.isObject(), plan.toString());
    assertEquals(r.afterAblation().plan().errorTerm().name(), plan.get("errorTerm").asText());
    assertEquals("ablate", plan.get("edits").get(0).get("kind").asText());
    List<Integer> planIds = new ArrayList<>();
    plan.get("edits").get(0).get("latentIds").forEach(n -> planIds.add(n.asInt()));
    assertEquals(r.ablated().latentIds(), planIds);
    // and reads back through the one plan codec to the plan that was applied
    assertEquals(r.afterAblation().plan(), org.visualscratchpad.sae.json.PlanJson.read(plan));
    for (String png : List.of("scene.png", "attention.png", "heatmap.png")) {
      BufferedImage img = ImageIO.read(dir.resolve("out").resolve(png).toFile());
      assertTrue(img.getWidth() > 32 && img.getHeight() > 32, png);
    }
    assertTrue(text.toString().contains("new answer:"), text.toString());
  }

  @Test
  void the_shipped_sae_and_statistics_fit_the_shipped_model() throws Exception {
    ShippedDemo.Folders files = ShippedDemo.extract(dir.resolve("shipped"));
    var sae = SaeLoader.load(files.sae(), 64);
    LatentStatistics stats = LatentStatistics.load(files.stats());
    assertEquals(sae.dSae(), stats.dSae());
    assertEquals(1000, stats.images());
    assertTrue(Files.size(files.sae().resolve("sae_weights.safetensors")) < 1_000_000);
  }
}
