package org.visualscratchpad.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.samples.demo.ShippedDemo;
import org.visualscratchpad.server.ScratchpadServer;
import org.visualscratchpad.server.ServerOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.prompt.ChatMessage;
import org.visualscratchpad.torch.input.prompt.ChatTemplate;
import org.visualscratchpad.torch.input.prompt.PromptTokenizer;
import org.visualscratchpad.torch.input.prompt.SpecialTokens;
import org.visualscratchpad.torch.llava.LlavaConfig;

/**
 * The fuzzed readers, each seeded from valid inputs: the safetensors reader, the PatchSAE
 * unpickler, SAELens {@code cfg.json}, {@code config.json}, {@code preprocessor_config.json},
 * chat templates ({@code tokenizer_config.json}), {@code tokenizer.json}, and the web server's
 * request parsing (over HTTP, on the demo model). Inputs are written to files under {@code work}.
 */
public final class FuzzTargets {
  private FuzzTargets() {}

  /** Names of every target, in the order {@link #create} knows them. */
  public static final List<String> NAMES = List.of("safetensors", "patchsae", "saelens-cfg", "model-config",
      "preprocessor-config", "chat-template", "tokenizer", "server");

  /**
   * The target {@code name}.
   *
   * @param repo the repository root (seeds come from its test resources and {@code ../shared})
   * @param work a scratch folder
   */
  public static FuzzTarget create(String name, Path repo, Path work) throws IOException {
    Files.createDirectories(work);
    Path shared = repo.resolve("../shared/fixtures/hf-reference").normalize();
    Path tokenizers = repo.resolve("visualscratchpad-torch/src/test/resources/tokenizers");
    return switch (name) {
      case "safetensors" -> safetensors(work);
      case "patchsae" -> patchSae(repo.resolve("visualscratchpad-sae/src/test/resources/patchsae/tiny_patchsae.pt"), work);
      case "saelens-cfg" -> saeLensConfig(work);
      case "model-config" -> jsonFile(name, shared.resolve("llava_next_mistral/config.json"), work, "config.json",
          dir -> LlavaConfig.read(ConfigJson.read(dir)));
      case "preprocessor-config" -> jsonFile(name, shared.resolve("llava_next_mistral/preprocessor_config.json"), work,
          "preprocessor_config.json",
          dir -> ImagePreprocessor.forCheckpoint(dir).preprocess(RgbImage.filled(30, 50, 10, 200, 30)));
      case "chat-template" -> jsonFile(name, tokenizers.resolve("mistral/tokenizer_config.json"), work,
          "tokenizer_config.json", dir -> ChatTemplate.find(dir).ifPresent(t -> t.render(
              List.of(ChatMessage.userWithImage("What is shown?"), ChatMessage.assistant("a cat"),
                  ChatMessage.user("and?")), ChatTemplate.GenerationPrompt.ADD)));
      case "tokenizer" -> jsonFile(name, tokenizers.resolve("mistral/tokenizer.json"), work, "tokenizer.json", dir -> {
        try (PromptTokenizer t = PromptTokenizer.load(dir)) {
          t.encode("USER: <image>\nWhat is shown? zebra", SpecialTokens.INCLUDE);
          t.unknownWords("What is shown? zebra");
        }
      });
      case "server" -> server(work);
      default -> throw new IllegalArgumentException("no fuzz target " + name + "; targets: " + NAMES);
    };
  }

  /** A reader of one file in a folder. */
  interface FolderReader {
    void read(Path dir) throws Exception;
  }

