package org.visualscratchpad.torch.scratchpad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.ClassScore;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * CLIP zero-shot classification end to end on the {@code clip} fixture (tiny CLIPModel: vision 4 x
 * 32, text 2 x 32, projection 16), given a word-level tokenizer over its 99 ids and a random SAELens
 * SAE (d_sae 64, seed 11) at vision layer 1.
 */
class ClipScratchpadTest {
  static final Path FIXTURE = Path.of(System.getProperty("vsp.shared.dir", "../shared"), "fixtures/hf-reference/clip");
  static final long SAE_SEED = 11;

  @TempDir static Path dir;
  static Path model;
  static Path saeDir;
  static ClipScratchpad pad;
  static BufferedImage image;
  static final ClassPrompts PROMPTS = ClassPrompts.of(List.of("w10", "w20", "w30"));

  @BeforeAll
  static void load() throws IOException {
    model = Files.createDirectories(dir.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(FIXTURE.resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    saeDir = writeRandomSae(dir.resolve("sae"), 32, 64, SAE_SEED);
    Scratchpad loaded = Scratchpad.load(LoadSpec.of(model, saeDir));
    pad = assertInstanceOf(ClipScratchpad.class, loaded);
    image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        image.setRGB(x, y, ((x * 6) << 16) | ((y * 8) << 8) | ((x * y) % 256));
      }
    }
  }

  @AfterAll
  static void close() {
    if (pad != null) {
      pad.close();
    }
  }

