package org.visualscratchpad.sae.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.json.JsonFieldException;
import org.visualscratchpad.sae.json.PlanJson;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Sampling;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.Token;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * A saved {@link Answer}: its image, prompt, options (interventions and sampling seed included),
 * tokens, SAE activations per crop, attention and image-token locations, with the identity (file
 * SHA-256s) of the model and the SAE that produced it.
 *
 * <p>On disk a session is a folder of three files:
 * <ul>
 *   <li>{@code session.json}: format version, prompt, options, tokens, attention labels, image-token
 *       locations, the model's and SAE's file hashes, and the SHA-256 of the two files below;
 *   <li>{@code image.png}: the image asked about (lossless);
 *   <li>{@code tensors.safetensors}: per crop the codes the model was fed, {@code crop.C.row_ptr} (I32
 *       {@code [rows + 1]}), {@code crop.C.latent_ids} (I32 {@code [nnz]}), {@code crop.C.values} (F32
 *       {@code [nnz]}); for an edited answer also the re-encoding of the edited stream, {@code
 *       reencoded.C.*} (see {@link Answer#reencodedActivations()}); and {@code attention.weights} (F32
 *       {@code [generated x imageTokens]}).
 * </ul>
 *
 * <pre>{@code
 * jshell> var answer = pad.ask(image, "What shape is red?")
 * jshell> Session.of(answer).save(Path.of("sessions/red"))
 * jshell> var viewed = Session.load(Path.of("sessions/red")).answer()   // no model: analyses only
 * jshell> viewed.rankLatents()
 * jshell> var resumed = Session.load(Path.of("sessions/red"), pad).answer() // hashes checked
 * jshell> resumed.ablate(17).regenerate()
 * }</pre>
 *
 * <p>The plan is read and written by the one plan codec, {@link PlanJson} (unknown fields refused).
 * Sessions of format version 1 still load; an edited answer of version 1 (whose activations were the
 * re-encoding) is converted by regenerating it when loaded with its model, and refused with that advice
 * without one.
 *
 * <p>Immutable. Loading validates every field and names the file and field at fault; a failed load
 * leaves the scratchpad untouched.
 */
public final class Session {
  /**
   * The version written into {@code session.json}: 2 stores an edited answer's fed codes as its
   * activations and the re-encoding of the edited stream beside them; version 1 (still read) stored
   * the re-encoding as the activations.
   */
  public static final int FORMAT_VERSION = 2;
  public static final String JSON_FILE = "session.json";
  public static final String IMAGE_FILE = "image.png";
  public static final String TENSORS_FILE = "tensors.safetensors";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Answer answer;
  private final FileIdentity model;
  private final FileIdentity sae;
  private final Instant savedAt;

  private Session(Answer answer, FileIdentity model, FileIdentity sae, Instant savedAt) {
    this.answer = Objects.requireNonNull(answer, "answer");
    this.model = Objects.requireNonNull(model, "model identity");
    this.sae = Objects.requireNonNull(sae, "SAE identity");
    this.savedAt = savedAt;
  }

  /**
   * A session of an answer made by a loaded scratchpad; hashes the model's {@code config.json} and
   * weights and the SAE's files (cached per file, so repeated saves are cheap).
   *
   * @throws InvalidInputException if the answer has no scratchpad, or the scratchpad does not say
   *     what it was loaded from
   */
  public static Session of(Answer answer) {
    InvalidInputException.check(answer != null, "answer must not be null");
    Scratchpad pad = answer.source().orElse(null);
    InvalidInputException.check(pad != null,
        "this answer has no scratchpad, so the model's identity is unknown. Save the Session it was loaded from instead.");
    LoadSpec spec = pad.spec().orElseThrow(() -> new InvalidInputException(
        "scratchpad " + pad + " does not say which files it was loaded from, so a session cannot record the model's "
            + "identity. Load it with Scratchpad.load(...)."));
    return new Session(answer, FileIdentity.ofModel(spec.model()), FileIdentity.ofSae(spec.sae()), null);
  }

  /** The saved answer (bound to a scratchpad only if loaded with one). */
  public Answer answer() {
    return answer;
  }

  /** The model's file hashes. */
  public FileIdentity model() {
    return model;
  }

  /** The SAE's file hashes. */
  public FileIdentity sae() {
    return sae;
  }

  /** When it was saved (null for a session not yet saved). */
  public Instant savedAt() {
    return savedAt;
  }

  // ---------------------------------------------------------------- save

  /**
   * Writes this session into {@code dir} (created if missing; the three files are replaced).
   *
   * @return {@code dir}
   */
  public Path save(Path dir) {
    try {
      Files.createDirectories(dir);
      Path png = dir.resolve(IMAGE_FILE);
      Path tmpPng = dir.resolve(IMAGE_FILE + ".tmp");
      if (!ImageIO.write(answer.image(), "png", tmpPng.toFile())) {
        throw new ScratchpadException("no PNG writer in this JDK");
      }
      Files.move(tmpPng, png, StandardCopyOption.REPLACE_EXISTING);

      SafetensorsWriter w = new SafetensorsWriter().metadata("format", "visualscratchpad-session");
      List<SparseActivations> acts = answer.activations();
      boolean reencoded = !answer.reencodedActivations().equals(acts);
      putCodes(w, "crop.", acts);
      if (reencoded) {
        putCodes(w, "reencoded.", answer.reencodedActivations());
      }
      FloatMatrix att = answer.attention().weights();
      w.putFloats("attention.weights", att.toArray(), att.rows(), att.cols());
      Path tensors = dir.resolve(TENSORS_FILE);
      w.write(tensors);

      Instant now = Instant.now();
      ObjectNode root = JSON.createObjectNode();
      root.put("format", "visualscratchpad-session");
      root.put("version", FORMAT_VERSION);
      root.put("savedAt", now.toString());
      root.put("prompt", answer.prompt());
      root.put("text", answer.text());
      root.set("options", options(answer.options()));
      root.set("promptTokens", tokens(answer.promptTokens()));
      root.set("generated", tokens(answer.generated()));
      ObjectNode attention = root.putObject("attention");
      attention.put("convention", answer.attention().convention().name());
      ArrayNode labels = attention.putArray("tokens");
      answer.attention().tokens().forEach(labels::add);
      ArrayNode positions = attention.putArray("positions");
      answer.attention().positions().forEach(positions::add);
      ArrayNode locs = root.putArray("imageTokens");
      for (ImageTokenLocation l : answer.imageTokens()) {
        locs.addArray().add(l.imageTokenIndex()).add(l.crop()).add(l.patchRow()).add(l.patchCol()).add(l.patchIndex())
            .add(l.box().x()).add(l.box().y()).add(l.box().width()).add(l.box().height()).add(l.saeRow());
      }
      ObjectNode crops = root.putObject("activations");
      crops.put("crops", acts.size());
      crops.put("dSae", acts.get(0).dSae());
      crops.put("reencoded", reencoded);
      ObjectNode identity = root.putObject("identity");
      identity.set("model", JSON.valueToTree(model.sha256()));
      identity.set("sae", JSON.valueToTree(sae.sha256()));
      ObjectNode files = root.putObject("files");
      files.put(IMAGE_FILE, FileIdentity.sha256(png));
      files.put(TENSORS_FILE, FileIdentity.sha256(tensors));
      Path json = dir.resolve(JSON_FILE);
      Path tmpJson = dir.resolve(JSON_FILE + ".tmp");
      JSON.writeValue(tmpJson.toFile(), root);
      Files.move(tmpJson, json, StandardCopyOption.REPLACE_EXISTING);
      return dir;
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot write the session: " + e.getMessage(), e);
    }
  }

  /** Per crop C: {@code <prefix>C.row_ptr}, {@code <prefix>C.latent_ids}, {@code <prefix>C.values}. */
  private static void putCodes(SafetensorsWriter w, String prefix, List<SparseActivations> acts) {
    for (int crop = 0; crop < acts.size(); crop++) {
      SparseActivations a = acts.get(crop);
      int[] rowPtr = new int[a.rows() + 1];
      for (int row = 0; row < a.rows(); row++) {
        rowPtr[row + 1] = a.rowEnd(row);
      }
      int[] ids = new int[a.nnz()];
      float[] values = new float[a.nnz()];
      for (int k = 0; k < a.nnz(); k++) {
        ids[k] = a.latentAt(k);
        values[k] = a.valueAt(k);
      }
      w.putInts(prefix + crop + ".row_ptr", rowPtr, rowPtr.length)
          .putInts(prefix + crop + ".latent_ids", ids, ids.length)
          .putFloats(prefix + crop + ".values", values, values.length);
    }
  }

  /**
   * An intervention plan as the structured JSON a session stores (and {@code report.json} holds): the
   * one codec, {@link PlanJson}; values are the applied floats, exactly.
   */
  public static ObjectNode planJson(InterventionPlan plan) {
    return PlanJson.toJson(plan);
  }

  private static ObjectNode options(AskOptions o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("maxNewTokens", o.maxNewTokens());
    ObjectNode s = n.putObject("sampling");
    s.put("temperature", o.sampling().temperature());
    s.put("topP", o.sampling().topP());
    s.put("seed", o.sampling().seed());
    ObjectNode a = n.putObject("attention");
    a.put("convention", o.attention().convention().name());
    ArrayNode layers = a.putArray("layers");
    o.attention().layers().forEach(layers::add);
    ArrayNode heads = a.putArray("heads");
    o.attention().heads().forEach(heads::add);
    n.set("plan", planJson(o.plan()));
    return n;
  }

  private static ArrayNode tokens(List<Token> tokens) {
    ArrayNode a = JSON.createArrayNode();
    for (Token t : tokens) {
      a.addObject().put("id", t.id()).put("text", t.text()).put("position", t.position());
    }
    return a;
  }

  // ---------------------------------------------------------------- load

  /**
   * Loads a session without a model: its answer supports the analyses ({@code rankLatents},
   * {@code heatmap}, {@code cluster}, {@code diff}); {@code regenerate} fails with a clear error.
   *
   * @throws CheckpointFormatException naming the file (and field) that is missing, malformed, or
   *     changed since it was saved
   */
  public static Session load(Path dir) {
    return read(dir, null);
  }

  /**
   * Loads a session and binds its answer to {@code pad}, after checking that {@code pad} was loaded
   * from the same model and SAE files (SHA-256) as the answer; then {@code regenerate} continues it.
   *
   * @throws CheckpointFormatException if a session file is malformed or changed, or a model or SAE
   *     file's hash differs from the recorded one (the message names the file); {@code pad} stays usable
   */
  public static Session load(Path dir, Scratchpad pad) {
    InvalidInputException.check(pad != null, "scratchpad must not be null; use Session.load(dir) to view without a model");
    return read(dir, pad);
  }

  private static Session read(Path dir, Scratchpad pad) {
    Path jsonFile = dir.resolve(JSON_FILE);
    if (!Files.isRegularFile(jsonFile)) {
      throw new CheckpointFormatException(jsonFile, "no session file here. Pass a folder written by Session.save.");
    }
    JsonNode root;
    try {
      root = JSON.readTree(jsonFile.toFile());
    } catch (JsonProcessingException e) {
      throw new CheckpointFormatException(jsonFile, "is not valid JSON (" + e.getOriginalMessage()
          + "). The session file was changed or truncated; save the session again.", e);
    } catch (IOException e) {
      throw new CheckpointFormatException(jsonFile, "cannot be read: " + e.getMessage(), e);
    }
    Fields f = new Fields(jsonFile);
    f.check("visualscratchpad-session".equals(root.path("format").asText()), "format",
        "must be \"visualscratchpad-session\"");
    int version = root.path("version").asInt(-1);
    f.check(version == 1 || version == FORMAT_VERSION, "version",
        "(" + root.path("version") + ") must be 1 or " + FORMAT_VERSION + "; this library reads versions 1 and "
            + FORMAT_VERSION + " (a newer session needs a newer library)");

    // the two data files must be the ones that were saved
    Path png = dir.resolve(IMAGE_FILE);
    Path tensorsFile = dir.resolve(TENSORS_FILE);
    for (Path p : List.of(png, tensorsFile)) {
      String name = p.getFileName().toString();
      JsonNode recorded = root.path("files").get(name);
      f.check(recorded != null && recorded.isTextual(), "files." + name, "must be the file's SHA-256");
      String expected = recorded.asText();
      if (!Files.isRegularFile(p)) {
        throw new CheckpointFormatException(p, "is missing from the session folder. Copy the whole folder.");
      }
      String actual = FileIdentity.sha256(p);
      if (!actual.equals(expected)) {
        throw new CheckpointFormatException(p, "was changed after the session was saved: SHA-256 " + actual
            + " but " + JSON_FILE + " recorded " + expected + ". Restore the file or save the session again.");
      }
    }

    FileIdentity modelId = new FileIdentity(f.hashes(root.path("identity").path("model"), "identity.model"));
    FileIdentity saeId = new FileIdentity(f.hashes(root.path("identity").path("sae"), "identity.sae"));
    if (pad != null) {
      LoadSpec spec = pad.spec().orElseThrow(() -> new InvalidInputException(
          "scratchpad " + pad + " does not say which files it was loaded from, so the session's model cannot be "
              + "checked. Load it with Scratchpad.load(...)."));
      String diff = FileIdentity.ofModel(spec.model()).difference(modelId, "model");
      if (diff != null) {
        throw new CheckpointFormatException(spec.model(), diff + ". The session was made with another model; "
            + "load the scratchpad from the model it was saved with, or view it with Session.load(dir).");
      }
      diff = FileIdentity.ofSae(spec.sae()).difference(saeId, "SAE");
      if (diff != null) {
        throw new CheckpointFormatException(spec.sae(), diff + ". The session was made with another SAE; "
            + "load the scratchpad with the SAE it was saved with, or view it with Session.load(dir).");
      }
    }

    BufferedImage image;
    try {
      image = ImageIO.read(png.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(png, "is not a readable PNG: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new CheckpointFormatException(png, "is not a readable PNG. Restore the file or save the session again.");
    }

    try {
      String prompt = f.text(root, "prompt");
      AskOptions options = f.options(root.path("options"));
      List<Token> promptTokens = f.tokens(root.path("promptTokens"), "promptTokens");
      List<Token> generated = f.tokens(root.path("generated"), "generated");
      JsonNode att = root.path("attention");
      AttentionConvention convention = f.enumValue(AttentionConvention.class, att.path("convention"), "attention.convention");
      List<String> labels = new ArrayList<>();
      for (JsonNode t : f.array(att.path("tokens"), "attention.tokens")) {
        labels.add(t.asText());
      }
      List<Integer> positions = f.ints(att.path("positions"), "attention.positions");
      List<ImageTokenLocation> locations = new ArrayList<>();
      for (JsonNode l : f.array(root.path("imageTokens"), "imageTokens")) {
        // 10 integers; sessions saved before towers without CLS had 9 (the SAE row was patchIndex + 1)
        f.check(l.isArray() && (l.size() == 9 || l.size() == 10), "imageTokens", "entries must be 10 integers");
        int[] v = new int[10];
        for (int k = 0; k < l.size(); k++) {
          v[k] = l.get(k).asInt();
        }
        locations.add(new ImageTokenLocation(v[0], v[1], v[2], v[3], v[4], new PixelBox(v[5], v[6], v[7], v[8]),
            l.size() == 10 ? v[9] : v[4] + 1));
      }
      int crops = f.integer(root.path("activations"), "activations.crops");
      int dSae = f.integer(root.path("activations"), "activations.dSae");
      if (pad != null) {
        f.check(pad.sae().dSae() == dSae, "activations.dSae",
            "(" + dSae + ") must match the scratchpad's SAE d_sae (" + pad.sae().dSae() + ")");
      }
      boolean hasReencoded = version >= 2 && root.path("activations").path("reencoded").asBoolean(false);
      List<SparseActivations> acts;
      List<SparseActivations> reencoded;
      FloatMatrix weights;
      try (SafetensorsFile st = SafetensorsFile.open(tensorsFile)) {
        acts = codes(st, tensorsFile, "crop.", crops, dSae);
        reencoded = hasReencoded ? codes(st, tensorsFile, "reencoded.", crops, dSae) : acts;
        int rows = generated.size();
        int cols = locations.size();
        float[] w = st.floats("attention.weights");
        if (w.length != (long) rows * cols) {
          throw new CheckpointFormatException(tensorsFile, "attention.weights holds " + w.length + " values but the session has "
              + rows + " generated tokens x " + cols + " image tokens");
        }
        weights = FloatMatrix.adopt(rows, cols, w);
      }
      TextImageAttention attention = new TextImageAttention(convention, labels, positions, weights);
      Instant savedAt = Instant.parse(f.text(root, "savedAt"));
      if (version == 1 && !options.plan().isIdentity()) {
        // version 1 stored an edited answer's re-encoded stream as its activations, not the codes it was fed
        Answer stored = new Answer(pad, image, prompt, options, promptTokens, generated, acts, attention, locations);
        if (pad == null) {
          throw new CheckpointFormatException(jsonFile, "was saved by version 1 of the session format, which stored an "
              + "edited answer's activations as the SAE's encoding of the edited stream (an ablated latent could show "
              + "as active), not the codes the model was fed. Convert it with its model: Session.load(dir, pad) "
              + "regenerates the answer under its plan (checking that the tokens are the saved ones), then "
              + ".save(dir) writes version " + FORMAT_VERSION + ".");
        }
        Answer again = stored.regenerate();
        List<Integer> savedIds = generated.stream().map(Token::id).toList();
        List<Integer> newIds = again.generated().stream().map(Token::id).toList();
        if (!savedIds.equals(newIds)) {
          throw new CheckpointFormatException(jsonFile, "was saved by version 1 of the session format and could not be "
              + "converted: regenerating it under its plan gives tokens " + newIds + ", not the saved " + savedIds
              + ". Was it made with other options or another library version?");
        }
        return new Session(again, modelId, saeId, savedAt);
      }
      Answer answer = new Answer(pad, image, prompt, options, promptTokens, generated, acts, reencoded, attention,
          locations, List.of());
      return new Session(answer, modelId, saeId, savedAt);
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(jsonFile, "does not describe a valid answer: " + e.getMessage()
          + ". The session was changed or is corrupt; save it again.", e);
    }
  }

  /** The codes of every crop stored under {@code prefix} ({@code crop.} or {@code reencoded.}). */
  private static List<SparseActivations> codes(SafetensorsFile st, Path file, String prefix, int crops, int dSae) {
    List<SparseActivations> out = new ArrayList<>();
    for (int crop = 0; crop < crops; crop++) {
      String p = prefix + crop + ".";
      try {
        out.add(SparseActivations.of(dSae, st.ints(p + "row_ptr"), st.ints(p + "latent_ids"), st.floats(p + "values")));
      } catch (InvalidInputException e) {
        throw new CheckpointFormatException(file, prefix + crop + " activations are invalid: " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Session[" + answer + ", model " + model + ", SAE " + sae + (savedAt == null ? "" : ", saved " + savedAt) + "]";
  }

  /** Field readers that name the file and field in their errors. */
  private static final class Fields {
    private final Path file;

    Fields(Path file) {
      this.file = file;
    }

    void check(boolean ok, String field, String constraint) {
      if (!ok) {
        throw new CheckpointFormatException(file, "field " + field + " " + constraint
            + ". The session was changed or is corrupt; save it again.");
      }
    }

    private String last(String field) {
      return field.substring(field.lastIndexOf('.') + 1);
    }

    String text(JsonNode parent, String field) {
      JsonNode n = parent.get(last(field));
      check(n != null && n.isTextual(), field, "must be a string");
      return n.asText();
    }

    int integer(JsonNode parent, String field) {
      JsonNode n = parent.get(last(field));
      check(n != null && n.canConvertToInt() && n.isIntegralNumber(), field, "must be an integer");
      return n.intValue();
    }

    double number(JsonNode parent, String field) {
      JsonNode n = parent.get(last(field));
      check(n != null && n.isNumber(), field, "must be a number");
      return n.doubleValue();
    }

    JsonNode array(JsonNode n, String field) {
      check(n != null && n.isArray(), field, "must be an array");
      return n;
    }

    List<Integer> ints(JsonNode n, String field) {
      List<Integer> out = new ArrayList<>();
      for (JsonNode v : array(n, field)) {
        check(v.isIntegralNumber() && v.canConvertToInt(), field, "must hold integers");
        out.add(v.intValue());
      }
      return out;
    }

    <E extends Enum<E>> E enumValue(Class<E> type, JsonNode n, String field) {
      check(n != null && n.isTextual(), field, "must be a string");
      try {
        return Enum.valueOf(type, n.asText());
      } catch (IllegalArgumentException e) {
        check(false, field, "(" + n.asText() + ") must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        return null;
      }
    }

    Map<String, String> hashes(JsonNode n, String field) {
      check(n != null && n.isObject() && n.size() > 0, field, "must map file names to SHA-256 hashes");
      Map<String, String> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> {
        check(e.getValue().isTextual() && e.getValue().asText().matches("[0-9a-f]{64}"), field + "." + e.getKey(),
            "must be a 64-digit hex SHA-256");
        m.put(e.getKey(), e.getValue().asText());
      });
      return m;
    }

    List<Token> tokens(JsonNode n, String field) {
      List<Token> out = new ArrayList<>();
      for (JsonNode t : array(n, field)) {
        out.add(new Token(integer(t, field + ".id"), text(t, field + ".text"), integer(t, field + ".position")));
      }
      return out;
    }

    AskOptions options(JsonNode o) {
      check(o.isObject(), "options", "must be an object");
      int maxNewTokens = integer(o, "options.maxNewTokens");
      JsonNode s = o.path("sampling");
      Sampling sampling = new Sampling(number(s, "options.sampling.temperature"), number(s, "options.sampling.topP"),
          s.path("seed").asLong());
      check(s.path("seed").isIntegralNumber(), "options.sampling.seed", "must be an integer");
      JsonNode a = o.path("attention");
      AttentionTap tap = new AttentionTap(enumValue(AttentionConvention.class, a.path("convention"), "options.attention.convention"),
          ints(a.path("layers"), "options.attention.layers"), ints(a.path("heads"), "options.attention.heads"));
      InterventionPlan plan;
      try {
        plan = PlanJson.read(o.get("plan"));
      } catch (JsonFieldException e) {
        throw new CheckpointFormatException(file, e.under("options.plan").getMessage()
            + ". The session was changed or is corrupt; save it again.", e);
      }
      return new AskOptions(maxNewTokens, sampling, tap, plan);
    }
  }
}
