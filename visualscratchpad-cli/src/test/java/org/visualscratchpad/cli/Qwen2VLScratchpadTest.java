package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.FamilyFixtureFiles;
import org.visualscratchpad.samples.Fixtures;
import org.visualscratchpad.cli.Vsp;
import org.visualscratchpad.torch.family.qwen2vl.Qwen2VLConfig;
import org.visualscratchpad.torch.family.qwen2vl.Qwen2VLFeatureLayout;
import org.visualscratchpad.torch.family.qwen2vl.Qwen2VLImageProcessor;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.input.InputPipeline;
import org.visualscratchpad.torch.input.VlmInputs;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.prompt.ChatContent;
import org.visualscratchpad.torch.input.prompt.ChatMessage;
import org.visualscratchpad.torch.llava.Generation;
import org.visualscratchpad.torch.llava.GenerationRequest;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;
import picocli.CommandLine;

/**
 * {@code vsp parity} on the qwen2_vl folder, and the whole VisualScratchpad story on its weights, with a word-level tokenizer over its 200
 * synthetic ids, Qwen2-VL's chat template and a small SAE after vision block 1: ask, rank latents, heatmap,
 * cluster, ablate, regenerate; the image-token layout (merged tokens spread over their patches) and prompts with
 * several images.
 */
class Qwen2VLScratchpadTest {
  @TempDir static Path dir;
  static Scratchpad pad;
  static SparseAutoencoder sae;
  static BufferedImage image;     // the fixture's raw image 0 (60 x 90): 24 patches, 6 merged tokens
  static RgbImage raw0;
  static RgbImage raw1;

  @BeforeAll
  static void load() throws IOException {
    Path fixture = Fixtures.hfReference("qwen2_vl");
    Path model = FamilyFixtureFiles.qwen2vlModel(dir.resolve("model"));
    sae = SaeLoader.load(FamilyFixtureFiles.unitRowSae(dir.resolve("sae"), 32, 96, 1));
    pad = Scratchpad.load(LoadSpec.of(model, dir.resolve("sae")));
    try (TensorFile in = TensorFile.open(fixture.resolve("inputs.safetensors"))) {
      raw0 = rawImage(in, 0);
      raw1 = rawImage(in, 1);
    }
    image = raw0.toBufferedImage();
  }

  @AfterAll
  static void close() {
    if (pad != null) {
      pad.close();
    }
  }

  static RgbImage rawImage(TensorFile in, int i) {
    long[] shape = in.shape("raw_image." + i);
    float[] v = in.tensor("raw_image." + i).toArray();
    byte[] b = new byte[v.length];
    for (int k = 0; k < v.length; k++) {
      b[k] = (byte) (int) v[k];
    }
    return RgbImage.of((int) shape[0], (int) shape[1], b);
  }

