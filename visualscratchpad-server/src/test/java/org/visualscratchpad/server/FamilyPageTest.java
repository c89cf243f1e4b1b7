package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.torch.FamilyFixtureFiles;
import org.visualscratchpad.samples.Fixtures;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;

/**
 * The page in a real browser on the two newer families: LLaVA-OneVision (SigLIP without CLS, base view plus
 * tiles, Qwen2) and Qwen2-VL (merged 2 x 2 patch tokens, M-RoPE), each on its {@code ../shared} fixture's weights
 * with a word-level tokenizer and a small SAE. Ask, the token strip and the attention overlay, the heatmap and its
 * clusters, ablating a cluster and regenerating: what the page shows is what the library gives for the same
 * image, prompt and options. Skipped without the fixtures or Chromium.
 */
class FamilyPageTest {
  static HeadlessChromium chromium;
  static Path dir;

  @BeforeAll
  static void launch() throws Exception {
    Fixtures.require(Fixtures.hfReference("qwen2_vl"));
    Fixtures.require(Fixtures.hfReference("llava_onevision"));
    chromium = HeadlessChromium.launch();
    dir = Files.createTempDirectory("vsp-family-page");
  }

  @AfterAll
  static void close() throws Exception {
    HeadlessChromium.closeAll(chromium);
  }

