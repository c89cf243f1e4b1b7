package org.visualscratchpad.sae.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;

/**
 * The identity of a model folder or an SAE: the SHA-256 of each file that decides its outputs
 * ({@code config.json} and the {@code *.safetensors} weights of a model; every file of an SAE
 * folder, or the SAE file itself), by name relative to the root.
 *
 * <pre>{@code
 * jshell> FileIdentity.ofModel(Path.of("shapesworld/model"))
 * $1 ==> FileIdentity[config.json=3f2a9c01..., model.safetensors=8be0d4a7...]
 * }</pre>
 *
 * <p>Hashes are cached per (path, size, modification time), so hashing the same multi-gigabyte
 * checkpoint twice in one process reads it once.
 *
 * @param sha256 file name (relative, with {@code /}) to lower-case hex SHA-256, in name order
 */
public record FileIdentity(Map<String, String> sha256) {
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  public FileIdentity {
    sha256 = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
  }

  /** {@code config.json} and the {@code .safetensors} weight files of a model folder. */
  public static FileIdentity ofModel(Path modelDir) {
    List<Path> files = new ArrayList<>();
    Path config = modelDir.resolve("config.json");
    if (Files.isRegularFile(config)) {
      files.add(config);
    }
    files.addAll(list(modelDir).stream().filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList());
    if (files.isEmpty()) {
      throw new CheckpointFormatException(modelDir, "model folder has neither config.json nor .safetensors "
          + "weights to identify it. Pass the Hugging Face model folder the scratchpad was loaded from.");
    }
    return of(modelDir, files);
  }

  /** Every regular file of an SAE folder (recursively), or the SAE file itself. */
  public static FileIdentity ofSae(Path sae) {
    if (Files.isRegularFile(sae)) {
      return of(sae.getParent() == null ? Path.of("") : sae.getParent(), List.of(sae));
    }
    try (Stream<Path> walk = Files.walk(sae)) {
      return of(sae, walk.filter(Files::isRegularFile).sorted().toList());
    } catch (IOException e) {
      throw new CheckpointFormatException(sae, "cannot list the SAE's files: " + e.getMessage(), e);
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot list the folder: " + e.getMessage(), e);
    }
  }

  private static FileIdentity of(Path root, List<Path> files) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Path f : files) {
      m.put(root.relativize(f).toString().replace('\\', '/'), sha256(f));
    }
    return new FileIdentity(m);
  }

  /** The lower-case hex SHA-256 of one file (cached by path, size and modification time). */
  public static String sha256(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      String key = file.toAbsolutePath().normalize() + "|" + a.size() + "|" + a.lastModifiedTime().toMillis();
      String cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      String hex = HexFormat.of().formatHex(md.digest());
      CACHE.put(key, hex);
      return hex;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read the file to hash it: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * The first difference from {@code expected}, as a sentence naming the file, or null if equal.
   *
   * @param what e.g. {@code "model"} or {@code "SAE"}
   */
  String difference(FileIdentity expected, String what) {
    for (var e : expected.sha256.entrySet()) {
      String actual = sha256.get(e.getKey());
      if (actual == null) {
        return what + " file " + e.getKey() + " is missing from the loaded " + what + " (the session recorded it)";
      }
      if (!actual.equals(e.getValue())) {
        return what + " file " + e.getKey() + " has SHA-256 " + actual + " but the session recorded " + e.getValue();
      }
    }
    for (String name : sha256.keySet()) {
      if (!expected.sha256.containsKey(name)) {
        return what + " file " + name + " is not among the files the session recorded " + expected.sha256.keySet();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FileIdentity[");
    sha256.forEach((k, v) -> sb.append(sb.length() > 13 ? ", " : "").append(k).append('=').append(v, 0, 8).append("..."));
    return sb.append(']').toString();
  }
}