  /**
   * A CLIP-style tokenizer.json over the fixture's 99 ids: {@code <s>}=0 (BOS), {@code <unk>}=1,
   * {@code </s>}=2 (EOS), "a", "photo", "of", "." and w7..w98; the post-processor wraps every text in
   * BOS ... EOS as CLIP's does.
   */
  static void writeTokenizer(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] special = {"<s>", "<unk>", "</s>"};
    for (int id = 0; id < special.length; id++) {
      added.addObject().put("id", id).put("content", special[id]).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    single.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode st = post.putObject("special_tokens");
    for (int id : new int[] {0, 2}) {
      ObjectNode t = st.putObject(special[id]);
      t.put("id", special[id]);
      t.putArray("ids").add(id);
      t.putArray("tokens").add(special[id]);
    }
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
    ObjectNode m = root.putObject("model");
    m.put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = m.putObject("vocab");
    String[] words = {"<s>", "<unk>", "</s>", "a", "photo", "of", "."};
    for (int id = 0; id < 99; id++) {
      vocab.put(id < words.length ? words[id] : "w" + id, id);
    }
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  /** A standard ReLU SAE in SAELens layout with Gaussian weights and a positive encoder bias. */
  static Path writeRandomSae(Path folder, int dIn, int dSae, long seed) throws IOException {
    Files.createDirectories(folder);
    Random r = new Random(seed);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
      wDec[i] = (float) (r.nextGaussian() / Math.sqrt(dSae));
    }
    for (int i = 0; i < dSae; i++) {
      bEnc[i] = 0.1f;
    }
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(folder.resolve("sae_weights.safetensors"));
    Files.writeString(folder.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":"
        + dSae + ",\"hook_name\":\"vision.blocks.1.hook_resid_post\",\"apply_b_dec_to_input\":true,"
        + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
    return folder;
  }

  static float[] logits(Classification c) {
    float[] out = new float[c.scores().size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.scores().get(i).logit();
    }
    return out;
  }

  static float[] probabilities(Classification c) {
    float[] out = new float[c.scores().size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.scores().get(i).probability();
    }
    return out;
  }

  @Test
  void probabilities_are_a_softmax_of_the_logits_and_sum_to_one() {
    Classification c = pad.classify(image, PROMPTS);
    assertEquals(3, c.scores().size());
    double sum = 0;
    for (ClassScore s : c.scores()) {
      assertTrue(s.probability() > 0 && s.probability() < 1, s.toString());
      sum += s.probability();
    }
    assertEquals(1.0, sum, 1e-6);
    // log-odds equal logit differences
    ClassScore a = c.scores().get(0);
    ClassScore b = c.scores().get(1);
    assertEquals(a.logit() - b.logit(), Math.log(a.probability() / b.probability()), 1e-4);
    assertEquals(17, c.activations().rows(), "CLS + 4x4 patches of the 28px / 7px tower");
    assertEquals(64, c.activations().dSae());
    assertTrue(c.toString().startsWith("Classification["), c.toString());
  }

  @Test
  void single_template_classification_equals_clip_logits_per_image_and_the_identity_plan_is_bit_exact() {
    Classification c = pad.classify(image, PROMPTS, InterventionPlan.none());
    DenseTensor pixels = pad.pixels(image);
    ClipModel clip = pad.model();
    DenseTensor imageEmbeds = clip.encodeImages(pixels, false).get("image_embeds").orElseThrow();
    // Plain CLIP with the scratchpad's class embeddings: identical bits (no SAE edit on the stream).
    FloatMatrix plain = clip.logitsPerImage(imageEmbeds, DenseTensor.of(pad.classEmbeddings(PROMPTS)));
    assertArrayEquals(plain.row(0), logits(c));
    // CLIP's own text path, one text per class ("a photo of a wN." with BOS/EOS): the same logits.
    long[][] ids = new long[3][];
    for (int i = 0; i < 3; i++) {
      ids[i] = new long[] {0, 3, 4, 5, 3, 10 * (i + 1), 6, 2};
    }
    DenseTensor textEmbeds = clip.encodeTexts(ids, null, false).get("text_embeds").orElseThrow();
    FloatMatrix reference = clip.logitsPerImage(imageEmbeds, textEmbeds);
    float[] got = logits(c);
    for (int j = 0; j < 3; j++) {
      assertEquals(reference.get(0, j), got[j], 1e-5f, "class " + j);
    }
  }

  @Test
  void several_templates_use_the_normalised_mean_of_normalised_text_embeddings() {
    ClassPrompts two = PROMPTS.withTemplates(List.of("a photo of a {}.", "{}"));
    Classification c = pad.classify(image, two);
    ClipModel clip = pad.model();
    DenseTensor imageEmbeds = clip.encodeImages(pad.pixels(image), false).get("image_embeds").orElseThrow();
    FloatMatrix img = imageEmbeds.asMatrix();
    float scale = clip.logitsPerImage(imageEmbeds, imageEmbeds).get(0, 0); // exp(logit_scale) * |e|^2 = exp(s)
    for (int j = 0; j < 3; j++) {
      long w = 10L * (j + 1);
      FloatMatrix t = clip.encodeTexts(new long[][] {{0, 3, 4, 5, 3, w, 6, 2}}, null, false)
          .get("text_embeds").orElseThrow().asMatrix();
      FloatMatrix u = clip.encodeTexts(new long[][] {{0, w, 2}}, null, false).get("text_embeds").orElseThrow().asMatrix();
      double[] mean = new double[t.cols()];
      double norm = 0;
      for (int k = 0; k < mean.length; k++) {
        mean[k] = (t.get(0, k) + u.get(0, k)) / 2;
        norm += mean[k] * mean[k];
      }
      double dot = 0;
      for (int k = 0; k < mean.length; k++) {
        dot += img.get(0, k) * mean[k] / Math.sqrt(norm);
      }
      assertEquals(scale * dot, c.scores().get(j).logit(), 1e-4, "class " + j);
    }
  }

  @Test
  void ablating_latents_changes_probabilities_only_through_the_plan() {
    Classification base = pad.classify(image, PROMPTS);
    List<Integer> active = ClipScratchpad.mostActive(base.activations(), 8);
    assertFalse(active.isEmpty(), "the random SAE should have active latents");
    int[] ids = active.stream().mapToInt(Integer::intValue).toArray();
    Classification ablated = base.ablate(ids);
    assertEquals(ids.length, ablated.plan().edits().get(0).latentIds().size());
    assertFalse(java.util.Arrays.equals(probabilities(base), probabilities(ablated)),
        "ablating the 8 most active latents must change the probabilities");
    // the base is unchanged and recomputing it gives the same bits: the edit lives only in the plan
    assertArrayEquals(probabilities(base), probabilities(pad.classify(image, PROMPTS)));
    assertArrayEquals(probabilities(ablated), probabilities(base.ablate(ids)));
    // the recorded activations are those of the edited stream, so they differ from the base's
    assertNotEquals(base.activations(), ablated.activations());
    // steering changes them too; compareTo lists every class
    Classification steered = base.steer(ids[0], 50f);
    assertFalse(java.util.Arrays.equals(probabilities(base), probabilities(steered)));
    String cmp = steered.compareTo(base);
    assertEquals(3, cmp.lines().count(), cmp);
    assertTrue(cmp.contains("w10") && cmp.contains("->"), cmp);
  }

  @Test
  void drivers_are_sorted_and_their_scores_are_the_measured_drops() {
    Classification base = pad.classify(image, PROMPTS);
    String cls = base.top().className();
    List<RankedLatent> drivers = base.drivers(cls, 6);
    assertEquals(Math.min(6, ClipScratchpad.mostActive(base.activations(), 64).size()), drivers.size());
    assertEquals(ClipScratchpad.mostActive(base.activations(), 6).stream().sorted().toList(),
        drivers.stream().map(RankedLatent::latentId).sorted().toList());
    for (int i = 1; i < drivers.size(); i++) {
      assertTrue(drivers.get(i - 1).score() >= drivers.get(i).score(), drivers.toString());
    }
    for (RankedLatent d : drivers) {
      float measured = base.probability(cls) - base.ablate(d.latentId()).probability(cls);
      assertEquals(measured, d.score(), 0f, "latent " + d.latentId());
    }
    assertNotEquals(0f, drivers.get(0).score());
  }

  @Test
  void bad_input_is_refused_clearly_and_the_scratchpad_stays_usable() {
    InvalidInputException one = assertThrows(InvalidInputException.class, () -> ClassPrompts.of(List.of("w10")));
    assertTrue(one.getMessage().contains("at least 2"), one.getMessage());
    InvalidInputException tpl = assertThrows(InvalidInputException.class,
        () -> PROMPTS.withTemplates(List.of("a photo")));
    assertTrue(tpl.getMessage().contains("{}"), tpl.getMessage());
    InvalidInputException nan = assertThrows(InvalidInputException.class,
        () -> pad.classify(image, PROMPTS).steer(3, Float.NaN));
    assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    InvalidInputException range = assertThrows(InvalidInputException.class,
        () -> pad.classify(image, PROMPTS).ablate(64));
    assertTrue(range.getMessage().contains("64") && range.getMessage().contains("d_sae"), range.getMessage());
    assertThrows(InvalidInputException.class, () -> pad.classify(image, PROMPTS).probability("w99"));
    assertThrows(InvalidInputException.class, () -> pad.classify(image, PROMPTS).drivers("w10", 0));
    assertThrows(InvalidInputException.class, () -> pad.classify(null, PROMPTS));
    Classification ok = pad.classify(image, PROMPTS);
    assertEquals(3, ok.scores().size());
  }

  @Test
  void concurrent_classifications_equal_sequential_ones() throws Exception {
    ClassPrompts other = PROMPTS.withTemplates(List.of("{}", "a {}"));
    float[] plain = probabilities(pad.classify(image, PROMPTS));
    float[] ablated = probabilities(pad.classify(image, other, InterventionPlan.of(LatentIntervention.ablate(List.of(5, 9)))));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<float[]>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        boolean edit = i % 2 == 1;
        fs.add(pool.submit(() -> probabilities(edit
            ? pad.classify(image, other, InterventionPlan.of(LatentIntervention.ablate(List.of(5, 9))))
            : pad.classify(image, PROMPTS))));
      }
      for (int i = 0; i < fs.size(); i++) {
        assertArrayEquals(i % 2 == 1 ? ablated : plain, fs.get(i).get(), "call " + i);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void ask_fails_clearly_on_a_clip_model() {
    ScratchpadException e = assertThrows(ScratchpadException.class, () -> pad.ask(image, "w10", AskOptions.defaults()));
    assertTrue(e.getMessage().contains("CLIP") && e.getMessage().contains("classify"), e.getMessage());
  }

  @Test
  void an_sae_of_another_width_is_refused_and_a_closed_scratchpad_fails_clearly() throws IOException {
    Path wide = writeRandomSae(dir.resolve("sae48"), 48, 8, 1);
    Exception e = assertThrows(RuntimeException.class, () -> Scratchpad.load(LoadSpec.of(model, wide)));
    assertTrue(e.getMessage().contains("48") && e.getMessage().contains("32"), e.getMessage());
    Scratchpad other = Scratchpad.load(LoadSpec.of(model, saeDir));
    Classification c = other.classify(image, PROMPTS);
    other.close();
    other.close();
    ScratchpadException closed = assertThrows(ScratchpadException.class, () -> c.ablate(1));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
  }
}
