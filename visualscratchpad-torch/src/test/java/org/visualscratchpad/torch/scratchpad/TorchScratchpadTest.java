package org.visualscratchpad.torch.scratchpad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.ImageDecoder;

/**
 * The Scratchpad backend end to end on the scratchpad_llava fixture (tiny LLaVA-1.5 + SAE at vision
 * layer 1), given a word-level tokenizer over its 200 synthetic ids.
 */
class TorchScratchpadTest {
  static final Path FIXTURE = Path.of(System.getProperty("vsp.shared.dir", "../shared"),
      "fixtures/hf-reference/scratchpad_llava");

  @TempDir static Path dir;
  static Scratchpad pad;
  static BufferedImage image;

  @BeforeAll
  static void load() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json", "preprocessor_config.json")) {
      Files.copy(FIXTURE.resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    pad = Scratchpad.load(LoadSpec.of(model, FIXTURE.resolve("sae")));
    image = new BufferedImage(60, 50, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 50; y++) {
      for (int x = 0; x < 60; x++) {
        image.setRGB(x, y, ((x * 4) << 16) | ((y * 5) << 8) | ((x + y) * 2));
      }
    }
  }

  @AfterAll
  static void close() {
    if (pad != null) {
      pad.close();
    }
  }

  /** ids 0..199 as words w0..w199, with the fixture's special ids and the plain prompt's words. */
  static void writeTokenizer(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] special = new String[200];
    special[0] = "<unk>";
    special[1] = "<s>";
    special[2] = "</s>";
    special[195] = "<image>";
    special[199] = "<pad>";
    for (int id = 0; id < 200; id++) {
      if (special[id] != null) {
        ObjectNode t = added.addObject();
        t.put("id", id).put("content", special[id]).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", false).put("special", true);
      }
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < 200; id++) {
      String w = special[id] != null ? special[id] : id == 3 ? "USER" : id == 4 ? "ASSISTANT" : id == 5 ? ":" : "w" + id;
      vocab.put(w, id);
    }
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  @Test
  void the_image_token_layout_of_a_size_is_where_the_answer_s_image_tokens_come_from() {
    Answer a = pad.ask(image, "w10 w11", AskOptions.defaults().withMaxNewTokens(2));
    assertEquals(a.imageTokens(), pad.imageTokenLayout(image.getWidth(), image.getHeight()).orElseThrow());
    assertThrows(InvalidInputException.class, () -> pad.imageTokenLayout(0, 5));
  }

  @Test
  void ask_records_tokens_activations_and_attention_of_matching_shapes() {
    Answer a = pad.ask(image, "w10 w11 w12", AskOptions.defaults().withMaxNewTokens(6));
    assertEquals(6, a.generated().size());
    assertEquals(1, a.activations().size());
    SparseActivations h = a.activations().get(0);
    assertEquals(37, h.rows());
    assertEquals(256, h.dSae());
    assertEquals(36, a.attention().weights().cols());
    assertEquals(36, a.imageTokens().size());
    for (int t = 0; t < 6; t++) {
      float mass = a.attention().imageMass(t);
      assertTrue(mass > 0 && mass < 1, "image mass " + mass);
    }
    assertEquals(36, a.promptTokens().stream().filter(t -> t.id() == 195).count());
    // the activations are the SAE's codes of the tower's stream at its hook point
    List<FloatMatrix> z = ((TorchScratchpad) pad).model().residualStream(
        org.visualscratchpad.torch.llava.ImageInput.from(
            org.visualscratchpad.torch.input.preprocess.ImagePreprocessor.forCheckpoint(dir.resolve("model"))
                .preprocess(ImageDecoder.toRgb(image))), HookPoint.visionResidPost(1));
    assertEquals(pad.sae().encode(z.get(0)), h);
  }

