package org.visualscratchpad.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A memory-mapped safetensors file: the header is parsed and validated at {@link #open}; tensor
 * bytes are mapped on demand, never copied unless a typed accessor ({@link #floats}, ...) is asked
 * for. Offsets are {@code long}, so files above 2 GiB work; each single tensor must be below 2 GiB.
 *
 * <p>Validation follows the format's own rules: the header length is bounded ({@value
 * #MAX_HEADER_BYTES} bytes) and inside the file, the header is well-formed JSON without duplicate
 * keys and with nothing but whitespace after it, each tensor's byte length equals its dtype size
 * times its element count (computed exactly: a product that overflows is refused), and the tensors'
 * byte ranges are inside the file, contiguous and non-overlapping, covering the data section
 * exactly. Every error names the file, the tensor and the numbers.
 *
 * <pre>{@code
 * jshell> try (var f = SafetensorsFile.open(Path.of("sae_weights.safetensors"))) {
 *    ...>   FloatMatrix wEnc = f.floatMatrix("W_enc");   // [d_in x d_sae]
 *    ...> }
 * }</pre>
 *
 * <p>Thread-safe for concurrent reads.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Upper bound of the JSON header, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, FileChannel channel, long dataStart,
      Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens and validates a safetensors file.
   *
   * @throws CheckpointFormatException if the file is missing, unreadable or violates the format
   */
  public static SafetensorsFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(path, "safetensors file does not exist. Check the path.", e);
    } catch (IOException e) {
      throw new CheckpointFormatException(path, "cannot open safetensors file: " + e.getMessage(), e);
    }
    try {
      SafetensorsFile f = parse(path, ch);
      return f;
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static SafetensorsFile parse(Path path, FileChannel ch) {
    try {
      long fileSize = ch.size();
      if (fileSize < 8) {
        throw new CheckpointFormatException(path, "file is " + fileSize
            + " bytes, shorter than the 8-byte header length: truncated or not a safetensors file.");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.getLong(0);
      if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
        throw new CheckpointFormatException(path, "header length (" + Long.toUnsignedString(headerLen)
            + " bytes) must lie in [2, " + MAX_HEADER_BYTES + "]: not a safetensors file, or corrupted.");
      }
      if (8 + headerLen > fileSize) {
        throw new CheckpointFormatException(path, "header length (" + headerLen + " bytes) runs past the end of the "
            + fileSize + "-byte file: the file is truncated.");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      String json = new String(header.array(), StandardCharsets.UTF_8);
      if (!json.startsWith("{")) {
        throw new CheckpointFormatException(path, "header must be a JSON object starting with '{'; found "
            + abbreviate(json) + ". Not a safetensors file.");
      }
      JsonNode root;
      try {
        root = JSON.readTree(json);
      } catch (JsonProcessingException e) {
        throw new CheckpointFormatException(path, "header is not well-formed JSON: " + e.getOriginalMessage(), e);
      }
      if (root == null || !root.isObject()) {
        throw new CheckpointFormatException(path, "header must be a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataSize = fileSize - dataStart;
      Map<String, String> metadata = new LinkedHashMap<>();
      List<TensorInfo> infos = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          readMetadata(path, e.getValue(), metadata);
        } else {
          infos.add(readTensor(path, e.getKey(), e.getValue()));
        }
      }
      infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
      long expected = 0;
      for (TensorInfo t : infos) {
        if (t.begin() != expected) {
          throw new CheckpointFormatException(path, "tensor '" + t.name() + "' starts at byte " + t.begin()
              + " of the data section but the previous tensor ends at " + expected
              + (t.begin() < expected ? ": the tensors overlap." : ": there is a gap.")
              + " The file is corrupted.");
        }
        expected = t.end();
      }
      if (expected != dataSize) {
        throw new CheckpointFormatException(path, "tensors cover " + expected + " bytes but the data section holds "
            + dataSize + (expected > dataSize ? ": offsets run past the end of the file (truncated?)."
                : ": trailing bytes belong to no tensor."));
      }
      Map<String, TensorInfo> byName = new LinkedHashMap<>();
      for (TensorInfo t : infos) {
        byName.put(t.name(), t);
      }
      return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(byName),
          Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      throw new CheckpointFormatException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
    if (!node.isObject()) {
      throw new CheckpointFormatException(path, "__metadata__ must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw new CheckpointFormatException(path, "__metadata__ value of '" + m.getKey() + "' must be a string");
      }
      out.put(m.getKey(), m.getValue().asText());
    }
  }

  private static TensorInfo readTensor(Path path, String name, JsonNode node) {
    String where = "tensor '" + name + "'";
    if (!node.isObject()) {
      throw new CheckpointFormatException(path, where + " must be an object with dtype, shape, data_offsets");
    }
    JsonNode dt = node.get("dtype");
    JsonNode sh = node.get("shape");
    JsonNode off = node.get("data_offsets");
    if (dt == null || !dt.isTextual()) {
      throw new CheckpointFormatException(path, where + " has no string 'dtype'");
    }
    DType dtype = DType.fromHeader(dt.asText());
    if (dtype == null) {
      throw new CheckpointFormatException(path, where + " has dtype " + dt.asText()
          + "; supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL.");
    }
    if (sh == null || !sh.isArray()) {
      throw new CheckpointFormatException(path, where + " has no 'shape' array");
    }
    List<Long> shape = new ArrayList<>();
    for (JsonNode d : sh) {
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new CheckpointFormatException(path, where + " has a shape entry " + d + " that is not a non-negative integer");
      }
      shape.add(d.asLong());
    }
    if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
      throw new CheckpointFormatException(path, where + " must have data_offsets [begin, end]");
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new CheckpointFormatException(path, where + " has data_offsets [" + begin + ", " + end + "]: must satisfy 0 <= begin <= end");
    }
    TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
    long numel;
    long bytes;
    try {
      numel = info.numel();
    } catch (ArithmeticException e) {
      throw new CheckpointFormatException(path, where + " has a shape " + shape
          + " whose element count overflows a 64-bit integer. The header is corrupted.");
    }
    try {
      bytes = Math.multiplyExact(numel, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new CheckpointFormatException(path, where + " is " + dtype + " " + shape + " = " + numel + " elements x "
          + dtype.byteSize() + " bytes, which overflows a 64-bit byte length. The header is corrupted.");
    }
    if (bytes != end - begin) {
      throw new CheckpointFormatException(path, where + " is " + dtype + " " + shape + " = " + numel + " elements x "
          + dtype.byteSize() + " bytes = " + bytes + " bytes, but its data_offsets span "
          + (end - begin) + " bytes. The header is corrupted.");
    }
    return info;
  }

  /** The file this was opened from. */
  public Path path() {
    return path;
  }

  /** Tensor names in storage order. */
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  /** True if the file holds a tensor named {@code name}. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The {@code __metadata__} entries (empty if none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The header entry of {@code name}.
   *
   * @throws CheckpointFormatException if there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new CheckpointFormatException(path, "has no tensor '" + name + "'" + nearby(name));
    }
    return t;
  }

  /**
   * Reads {@code dst.remaining()} bytes of tensor {@code name} from byte {@code offset} of its data into
   * {@code dst} with positional reads (large sequential reads: faster than faulting a mapping in from a
   * cold disk). Thread-safe.
   *
   * @throws CheckpointFormatException if the range lies outside the tensor or the file cannot be read
   */
  public void readBytes(String name, long offset, ByteBuffer dst) {
    TensorInfo t = info(name);
    int n = dst.remaining();
    if (offset < 0 || offset > t.byteLength() - n) {
      throw new CheckpointFormatException(path, "tensor '" + name + "': bytes " + offset + ".." + (offset + n)
          + " lie outside its " + t.byteLength() + " bytes");
    }
    long at = dataStart + t.begin() + offset;
    try {
      while (dst.hasRemaining()) {
        int r = channel.read(dst, at);
        if (r < 0) {
          throw new CheckpointFormatException(path, "ends before tensor '" + name + "' does (truncated file?)");
        }
        at += r;
      }
    } catch (java.io.IOException e) {
      throw new CheckpointFormatException(path, "cannot read tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /** A read-only, little-endian view of the tensor's bytes (memory-mapped, no copy). */
  public ByteBuffer byteBuffer(String name) {
    TensorInfo t = info(name);
    if (t.byteLength() > Integer.MAX_VALUE) {
      throw new CheckpointFormatException(path, "tensor '" + name + "' is " + t.byteLength()
          + " bytes; single tensors above 2 GiB are not supported");
    }
    if (t.byteLength() == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    }
    try {
      return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength())
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new CheckpointFormatException(path, "cannot map tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * The tensor's values widened to float32 (F32, F16, BF16; F64 narrowed), row-major.
   *
   * @throws CheckpointFormatException if the tensor is not floating-point
   */
  public float[] floats(String name) {
    TensorInfo t = info(name);
    ByteBuffer b = byteBuffer(name);
    int n = Math.toIntExact(t.numel());
    float[] out = new float[n];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Half.f16ToFloat(b.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Half.bf16ToFloat(b.getShort(2 * i));
        }
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
      default -> throw new CheckpointFormatException(path, "tensor '" + name + "' is " + t.dtype()
          + ", not a floating-point type; read it with longs() or ints()");
    }
    return out;
  }

  /**
   * The tensor as a matrix: a 2-D tensor as is, a 1-D (or scalar) tensor as {@code [1 x n]}, and a
   * higher-rank tensor as {@code [shape0 x rest]}.
   */
  public FloatMatrix floatMatrix(String name) {
    TensorInfo t = info(name);
    List<Long> s = t.shape();
    long rows = s.size() < 2 ? 1 : s.get(0);
    long cols = s.size() < 2 ? t.numel() : t.numel() / Math.max(1, rows);
    if (s.size() >= 2 && rows == 0) {
      cols = 1;
      for (int i = 1; i < s.size(); i++) {
        cols = multiply(name, cols, s.get(i));
      }
    }
    if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
      throw new CheckpointFormatException(path, "tensor '" + name + "' of shape " + s + " is a [" + rows + " x "
          + cols + "] matrix; each side must be at most " + Integer.MAX_VALUE);
    }
    return FloatMatrix.adopt((int) rows, (int) cols, floats(name));
  }

  private long multiply(String name, long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new CheckpointFormatException(path, "tensor '" + name + "' has a shape whose size overflows a 64-bit integer");
    }
  }

  /** The tensor's values as longs (I64, I32, I16, I8, U8, BOOL). */
  public long[] longs(String name) {
    TensorInfo t = info(name);
    ByteBuffer b = byteBuffer(name);
    int n = Math.toIntExact(t.numel());
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (t.dtype()) {
        case I64 -> b.getLong(8 * i);
        case I32 -> b.getInt(4 * i);
        case I16 -> b.getShort(2 * i);
        case I8 -> b.get(i);
        case U8, BOOL -> b.get(i) & 0xff;
        default -> throw new CheckpointFormatException(path, "tensor '" + name + "' is " + t.dtype()
            + ", not an integer type; read it with floats()");
      };
    }
    return out;
  }

  /** The tensor's values as ints (integer dtypes whose values fit). */
  public int[] ints(String name) {
    long[] l = longs(name);
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] != (int) l[i]) {
        throw new InvalidInputException(path + ": tensor '" + name + "' value " + l[i] + " at index " + i
            + " does not fit in an int; read it with longs()");
      }
      out[i] = (int) l[i];
    }
    return out;
  }

  /** Releases the file handle. Mapped views already handed out stay readable. */
  @Override
  public void close() {
    closeQuietly(channel);
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
  }

  private String nearby(String name) {
    List<String> close = new ArrayList<>();
    String tail = name.substring(name.lastIndexOf('.') + 1);
    for (String n : tensors.keySet()) {
      if (n.endsWith(tail) && close.size() < 5) {
        close.add(n);
      }
    }
    return close.isEmpty() ? "; it holds " + tensors.size() + " tensors" : "; similar names: " + close;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  private static String abbreviate(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return "'" + t.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to do: the file was only read
    }
  }

  /** Reads a whole small file as UTF-8 text (for JSON companions), wrapping the IOException with the path. */
  static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(file, "does not exist", e);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read: " + e.getMessage(), e);
    }
  }
}
