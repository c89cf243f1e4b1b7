package org.visualscratchpad.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;

/**
 * The real shipped ShapesWorld demo (model, SAE, statistics), loaded once per test JVM and shared by
 * the web tests that run on it; closed by a shutdown hook. Tests must not close it.
 */
final class DemoModelFixture {
  /** The question the demo asks. */
  static final String PROMPT = "describe the image .";
  /** A two-object scene of the uniform distribution (the statistics' distribution); any seed would do. */
  static final long SCENE_SEED = 3;

  private static Scratchpad pad;

  private DemoModelFixture() {}

  static synchronized Scratchpad pad() {
    if (pad == null) {
      try {
        ShippedDemo.Folders files = ShippedDemo.extract(Files.createTempDirectory("vsp-web-demo"));
        long t0 = System.nanoTime();
        Scratchpad p = Scratchpad.load(new LoadSpec(files.model(), files.sae(), files.stats(), "cpu"));
        System.out.printf("demo model loaded in %.0f ms: %s%n", (System.nanoTime() - t0) / 1e6, p);
        Runtime.getRuntime().addShutdownHook(new Thread(p::close, "vsp-web-demo-close"));
        pad = p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pad;
  }

  static Scene scene(long seed) {
    return new SceneGenerator().generate(seed, SceneDistribution.UNIFORM);
  }

  static byte[] png(BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writePng(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, png(img));
    return file;
  }
}