  @Test
  void vsp_parity_passes_on_the_qwen2_vl_folder() {
    CommandLine cl = new CommandLine(new Vsp());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    cl.setOut(new PrintWriter(buf, true, StandardCharsets.UTF_8));
    int code = cl.execute("parity", Fixtures.hfReference("qwen2_vl").toString());
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("multi.generated_ids") && out.contains("vision.merger_output")
        && out.contains("batch.rope_deltas"), out);
    assertTrue(out.strip().endsWith("39 passed, 0 failed"), out);
  }

  @Test
  void vsp_inputs_shows_the_resize_the_merged_tokens_and_the_vision_block() throws IOException {
    Path png = dir.resolve("zero.png");
    javax.imageio.ImageIO.write(raw0.toBufferedImage(), "png", png.toFile());
    CommandLine cl = new CommandLine(new Vsp());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    cl.setOut(new PrintWriter(buf, true, StandardCharsets.UTF_8));
    int code = cl.execute("inputs", png.toString(), "--model", dir.resolve("model").toString(), "--question", "w20");
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("resize     56x84 (h x w)"), out);
    assertTrue(out.contains("tokens     6 image tokens (24 patches"), out);
    assertTrue(out.contains("197, 195 x 6, 198, 20, 2"), out);
  }

  @Test
  void vsp_ask_with_an_ablation_and_timings_writes_its_report() throws IOException {
    Path png = dir.resolve("ask.png");
    javax.imageio.ImageIO.write(raw1.toBufferedImage(), "png", png.toFile());
    Path out = dir.resolve("ask-out");
    CommandLine cl = new CommandLine(new Vsp());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    cl.setOut(new PrintWriter(buf, true, StandardCharsets.UTF_8));
    int code = cl.execute("ask", "--model", dir.resolve("model").toString(), "--sae", dir.resolve("sae").toString(),
        "--image", png.toString(), "--prompt", "w20 w21", "--max-new-tokens", "4", "--clusters", "2", "--timings",
        "--ablate", "1,2,3", "--out", out.toString());
    String text = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(Files.isRegularFile(out.resolve("report.json")), text);
    assertTrue(text.contains("vision") && text.contains("prefill"), text);
  }

  @Test
  void an_answer_holds_the_patches_without_cls_and_attention_spread_over_each_merged_token_s_four_patches() {
    Answer a = pad.ask(image, "w20 w21", AskOptions.defaults().withMaxNewTokens(6));
    assertEquals(6, a.generated().size());
    assertEquals(1, a.activations().size());
    SparseActivations h = a.activations().get(0);
    assertEquals(24, h.rows());                       // 4 x 6 patches, no CLS row
    assertEquals(96, h.dSae());
    assertEquals(6, a.promptTokens().stream().filter(t -> t.id() == 195).count());
    assertEquals(1, a.promptTokens().stream().filter(t -> t.id() == 197).count());
    assertEquals(1, a.promptTokens().stream().filter(t -> t.id() == 198).count());
    FloatMatrix w = a.attention().weights();
    assertEquals(24, w.cols());
    assertEquals(24, a.imageTokens().size());
    for (int p = 0; p < 24; p++) {
      ImageTokenLocation loc = a.imageTokens().get(p);
      assertEquals(p, loc.imageTokenIndex());
      assertEquals(p, loc.saeRow());                   // the SAE row of column p is patch row p
      assertEquals(loc.patchRow() * 6 + loc.patchCol(), loc.patchIndex());
    }
    for (int t = 0; t < 6; t++) {
      float mass = a.attention().imageMass(t);
      assertTrue(mass > 0 && mass < 1, "image mass " + mass);
      for (int k = 0; k < 6; k++) {
        float first = w.get(t, 4 * k);
        assertTrue(first > 0);
        for (int i = 1; i < 4; i++) {
          assertEquals(first, w.get(t, 4 * k + i), "token " + t + " merged token " + k);
        }
      }
    }
  }

  @Test
  void the_image_token_layout_maps_every_merged_token_to_its_four_patches_boxes() {
    Answer a = pad.ask(image, "w22", AskOptions.defaults().withMaxNewTokens(2));
    List<ImageTokenLocation> layout = pad.imageTokenLayout(image.getWidth(), image.getHeight()).orElseThrow();
    assertEquals(a.imageTokens(), layout);
    Qwen2VLFeatureLayout tokens = Qwen2VLFeatureLayout.of(new org.visualscratchpad.torch.input.preprocess.ImageSize(60,
        90), new org.visualscratchpad.torch.input.preprocess.ImageSize(56, 84), 14, 2);
    boolean[] covered = new boolean[60 * 90];
    for (int k = 0; k < 6; k++) {
      PixelBox window = tokens.tokenBox(k);
      for (int i = 0; i < 4; i++) {
        PixelBox b = layout.get(4 * k + i).box();
        assertTrue(b.x() >= window.x() && b.y() >= window.y() && b.x() + b.width() <= window.x() + window.width()
            && b.y() + b.height() <= window.y() + window.height(), "patch " + (4 * k + i) + " outside its token");
        for (int y = b.y(); y < b.y() + b.height(); y++) {
          for (int x = b.x(); x < b.x() + b.width(); x++) {
            covered[y * 90 + x] = true;
          }
        }
      }
    }
    for (boolean c : covered) {
      assertTrue(c, "every pixel lies in some patch's box");
    }
  }

  @Test
  void the_activations_are_the_sae_codes_of_the_stream_after_vision_block_1() {
    Answer a = pad.ask(image, "w23", AskOptions.defaults().withMaxNewTokens(1));
    try (TensorFile out = TensorFile.open(Fixtures.hfReference("qwen2_vl").resolve("outputs.safetensors"))) {
      float[] joint = out.tensor("vision.hidden_states.2").toArray();   // transformers' stream, image 0 first
      FloatMatrix z = FloatMatrix.of(24, 32, java.util.Arrays.copyOf(joint, 24 * 32));
      FloatMatrix expected = sae.encode(z).toDense();
      assertTrue(expected.maxAbsDiff(a.activations().get(0).toDense()) < 1e-4f);
      assertTrue(a.activations().get(0).meanL0() > 1, "latents fire: " + a.activations().get(0).meanL0());
    }
  }

  @Test
  void ask_rank_heatmap_cluster_ablate_regenerate_runs_end_to_end() {
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(8);
    Answer base = pad.ask(image, "w30 w31 w32", opts);
    LatentRanking ranking = base.rankLatents();
    assertEquals(8, ranking.perToken().size());
    assertTrue(!ranking.overall().isEmpty());
    // a latent's score for a token is its activation on each patch weighted by the token's attention to it
    int top = ranking.forToken(0).get(0).latentId();
    SparseActivations acts = base.activations().get(0);
    double score = 0;
    for (int p = 0; p < 24; p++) {
      score += acts.get(base.imageTokens().get(p).saeRow(), top) * base.attention().weights().get(0, p);
    }
    assertEquals(score, ranking.forToken(0).get(0).score(), 1e-4 * Math.max(1, Math.abs(score)));
    TokenLatentHeatmap heatmap = base.heatmap(HeatmapOptions.defaults()
        .withFilter(HeatmapOptions.NoisyFilter.NONE, 0));
    assertTrue(heatmap.latentIds().size() > 1, heatmap.toString());
    LatentClusters clusters = heatmap.cluster(ClusterOptions.defaults().withClusters(2));
    assertEquals(2, clusters.clusters().size());
    Answer again = base.regenerate();
    assertEquals(base.generated(), again.generated());
    assertEquals(base.attention().weights(), again.attention().weights());
    Answer ablated = clusters.ablate(0).regenerate();
    assertEquals(InterventionPlan.of(LatentIntervention.ablate(clusters.clusters().get(0).latentIds())), ablated.plan());
    assertNotEquals(base.activations(), ablated.activations());
    // every latent that fires, ablated with the error term dropped: the image is gone from the stream
    List<Integer> active = new ArrayList<>();
    SparseActivations h = base.activations().get(0);
    for (int r = 0; r < h.rows(); r++) {
      for (int i = h.rowStart(r); i < h.rowEnd(r); i++) {
        if (!active.contains(h.latentAt(i))) {
          active.add(h.latentAt(i));
        }
      }
    }
    Answer gone = base.regenerate(InterventionPlan.of(LatentIntervention.ablate(active)).withErrorTerm(ErrorTerm.DROP));
    assertTrue(base.diff(gone).changed(), base.diff(gone).toString());
  }

  @Test
  void vsp_stats_and_sae_training_read_every_patch_row_of_a_tower_without_cls() throws IOException {
    Path images = dir.resolve("images");
    Files.createDirectories(images.resolve("a"));
    Files.createDirectories(images.resolve("b"));
    javax.imageio.ImageIO.write(raw0.toBufferedImage(), "png", images.resolve("a/zero.png").toFile());
    javax.imageio.ImageIO.write(raw1.toBufferedImage(), "png", images.resolve("b/one.png").toFile());
    Path stats = dir.resolve("stats");
    int code = new CommandLine(new Vsp()).execute("stats", "--model", dir.resolve("model").toString(), "--sae",
        dir.resolve("sae").toString(), "--images", images.toString(), "--out", stats.toString(), "--exclude-cls");
    assertEquals(0, code);
    org.visualscratchpad.sae.stats.LatentStatistics s = org.visualscratchpad.sae.stats.LatentStatistics.load(stats);
    assertEquals(2, s.images());
    assertEquals(24 + 32, s.tokens());                 // no row is taken for CLS: the tower has none
    assertTrue(s.options().includeCls());
    Path trained = dir.resolve("trained");
    code = new CommandLine(new Vsp()).execute("sae", "train", "--images", images.toString(), "--model",
        dir.resolve("model").toString(), "--hook", "vision.blocks.1.hook_resid_post", "--out", trained.toString(),
        "--d-sae", "64", "--steps", "3", "--batch-size", "16", "--exclude-cls");
    assertEquals(0, code);
    assertEquals(64, SaeLoader.load(trained).dSae());
    assertEquals(32, SaeLoader.load(trained).config().dIn());
  }

  @Test
  void a_prompt_with_two_images_gets_a_vision_block_per_image_and_generates() throws IOException {
    Path model = dir.resolve("model");
    try (LlavaModel m = LlavaModel.load(model);
        InputPipeline pipeline = InputPipeline.open(model, m.family(), m.config())) {
      ChatMessage two = new ChatMessage("user", List.of(new ChatContent.Image(), new ChatContent.Text("w40"),
          new ChatContent.Image(), new ChatContent.Text("w41 w42")));
      VlmInputs in = pipeline.prepare(List.of(raw1, raw0), List.of(two), 8);
      long[] ids = in.prompt().ids().toArray();
      List<Integer> prompt = new ArrayList<>();
      for (long id : ids) {
        prompt.add((int) id);
      }
      // <|vision_start|> 8 x <|image_pad|> <|vision_end|> w40 <|vision_start|> 6 x <|image_pad|> <|vision_end|>
      int s1 = prompt.indexOf(197);
      assertEquals(List.of(195, 195, 195, 195, 195, 195, 195, 195, 198, 40, 197), prompt.subList(s1 + 1, s1 + 12));
      assertEquals(List.of(195, 195, 195, 195, 195, 195, 198, 41, 42, 2), prompt.subList(s1 + 12, s1 + 22));
      assertEquals(List.of(8, 6), List.of(in.layouts().get(0).tokenCount(), in.layouts().get(1).tokenCount()));
      List<ImageInput> images = List.of(ImageInput.from(in.images().get(0)), ImageInput.from(in.images().get(1)));
      Generation g = m.generate(GenerationRequest.of(prompt, images, 4));
      assertEquals(4, g.newTokens().size());
      assertEquals(14, g.imageTokenPositions().size());
      // the pipeline's pixels are the processor's: the fixture's pixel values of image 1, then image 0
      try (TensorFile fin = TensorFile.open(Fixtures.hfReference("qwen2_vl").resolve("inputs.safetensors"))) {
        List<ImageInput> ref = Qwen2VLImageProcessor.imageInputs(fin.tensor("pixel_values"),
            fin.longRows("image_grid_thw"), i -> fin.shape("raw_image." + i), List.of(1, 0),
            ((Qwen2VLConfig) m.config()).vision());
        for (int i = 0; i < 2; i++) {
          var px = images.get(i).pixels();
          float[] rows = Qwen2VLImageProcessor.patchify(px.slice(0).toArray(), (int) px.dim(2), (int) px.dim(3), 14, 2,
              2);
          float[] want = ref.get(i).pixels().toArray();
          assertEquals(want.length, rows.length);
          for (int k = 0; k < rows.length; k++) {
            assertEquals(want[k], rows[k], 1e-6f, "image " + i + " value " + k);
          }
          assertEquals(ref.get(i).height(), images.get(i).height());
          assertEquals(ref.get(i).width(), images.get(i).width());
        }
        // the model takes HF's flattened form as well: the same tokens
        Generation hf = m.generate(GenerationRequest.of(prompt, ref, 4));
        assertEquals(g.newTokens(), hf.newTokens());
        assertTrue(g.stepLogits().maxAbsDiff(hf.stepLogits()) < 1e-5f);
      }
    }
  }
}
