package org.visualscratchpad.samples.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.vlm.ShapesWorldCheckpoint;

/** The shipped ShapesWorld files (model, SAE, statistics), copied out of the class path into folders. */
public final class ShippedDemo {
  /** Class-path folder of the demo SAE. */
  public static final String SAE_RESOURCE = "shapesworld/sae/";
  /** Class-path folder of the demo statistics. */
  public static final String STATS_RESOURCE = "shapesworld/stats/";
  static final List<String> SAE_FILES = List.of("cfg.json", "sae_weights.safetensors", "sparsity.safetensors");
  static final List<String> STATS_FILES = List.of("latent_stats.json", "latent_stats.safetensors");

  /**
   * The three folders under {@code root}.
   *
   * @param model the VLM
   * @param sae the SAE on its vision tower
   * @param stats latent statistics over held-out scenes
   */
  public record Folders(Path model, Path sae, Path stats) {}

  /** How the page describes the statistics' reference images, see {@link #referenceScene(long)}. */
  public static final String REFERENCE_SCENES =
      "generated ShapesWorld scenes (uniform distribution), redrawn from the seeds the statistics store";

  private static final SceneGenerator SCENES = new SceneGenerator();

  private ShippedDemo() {}

  /**
   * The reference image of the shipped statistics with id {@code scene-<seed>}: {@code new
   * SceneGenerator().generate(seed, SceneDistribution.UNIFORM)}, as {@code DemoSaeBuilder} made them
   * ({@code vsp serve} shows them with {@code ReferenceImages.seeded(REFERENCE_SCENES, ShippedDemo::referenceScene)}).
   */
  public static BufferedImage referenceScene(long seed) {
    return SCENES.generate(seed, SceneDistribution.UNIFORM).image().toBufferedImage();
  }

  /** Copies the shipped model, SAE and statistics into {@code root}/model, /sae, /stats. */
  public static Folders extract(Path root) {
    Path model = ShapesWorldCheckpoint.extractShipped(root.resolve("model"));
    return new Folders(model, copy(SAE_RESOURCE, SAE_FILES, root.resolve("sae")),
        copy(STATS_RESOURCE, STATS_FILES, root.resolve("stats")));
  }

  private static Path copy(String resource, List<String> files, Path folder) {
    try {
      Files.createDirectories(folder);
      for (String name : files) {
        try (InputStream in = ShippedDemo.class.getClassLoader().getResourceAsStream(resource + name)) {
          if (in == null) {
            throw new ScratchpadException("the shipped demo file " + resource + name + " is not on the class path. "
                + "Rebuild the samples module, or make it with `vsp demo sae`.");
          }
          Files.copy(in, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return folder;
    } catch (IOException e) {
      throw new ScratchpadException("the shipped demo files could not be copied to " + folder + ": " + e.getMessage(), e);
    }
  }
}
