package org.visualscratchpad.torch.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.visualscratchpad.CheckpointFormatException;

/**
 * The weights of one checkpoint, loaded tensor by tensor into a long-lived {@link NDManager} owned
 * by the model (closed by the model's {@code close()}). Names are normalised so that the Hub's
 * legacy layout ({@code language_model.model.*}) and the newer one ({@code
 * model.language_model.*}) read alike; weights the model never asks for are ignored.
 *
 * <p>Each tensor is widened to float32 in Java one at a time (F16 and BF16 never reach DJL), so
 * loading holds at most one extra tensor beside the weights. Not thread-safe; used while loading.
 */
public final class Weights implements AutoCloseable {
  private final Path folder;
  private final TensorSource source;
  private final NDManager manager;
  private final Map<String, String> canonicalToStored = new LinkedHashMap<>();

  private Weights(Path folder, TensorSource source, NDManager manager) {
    this.folder = folder;
    this.source = source;
    this.manager = manager;
    for (String stored : source.names()) {
      canonicalToStored.putIfAbsent(canonical(stored), stored);
    }
  }

  /**
   * Opens the safetensors weights of {@code folder} (single file or sharded) for loading into
   * {@code manager}.
   *
   * @throws CheckpointFormatException if no weights are found or a shard is missing
   */
  public static Weights open(Path folder, NDManager manager) {
    return new Weights(folder, TensorSource.open(folder), manager);
  }

  /** Opens {@code folder}'s weights for {@link #raw} access only (no NDArrays). */
  public static Weights open(Path folder) {
    return new Weights(folder, TensorSource.open(folder), null);
  }

  /**
   * The canonical name of a stored key: a leading {@code model.} before {@code vision_tower},
   * {@code multi_modal_projector}, {@code image_newline} or {@code language_model} is dropped,
   * {@code language_model.model.} becomes {@code language_model.}, and {@code
   * language_model.lm_head.} becomes {@code lm_head.}.
   */
  static String canonical(String key) {
    String k = key;
    if (k.startsWith("model.")) {
      String rest = k.substring("model.".length());
      if (rest.startsWith("vision_tower") || rest.startsWith("multi_modal_projector")
          || rest.startsWith("image_newline") || rest.startsWith("language_model")) {
        k = rest;
      }
    }
    if (k.startsWith("language_model.model.")) {
      k = "language_model." + k.substring("language_model.model.".length());
    } else if (k.startsWith("language_model.lm_head.")) {
      k = "lm_head." + k.substring("language_model.lm_head.".length());
    }
    return k;
  }

  /** Whether a tensor with this canonical name exists. */
  public boolean has(String name) {
    return canonicalToStored.containsKey(name);
  }

  /**
   * Loads tensor {@code name} (canonical) as float32, checking its shape.
   *
   * @param expectedShape the expected shape
   * @throws CheckpointFormatException naming the file and tensor if it is missing or has another shape
   */
  public NDArray load(String name, long... expectedShape) {
    String stored = storedName(name, expectedShape);
    return source.load(manager, stored, expectedShape);
  }

  /**
   * Tensor {@code name} (canonical) as stored: its mapped bytes (little-endian) and dtype, checking its
   * shape. Release the bytes with {@link #release} once copied.
   *
   * @throws CheckpointFormatException naming the file and tensor if it is missing or has another shape
   */
  public RawTensor raw(String name, long... expectedShape) {
    String stored = storedName(name, expectedShape);
    return new RawTensor(source.bytes(stored), source.dtype(stored), expectedShape.clone(), source.fileOf(stored),
        stored);
  }

  /**
   * Tensor {@code name} (canonical) for reading with positional reads (nothing mapped), checking its shape.
   *
   * @throws CheckpointFormatException naming the file and tensor if it is missing or has another shape
   */
  public StoredTensor stored(String name, long... expectedShape) {
    String stored = storedName(name, expectedShape);
    var info = source.info(stored);
    return new StoredTensor(info.dtype(), expectedShape.clone(), info.byteLength(), source.fileOf(stored), stored,
        (offset, dst) -> source.readBytes(stored, offset, dst));
  }

  /** Reads bytes of one tensor: {@code dst.remaining()} bytes from byte {@code offset} of its data. */
  @FunctionalInterface
  public interface ByteReader {
    void read(long offset, java.nio.ByteBuffer dst);
  }

  /**
   * A stored tensor read on demand.
   *
   * @param byteLength bytes of its data
   * @param file the file holding it (or the folder of a sharded checkpoint), for messages
   * @param storedName its key in the file
   * @param reader reads ranges of its bytes (thread-safe)
   */
  public record StoredTensor(org.visualscratchpad.safetensors.DType dtype, long[] shape, long byteLength, Path file,
      String storedName, ByteReader reader) {}

  /** Unmaps bytes returned by {@link #raw}; they must not be used afterwards. */
  public static void release(RawTensor t) {
    Unmapper.release(t.bytes());
  }

  /**
   * A stored tensor: mapped bytes, dtype and shape.
   *
   * @param file the file holding it (or the folder of a sharded checkpoint), for messages
   * @param storedName its key in the file
   */
  public record RawTensor(java.nio.ByteBuffer bytes, org.visualscratchpad.safetensors.DType dtype, long[] shape,
      Path file, String storedName) {}

  /** The dtype and shape of every tensor, by stored name (read from the headers only). */
  public Map<String, org.visualscratchpad.safetensors.TensorInfo> headers() {
    Map<String, org.visualscratchpad.safetensors.TensorInfo> out = new LinkedHashMap<>();
    for (String n : source.names()) {
      out.put(n, source.info(n));
    }
    return out;
  }

  private String storedName(String name, long[] expectedShape) {
    String stored = canonicalToStored.get(name);
    if (stored == null) {
      throw new CheckpointFormatException(folder, "tensor " + name + " is missing (" + source.names().size()
          + " tensors present). The checkpoint is incomplete or of another model type.");
    }
    long[] shape = source.shape(stored);
    if (!Arrays.equals(shape, expectedShape)) {
      throw new CheckpointFormatException(source.fileOf(stored), "tensor " + stored + " has shape "
          + Arrays.toString(shape) + " but config.json implies " + Arrays.toString(expectedShape)
          + ". The weights do not belong to this config.json.");
    }
    return stored;
  }

  /** The model folder. */
  public Path folder() {
    return folder;
  }

  @Override
  public void close() {
    source.close();
  }
}