  @Test
  void an_empty_plan_reproduces_the_baseline_and_ablating_its_top_latents_changes_the_answer() {
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(8);
    Answer base = pad.ask(image, "w20 w21", opts);
    Answer again = base.regenerate(InterventionPlan.none());
    assertEquals(base.generated(), again.generated());
    assertEquals(base.activations(), again.activations());
    assertEquals(base.attention().weights(), again.attention().weights());
    // ablating many of the image's most active latents must move the answer, and only through the plan
    List<Integer> active = new ArrayList<>();
    SparseActivations h = base.activations().get(0);
    for (int r = 1; r < h.rows(); r++) {
      for (int i = h.rowStart(r); i < h.rowEnd(r); i++) {
        if (!active.contains(h.latentAt(i))) {
          active.add(h.latentAt(i));
        }
      }
    }
    Answer ablated = base.ablate(active).regenerate();
    assertEquals(InterventionPlan.of(LatentIntervention.ablate(active)), ablated.plan());
    assertTrue(base.diff(ablated).changed(), base.diff(ablated).toString());
    assertNotEquals(base.activations(), ablated.activations());
  }

  @Test
  void concurrent_asks_give_the_same_answers_as_sequential_ones() throws Exception {
    List<String> prompts = List.of("w30", "w31 w32", "w40", "w41 w42 w43", "w50", "w51", "w60 w61", "w70");
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(5);
    List<Answer> sequential = new ArrayList<>();
    for (String p : prompts) {
      sequential.add(pad.ask(image, p, opts));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Answer>> futures = new ArrayList<>();
      for (String p : prompts) {
        futures.add(pool.submit(() -> pad.ask(image, p, opts)));
      }
      for (int i = 0; i < prompts.size(); i++) {
        Answer c = futures.get(i).get();
        assertEquals(sequential.get(i).generated(), c.generated(), prompts.get(i));
        assertEquals(sequential.get(i).attention().weights(), c.attention().weights(), prompts.get(i));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void bad_input_is_refused_clearly_and_the_scratchpad_stays_usable() {
    assertThrows(InvalidInputException.class, () -> pad.ask(image, " ", AskOptions.defaults()));
    InvalidInputException range = assertThrows(InvalidInputException.class,
        () -> pad.ask(image, "w9", AskOptions.defaults().withMaxNewTokens(2)).ablate(5000).regenerate());
    assertTrue(range.getMessage().contains("5000"), range.getMessage());
    Answer ok = pad.ask(image, "w9", AskOptions.defaults().withMaxNewTokens(2));
    assertEquals(2, ok.generated().size());
  }

  @Test
  void an_sae_of_another_width_is_refused_before_anything_runs() throws IOException {
    Path model = dir.resolve("model");
    Path otherSae = Files.createDirectories(dir.resolve("sae64"));
    new org.visualscratchpad.safetensors.SafetensorsWriter()
        .putFloats("W_enc", new float[64 * 8], 64, 8).putFloats("b_enc", new float[8], 8)
        .putFloats("W_dec", new float[8 * 64], 8, 64).putFloats("b_dec", new float[64], 64)
        .write(otherSae.resolve("sae_weights.safetensors"));
    Files.writeString(otherSae.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":64,\"d_sae\":8,"
        + "\"hook_name\":\"vision.blocks.1.hook_resid_post\",\"apply_b_dec_to_input\":true,\"dtype\":\"float32\","
        + "\"normalize_activations\":\"none\"}");
    Exception e = assertThrows(RuntimeException.class, () -> Scratchpad.load(LoadSpec.of(model, otherSae)));
    assertTrue(e.getMessage().contains("64") && e.getMessage().contains("32"), e.getMessage());
  }

  @Test
  void a_closed_scratchpad_fails_clearly() throws IOException {
    Scratchpad other = Scratchpad.load(LoadSpec.of(dir.resolve("model"), FIXTURE.resolve("sae")));
    Answer a = other.ask(image, "w9", AskOptions.defaults().withMaxNewTokens(1));
    other.close();
    other.close();
    ScratchpadException e = assertThrows(ScratchpadException.class, () -> a.regenerate());
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertFalse(a.generated().isEmpty());
  }
}
