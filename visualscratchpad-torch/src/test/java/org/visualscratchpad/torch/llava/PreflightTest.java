package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.torch.Fixtures;

/** A checkpoint that cannot fit is refused before any weight is read, within seconds, with the figures. */
class PreflightTest {

  /** A LLaVA folder whose single (sparse) shard declares {@code bytes} of F16 weights. */
  private static Path sparseCheckpoint(Path dir, long bytes) throws Exception {
    Files.copy(Fixtures.folder("llava").resolve("config.json"), dir.resolve("config.json"));
    long rows = bytes / 2 / 4096;
    long data = rows * 4096 * 2;
    String header = "{\"language_model.model.embed_tokens.weight\":{\"dtype\":\"F16\",\"shape\":[" + rows
        + ",4096],\"data_offsets\":[0," + data + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
      f.write(len.array());
      f.write(h);
      f.setLength(8 + h.length + data);   // sparse: no data pages are written
    }
    return dir;
  }

  @Test
  void a_checkpoint_larger_than_the_heap_is_refused_at_once_with_what_to_do(@TempDir Path dir) throws Exception {
    long heap = Runtime.getRuntime().maxMemory();
    Path folder = sparseCheckpoint(dir, heap + (4L << 30));
    long t0 = System.nanoTime();
    ScratchpadException e = assertThrows(ScratchpadException.class, () -> LlavaModel.load(folder, "cpu"));
    double seconds = (System.nanoTime() - t0) / 1e9;
    String m = e.getMessage();
    assertTrue(m.contains(folder.toString()) && m.contains("does not fit") && m.contains("GiB"), m);
    assertTrue(m.contains("-Xmx") || m.contains("GPU"), m);
    assertTrue(seconds < 20, "refused after " + seconds + " s");
    long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertTrue(used < (3L << 30), "heap in use after the refusal: " + used);
  }

  @Test
  void libtorch_needs_the_float32_size_in_system_memory(@TempDir Path dir) throws Exception {
    long avail = Preflight.availableToSystem();
    org.junit.jupiter.api.Assumptions.assumeTrue(avail > 0, "MemAvailable unknown here");
    Path folder = sparseCheckpoint(dir, avail / 2 + (2L << 30));   // F16 on disk: float32 is twice that
    ScratchpadException e = assertThrows(ScratchpadException.class, () -> LlavaModel.load(folder, "torch:cpu"));
    assertTrue(e.getMessage().contains("as float32 on libtorch"), e.getMessage());
  }
}
