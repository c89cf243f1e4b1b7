package org.visualscratchpad.torch.input;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.input.image.RgbImage;

/** Locates {@code ../shared/fixtures/hf-reference} and reads its raw images. */
public final class HfReference {
  private HfReference() {}

  /** The hf-reference folder (system property {@code vsp.shared.dir}, set by Surefire). */
  public static Path root() {
    String shared = System.getProperty("vsp.shared.dir", "../../shared");
    Path root = Path.of(shared).resolve("fixtures/hf-reference");
    assertTrue(Files.isDirectory(root), "fixtures not found at " + root.toAbsolutePath());
    return root;
  }

  /** One fixture folder. */
  public static Path fixture(String name) {
    return root().resolve(name);
  }

  /** {@code raw_image.N} (uint8 HWC) of a fixture's inputs.safetensors. */
  public static RgbImage rawImage(SafetensorsFile inputs, int index) {
    String name = "raw_image." + index;
    List<Long> shape = inputs.info(name).shape();
    ByteBuffer b = inputs.byteBuffer(name);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return RgbImage.of(Math.toIntExact(shape.get(0)), Math.toIntExact(shape.get(1)), bytes);
  }
}