  private static FuzzTarget jsonFile(String name, Path seedFile, Path work, String fileName, FolderReader reader)
      throws IOException {
    JsonNode seed = Mutator.parse(Files.readString(seedFile));
    Path dir = Files.createDirectories(work.resolve(name));
    return new FuzzTarget() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public byte[] next(SplittableRandom rnd) {
        return Mutator.json(seed, rnd);
      }

      @Override
      public void run(byte[] input) throws Exception {
        Files.write(dir.resolve(fileName), input);
        reader.read(dir);
      }
    };
  }

  private static FuzzTarget safetensors(Path work) throws IOException {
    Path seedFile = work.resolve("seed.safetensors");
    new SafetensorsWriter().putFloats("w", new float[12], 3, 4).putF16("h", new float[5], 5)
        .putBF16("b", new float[4], 2, 2).putLongs("ids", new long[] {1, 2, 3}, 3).putBytes("u", new byte[4], 4)
        .metadata("format", "pt").write(seedFile);
    byte[] seed = Files.readAllBytes(seedFile);
    long headerLen = ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    JsonNode header = Mutator.parse(new String(seed, 8, (int) headerLen, StandardCharsets.UTF_8));
    byte[] data = java.util.Arrays.copyOfRange(seed, 8 + (int) headerLen, seed.length);
    Path file = work.resolve("case.safetensors");
    return new FuzzTarget() {
      @Override
      public String name() {
        return "safetensors";
      }

      @Override
      public byte[] next(SplittableRandom rnd) {
        if (rnd.nextBoolean()) {
          return Mutator.bytes(seed, rnd);
        }
        // a mutated header with a correct length prefix, so the mutation reaches the validation
        byte[] h = Mutator.json(header, rnd);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
      }

      @Override
      public void run(byte[] input) throws Exception {
        Files.write(file, input);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
          for (String n : f.names()) {
            DType t = f.info(n).dtype();
            if (t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64) {
              f.floatMatrix(n);
            } else {
              f.longs(n);
            }
          }
        }
      }
    };
  }

  private static FuzzTarget patchSae(Path seedFile, Path work) throws IOException {
    Map<String, byte[]> entries = unzip(Files.readAllBytes(seedFile));
    byte[] seedZip = Files.readAllBytes(seedFile);
    List<String> names = new ArrayList<>(entries.keySet());
    String pickle = names.stream().filter(n -> n.endsWith("data.pkl")).findFirst().orElseThrow();
    Path file = work.resolve("case.pt");
    return new FuzzTarget() {
      @Override
      public String name() {
        return "patchsae";
      }

      @Override
      public byte[] next(SplittableRandom rnd) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
          return Mutator.bytes(seedZip, rnd);  // the zip container itself
        }
        Map<String, byte[]> m = new LinkedHashMap<>(entries);
        String target = kind < 8 ? pickle : names.get(rnd.nextInt(names.size()));
        m.put(target, Mutator.bytes(m.get(target), rnd));
        return zip(m);
      }

      @Override
      public void run(byte[] input) throws Exception {
        Files.write(file, input);
        SaeLoader.load(file);
      }
    };
  }

  private static FuzzTarget saeLensConfig(Path work) throws IOException {
    ShippedDemo.Folders demo = ShippedDemo.extract(work.resolve("demo"));
    JsonNode seed = Mutator.parse(Files.readString(demo.sae().resolve("cfg.json")));
    Path dir = Files.createDirectories(work.resolve("saelens"));
    Files.copy(demo.sae().resolve("sae_weights.safetensors"), dir.resolve("sae_weights.safetensors"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new FuzzTarget() {
      @Override
      public String name() {
        return "saelens-cfg";
      }

      @Override
      public byte[] next(SplittableRandom rnd) {
        return Mutator.json(seed, rnd);
      }

      @Override
      public void run(byte[] input) throws Exception {
        Files.write(dir.resolve("cfg.json"), input);
        SaeLoader.load(dir);
      }
    };
  }

  /** POSTs mutated requests to the server on the demo model; a 500 or a non-JSON error fails the case. */
  private static FuzzTarget server(Path work) throws IOException {
    ShippedDemo.Folders demo = ShippedDemo.extract(work.resolve("server-demo"));
    Scratchpad pad = Scratchpad.load(new LoadSpec(demo.model(), demo.sae(), demo.stats(), "cpu"));
    ScratchpadServer server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = server.url().replaceAll("/+$", "");
    String id;
    try {
      HttpResponse<String> first = post(http, base + "/api/ask",
          "{\"sample\":\"shapesworld-two-objects\",\"prompt\":\"what colour is the triangle ?\",\"maxNewTokens\":2}");
      id = Mutator.parse(first.body()).path("id").asText();
      if (first.statusCode() != 200 || id.isEmpty()) {
        throw new IOException("the demo server did not answer the seed ask: HTTP " + first.statusCode() + " " + first.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String[][] requests = {
        {"/api/ask", "{\"sample\":\"shapesworld-two-objects\",\"prompt\":\"what colour ?\",\"maxNewTokens\":2}"},
        {"/api/answers/" + id + "/heatmap", "{\"topK\":5,\"attentionWeighted\":true,\"filter\":\"BOTH\",\"percent\":2,"
            + "\"normalization\":\"COLUMN\",\"cluster\":true,\"clusters\":3,\"method\":\"AVERAGE\","
            + "\"distance\":\"CORRELATION\",\"cutHeight\":0.5,\"seed\":1,\"restarts\":2}"},
        {"/api/answers/" + id + "/regenerate", "{\"edits\":[{\"kind\":\"ablate\",\"latentIds\":[1,2],\"scope\":\"all\"},"
            + "{\"kind\":\"set\",\"latentIds\":[3],\"value\":2.5,\"scope\":\"patches\"}],\"errorTerm\":\"KEEP\"}"},
        {"/api/classify", "{\"sample\":\"shapes\",\"classes\":[\"a\",\"b\"],\"templates\":[\"a photo of a {}.\"]}"}};
    JsonNode[] seeds = new JsonNode[requests.length];
    for (int i = 0; i < requests.length; i++) {
      seeds[i] = Mutator.parse(requests[i][1]);
    }
    return new FuzzTarget() {
      private String path;

      @Override
      public String name() {
        return "server";
      }

      @Override
      public byte[] next(SplittableRandom rnd) {
        int which = rnd.nextInt(requests.length);
        byte[] body = Mutator.json(seeds[which], rnd);
        // the path travels in front of the body, so a saved failure replays alone
        byte[] p = (requests[which][0] + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(p, p.length + body.length);
        System.arraycopy(body, 0, out, p.length, body.length);
        return out;
      }

      @Override
      public void run(byte[] input) throws Exception {
        int nl = 0;
        while (input[nl] != '\n') {
          nl++;
        }
        path = new String(input, 0, nl, StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOfRange(input, nl + 1, input.length);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 500) {
          throw new IllegalStateException("HTTP " + r.statusCode() + " on " + path + ": " + r.body());
        }
        if (r.statusCode() != 200) {
          JsonNode n;
          try {
            n = Mutator.parse(r.body());
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " answered without a JSON body: " + r.body());
          }
          if (!n.path("error").isTextual()) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " without an error message: " + r.body());
          }
          throw new org.visualscratchpad.InvalidInputException("HTTP " + r.statusCode()
              + (System.getProperty("vsp.fuzz.showErrors") != null ? " " + n.path("error").asText() : ""));
        }
      }

      @Override
      public void close() {
        server.close();
        pad.close();
      }
    };
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey());
        z.setMethod(ZipEntry.STORED);
        z.setSize(e.getValue().length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(e.getValue());
        z.setCrc(crc.getValue());
        out.putNextEntry(z);
        out.write(e.getValue());
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
