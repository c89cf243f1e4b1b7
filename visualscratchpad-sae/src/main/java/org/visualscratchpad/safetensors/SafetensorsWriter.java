package org.visualscratchpad.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;

/**
 * Writes a safetensors file: tensors in the order they were put, header padded to 8 bytes, written
 * to a temporary file and moved into place so that a failed write leaves no half file.
 *
 * <pre>{@code
 * jshell> new SafetensorsWriter().putFloats("W_enc", new float[6], 2, 3).metadata("format", "pt").write(Path.of("w.safetensors"))
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class SafetensorsWriter {
  private record Entry(String name, DType dtype, long[] shape, byte[] data) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a float32 tensor. */
  public SafetensorsWriter putFloats(String name, float[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.F32, data.length, shape);
    b.asFloatBuffer().put(data);
    return put(name, DType.F32, shape, b);
  }

  /** Adds a tensor stored as IEEE half precision (values rounded to nearest). */
  public SafetensorsWriter putF16(String name, float[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.F16, data.length, shape);
    for (int i = 0; i < data.length; i++) {
      b.putShort(2 * i, Half.floatToF16(data[i]));
    }
    return put(name, DType.F16, shape, b);
  }

  /** Adds a tensor stored as bfloat16 (values rounded to nearest). */
  public SafetensorsWriter putBF16(String name, float[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.BF16, data.length, shape);
    for (int i = 0; i < data.length; i++) {
      b.putShort(2 * i, Half.floatToBf16(data[i]));
    }
    return put(name, DType.BF16, shape, b);
  }

  /** Adds an int64 tensor. */
  public SafetensorsWriter putLongs(String name, long[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.I64, data.length, shape);
    b.asLongBuffer().put(data);
    return put(name, DType.I64, shape, b);
  }

  /** Adds an int32 tensor. */
  public SafetensorsWriter putInts(String name, int[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.I32, data.length, shape);
    b.asIntBuffer().put(data);
    return put(name, DType.I32, shape, b);
  }

  /** Adds a uint8 tensor. */
  public SafetensorsWriter putBytes(String name, byte[] data, long... shape) {
    ByteBuffer b = buffer(name, DType.U8, data.length, shape);
    b.put(data);
    return put(name, DType.U8, shape, b);
  }

  /** Adds a {@code __metadata__} entry. */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Writes the file (atomically: a temporary file in the same folder, then a move). */
  public void write(Path file) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    List<Entry> order = new ArrayList<>(entries.values());
    for (Entry e : order) {
      ObjectNode t = header.putObject(e.name());
      t.put("dtype", e.dtype().name());
      ArrayNode s = t.putArray("shape");
      for (long d : e.shape()) {
        s.add(d);
      }
      ArrayNode o = t.putArray("data_offsets");
      o.add(offset);
      offset += e.data().length;
      o.add(offset);
    }
    byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8;
    byte[] h = new byte[padded];
    System.arraycopy(headerBytes, 0, h, 0, headerBytes.length);
    for (int i = headerBytes.length; i < padded; i++) {
      h[i] = ' ';
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(h);
        for (Entry e : order) {
          out.write(e.data());
        }
      } catch (IOException | RuntimeException ex) {
        Files.deleteIfExists(tmp);
        throw ex;
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write safetensors file: " + e.getMessage(), e);
    }
  }

  private SafetensorsWriter put(String name, DType dtype, long[] shape, ByteBuffer b) {
    entries.put(name, new Entry(name, dtype, shape.clone(), b.array()));
    return this;
  }

  private ByteBuffer buffer(String name, DType dtype, int length, long[] shape) {
    InvalidInputException.check(name != null && !name.isEmpty() && !name.equals("__metadata__"),
        "tensor name (%s) must be non-empty and not __metadata__", name);
    InvalidInputException.check(!entries.containsKey(name), "tensor '%s' was already put", name);
    long n = 1;
    for (long d : shape) {
      InvalidInputException.check(d >= 0, "tensor '%s' shape entry (%s) must be >= 0", name, d);
      n *= d;
    }
    InvalidInputException.check(n == length,
        "tensor '%s' has %s values but its shape %s needs %s", name, length, java.util.Arrays.toString(shape), n);
    return ByteBuffer.allocate(Math.multiplyExact(length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
  }
}
