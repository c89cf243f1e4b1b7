package org.visualscratchpad.samples.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.session.Session;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Sampling;
import org.visualscratchpad.scratchpad.Scratchpad;

/** Saved sessions on the shipped ShapesWorld model: view without the model, continue with it, reject changed files. */
class SessionTest {
  @TempDir static Path shared;
  static Scratchpad pad;
  static BufferedImage image;

  @BeforeAll
  static void load() {
    ShippedDemo.Folders files = ShippedDemo.extract(shared.resolve("shipped"));
    pad = Scratchpad.load(new LoadSpec(files.model(), files.sae(), files.stats(), "cpu"));
    image = new SceneGenerator().generate(11, SceneDistribution.UNIFORM).image().toBufferedImage();
  }

  @AfterAll
  static void close() {
    if (pad != null) {
      pad.close();
    }
  }

  /** An answer under a plan with every kind of edit and scope, sampled from a recorded seed. */
  private static Answer editedAnswer() {
    Answer base = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(12));
    int strongest = base.rankLatents().top(1).get(0);
    return pad.ask(image, "describe the image .", base.options()
        .withSampling(Sampling.sample(0.8, 0.95, 1234L))
        .withPlan(base.experiment()
            .with(LatentIntervention.scale(List.of(strongest), 0.5f, TokenScope.patchesOnly()))
            .with(LatentIntervention.setValue(List.of(3), 1.25f,
                TokenScope.patches(List.of(new TokenScope.PatchRef(0, 2), new TokenScope.PatchRef(0, 5)))))
            .with(LatentIntervention.addDirection(4, 0.75f, TokenScope.allTokens()))
            .with(LatentIntervention.ablate(List.of(7, 9)))
            .plan()));
  }

  private static void assertSameAnswer(Answer expected, Answer actual) {
    assertEquals(expected.prompt(), actual.prompt());
    assertEquals(expected.options(), actual.options());
    assertEquals(expected.promptTokens(), actual.promptTokens());
    assertEquals(expected.generated(), actual.generated());
    assertEquals(expected.activations(), actual.activations());
    assertEquals(expected.reencodedActivations(), actual.reencodedActivations());
    assertEquals(expected.attention(), actual.attention());
    assertEquals(expected.imageTokens(), actual.imageTokens());
  }

  @Test
  void a_saved_session_is_viewable_without_the_model_and_equals_the_answer() {
    Answer answer = editedAnswer();
    Path dir = Session.of(answer).save(shared.resolve("view"));
    Session viewed = Session.load(dir);

    Answer loaded = viewed.answer();
    assertTrue(loaded.source().isEmpty());
    assertSameAnswer(answer, loaded);
    assertEquals(1234L, loaded.options().sampling().seed());
    assertEquals(4, loaded.plan().edits().size());
    BufferedImage img = loaded.image();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        assertEquals(image.getRGB(x, y) & 0xFFFFFF, img.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
      }
    }
    // the analyses run on the loaded answer exactly as on the original
    assertEquals(answer.rankLatents().toString(), loaded.rankLatents().toString());
    // without the model there are no dataset statistics, so compare heatmaps without the noisy-latent filter
    HeatmapOptions unfiltered = HeatmapOptions.defaults().withFilter(HeatmapOptions.NoisyFilter.NONE, 0);
    assertEquals(answer.heatmap(unfiltered).latentIds(), loaded.heatmap(unfiltered).latentIds());
    assertEquals(answer.heatmap(unfiltered).cluster().toString(), loaded.heatmap(unfiltered).cluster().toString());
    ScratchpadException e = assertThrows(ScratchpadException.class, loaded::regenerate);
    assertTrue(e.getMessage().contains("without a model"), e.getMessage());
    // saving the viewed session again keeps its identity
    Session again = Session.load(viewed.save(shared.resolve("view-again")));
    assertEquals(viewed.model(), again.model());
    assertEquals(viewed.sae(), again.sae());
    assertSameAnswer(answer, again.answer());
  }

  @Test
  void a_loaded_session_regenerates_its_answer_exactly() {
    Answer answer = editedAnswer();
    Session session = Session.load(Session.of(answer).save(shared.resolve("continue")), pad);
    Answer loaded = session.answer();
    assertSame(pad, loaded.source().orElseThrow());
    // bound to the scratchpad, the analyses see its statistics as the original did
    assertEquals(answer.heatmap().latentIds(), loaded.heatmap().latentIds());
    Answer regenerated = loaded.regenerate();
    assertSameAnswer(answer, regenerated);
    // and a greedy answer without edits too
    Answer greedy = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(12));
    assertSameAnswer(greedy, Session.load(Session.of(greedy).save(shared.resolve("greedy")), pad).answer().regenerate());
  }

  @Test
  void a_session_of_another_sae_is_refused_and_the_scratchpad_stays_usable() throws Exception {
    Answer answer = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(8));
    Path dir = Session.of(answer).save(shared.resolve("other-sae"));
    Path json = dir.resolve(Session.JSON_FILE);
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = (ObjectNode) m.readTree(json.toFile());
    ((ObjectNode) root.get("identity").get("sae")).put("sae_weights.safetensors", "0".repeat(64));
    m.writeValue(json.toFile(), root);

    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir, pad));
    assertTrue(e.getMessage().contains("sae_weights.safetensors") && e.getMessage().contains("another SAE"), e.getMessage());
    // still viewable without the model, and the scratchpad still answers as before
    assertSameAnswer(answer, Session.load(dir).answer());
    assertSameAnswer(answer, pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(8)));
  }

  @Test
  void changed_session_files_are_reported_by_name() throws Exception {
    Answer answer = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(8));
    Path dir = Session.of(answer).save(shared.resolve("corrupt"));

    Path tensors = dir.resolve(Session.TENSORS_FILE);
    byte[] bytes = Files.readAllBytes(tensors);
    bytes[bytes.length - 3] ^= 0x40;
    Files.write(tensors, bytes);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir, pad));
    assertTrue(e.getMessage().contains(Session.TENSORS_FILE) && e.getMessage().contains("changed"), e.getMessage());
    assertEquals(tensors, e.file());

    Path json = dir.resolve(Session.JSON_FILE);
    String text = Files.readString(json);
    Files.writeString(json, text.substring(0, text.length() / 2));
    e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir));
    assertTrue(e.getMessage().contains(Session.JSON_FILE), e.getMessage());

    Files.writeString(json, text.replace("\"maxNewTokens\" : 8", "\"maxNewTokens\" : \"eight\""));
    Files.write(tensors, Files.readAllBytes(Session.of(answer).save(shared.resolve("good")).resolve(Session.TENSORS_FILE)));
    e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir));
    assertTrue(e.getMessage().contains("options.maxNewTokens"), e.getMessage());

    assertFalse(pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(8)).generated().isEmpty());
  }

  /**
   * Issue 13 item 7: an edited answer's activations are the codes the model was fed (an ablated latent
   * reads 0 on every row); the SAE's encoding of the edited stream, where it may be active again, is
   * offered separately.
   */
  @Test
  void an_ablated_latent_reads_zero_in_the_edited_answer_s_activations() {
    Answer base = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(12));
    List<Integer> top = base.rankLatents().top(5);
    Answer edited = base.ablate(top).regenerate();
    boolean activeInBase = false;
    boolean activeAgain = false;
    for (int crop = 0; crop < edited.activations().size(); crop++) {
      for (int row = 0; row < edited.activations().get(crop).rows(); row++) {
        for (int latent : top) {
          assertEquals(0f, edited.activations().get(crop).get(row, latent), "latent " + latent + " row " + row);
          activeInBase |= base.activations().get(crop).get(row, latent) > 0;
          activeAgain |= edited.reencodedActivations().get(crop).get(row, latent) > 0;
        }
      }
    }
    assertTrue(activeInBase);
    assertTrue(activeAgain, "on this model the error term re-excites an ablated latent in the re-encoding");
    // the latents the plan did not touch keep the unedited codes
    for (int crop = 0; crop < edited.activations().size(); crop++) {
      for (int row = 0; row < edited.activations().get(crop).rows(); row++) {
        for (int k = base.activations().get(crop).rowStart(row); k < base.activations().get(crop).rowEnd(row); k++) {
          int latent = base.activations().get(crop).latentAt(k);
          if (!top.contains(latent)) {
            assertEquals(base.activations().get(crop).valueAt(k), edited.activations().get(crop).get(row, latent));
          }
        }
      }
    }
    // without an edit the two are the same
    assertEquals(base.activations(), base.reencodedActivations());
  }

  /** A version-1 session of an edited answer stored the re-encoding as its activations. */
  @Test
  void a_version_1_session_loads_and_an_edited_one_is_converted_with_its_model() throws Exception {
    Answer answer = editedAnswer();
    Path dir = Session.of(answer).save(shared.resolve("v1"));
    // rewrite it as version 1 wrote it: the re-encoding under crop.*, no reencoded.*, version 1
    Path tensors = dir.resolve(Session.TENSORS_FILE);
    var w = new org.visualscratchpad.safetensors.SafetensorsWriter().metadata("format", "visualscratchpad-session");
    try (var st = org.visualscratchpad.safetensors.SafetensorsFile.open(tensors)) {
      for (int crop = 0; crop < answer.activations().size(); crop++) {
        for (String part : List.of("row_ptr", "latent_ids")) {
          int[] v = st.ints("reencoded." + crop + "." + part);
          w.putInts("crop." + crop + "." + part, v, v.length);
        }
        float[] v = st.floats("reencoded." + crop + ".values");
        w.putFloats("crop." + crop + ".values", v, v.length);
      }
      float[] att = st.floats("attention.weights");
      w.putFloats("attention.weights", att, answer.attention().weights().rows(), answer.attention().weights().cols());
    }
    w.write(tensors);
    Path json = dir.resolve(Session.JSON_FILE);
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = (ObjectNode) m.readTree(json.toFile());
    root.put("version", 1);
    ((ObjectNode) root.get("activations")).remove("reencoded");
    ((ObjectNode) root.get("files")).put(Session.TENSORS_FILE, java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tensors))));
    m.writeValue(json.toFile(), root);

    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir));
    assertTrue(e.getMessage().contains("version 1") && e.getMessage().contains("Session.load(dir, pad)"), e.getMessage());
    Session converted = Session.load(dir, pad);
    assertSameAnswer(answer, converted.answer());
    assertEquals(Session.FORMAT_VERSION, m.readTree(converted.save(shared.resolve("v2")).resolve(Session.JSON_FILE).toFile())
        .get("version").asInt());
    // a version-1 session without an edit loads as it is, model or not
    Answer greedy = pad.ask(image, "describe the image .", AskOptions.defaults().withMaxNewTokens(8));
    Path plain = Session.of(greedy).save(shared.resolve("v1-plain"));
    ObjectNode r = (ObjectNode) m.readTree(plain.resolve(Session.JSON_FILE).toFile());
    r.put("version", 1);
    ((ObjectNode) r.get("activations")).remove("reencoded");
    m.writeValue(plain.resolve(Session.JSON_FILE).toFile(), r);
    assertSameAnswer(greedy, Session.load(plain).answer());
  }

  @Test
  void a_plan_with_an_unknown_field_is_refused_naming_the_file_and_field() throws Exception {
    Answer answer = editedAnswer();
    Path dir = Session.of(answer).save(shared.resolve("unknown-field"));
    Path json = dir.resolve(Session.JSON_FILE);
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = (ObjectNode) m.readTree(json.toFile());
    ((ObjectNode) root.get("options").get("plan").get("edits").get(1)).put("maxNewToken", 3);
    m.writeValue(json.toFile(), root);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Session.load(dir));
    assertTrue(e.getMessage().contains("options.plan.edits[1].maxNewToken") && e.getMessage().contains("not known"),
        e.getMessage());
    assertEquals(json, e.file());
  }
}
