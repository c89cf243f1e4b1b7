package org.visualscratchpad.torch.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.visualscratchpad.CheckpointFormatException;

/**
 * A minimal memory-mapped safetensors reader (single file or sharded folder) used until the
 * project's {@code org.visualscratchpad.safetensors} reader is available to this module. Each
 * tensor is mapped on demand, so no second copy of the checkpoint is held.
 */
final class MappedSafetensors implements TensorSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private record Entry(Path file, String dtype, long[] shape, long begin, long end) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private MappedSafetensors() {}

  /** Opens {@code model.safetensors}, a sharded folder with its index, or a single file. */
  static MappedSafetensors open(Path dirOrFile) {
    MappedSafetensors s = new MappedSafetensors();
    if (Files.isRegularFile(dirOrFile)) {
      s.readHeader(dirOrFile);
      return s;
    }
    Path single = dirOrFile.resolve("model.safetensors");
    Path index = dirOrFile.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(single)) {
      s.readHeader(single);
    } else if (Files.isRegularFile(index)) {
      JsonNode root;
      try {
        root = JSON.readTree(index.toFile());
      } catch (IOException e) {
        throw new CheckpointFormatException(index, "cannot be read as JSON: " + e.getMessage(), e);
      }
      JsonNode map = root.get("weight_map");
      if (map == null || !map.isObject()) {
        throw new CheckpointFormatException(index, "field weight_map is missing. Write the index as save_pretrained does.");
      }
      Set<String> shards = new java.util.LinkedHashSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        shards.add(it.next().getValue().asText());
      }
      for (String shard : shards) {
        Path p = dirOrFile.resolve(shard);
        if (!Files.isRegularFile(p)) {
          throw new CheckpointFormatException(p, "shard named in " + index.getFileName()
              + " is missing. Download every shard of the checkpoint.");
        }
        s.readHeader(p);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        String name = it.next().getKey();
        if (!s.entries.containsKey(name)) {
          throw new CheckpointFormatException(index, "tensor " + name + " is listed in weight_map but found in no shard");
        }
      }
    } else {
      throw new CheckpointFormatException(dirOrFile,
          "holds neither model.safetensors nor model.safetensors.index.json. Point at a Hugging Face model folder.");
    }
    return s;
  }

  private void readHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new CheckpointFormatException(file, "size (" + size + " bytes) must be at least 8. The file is truncated.");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(lenBuf, 0);
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > MAX_HEADER || 8 + n > size) {
        throw new CheckpointFormatException(file, "header length (" + n + ") must be in (0, "
            + Math.min(MAX_HEADER, size - 8) + "]. The file is not safetensors or is truncated.");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      ch.read(hb, 8);
      JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + n;
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode v = e.getValue();
        JsonNode shapeNode = v.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeNode.get(i).asLong();
        }
        long b = v.get("data_offsets").get(0).asLong() + dataStart;
        long en = v.get("data_offsets").get(1).asLong() + dataStart;
        if (en > size || b > en) {
          throw new CheckpointFormatException(file, "tensor " + e.getKey() + " data_offsets end (" + en
              + ") must not exceed the file size (" + size + "). The file is truncated.");
        }
        entries.put(e.getKey(), new Entry(file, v.get("dtype").asText(), shape, b, en));
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no tensor " + name);
    }
    return e;
  }

  @Override
  public long[] shape(String name) {
    return entry(name).shape.clone();
  }

  @Override
  public String dtype(String name) {
    return entry(name).dtype;
  }

  @Override
  public Path fileOf(String name) {
    return entry(name).file;
  }

  @Override
  public float[] floats(String name) {
    Entry e = entry(name);
    long numel = 1;
    for (long d : e.shape) {
      numel *= d;
    }
    try (FileChannel ch = FileChannel.open(e.file, StandardOpenOption.READ)) {
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, e.begin, e.end - e.begin).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[Math.toIntExact(numel)];
      switch (e.dtype) {
        case "F32" -> buf.asFloatBuffer().get(out);
        case "F64" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = (float) buf.getDouble(i * 8);
          }
        }
        case "F16" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = halfToFloat(buf.getShort(i * 2));
          }
        }
        case "BF16" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xffff) << 16);
          }
        }
        case "I64" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = buf.getLong(i * 8);
          }
        }
        case "U8" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = buf.get(i) & 0xff;
          }
        }
        default -> throw new CheckpointFormatException(e.file, "tensor " + name + " has dtype " + e.dtype
            + "; expected F32, F16, BF16 or F64");
      }
      return out;
    } catch (IOException ex) {
      throw new CheckpointFormatException(e.file, "cannot be read: " + ex.getMessage(), ex);
    }
  }

  /** The values of an integer tensor ({@code I64}, {@code I32}) as longs. */
  long[] longs(String name) {
    Entry e = entry(name);
    long numel = 1;
    for (long d : e.shape) {
      numel *= d;
    }
    try (FileChannel ch = FileChannel.open(e.file, StandardOpenOption.READ)) {
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, e.begin, e.end - e.begin).order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[Math.toIntExact(numel)];
      for (int i = 0; i < out.length; i++) {
        switch (e.dtype) {
          case "I64" -> out[i] = buf.getLong(i * 8);
          case "I32" -> out[i] = buf.getInt(i * 4);
          case "U8" -> out[i] = buf.get(i) & 0xff;
          default -> throw new CheckpointFormatException(e.file, "tensor " + name + " has dtype " + e.dtype
              + "; expected an integer dtype (I64, I32, U8)");
        }
      }
      return out;
    } catch (IOException ex) {
      throw new CheckpointFormatException(e.file, "cannot be read: " + ex.getMessage(), ex);
    }
  }

  @Override
  public void close() {}

  /** IEEE 754 binary16 to float32, exact. */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
