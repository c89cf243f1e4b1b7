package org.visualscratchpad.torch.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mapping is released at once; what the JDK refuses is left to the garbage collector and reported, never thrown. */
class UnmapperTest {
  @TempDir Path tmp;

  private MappedByteBuffer map(String name) throws IOException {
    Path file = tmp.resolve(name);
    Files.write(file, new byte[4096]);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
    }
  }

  @Test
  void a_mapping_is_released_and_a_slice_of_one_is_left_to_the_collector_and_reported() throws IOException {
    assertTrue(Unmapper.release(map("whole")), "the JDK's invokeCleaner unmaps a whole mapping");
    MappedByteBuffer parent = map("parent");
    ByteBuffer slice = parent.slice(0, 1024);
    assertFalse(Unmapper.release(slice), "a slice cannot be unmapped; it must not throw either");
    assertTrue(Unmapper.failureReported(), "the refusal is reported (once, at DEBUG)");
    assertFalse(Unmapper.release(slice), "a second refusal behaves the same");
    assertFalse(Unmapper.release(ByteBuffer.allocate(16)), "a heap buffer has nothing to unmap");
    assertFalse(Unmapper.release(null));
    assertEquals(0, parent.get(0), "the parent mapping is untouched");
  }
}
