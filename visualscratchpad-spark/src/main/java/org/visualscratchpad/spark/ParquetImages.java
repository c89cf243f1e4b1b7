package org.visualscratchpad.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.visualscratchpad.InvalidInputException;

/**
 * Images from Parquet files as Hugging Face {@code datasets} writes them ({@code
 * Dataset.to_parquet}, the Hub's Parquet exports): an {@code Image} feature is a struct of {@code
 * bytes} (binary) and {@code path} (string), a {@code ClassLabel} is an integer whose names are in the
 * files' {@code huggingface} key-value metadata. The image id is the id column when given, else the
 * struct's {@code path}, else {@code sha256:<hex>} of the bytes (independent of files and partitions).
 */
final class ParquetImages implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> labelNames; // ClassLabel names, or empty

  private ParquetImages(List<String> labelNames) {
    this.labelNames = labelNames;
  }

  /** The rows as (id, bytes, label, file), checked against the schema, and the label names. */
  record Selected(Dataset<Row> rows, ParquetImages names) {
    /** The records the job encodes. */
    JavaRDD<ImageRecord> records(long maxBytes) {
      ParquetImages n = names;
      return rows.javaRDD().map(row -> n.record(row, maxBytes));
    }

    /** The image ids alone (the job's first pass: uniqueness and the count). */
    JavaRDD<String> ids() {
      return rows.select("id").javaRDD().map(row -> row.isNullAt(0) ? "" : row.getString(0));
    }
  }

  static Selected select(SparkSession spark, DatasetSource.Parquet source) {
    Dataset<Row> df = spark.read().parquet(source.paths().toArray(String[]::new));
    StructType schema = df.schema();
    String image = source.imageColumn();
    StructField field = find(schema, image, source);
    DataType type = field.dataType();
    Column bytes;
    Column path;
    if (type instanceof BinaryType) {
      bytes = functions.col(image);
      path = functions.lit(null).cast("string");
    } else if (type instanceof StructType st && has(st, "bytes") && st.apply("bytes").dataType() instanceof BinaryType) {
      bytes = functions.col(image + ".bytes");
      path = has(st, "path") ? functions.col(image + ".path").cast("string") : functions.lit(null).cast("string");
    } else {
      throw new InvalidInputException("column " + image + " of " + source.paths() + " is " + type.simpleString()
          + "; it must be binary or a struct with a binary field bytes (a Hugging Face Image feature). Choose the "
          + "image column with --image-column");
    }
    Column given = source.idColumn() == null ? path : functions.col(find(schema, source.idColumn(), source).name()).cast("string");
    // the id: the given one, else the SHA-256 of the bytes (null when there are no bytes either)
    Column id = functions.coalesce(functions.nullif(given, functions.lit("")),
        functions.concat(functions.lit("sha256:"), functions.sha2(bytes, 256)));
    String labelColumn = source.labelColumn();
    boolean labelled = labelColumn != null && has(schema, labelColumn);
    Column label = labelled ? functions.col(labelColumn).cast("string") : functions.lit("");
    Dataset<Row> rows = df.select(id.as("id"), bytes.as("bytes"), label.as("label"),
        functions.input_file_name().as("file"));
    return new Selected(rows, new ParquetImages(labelled ? classLabelNames(spark, source, labelColumn) : List.of()));
  }

  private ImageRecord record(Row row, long maxBytes) {
    byte[] bytes = row.isNullAt(1) ? null : (byte[]) row.get(1);
    String file = row.isNullAt(3) ? "?" : row.getString(3);
    if (row.isNullAt(0)) {
      return ImageRecord.problem("?", file + ":<row without image bytes or id>", "no image bytes");
    }
    String id = row.getString(0);
    String source = file + ":" + id;
    if (bytes == null) {
      return ImageRecord.problem(id, source, "no image bytes (null)");
    }
    if (bytes.length > maxBytes) {
      return ImageRecord.problem(id, source, "image file too large (" + bytes.length + " bytes; the limit is " + maxBytes + ")");
    }
    String label = row.isNullAt(2) ? "" : row.getString(2);
    if (!labelNames.isEmpty() && !label.isEmpty()) {
      try {
        int k = Integer.parseInt(label);
        if (k >= 0 && k < labelNames.size()) {
          label = labelNames.get(k);
        }
      } catch (NumberFormatException ignored) {
        // a label that is not a class index stays as written
      }
    }
    return ImageRecord.ofBytes(id, label, source, bytes);
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static StructField find(StructType schema, String name, DatasetSource.Parquet source) {
    if (!has(schema, name)) {
      throw new InvalidInputException("Parquet " + source.paths() + " has no column " + name + " (columns: "
          + String.join(", ", schema.fieldNames()) + ")");
    }
    return schema.apply(name);
  }

  private static boolean has(StructType schema, String name) {
    for (String f : schema.fieldNames()) {
      if (f.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The {@code ClassLabel} names of {@code column} from the first file's Hugging Face metadata
   * ({@code huggingface} key: {@code {"info": {"features": {column: {"_type": "ClassLabel", "names": [...]}}}}}),
   * or none.
   */
  static List<String> classLabelNames(SparkSession spark, DatasetSource.Parquet source, String column) {
    try {
      org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
      org.apache.hadoop.fs.Path first = firstFile(new org.apache.hadoop.fs.Path(source.paths().get(0)), conf);
      if (first == null) {
        return List.of();
      }
      try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
          org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(first, conf))) {
        String hf = reader.getFooter().getFileMetaData().getKeyValueMetaData().get("huggingface");
        if (hf == null) {
          return List.of();
        }
        JsonNode feature = new ObjectMapper().readTree(hf).path("info").path("features").path(column);
        List<String> names = new ArrayList<>();
        feature.path("names").forEach(n -> names.add(n.asText()));
        return names;
      }
    } catch (Exception e) {
      // no readable metadata: labels stay the stored values
      return List.of();
    }
  }

  private static org.apache.hadoop.fs.Path firstFile(org.apache.hadoop.fs.Path p, org.apache.hadoop.conf.Configuration conf)
      throws java.io.IOException {
    org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
    if (fs.getFileStatus(p).isFile()) {
      return p;
    }
    org.apache.hadoop.fs.FileStatus[] all = fs.listStatus(p, f -> f.getName().endsWith(".parquet"));
    java.util.Arrays.sort(all);
    return all.length == 0 ? null : all[0].getPath();
  }
}
