package org.visualscratchpad.sae.format;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.safetensors.DType;

/**
 * A restricted reader of {@code torch.save} zip files (PyTorch 1.6+): it interprets the pickle
 * opcodes {@code torch.save} emits (protocols 2 to 5) as data only. Tensors become {@link Tensor}
 * (a storage reference, offset, size, stride), {@code dict}/{@code OrderedDict} a {@link
 * LinkedHashMap}, lists a {@link List}, tuples a {@link Tuple}, and any other class or function a
 * {@link Opaque} value that records its name, arguments and state. <b>Nothing is ever imported or
 * executed</b>: an unknown callable such as {@code os.system} is kept as a name.
 *
 * <pre>{@code
 * jshell> try (var ckpt = TorchPickle.open(Path.of("sae.pt"))) { System.out.println(ckpt.root()); }
 * {cfg=Opaque[patchsae.config.Config ...], state_dict={W_enc=Tensor[F32 [16, 48] ...], ...}}
 * }</pre>
 *
 * <p>Not thread-safe; close it to release the zip file.
 */
public final class TorchPickle implements AutoCloseable {
  private final Path path;
  private final ZipFile zip;
  private final String prefix;
  private final Object root;

  /** A Python global ({@code module.name}) named by the pickle, never resolved. */
  public record Global(String module, String name) {
    public String qualified() {
      return module + "." + name;
    }

    @Override
    public String toString() {
      return qualified();
    }
  }

  /** A Python tuple. */
  public record Tuple(List<Object> items) {
    public Tuple {
      items = java.util.Collections.unmodifiableList(new ArrayList<>(items));
    }

    @Override
    public String toString() {
      return "(" + items.toString().substring(1, items.toString().length() - 1) + ")";
    }
  }

  /** An object of a class this reader does not interpret: its class, constructor arguments and state. */
  public static final class Opaque {
    private final Global type;
    private final Tuple args;
    private Object state;

    Opaque(Global type, Tuple args) {
      this.type = type;
      this.args = args;
    }

    public Global type() {
      return type;
    }

    public Tuple args() {
      return args;
    }

    /** The state given by BUILD (usually the instance {@code __dict__}), or null. */
    public Object state() {
      return state;
    }

    @Override
    public String toString() {
      return "Opaque[" + type + (args.items().isEmpty() ? "" : " args " + args)
          + (state == null ? "" : " state " + state) + "]";
    }
  }

  /** A storage record of the zip ({@code data/KEY}). */
  public record Storage(DType dtype, String key, String location, long numel) {}

  /** A tensor: a view of a storage. */
  public record Tensor(Storage storage, long offset, long[] size, long[] stride) {
    public long numel() {
      long n = 1;
      for (long s : size) {
        n *= s;
      }
      return n;
    }

    /** The shape as a list. */
    public List<Long> shape() {
      return Arrays.stream(size).boxed().toList();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && t.storage.equals(storage) && t.offset == offset && Arrays.equals(t.size, size)
          && Arrays.equals(t.stride, stride);
    }

    @Override
    public int hashCode() {
      return Objects.hash(storage, offset, Arrays.hashCode(size), Arrays.hashCode(stride));
    }

    @Override
    public String toString() {
      return "Tensor[" + storage.dtype() + " " + Arrays.toString(size) + "]";
    }
  }

