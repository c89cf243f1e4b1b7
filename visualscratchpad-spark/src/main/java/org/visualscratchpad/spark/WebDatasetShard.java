package org.visualscratchpad.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The samples of one WebDataset tar shard, streamed in file order: a sample is the run of
 * consecutive members that share a key (the member's path up to the first dot of its file name:
 * {@code n01440764/000123.jpg} and {@code n01440764/000123.cls} are sample {@code n01440764/000123}).
 * Its image is the {@code .jpg}/{@code .jpeg}/{@code .png}/{@code .bmp}/{@code .gif}/{@code .tif(f)}
 * member (the image id is the key with that extension, e.g. {@code n01440764/000123.jpg}); its label the
 * text of {@code .cls}, else {@code .txt}, else {@code .json} (its {@code label} field, or the JSON
 * value itself when it is a string or number). A sample without an image, an image member over the
 * size limit, and a shard that ends in the middle (a truncated or corrupt tar) are returned as
 * problem records, which the job lists in {@code skipped.txt}; members are never all held in memory.
 */
final class WebDatasetShard implements Iterator<ImageRecord>, AutoCloseable {
  static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

  private final Path shard;
  private final String name;
  private final long maxBytes;
  private final boolean headersOnly;
  private final InputStream file;
  private final TarArchiveInputStream tar;
  private final ArrayDeque<ImageRecord> ready = new ArrayDeque<>();
  private boolean ended;
  private int samples;

  // the sample being collected
  private String key;
  private String imageExt;
  private byte[] image;
  private String imageProblem;
  private String cls;
  private String txt;
  private String json;

  /**
   * @param headersOnly read member names only (the job's first pass over the ids): records carry no bytes
   */
  WebDatasetShard(Path shard, long maxBytes, boolean headersOnly) throws IOException {
    this.shard = shard;
    this.name = shard.toString();
    this.maxBytes = maxBytes;
    this.headersOnly = headersOnly;
    this.file = new BufferedInputStream(Files.newInputStream(shard), 1 << 16);
    this.tar = new TarArchiveInputStream(file);
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && !ended) {
      step();
    }
    return !ready.isEmpty();
  }

  @Override
  public ImageRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void step() {
    TarArchiveEntry entry;
    try {
      entry = tar.getNextEntry();
    } catch (IOException | RuntimeException e) {
      finishSample();
      ready.add(ImageRecord.problem(name + ":<after sample " + samples + ">", name,
          "unreadable tar shard after " + samples + " samples (truncated or corrupt): " + e.getMessage()));
      end();
      return;
    }
    if (entry == null) {
      finishSample();
      end();
      return;
    }
    if (!entry.isFile()) {
      return;
    }
    String member = entry.getName();
    int slash = member.lastIndexOf('/');
    int dot = member.indexOf('.', slash + 1);
    String k = dot < 0 ? member : member.substring(0, dot);
    String ext = dot < 0 ? "" : member.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (key != null && !key.equals(k)) {
      finishSample();
    }
    key = k;
    try {
      if (IMAGE_EXTENSIONS.contains(ext) && imageExt == null) {
        imageExt = member.substring(dot + 1);
        if (headersOnly) {
          return;
        }
        if (entry.getSize() > maxBytes) {
          imageProblem = String.format(Locale.ROOT, "image file too large (%d bytes; the limit is %d)", entry.getSize(),
              maxBytes);
        } else {
          image = tar.readAllBytes();
        }
      } else if (!headersOnly && (ext.equals("cls") || ext.equals("txt") || ext.equals("json"))
          && entry.getSize() <= 1 << 20) {
        String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8).strip();
        switch (ext) {
          case "cls" -> cls = text;
          case "txt" -> txt = text;
          default -> json = text;
        }
      }
    } catch (IOException | RuntimeException e) {
      image = null;
      imageProblem = null;
      ready.add(ImageRecord.problem(name + ":" + member, name + ":" + member,
          "unreadable tar shard after " + samples + " samples (truncated or corrupt): " + e.getMessage()));
      key = null;
      imageExt = null;
      end();
    }
  }

  private void finishSample() {
    if (key == null) {
      return;
    }
    samples++;
    String source = name + ":" + key + (imageExt == null ? "" : "." + imageExt);
    if (imageExt == null) {
      ready.add(ImageRecord.problem(key, source, "WebDataset sample without an image member (.jpg, .jpeg, .png, ...)"));
    } else if (headersOnly) {
      ready.add(ImageRecord.problem(key + "." + imageExt, source, null));
    } else if (imageProblem != null) {
      ready.add(ImageRecord.problem(key + "." + imageExt, source, imageProblem));
    } else {
      ready.add(ImageRecord.ofBytes(key + "." + imageExt, label(), source, image));
    }
    key = null;
    imageExt = null;
    image = null;
    imageProblem = null;
    cls = null;
    txt = null;
    json = null;
  }

  private String label() {
    if (cls != null) {
      return cls;
    }
    if (txt != null) {
      return txt;
    }
    if (json != null) {
      try {
        JsonNode n = new ObjectMapper().readTree(json);
        if (n.isObject() && n.has("label")) {
          return n.get("label").asText();
        }
        if (n.isValueNode()) {
          return n.asText();
        }
      } catch (IOException e) {
        return "";
      }
    }
    return "";
  }

  private void end() {
    ended = true;
    close();
  }

  /** The shard's path. */
  Path shard() {
    return shard;
  }

  @Override
  public void close() {
    try {
      tar.close();
    } catch (IOException ignored) {
      // reading is over either way
    }
  }
}
