package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.samples.ClipFixtureFiles;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.ClassScore;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;

/**
 * The classify panel in a real browser on a real CLIP runtime: the tiny CLIP of {@code
 * ../shared/fixtures/hf-reference/clip} (random weights, a word-level tokenizer over its synthetic
 * ids) with a random SAE. The probabilities the page shows, before and after the steering edit, are
 * the library's for the same image, classes, templates and plan. Skipped without the fixture or
 * Chromium.
 */
class ClipPageTest {
  static Path dir;
  static Scratchpad pad;
  static ScratchpadServer server;
  static HeadlessChromium chromium;

  @BeforeAll
  static void launch() throws Exception {
    org.visualscratchpad.samples.Fixtures.require(ClipFixtureFiles.fixture());
    chromium = HeadlessChromium.launch();
    dir = Files.createTempDirectory("vsp-web-clip");
    Path model = ClipFixtureFiles.model(dir.resolve("model"));
    Path sae = ClipFixtureFiles.writeSae(dir.resolve("sae"), 5);
    pad = Scratchpad.load(new LoadSpec(model, sae, null, "cpu"));
    server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0));
  }

  @AfterAll
  static void close() throws Exception {
    HeadlessChromium.closeAll(chromium, server, pad);
  }

  static String pct(float p) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * p);
  }

  @Test
  void classify_shows_the_library_probabilities_before_and_after_the_steering_edit() {
    List<String> classes = List.of("w10", "w20", "w30");
    List<String> templates = List.of("a photo of a {}.", "{} .");
    BufferedImage image = SampleImage.RED_AND_BLUE.render();
    Classification before = pad.classify(image, new ClassPrompts(classes, templates));
    InterventionPlan plan = new InterventionPlan(List.of(LatentIntervention.scale(List.of(1, 2, 3), 8f, TokenScope.allTokens())),
        ErrorTerm.KEEP);
    Classification after = pad.classify(image, new ClassPrompts(classes, templates), plan);

    BrowserContext context = chromium.newContext(1400, 900, false);
    Page page = context.newPage();
    List<String> errors = new ArrayList<>();
    page.onPageError(e -> errors.add("page error: " + e));
    page.navigate(server.url());
    page.waitForFunction("document.body.dataset.ready === '1'");
    assertTrue(page.locator("#model-info").textContent().contains("d_sae 64"), page.locator("#model-info").textContent());
    page.locator("#sample").selectOption("red-and-blue");
    // a CLIP model cannot answer questions: asking is disabled and the page says why (the server's 400 for a
    // request that asks anyway is tested in ScratchpadServerTest)
    assertTrue(page.locator("#ask").isDisabled());
    assertTrue(page.locator("#regenerate").isDisabled());
    assertTrue(page.locator("#ask-note").textContent().toLowerCase(Locale.ROOT).contains("clip"),
        page.locator("#ask-note").textContent());
    assertTrue(page.locator("#classify").isEnabled());
    // ... and the classification panel is opened for it
    assertTrue((Boolean) page.evaluate("document.getElementById('clip').open"));
    page.locator("#clip-classes").fill(String.join(", ", classes));
    page.locator("#clip-templates").selectOption("custom");
    page.locator("#clip-custom").fill(String.join("\n", templates));
    page.locator("#steer-latents").fill("1, 2, 3");
    page.locator("#steer-kind").selectOption("scale");
    page.locator("#steer-value").fill("8");
    page.locator("#clip-steer").check();
    page.locator("#classify").click();
    page.waitForFunction("document.getElementById('clip-result').dataset.topAfter !== undefined");
    List<List<String>> rows = new ArrayList<>();
    int n = page.locator("#clip-result tr").count();
    for (int r = 1; r < n; r++) {
      rows.add(page.locator("#clip-result tr").nth(r).locator("td").allTextContents());
    }
    assertEquals(classes.size(), rows.size());
    for (int c = 0; c < classes.size(); c++) {
      ClassScore b = before.scores().get(c);
      ClassScore a = after.scores().get(c);
      assertEquals(List.of(b.className(), pct(b.probability()), pct(a.probability())), rows.get(c).subList(0, 3));
    }
    String top = before.scores().stream().max((x, y) -> Float.compare(x.probability(), y.probability())).orElseThrow().className();
    assertEquals(top, page.locator("#clip-result").getAttribute("data-top"));
    assertNotEquals(before.scores(), after.scores(), "scaling three latents by 8 moves the probabilities");
    page.screenshot(new Page.ScreenshotOptions().setPath(HeadlessChromium.SHOTS.resolve("clip-classify.png")));
    // a bad class list: a clear message, and the next classification works
    page.locator("#clip-classes").fill("w10");
    page.locator("#classify").click();
    page.waitForFunction("document.getElementById('error-text').textContent.includes('2 to 1000 class names')");
    page.locator("#clip-classes").fill(String.join(", ", classes));
    page.locator("#clip-steer").uncheck();
    page.locator("#classify").click();
    page.waitForFunction("document.getElementById('error').hidden && document.getElementById('clip-result').dataset.topAfter === undefined"
        + " && document.querySelectorAll('#clip-result tr').length === 4");
    assertEquals(pct(before.scores().get(0).probability()), page.locator("#clip-result tr").nth(1).locator("td").nth(1).textContent());
    assertEquals(List.of(), errors);
    context.close();
  }
}