  private TorchPickle(Path path) {
    this.path = path;
    ZipFile z;
    try {
      z = new ZipFile(path.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(path, "is not a torch.save zip file (" + e.getMessage() + "). PyTorch "
          + "checkpoints written before 1.6 (legacy format) are not supported: re-save with torch.save in a "
          + "current PyTorch.", e);
    }
    this.zip = z;
    try {
      ZipEntry pkl = z.stream().filter(e -> e.getName().endsWith("data.pkl")
          && e.getName().indexOf('/') == e.getName().length() - "data.pkl".length() - 1).findFirst().orElse(null);
      if (pkl == null) {
        throw new CheckpointFormatException(path, "holds no <archive>/data.pkl entry; it is not a torch.save file.");
      }
      this.prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      ZipEntry order = z.getEntry(prefix + "byteorder");
      if (order != null) {
        String bo = new String(readEntry(order), StandardCharsets.US_ASCII).strip();
        if (!bo.equals("little")) {
          throw new CheckpointFormatException(path, "byteorder (" + bo + ") must be little. Re-save the "
              + "checkpoint on a little-endian machine.");
        }
      }
      this.root = new Machine(readEntry(pkl)).run();
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  /** Opens and parses {@code path}; tensor data is read on demand. */
  public static TorchPickle open(Path path) {
    return new TorchPickle(path);
  }

  /** The unpickled root object. */
  public Object root() {
    return root;
  }

  /** The tensor's elements widened to float32, in row-major order of its size (any strides). */
  public float[] floats(Tensor t, String name) {
    DType dt = t.storage().dtype();
    if (dt != DType.F32 && dt != DType.F16 && dt != DType.BF16 && dt != DType.F64) {
      throw new CheckpointFormatException(path, "tensor " + name + " is " + dt + ", not floating point.");
    }
    ZipEntry e = zip.getEntry(prefix + "data/" + t.storage().key());
    if (e == null) {
      throw new CheckpointFormatException(path, "tensor " + name + " refers to storage data/" + t.storage().key()
          + ", which the zip does not hold. The file is truncated or not a torch.save file.");
    }
    ByteBuffer b = ByteBuffer.wrap(readEntry(e)).order(ByteOrder.LITTLE_ENDIAN);
    int es = dt.byteSize();
    long storageElems = b.capacity() / es;
    long n = t.numel();
    long maxIndex = t.offset();
    for (int d = 0; d < t.size().length; d++) {
      if (t.size()[d] > 0) {
        maxIndex += (t.size()[d] - 1) * t.stride()[d];
      }
    }
    if (n > 0 && (t.offset() < 0 || maxIndex >= storageElems)) {
      throw new CheckpointFormatException(path, "tensor " + name + " " + Arrays.toString(t.size())
          + " reaches element " + maxIndex + " of storage data/" + t.storage().key() + ", which holds "
          + storageElems + ". The file is truncated or corrupt.");
    }
    float[] out = new float[Math.toIntExact(n)];
    int rank = t.size().length;
    long[] idx = new long[rank];
    for (int i = 0; i < out.length; i++) {
      long at = t.offset();
      for (int d = 0; d < rank; d++) {
        at += idx[d] * t.stride()[d];
      }
      int pos = Math.toIntExact(at * es);
      out[i] = switch (dt) {
        case F32 -> b.getFloat(pos);
        case F64 -> (float) b.getDouble(pos);
        case F16 -> org.visualscratchpad.safetensors.Half.f16ToFloat(b.getShort(pos));
        default -> org.visualscratchpad.safetensors.Half.bf16ToFloat(b.getShort(pos));
      };
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < t.size()[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  private byte[] readEntry(ZipEntry e) {
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    } catch (IOException | RuntimeException ex) {
      throw new CheckpointFormatException(path, "cannot read zip entry " + e.getName() + " (" + ex.getMessage()
          + "). The file is truncated or corrupt.", ex);
    }
  }

  private void closeQuietly() {
    try {
      zip.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }

  private static DType storageDtype(String storageClass) {
    switch (storageClass) {
      case "FloatStorage": return DType.F32;
      case "HalfStorage": return DType.F16;
      case "BFloat16Storage": return DType.BF16;
      case "DoubleStorage": return DType.F64;
      case "LongStorage": return DType.I64;
      case "IntStorage": return DType.I32;
      case "ShortStorage": return DType.I16;
      case "CharStorage": return DType.I8;
      case "ByteStorage": return DType.U8;
      case "BoolStorage": return DType.BOOL;
      default: return null;
    }
  }

  /** The pickle virtual machine, restricted to data-building opcodes. */
  private final class Machine {
    private static final Object MARK = new Object();
    private final ByteBuffer in;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    Machine(byte[] data) {
      this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private CheckpointFormatException bad(String what) {
      return new CheckpointFormatException(path, "data.pkl " + what + " (at byte " + in.position()
          + "). The file is not a torch.save checkpoint this reader understands.");
    }

    private Object pop() {
      if (stack.isEmpty()) {
        throw bad("pops from an empty stack");
      }
      return stack.remove(stack.size() - 1);
    }

    private Object top() {
      if (stack.isEmpty()) {
        throw bad("reads an empty stack");
      }
      return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
      if (marks.isEmpty()) {
        throw bad("closes a MARK that was never opened");
      }
      int m = marks.remove(marks.size() - 1);
      if (m > stack.size()) {
        throw bad("closes a MARK at stack depth " + m + " after items below it were consumed (depth now "
            + stack.size() + ")");
      }
      List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
      stack.subList(m, stack.size()).clear();
      return items;
    }

    private byte[] bytes(long n) {
      if (n < 0 || n > in.remaining()) {
        throw bad("declares " + n + " bytes but only " + in.remaining() + " remain");
      }
      byte[] b = new byte[(int) n];
      in.get(b);
      return b;
    }

    private String line() {
      StringBuilder sb = new StringBuilder();
      while (in.hasRemaining()) {
        char c = (char) (in.get() & 0xff);
        if (c == '\n') {
          return sb.toString();
        }
        sb.append(c);
      }
      throw bad("ends inside a GLOBAL name");
    }

    Object run() {
      try {
        while (true) {
          if (!in.hasRemaining()) {
            throw bad("ends without STOP");
          }
          int op = in.get() & 0xff;
          switch (op) {
            case 0x80 -> in.get(); // PROTO
            case 0x95 -> in.getLong(); // FRAME
            case '.' -> {
              return pop();
            }
            case '(' -> marks.add(stack.size());
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> stack.add(top());
            case 'J' -> stack.add((long) in.getInt());
            case 'K' -> stack.add((long) (in.get() & 0xff));
            case 'M' -> stack.add((long) (in.getShort() & 0xffff));
            case 0x8a -> stack.add(longValue(bytes(in.get() & 0xff)));
            case 0x8b -> stack.add(longValue(bytes(in.getInt())));
            case 'N' -> stack.add(null);
            case 0x88 -> stack.add(Boolean.TRUE);
            case 0x89 -> stack.add(Boolean.FALSE);
            case 'G' -> {
              double d = in.order(ByteOrder.BIG_ENDIAN).getDouble(); // BINFLOAT is big-endian
              in.order(ByteOrder.LITTLE_ENDIAN);
              stack.add(d);
            }
            case 'X' -> stack.add(new String(bytes(in.getInt() & 0xffffffffL), StandardCharsets.UTF_8));
            case 0x8c -> stack.add(new String(bytes(in.get() & 0xff), StandardCharsets.UTF_8));
            case 0x8d -> stack.add(new String(bytes(in.getLong()), StandardCharsets.UTF_8));
            case 'T' -> stack.add(new String(bytes(in.getInt()), StandardCharsets.ISO_8859_1));
            case 'U' -> stack.add(new String(bytes(in.get() & 0xff), StandardCharsets.ISO_8859_1));
            case 'B' -> stack.add(bytes(in.getInt() & 0xffffffffL));
            case 'C' -> stack.add(bytes(in.get() & 0xff));
            case 0x8e -> stack.add(bytes(in.getLong()));
            case ')' -> stack.add(new Tuple(List.of()));
            case 't' -> stack.add(new Tuple(popMark()));
            case 0x85 -> stack.add(new Tuple(java.util.Collections.singletonList(pop())));   // may hold None (null)
            case 0x86 -> {
              Object b = pop();
              Object a = pop();
              stack.add(new Tuple(Arrays.asList(a, b)));
            }
            case 0x87 -> {
              Object c = pop();
              Object b = pop();
              Object a = pop();
              stack.add(new Tuple(Arrays.asList(a, b, c)));
            }
            case ']' -> stack.add(new ArrayList<>());
            case 'l' -> stack.add(new ArrayList<>(popMark()));
            case 'a' -> {
              Object v = pop();
              asList(top()).add(v);
            }
            case 'e' -> {
              List<Object> items = popMark();
              asList(top()).addAll(items);
            }
            case '}' -> stack.add(new LinkedHashMap<>());
            case 'd' -> {
              List<Object> items = popMark();
              Map<Object, Object> m = new LinkedHashMap<>();
              putPairs(m, items);
              stack.add(m);
            }
            case 's' -> {
              Object v = pop();
              Object k = pop();
              asMap(top()).put(k, v);
            }
            case 'u' -> {
              List<Object> items = popMark();
              putPairs(asMap(top()), items);
            }
            case 0x8f -> stack.add(new LinkedHashSet<>());
            case 0x90 -> {
              List<Object> items = popMark();
              if (!(top() instanceof java.util.Set)) {
                throw bad("ADDITEMS to a non-set");
              }
              @SuppressWarnings("unchecked")
              java.util.Set<Object> s = (java.util.Set<Object>) top();
              s.addAll(items);
            }
            case 0x91 -> stack.add(new LinkedHashSet<>(popMark()));
            case 'c' -> {
              String module = line();
              stack.add(new Global(module, line()));
            }
            case 0x93 -> {
              Object name = pop();
              Object module = pop();
              stack.add(new Global(String.valueOf(module), String.valueOf(name)));
            }
            case 'R' -> {
              Object args = pop();
              Object callable = pop();
              stack.add(reduce(callable, args));
            }
            case 0x81 -> {
              Object args = pop();
              Object cls = pop();
              stack.add(newObject(cls, args));
            }
            case 0x92 -> {
              pop(); // kwargs
              Object args = pop();
              Object cls = pop();
              stack.add(newObject(cls, args));
            }
            case 'b' -> {
              Object state = pop();
              build(top(), state);
            }
            case 'q' -> memo.put(in.get() & 0xff, top());
            case 'r' -> memo.put(in.getInt(), top());
            case 0x94 -> memo.put(memo.size(), top());
            case 'h' -> stack.add(memoGet(in.get() & 0xff));
            case 'j' -> stack.add(memoGet(in.getInt()));
            case 'Q' -> stack.add(persistent(pop()));
            default -> throw bad(String.format("uses opcode 0x%02x ('%c'), which torch.save does not emit", op,
                (char) op));
          }
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw bad("ends in the middle of an instruction (truncated)");
      }
    }

    private Object memoGet(int key) {
      if (!memo.containsKey(key)) {
        throw bad("reads memo slot " + key + ", which was never written");
      }
      return memo.get(key);
    }

    private Object longValue(byte[] le) {
      if (le.length == 0) {
        return 0L;
      }
      byte[] be = new byte[le.length];
      for (int i = 0; i < le.length; i++) {
        be[i] = le[le.length - 1 - i];
      }
      BigInteger v = new BigInteger(be);
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
      if (o instanceof List<?> l) {
        return (List<Object>) l;
      }
      throw bad("appends to a " + describe(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
      if (o instanceof Map<?, ?> m) {
        return (Map<Object, Object>) m;
      }
      throw bad("sets an item of a " + describe(o) + ", not a dict");
    }

    private String describe(Object o) {
      return o == null ? "None" : o instanceof Opaque op ? op.type().qualified() : o.getClass().getSimpleName();
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) {
      if (items.size() % 2 != 0) {
        throw bad("builds a dict from an odd number of items");
      }
      for (int i = 0; i < items.size(); i += 2) {
        m.put(items.get(i), items.get(i + 1));
      }
    }

    private List<Object> argList(Object args) {
      if (args instanceof Tuple t) {
        return t.items();
      }
      throw bad("calls with arguments that are not a tuple");
    }

    private Object reduce(Object callable, Object args) {
      List<Object> a = argList(args);
      if (!(callable instanceof Global g)) {
        return new Opaque(new Global("?", describe(callable)), new Tuple(a));
      }
      switch (g.qualified()) {
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor":
          return tensor(a);
        case "torch._utils._rebuild_parameter":
        case "torch._utils._rebuild_parameter_with_state":
          return a.isEmpty() ? null : a.get(0);
        case "collections.OrderedDict":
        case "builtins.dict": {
          Map<Object, Object> m = new LinkedHashMap<>();
          if (!a.isEmpty() && a.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
              if (p instanceof Tuple t && t.items().size() == 2) {
                m.put(t.items().get(0), t.items().get(1));
              }
            }
          }
          return m;
        }
        default:
          return new Opaque(g, new Tuple(a)); // never resolved, never called
      }
    }

    private Object newObject(Object cls, Object args) {
      List<Object> a = argList(args);
      if (cls instanceof Global g && g.qualified().equals("collections.OrderedDict")) {
        return new LinkedHashMap<>();
      }
      Global type = cls instanceof Global g ? g : new Global("?", describe(cls));
      return new Opaque(type, new Tuple(a));
    }

    private void build(Object target, Object state) {
      if (target instanceof Opaque o) {
        o.state = state;
      } else if (target instanceof Map<?, ?> && state instanceof Map<?, ?> s) {
        asMap(target).putAll(s); // OrderedDict subclasses carry their __dict__ here; harmless
      }
      // tensors and plain containers: state (e.g. hooks) carries nothing we need
    }

    private Tensor tensor(List<Object> a) {
      if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
        throw bad("rebuilds a tensor from arguments " + a + " (expected storage, offset, size, stride)");
      }
      long offset = toLong(a.get(1));
      long[] size = longs(a.get(2));
      long[] stride = longs(a.get(3));
      if (size.length != stride.length) {
        throw bad("rebuilds a tensor of size " + Arrays.toString(size) + " with stride " + Arrays.toString(stride)
            + " (one stride per dimension expected)");
      }
      if (offset < 0 || Arrays.stream(size).anyMatch(v -> v < 0) || Arrays.stream(stride).anyMatch(v -> v < 0)) {
        throw bad("rebuilds a tensor with a negative offset, size or stride (offset " + offset + ", size "
            + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ")");
      }
      return new Tensor(s, offset, size, stride);
    }

    private long toLong(Object o) {
      if (o instanceof Long l) {
        return l;
      }
      throw bad("expects an integer, found " + describe(o));
    }

    private long[] longs(Object o) {
      List<Object> items = o instanceof Tuple t ? t.items() : o instanceof List<?> l ? new ArrayList<>(l) : null;
      if (items == null) {
        throw bad("expects a tuple of integers, found " + describe(o));
      }
      long[] out = new long[items.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = toLong(items.get(i));
      }
      return out;
    }

    private Storage persistent(Object pid) {
      List<Object> p = pid instanceof Tuple t ? t.items() : null;
      if (p == null || p.size() < 5 || !"storage".equals(p.get(0)) || !(p.get(1) instanceof Global type)) {
        throw bad("has a persistent id " + pid + " that is not ('storage', type, key, location, numel)");
      }
      DType dt = storageDtype(type.name());
      if (dt == null) {
        throw bad("stores a tensor as " + type + ", which this reader does not support");
      }
      return new Storage(dt, String.valueOf(p.get(2)), String.valueOf(p.get(3)), toLong(p.get(4)));
    }
  }
}