  static BufferedImage image(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, ((x * 5) % 256 << 16) | ((y * 3) % 256 << 8) | ((x * y) % 256));
      }
    }
    return img;
  }

  static Scratchpad load(String family) throws Exception {
    Path at = dir.resolve(family);
    return switch (family) {
      case "llava_onevision" -> Scratchpad.load(LoadSpec.of(FamilyFixtureFiles.onevisionModel(at.resolve("model")),
          FamilyFixtureFiles.onevisionSae(at.resolve("sae"), 64)));
      case "qwen2_vl" -> Scratchpad.load(LoadSpec.of(FamilyFixtureFiles.qwen2vlModel(at.resolve("model")),
          FamilyFixtureFiles.unitRowSae(at.resolve("sae"), 32, 96, 1)));
      default -> throw new IllegalArgumentException(family);
    };
  }

  static String overlayPixels(Page page) {
    return (String) page.evaluate("document.getElementById('overlay').toDataURL()");
  }

  /** The overlay's alpha (0-255) at the centre of image token {@code k}'s box. */
  static int overlayAlphaAt(Page page, Answer a, int k) {
    var box = a.imageTokens().get(k).box();
    return ((Number) page.evaluate("([x, y]) => { const c = document.getElementById('overlay');"
        + " const img = document.getElementById('answer-image');"
        + " const px = Math.floor(x * c.width / img.naturalWidth), py = Math.floor(y * c.height / img.naturalHeight);"
        + " return c.getContext('2d').getImageData(px, py, 1, 1).data[3]; }",
        List.of(box.x() + box.width() / 2.0, box.y() + box.height() / 2.0))).intValue();
  }

  static String shown(String token) {
    return token.isEmpty() ? "\u2205" : token.replace("\n", "\u21b5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"llava_onevision", "qwen2_vl"})
  void ask_overlay_heatmap_clusters_and_ablation_show_the_librarys_results(String family) throws Exception {
    BufferedImage image = family.equals("qwen2_vl") ? image(84, 56) : image(96, 100);
    String prompt = "w20 w21 w22";
    try (Scratchpad pad = load(family);
        ScratchpadServer server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0))) {
      // what the library answers for the same image, prompt and options as the page sends (maxNewTokens 32)
      Answer expected = pad.ask(image, prompt, AskOptions.defaults().withMaxNewTokens(32));
      int n = expected.generated().size();
      assertTrue(n >= 2, family + ": the answer needs two tokens for this test: " + expected);
      BrowserContext context = chromium.newContext(1400, 1100, false);
      List<String> errors = new ArrayList<>();
      Page page = HeadlessChromium.newPage(context, errors);
      page.navigate(server.url());
      page.waitForFunction("document.body.dataset.ready === '1'");
      page.locator("#image-file").setInputFiles(new FilePayload("scene.png", "image/png", DemoModelFixture.png(image)));
      page.waitForFunction("(document.getElementById('preview').getAttribute('src') || '').startsWith('data:')");
      page.locator("#prompt").fill(prompt);
      page.locator("#ask").click();
      page.waitForFunction("document.getElementById('answer-text').textContent !== ''"
          + " && document.querySelectorAll('#tokens .tok.gen').length === " + n);
      assertEquals(expected.text(), page.locator("#answer-text").textContent(), family);
      assertEquals(expected.generated().stream().map(t -> shown(t.text())).toList(),
          page.locator("#tokens .tok.gen").allTextContents(), family);
      page.waitForFunction("document.getElementById('overlay').dataset.token === '0'");

      // another token: the overlay is redrawn for it; on Qwen2-VL (one view, no overlapping boxes) it is
      // strongest where that token attends most
      int other = n - 1;
      String first = overlayPixels(page);
      page.locator("#tokens .tok.gen[data-index='" + other + "']").click();
      page.waitForFunction("document.getElementById('overlay').dataset.token === '" + other + "'");
      float[] w = expected.attention().weights().row(other);
      float[] w0 = expected.attention().weights().row(0);
      if (!java.util.Arrays.equals(w, w0)) {
        assertNotEquals(first, overlayPixels(page), family + ": the overlay must change between token 0 and " + other);
      }
      if (family.equals("qwen2_vl")) {
        int hot = 0;
        int cold = 0;
        for (int k = 1; k < w.length; k++) {
          hot = w[k] > w[hot] ? k : hot;
          cold = w[k] < w[cold] ? k : cold;
        }
        if (w[hot] > w[cold]) {
          assertTrue(overlayAlphaAt(page, expected, hot) > overlayAlphaAt(page, expected, cold),
              "the overlay is strongest on the most attended image token (" + hot + ") and weakest on the least ("
                  + cold + ")");
        }
      }
      // the weighted bars for this token are the library's ranking
      List<Integer> top = expected.rankLatents().perToken().get(other).stream().limit(5).map(r -> r.latentId()).toList();
      assertEquals(top, java.util.Arrays.stream(page.locator("#bars-chart").getAttribute("data-latents").split(","))
          .limit(5).map(Integer::valueOf).toList(), family);

      // heatmap and clusters with the page's controls = the library's with the same options
      page.locator("#hm-clusters").fill("2");
      page.locator("#hm-build").click();
      page.waitForFunction("document.querySelectorAll('#clusters button.cluster').length > 0");
      TokenLatentHeatmap hm = expected.heatmap(new HeatmapOptions(20, true, HeatmapOptions.NoisyFilter.BOTH, 2.0,
          HeatmapOptions.Normalization.COLUMN));
      LatentClusters clusters = hm.cluster(new ClusterOptions(ClusterOptions.Method.AVERAGE,
          ClusterOptions.Distance.CORRELATION, Math.min(2, hm.latentIds().size()), 0.5, 0, 10));
      Locator buttons = page.locator("#clusters button.cluster");
      assertEquals(clusters.clusters().size(), buttons.count(), family);
      assertEquals(String.valueOf(hm.values().rows() * hm.latentIds().size()),
          page.locator("#heatmap-chart").getAttribute("data-cells"), family);

      // ablate the largest cluster and regenerate: the page's side-by-side answer is the library's
      LatentCluster target = clusters.clusters().stream().max(Comparator.comparingInt(c -> c.latentIds().size()))
          .orElseThrow();
      buttons.nth(clusters.clusters().indexOf(target)).click();
      assertEquals(target.latentIds().stream().map(String::valueOf).collect(Collectors.joining(", ")),
          page.locator("#steer-latents").inputValue(), family);
      page.locator("#regenerate").click();
      page.waitForFunction("document.getElementById('steer-plan').textContent !== ''");
      Answer after = expected.regenerate(new InterventionPlan(List.of(LatentIntervention.ablate(target.latentIds(),
          TokenScope.allTokens())), ErrorTerm.KEEP));
      AnswerDiff diff = expected.diff(after);
      assertEquals(String.valueOf(diff.changed()), page.locator("#answer-after").getAttribute("data-changed"), family);
      assertEquals(diff.rows().stream().map(r -> shown(r.after())).toList(),
          page.locator("#answer-after .tok").allTextContents(), family);
      assertEquals(1, page.locator("#history li").count());
      page.screenshot(new Page.ScreenshotOptions().setPath(HeadlessChromium.SHOTS.resolve("family-" + family + ".png"))
          .setFullPage(true));
      assertEquals(List.of(), errors, family);
      context.close();
    }
  }
}
