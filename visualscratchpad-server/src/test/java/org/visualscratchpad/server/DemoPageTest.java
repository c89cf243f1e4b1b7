package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.FilePayload;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;

/**
 * The page in a real browser (Debian's Chromium via Playwright) on the REAL shipped ShapesWorld demo
 * model, its SAE and statistics, served as {@code vsp serve} serves it. Nothing here knows what the
 * model answers: every expectation is what the library ({@link Scratchpad}) returns for the same
 * image, prompt and options in this JVM, so the test holds when the demo model is retrained.
 * Screenshots go to {@code target/screenshots/demo-*.png}.
 */
class DemoPageTest {
  static final Path SHOTS = HeadlessChromium.SHOTS;
  static Scratchpad pad;
  static ScratchpadServer server;
  static HeadlessChromium chromium;
  BrowserContext context;
  Page page;
  final List<String> consoleErrors = new ArrayList<>();

  @BeforeAll
  static void launch() throws Exception {
    chromium = HeadlessChromium.launch();
    pad = DemoModelFixture.pad();
    server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0), ReferenceImages.seeded(org.visualscratchpad.samples.demo.ShippedDemo.REFERENCE_SCENES, org.visualscratchpad.samples.demo.ShippedDemo::referenceScene));
  }

  @AfterAll
  static void close() throws Exception {
    HeadlessChromium.closeAll(chromium, server);
  }

  @BeforeEach
  void openPage(org.junit.jupiter.api.TestInfo info) {
    context = chromium.newContext(1400, 1100, info.getTags().contains("csp"));
    page = HeadlessChromium.newPage(context, consoleErrors);
  }

  @AfterEach
  void closePage() {
    context.close();
  }

  void load() {
    page.navigate(server.url());
    page.waitForFunction("document.body.dataset.ready === '1'");
  }

  void shot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
  }

  /** Uploads {@code image} through the file input, types the prompt and asks; waits for the token strip. */
  void ask(BufferedImage image, String prompt, int expectedTokens) {
    page.locator("#image-file").setInputFiles(new FilePayload("scene.png", "image/png", DemoModelFixture.png(image)));
    page.waitForFunction("(document.getElementById('preview').getAttribute('src') || '').startsWith('data:')");
    page.locator("#prompt").fill(prompt);
    page.locator("#ask").click();
    page.waitForFunction("document.getElementById('answer-text').textContent !== ''"
        + " && document.querySelectorAll('#tokens .tok.gen').length === " + expectedTokens);
  }

  String overlayPixels() {
    return (String) page.evaluate("document.getElementById('overlay').toDataURL()");
  }

  /** The overlay's alpha (0-255) at the centre of image token {@code k}'s box. */
  int overlayAlphaAt(Answer a, int k) {
    var box = a.imageTokens().get(k).box();
    return ((Number) page.evaluate("([x, y]) => { const c = document.getElementById('overlay');"
        + " const img = document.getElementById('answer-image');"
        + " const px = Math.floor(x * c.width / img.naturalWidth), py = Math.floor(y * c.height / img.naturalHeight);"
        + " return c.getContext('2d').getImageData(px, py, 1, 1).data[3]; }",
        List.of(box.x() + box.width() / 2.0, box.y() + box.height() / 2.0))).intValue();
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) {
      best = v[k] > v[best] ? k : best;
    }
    return best;
  }

  static int argmin(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) {
      best = v[k] < v[best] ? k : best;
    }
    return best;
  }

  @Test
  void a_built_in_shapesworld_scene_is_picked_previewed_and_asked_about() {
    BufferedImage scene = SampleImage.SHAPESWORLD_MISLEADING_CUE.render();
    String question = "what shape is the yellow object ?";
    Answer expected = pad.ask(scene, question, AskOptions.defaults().withMaxNewTokens(32));
    load();
    page.locator("#sample").selectOption("shapesworld-misleading-cue");
    page.waitForFunction("document.getElementById('preview').complete"
        + " && document.getElementById('preview').naturalWidth > 0");
    assertEquals(scene.getWidth(), ((Number) page.evaluate("document.getElementById('preview').naturalWidth")).intValue());
    double shownWidth = ((Number) page.evaluate("document.getElementById('preview').getBoundingClientRect().width")).doubleValue();
    assertTrue(shownWidth >= 190, "a 64 px scene is shown enlarged: " + shownWidth + " px");
    page.locator("#prompt").fill(question);
    page.locator("#ask").click();
    page.waitForFunction("document.getElementById('answer-text').textContent !== ''"
        + " && document.querySelectorAll('#tokens .tok.gen').length === " + expected.generated().size());
    assertEquals(expected.text(), page.locator("#answer-text").textContent());
    shot("demo-sample-cue");
    // a one-word answer: its heatmap has one row (the end token left out) and the page says what that means
    TokenLatentHeatmap hm = expected.heatmap(new HeatmapOptions(20, true, HeatmapOptions.NoisyFilter.BOTH, 2.0,
        HeatmapOptions.Normalization.COLUMN));
    assertTrue(hm.tokens().size() < 3 && !hm.warnings().isEmpty(), hm.toString());
    page.locator("#hm-build").click();
    page.waitForFunction("!document.getElementById('heatmap-warnings').hidden");
    assertTrue(page.locator("#heatmap-warnings").textContent().contains(hm.warnings().get(0)),
        page.locator("#heatmap-warnings").textContent());
    assertEquals(String.valueOf(hm.tokens().size() * hm.latentIds().size()), page.locator("#heatmap-chart").getAttribute("data-cells"));
    assertTrue(consoleErrors.isEmpty(), consoleErrors.toString());
  }

  @Test
  void ask_click_a_token_cluster_the_heatmap_ablate_a_cluster_and_compare_the_answers_on_the_demo_model() {
    BufferedImage image = DemoModelFixture.scene(DemoModelFixture.SCENE_SEED).image().toBufferedImage();
    // what the library answers for the same image, prompt and options as the page sends (maxNewTokens 32)
    Answer expected = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(32));
    int n = expected.generated().size();
    assertTrue(n >= 2, "the demo answer needs two tokens for this test: " + expected);
    load();
    long t0 = System.nanoTime();
    ask(image, DemoModelFixture.PROMPT, n);
    System.out.printf("demo ask through the page: %.0f ms, answer \"%s\"%n", (System.nanoTime() - t0) / 1e6, expected.text());
    assertEquals(expected.text(), page.locator("#answer-text").textContent());
    List<String> shown = page.locator("#tokens .tok.gen").allTextContents();
    assertEquals(expected.generated().stream().map(t -> t.text().isEmpty() ? "\u2205" : t.text().replace("\n", "\u21b5"))
        .toList(), shown);
    page.waitForFunction("document.getElementById('overlay').dataset.token === '0'");

    // click the token whose attention differs most from the first token's: the overlay changes and
    // is darkest where that token attends most
    float[][] attention = new float[n][];
    for (int t = 0; t < n; t++) {
      attention[t] = expected.attention().weights().row(t);
    }
    int other = 1;
    double bestGap = -1;
    for (int t = 1; t < n; t++) {
      double gap = 0;
      for (int k = 0; k < attention[t].length; k++) {
        gap += Math.abs(attention[t][k] / attention[t][argmax(attention[t])] - attention[0][k] / attention[0][argmax(attention[0])]);
      }
      if (gap > bestGap) {
        bestGap = gap;
        other = t;
      }
    }
    String first = overlayPixels();
    page.locator("#tokens .tok.gen[data-index='" + other + "']").click();
    page.waitForFunction("document.getElementById('overlay').dataset.token === '" + other + "'");
    String second = overlayPixels();
    assertNotEquals(first, second, "the overlay must change between token 0 and token " + other);
    int hot = argmax(attention[other]);
    int cold = argmin(attention[other]);
    assertTrue(overlayAlphaAt(expected, hot) > overlayAlphaAt(expected, cold),
        "the overlay is strongest on the most attended image token (" + hot + ") and weakest on the least (" + cold + ")");
    // its legend: transparent at 0, full colour at the token's largest attention weight
    assertTrue(page.locator("#overlay-legend").isVisible());
    assertEquals(attention[other][hot], Float.parseFloat(page.locator("#overlay-legend").getAttribute("data-max")), 1e-6);
    assertTrue(page.locator("#overlay-legend-text").textContent().contains(expected.generated().get(other).text()));
    // the demo model is a LLaVA: classifying with CLIP is disabled, and says why
    assertTrue(page.locator("#classify").isDisabled());
    assertTrue(page.locator("#clip-note").textContent().contains("cannot classify"), page.locator("#clip-note").textContent());
    assertTrue(page.locator("#ask").isEnabled());
    assertTrue(page.url().contains("t=" + other), page.url());
    // activation bars: the page's weighted bars for this token are the library's ranking
    List<Integer> topWeighted = expected.rankLatents().perToken().get(other).stream().limit(5).map(r -> r.latentId()).toList();
    String bars = page.locator("#bars-chart").getAttribute("data-latents");
    assertEquals(topWeighted, java.util.Arrays.stream(bars.split(",")).limit(5).map(Integer::valueOf).toList());
    page.locator("#bars-plain").check();
    page.waitForFunction("document.getElementById('bars-chart').dataset.mode === 'plain'");
    List<Integer> topPlain = expected.rankLatents(org.visualscratchpad.scratchpad.RankOptions.defaults().plain()).perToken()
        .get(other).stream().limit(5).map(r -> r.latentId()).toList();
    assertEquals(topPlain, java.util.Arrays.stream(page.locator("#bars-chart").getAttribute("data-latents").split(","))
        .limit(5).map(Integer::valueOf).toList());
    page.locator("#bars-weighted").check();
    shot("demo-observation");

    // heatmap clustered with the page's controls = the library's heatmap and clusters with the same options
    page.locator("#hm-clusters").fill("3");
    page.locator("#hm-build").click();
    page.waitForFunction("document.querySelectorAll('#clusters button.cluster').length > 0");
    TokenLatentHeatmap hm = expected.heatmap(new HeatmapOptions(20, true, HeatmapOptions.NoisyFilter.BOTH, 2.0,
        HeatmapOptions.Normalization.COLUMN));
    LatentClusters clusters = hm.cluster(new ClusterOptions(ClusterOptions.Method.AVERAGE, ClusterOptions.Distance.CORRELATION,
        Math.min(3, hm.latentIds().size()), 0.5, 0, 10));
    Locator buttons = page.locator("#clusters button.cluster");
    assertEquals(clusters.clusters().size(), buttons.count());
    assertEquals(String.valueOf(hm.values().rows() * hm.latentIds().size()), page.locator("#heatmap-chart").getAttribute("data-cells"));
    // the colour scale runs from 0 to the largest cell (1 with column normalisation)
    float maxCell = 0;
    for (int r = 0; r < hm.values().rows(); r++) {
      for (int c = 0; c < hm.values().cols(); c++) {
        maxCell = Math.max(maxCell, hm.values().get(r, c));
      }
    }
    assertEquals(maxCell, Float.parseFloat(page.locator("#heatmap-chart").getAttribute("data-scale").substring(2)), 1e-6);
    // ablate the largest cluster (the one most likely to matter)
    LatentCluster target = clusters.clusters().stream().max(java.util.Comparator.comparingInt(c -> c.latentIds().size())).orElseThrow();
    buttons.nth(clusters.clusters().indexOf(target)).click();
    String ids = target.latentIds().stream().map(String::valueOf).collect(Collectors.joining(", "));
    assertEquals(ids, page.locator("#steer-latents").inputValue());
    page.locator("#regenerate").click();
    page.waitForFunction("document.getElementById('steer-plan').textContent !== ''");
    Answer after = expected.regenerate(new InterventionPlan(List.of(LatentIntervention.ablate(target.latentIds(),
        TokenScope.allTokens())), ErrorTerm.KEEP));
    AnswerDiff diff = expected.diff(after);
    System.out.printf("demo ablation of cluster %s: \"%s\" -> \"%s\" (changed %s)%n", target.latentIds(), expected.text(),
        after.text(), diff.changed());
    // side by side: original and steered, the changed tokens marked on both, the plan naming the latents
    assertEquals(String.valueOf(diff.changed()), page.locator("#answer-after").getAttribute("data-changed"));
    assertEquals(diff.rows().stream().map(r -> r.after().isEmpty() ? "\u2205" : r.after()).toList(),
        page.locator("#answer-after .tok").allTextContents());
    assertEquals(diff.rows().stream().map(r -> r.before().isEmpty() ? "\u2205" : r.before()).toList(),
        page.locator("#answer-before .tok").allTextContents());
    assertEquals(diff.rows().stream().filter(AnswerDiff.Row::changed).count(), page.locator("#answer-after .tok.changed").count());
    String plan = page.locator("#steer-plan").textContent();
    for (int id : target.latentIds()) {
      assertTrue(plan.matches("(?s).*\\b" + id + "\\b.*"), "the plan shown names latent " + id + ": " + plan);
    }
    assertEquals(1, page.locator("#history li").count());
    assertTrue(page.locator("#history li").textContent().contains(after.text()), page.locator("#history li").textContent());
    // a second step: another cluster (the same when there is only one), on the patches only
    LatentCluster secondCluster = clusters.clusters().stream().filter(c -> c != target).findFirst().orElse(target);
    buttons.nth(clusters.clusters().indexOf(secondCluster)).click();
    page.locator("#steer-scope").selectOption("patches");
    page.locator("#regenerate").click();
    page.waitForFunction("document.querySelectorAll('#history li').length === 2");
    Answer after2 = expected.regenerate(new InterventionPlan(List.of(LatentIntervention.ablate(secondCluster.latentIds(),
        TokenScope.patchesOnly())), ErrorTerm.KEEP));
    List<String> history = page.locator("#history li").allTextContents();
    assertTrue(history.get(1).contains(after2.text()), history.toString());
    shot("demo-steering");

    // exploration: the statistics scatter and the page of the latent the clicked token used most
    page.locator("#stats-load").click();
    page.waitForFunction("document.getElementById('scatter-chart').dataset.points === '" + pad.sae().dSae() + "'");
    int used = topWeighted.get(0);
    page.locator("#latent-search").fill(String.valueOf(used));
    page.locator("#latent-go").click();
    page.waitForFunction("document.getElementById('latent-title').textContent.startsWith('Latent " + used + " of')"
        + " && [...document.querySelectorAll('#latent-refs img')].every((i) => i.complete && i.naturalWidth > 0)");
    shot("demo-page");
    // the README's picture (docs/images/scratchpad-page.png is copied from it by hand)
    page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("demo-page-top.png")).setFullPage(true)
        .setClip(0, 0, 1400, 1700));

    // the URL reopens the same view in a fresh page: answer, selected token, heatmap controls and
    // clusters, the steered answer and the steering edit
    String url = page.url();
    assertTrue(url.contains("#a=") && url.contains("hm=1") && url.contains("r="), url);
    page.close();
    page = context.newPage();
    page.navigate(url);
    page.waitForFunction("document.body.dataset.ready === '1'");
    page.waitForFunction("document.querySelectorAll('#clusters button.cluster').length === " + clusters.clusters().size());
    page.waitForFunction("document.getElementById('steer-plan').textContent !== ''");
    assertEquals(expected.text(), page.locator("#answer-text").textContent());
    assertEquals(String.valueOf(other), page.locator("#tokens .tok.selected").getAttribute("data-index"));
    assertEquals("3", page.locator("#hm-clusters").inputValue());
    AnswerDiff diff2 = expected.diff(after2);
    assertEquals(diff2.rows().stream().map(r -> r.after().isEmpty() ? "\u2205" : r.after()).toList(),
        page.locator("#answer-after .tok").allTextContents());
    // the prompt as asked (not the page's default question) and the whole steering history, in order
    assertEquals(DemoModelFixture.PROMPT, page.locator("#prompt").inputValue());
    assertEquals(history, page.locator("#history li").allTextContents());
    assertEquals(secondCluster.latentIds().stream().map(String::valueOf).collect(Collectors.joining(", ")),
        page.locator("#steer-latents").inputValue());
    assertEquals("patches", page.locator("#steer-scope").inputValue());
    page.waitForFunction("document.getElementById('latent-title').textContent.startsWith('Latent " + used + " of')");
    assertEquals(String.valueOf(pad.sae().dSae()), page.locator("#scatter-chart").getAttribute("data-points"));
    assertEquals(List.of(), consoleErrors);
  }

  @Test
  void the_map_of_decoder_directions_shows_every_latent_and_a_map_cluster_can_be_ablated() {
    BufferedImage image = DemoModelFixture.scene(DemoModelFixture.SCENE_SEED + 1).image().toBufferedImage();
    Answer expected = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(32));
    load();
    ask(image, DemoModelFixture.PROMPT, expected.generated().size());
    page.locator("#stats-load").click();
    page.waitForFunction("document.getElementById('scatter-chart').dataset.points === '" + pad.sae().dSae() + "'");
    page.locator("#map-clusters").fill("5");
    page.locator("#map-load").click();
    page.waitForFunction("document.getElementById('map-chart').dataset.points === '" + pad.sae().dSae() + "'",
        null, new Page.WaitForFunctionOptions().setTimeout(180_000));
    assertEquals(5, page.locator("#map-cluster-list button.map-cluster").count());
    assertTrue(page.url().contains("u=1") && page.url().contains("uk=5"), page.url());
    Locator smallest = page.locator("#map-cluster-list button.map-cluster").first();
    String members = smallest.getAttribute("title");
    smallest.click();
    assertEquals(members, page.locator("#steer-latents").inputValue());
    page.locator("#regenerate").click();
    page.waitForFunction("document.getElementById('steer-plan').textContent !== ''");
    List<Integer> ids = java.util.Arrays.stream(members.split(",\\s*")).map(Integer::valueOf).toList();
    Answer after = expected.regenerate(new InterventionPlan(List.of(LatentIntervention.ablate(ids, TokenScope.allTokens())),
        ErrorTerm.KEEP));
    System.out.printf("demo ablation of map cluster 0 (%d latents): \"%s\" -> \"%s\"%n", ids.size(), expected.text(), after.text());
    assertEquals(String.valueOf(expected.diff(after).changed()), page.locator("#answer-after").getAttribute("data-changed"));
    assertTrue(page.locator("#history li").textContent().contains(after.text()));
    page.locator("#map-chart").scrollIntoViewIfNeeded();
    shot("demo-map");
    assertEquals(List.of(), consoleErrors);
  }

  @Test
  @org.junit.jupiter.api.Tag("csp")
  void bad_input_on_the_demo_model_shows_a_clear_message_in_the_page_and_the_next_ask_answers_as_before() {
    BufferedImage image = DemoModelFixture.scene(DemoModelFixture.SCENE_SEED).image().toBufferedImage();
    Answer expected = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(32));
    page.navigate(server.url());
    assertThat(page.locator("body")).hasAttribute("data-ready", "1");
    // not an image
    page.locator("#image-file").setInputFiles(new FilePayload("notes.png", "image/png",
        "not an image at all".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(page.locator("#preview")).hasAttribute("src", java.util.regex.Pattern.compile("^data:"));
    page.locator("#ask").click();
    assertThat(page.locator("#error-text")).containsText("not an image");
    // an image that claims 40000 x 40000 pixels
    page.locator("#image-file").setInputFiles(new FilePayload("huge.png", "image/png", ScratchpadServerTest.pngHeaderOnly(40_000, 40_000)));
    page.locator("#ask").click();
    assertThat(page.locator("#error-text")).containsText("40000 x 40000");
    shot("demo-error");
    // a prompt longer than the demo model's context: the model's own refusal, as a message
    page.locator("#image-file").setInputFiles(new FilePayload("scene.png", "image/png", DemoModelFixture.png(image)));
    page.locator("#prompt").fill("describe the image . ".repeat(180));
    page.locator("#ask").click();
    assertThat(page.locator("#error-text")).containsText("context");
    // a latent beyond d_sae, a steering latent that is not a number
    page.locator("#latent-search").fill("99999");
    page.locator("#latent-go").click();
    assertThat(page.locator("#error-text")).containsText("d_sae");
    // the model still answers as the library does
    page.locator("#prompt").fill(DemoModelFixture.PROMPT);
    page.locator("#ask").click();
    assertThat(page.locator("#answer-text")).hasText(expected.text());
    assertThat(page.locator("#error")).isHidden();
    page.locator("#steer-latents").fill("12, abc");
    page.locator("#regenerate").click();
    assertThat(page.locator("#error-text")).containsText("latent id (abc)");
    page.locator("#steer-latents").fill(String.valueOf(pad.sae().dSae()));
    page.locator("#regenerate").click();
    assertThat(page.locator("#error-text")).containsText("d_sae");
    assertEquals(0, page.locator("#history li").count());
    // the page runs under its own Content-Security-Policy without violations
    assertEquals(List.of(), consoleErrors.stream().filter(m -> m.contains("Content Security Policy")).toList());
  }

  @Test
  void a_latent_page_shows_its_reference_images_entropy_and_distribution_from_the_demo_statistics() {
    LatentStatistics stats = (LatentStatistics) pad.statistics().orElseThrow();
    // the latent that fires on most statistics images: it has a full top-k list
    int latent = 0;
    for (int l = 1; l < stats.dSae(); l++) {
      latent = stats.imageCount(l) > stats.imageCount(latent) ? l : latent;
    }
    int refs = stats.topImages(latent).size();
    assertTrue(refs > 0);
    BufferedImage image = DemoModelFixture.scene(DemoModelFixture.SCENE_SEED).image().toBufferedImage();
    Answer expected = pad.ask(image, DemoModelFixture.PROMPT, AskOptions.defaults().withMaxNewTokens(32));
    load();
    ask(image, DemoModelFixture.PROMPT, expected.generated().size());
    page.locator("#latent-search").fill(String.valueOf(latent));
    page.locator("#latent-go").click();
    page.waitForFunction("document.getElementById('latent-title').textContent.startsWith('Latent " + latent + " of')");
    Locator imgs = page.locator("#latent-refs img");
    assertEquals(refs, imgs.count());
    page.waitForFunction("[...document.querySelectorAll('#latent-refs img')].every((i) => i.complete && i.naturalWidth > 0)");
    int width = ((Number) imgs.first().evaluate("i => i.naturalWidth")).intValue();
    assertTrue(width >= LatentPageViews.MIN_SIDE, "reference images are scaled up for the page: " + width);
    String table = page.locator("#latent-stats").textContent();
    double h = stats.labelEntropy(latent);
    assertTrue(table.contains("label entropy"), table);
    if (h >= 0) {
      assertTrue(table.contains(String.valueOf(Double.valueOf(String.format(java.util.Locale.ROOT, "%.4g", h)))), table + " vs " + h);
    }
    assertTrue(table.contains(stats.imageCount(latent) + " of " + stats.images() + " images"), table);
    assertEquals("20", page.locator("#latent-hist").getAttribute("data-bins"));
    assertTrue(page.locator("#latent-note").textContent().contains("ShapesWorld"), page.locator("#latent-note").textContent());
    assertTrue(page.url().contains("l=" + latent), page.url());
    page.locator("#latent-refs").scrollIntoViewIfNeeded();
    shot("demo-latent-page");
    assertEquals(List.of(), consoleErrors);
  }
}
