package org.visualscratchpad.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The weights of a checkpoint, in one safetensors file or sharded over several with a {@code
 * model.safetensors.index.json}, read through one set of accessors.
 *
 * <p>{@link #open(Path)} accepts a {@code .safetensors} file; a folder with {@code
 * model.safetensors.index.json} (sharded; every shard it names must exist and hold the tensors the
 * index says); a folder with {@code model.safetensors}; or a folder with exactly one {@code
 * .safetensors} file.
 *
 * <pre>{@code
 * jshell> try (var ckpt = SafetensorsCheckpoint.open(Path.of("llava-1.5-7b-hf"))) {
 *    ...>   System.out.println(ckpt.names().size() + " tensors in " + ckpt.files());
 *    ...> }
 * }</pre>
 *
 * <p>Thread-safe for concurrent reads.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
  /** The index file name of sharded Hugging Face checkpoints. */
  public static final String INDEX = "model.safetensors.index.json";

  private final Path source;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> byName;

  private SafetensorsCheckpoint(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
    this.source = source;
    this.files = files;
    this.byName = byName;
  }

  /**
   * Opens a checkpoint file or folder (see the class comment for what is accepted).
   *
   * @throws CheckpointFormatException naming the file at fault
   */
  public static SafetensorsCheckpoint open(Path path) {
    if (Files.isRegularFile(path)) {
      return single(path, SafetensorsFile.open(path));
    }
    if (!Files.isDirectory(path)) {
      throw new CheckpointFormatException(path, "is neither a safetensors file nor a folder. Check the path.");
    }
    Path index = path.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      return sharded(path, index);
    }
    Path model = path.resolve("model.safetensors");
    if (Files.isRegularFile(model)) {
      return single(path, SafetensorsFile.open(model));
    }
    List<Path> candidates;
    try (Stream<Path> s = Files.list(path)) {
      candidates = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    } catch (IOException e) {
      throw new CheckpointFormatException(path, "cannot list folder: " + e.getMessage(), e);
    }
    if (candidates.size() == 1) {
      return single(path, SafetensorsFile.open(candidates.get(0)));
    }
    throw new CheckpointFormatException(path, candidates.isEmpty()
        ? "holds no .safetensors file (expected model.safetensors or " + INDEX + "). Convert .bin weights to safetensors."
        : "holds several .safetensors files " + names(candidates) + " but no " + INDEX + " saying which tensor is where.");
  }

  private static SafetensorsCheckpoint single(Path source, SafetensorsFile f) {
    Map<String, SafetensorsFile> map = new LinkedHashMap<>();
    for (String n : f.names()) {
      map.put(n, f);
    }
    return new SafetensorsCheckpoint(source, List.of(f), map);
  }

  private static SafetensorsCheckpoint sharded(Path folder, Path index) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(SafetensorsFile.readText(index));
    } catch (JsonProcessingException e) {
      throw new CheckpointFormatException(index, "is not well-formed JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode weightMap = root == null ? null : root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new CheckpointFormatException(index, "has no 'weight_map' object mapping tensor names to shard files");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String shardName = e.getValue().asText();
        Path shardPath = folder.resolve(shardName).normalize();
        if (!shardPath.startsWith(folder.normalize())) {
          throw new CheckpointFormatException(index, "names shard '" + shardName + "' outside the checkpoint folder");
        }
        SafetensorsFile shard = shards.get(shardName);
        if (shard == null) {
          if (!Files.isRegularFile(shardPath)) {
            throw new CheckpointFormatException(index, "names shard '" + shardName + "' (for tensor '" + e.getKey()
                + "') but " + shardPath + " does not exist. Download the missing shard.");
          }
          shard = SafetensorsFile.open(shardPath);
          shards.put(shardName, shard);
        }
        if (!shard.contains(e.getKey())) {
          throw new CheckpointFormatException(index, "says tensor '" + e.getKey() + "' is in " + shardName
              + ", but that shard does not hold it. The index and shards come from different checkpoints.");
        }
        byName.put(e.getKey(), shard);
      }
    } catch (RuntimeException e) {
      shards.values().forEach(SafetensorsFile::close);
      throw e;
    }
    return new SafetensorsCheckpoint(folder, new ArrayList<>(shards.values()), byName);
  }

  /** The file or folder this was opened from. */
  public Path source() {
    return source;
  }

  /** The files read (one, or the shards). */
  public List<Path> files() {
    return files.stream().map(SafetensorsFile::path).toList();
  }

  /** Every tensor name. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** True if some file holds {@code name}. */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The header entry of {@code name}. */
  public TensorInfo info(String name) {
    return file(name).info(name);
  }

  /** See {@link SafetensorsFile#floats}. */
  public float[] floats(String name) {
    return file(name).floats(name);
  }

  /** See {@link SafetensorsFile#floatMatrix}. */
  public FloatMatrix floatMatrix(String name) {
    return file(name).floatMatrix(name);
  }

  /** See {@link SafetensorsFile#longs}. */
  public long[] longs(String name) {
    return file(name).longs(name);
  }

  /** See {@link SafetensorsFile#ints}. */
  public int[] ints(String name) {
    return file(name).ints(name);
  }

  /** See {@link SafetensorsFile#readBytes}. */
  public void readBytes(String name, long offset, ByteBuffer dst) {
    file(name).readBytes(name, offset, dst);
  }

  /** See {@link SafetensorsFile#byteBuffer}. */
  public ByteBuffer byteBuffer(String name) {
    return file(name).byteBuffer(name);
  }

  /** The metadata of the first file. */
  public Map<String, String> metadata() {
    return files.get(0).metadata();
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile f = byName.get(name);
    if (f == null) {
      throw new CheckpointFormatException(source, "has no tensor '" + name + "' (" + byName.size()
          + " tensors in " + names(files()) + "). Is this the right checkpoint?");
    }
    return f;
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }

  @Override
  public String toString() {
    return "SafetensorsCheckpoint[" + source + ", " + files.size() + " file(s), " + byName.size() + " tensors]";
  }

  private static String names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList().toString();
  }
}
