package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;

/** {@code vsp ask} on the shipped demo model (d_sae 512): arguments are checked before the model answers. */
class AskCommandTest {
  @TempDir static Path tmp;
  static ShippedDemo.Folders demo;
  static Path image;

  @BeforeAll
  static void extract() throws Exception {
    demo = ShippedDemo.extract(tmp.resolve("demo"));
    image = tmp.resolve("scene.png");
    ImageIO.write(new SceneGenerator().generate(5, SceneDistribution.UNIFORM).image().toBufferedImage(), "png",
        image.toFile());
  }

  private static String[] ask(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("ask", "--model", demo.model().toString(), "--sae",
        demo.sae().toString(), "--image", image.toString(), "--prompt", "what colour is the triangle ?"));
    args.addAll(List.of(extra));
    return ClassifyCommandTest.run(args.toArray(String[]::new));
  }

  private static void refusedBeforeAnswering(String[] r, String... words) {
    assertEquals("2", r[0], r[1] + r[2]);
    assertFalse(r[1].contains("answer:"), "checked before the model answers: " + r[1]);
    for (String w : words) {
      assertTrue(r[2].contains(w), r[2]);
    }
  }

  @Test
  void latent_ids_outside_the_sae_negative_or_repeated_are_refused_before_the_answer() {
    refusedBeforeAnswering(ask("--ablate", "512"), "--ablate", "512", "d_sae (512)");
    refusedBeforeAnswering(ask("--ablate", "-1"), "--ablate", "-1");
    refusedBeforeAnswering(ask("--ablate", "21,21"), "--ablate", "listed twice");
  }

  @Test
  void cluster_counts_new_tokens_and_an_out_that_is_a_file_are_refused_before_the_answer() throws Exception {
    refusedBeforeAnswering(ask("--clusters", "0"), "--clusters (0)");
    refusedBeforeAnswering(ask("--max-new-tokens", "0"), "--max-new-tokens (0)");
    Path file = Files.writeString(tmp.resolve("taken"), "x");
    refusedBeforeAnswering(ask("--out", file.toString()), "--out", "is a file");
  }

  @Test
  void more_clusters_than_latents_are_said_not_clamped_silently() {
    String[] r = ask("--clusters", "500");
    assertEquals("0", r[0], r[2]);
    assertTrue(r[2].contains("--clusters (500) is more than the heatmap's"), r[2]);
  }

  /** Issue 13 item 11: a one-word answer's heatmap (its end token left out) is one row, and the command says what that means. */
  @Test
  void a_one_word_answer_is_clustered_with_a_warning() {
    String[] r = ask("--clusters", "2");
    assertEquals("0", r[0], r[1] + r[2]);
    assertTrue(r[1].contains("answer: yellow"), r[1]);
    assertTrue(r[1].contains("warning: 1 token row (the end-of-sequence token left out)"), r[1]);
  }
}
