package org.visualscratchpad.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.UnsupportedCapabilityException;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.json.PlanJson;
import org.visualscratchpad.sae.json.StrictJson;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.TopImage;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.DecoderMap;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The interactive scratchpad page (the paper's Fig. 8-9) served from the JVM: the static page
 * under {@code /} and a JSON API under {@code /api} that drives a loaded {@link Scratchpad}.
 *
 * <pre>{@code
 * jshell> var server = ScratchpadServer.start(pad, ServerOptions.defaults().withPort(0))
 * server ==> ScratchpadServer[http://127.0.0.1:41235/, ...]
 * jshell> server.url()          // open it in a browser
 * jshell> server.close()        // stops the server; the scratchpad stays open (the caller owns it)
 * }</pre>
 *
 * <table>
 *   <caption>The API (JSON in and out; errors are {@code {"error": message, "status": code}})</caption>
 *   <tr><td>GET /api/info</td><td>the SAE's configuration, whether statistics are loaded, the model's capabilities
 *       ({@code ask}, {@code classify}), the limits</td></tr>
 *   <tr><td>GET /api/samples, /api/samples/{name}</td><td>the built-in pictures (PNG)</td></tr>
 *   <tr><td>POST /api/ask</td><td>{@code {image: base64 | data URL, or sample: name, prompt, maxNewTokens}}: an answer view</td></tr>
 *   <tr><td>GET /api/answers/{id}[/image]</td><td>a held answer's view, or its image (a PNG preview of at most 768 px a side)</td></tr>
 *   <tr><td>POST /api/answers/{id}/heatmap</td><td>Fig. 9 controls in ({@code topK, attentionWeighted, filter, percent,
 *       normalization, includeEndToken, cluster, clusters, method, distance, cutHeight, seed, restarts}): the
 *       token-latent heatmap, its warnings and its clusters out</td></tr>
 *   <tr><td>POST /api/answers/{id}/regenerate</td><td>a plan in {@link org.visualscratchpad.sae.json.PlanJson}'s form,
 *       {@code {edits: [{kind, latentIds, value, scope}], errorTerm}}: the new answer and the diff</td></tr>
 *   <tr><td>GET /api/answers/{id}/diff/{other}</td><td>two held answers token by token</td></tr>
 *   <tr><td>POST /api/classify</td><td>{@code {image | sample, classes, templates: [..] | "imagenet", edits}}: CLIP probabilities before and after the edits</td></tr>
 *   <tr><td>GET /api/class-sets</td><td>example class lists</td></tr>
 *   <tr><td>GET /api/statistics?percent=p</td><td>mean activation and frequency per latent, the noisy thresholds</td></tr>
 *   <tr><td>GET /api/latents/{latentId}?answer=id</td><td>one latent's statistics (frequency, mean, label entropy,
 *       activation distribution, reference images) and its activation on each patch of an answer</td></tr>
 *   <tr><td>GET /api/latent-map?clusters=k</td><td>the UMAP of the decoder directions with k clusters: 202 while it is
 *       computed (once per server, on a background thread), then {@code {x, y, clusters}}</td></tr>
 *   <tr><td>GET /api/latents/{latentId}/reference/{rank}</td><td>its rank-th top image with the patch mask drawn over it (PNG)</td></tr>
 * </table>
 *
 * <p>Request bodies are bound strictly ({@code WebRequests}, {@link org.visualscratchpad.sae.json.StrictJson}):
 * an unknown field, a duplicate key or data after the JSON is a 400 naming it. Asking a model that cannot
 * ({@link Scratchpad#capabilities()}) is a 400. Every error, Jetty's own included, is JSON.
 *
 * <p>Safety: bound to loopback by default; body sizes and image pixels are limited ({@link
 * ServerOptions}); the held answers are bounded by estimated bytes ({@link AnswerCache}) and the images
 * being answered by working memory (413 when larger than all of it, 503 when busy; an {@code
 * OutOfMemoryError} while answering is a 503 too); no client value is ever used as a file path; a {@link
 * RequestGuard} refuses other Hosts and cross-origin requests; a refused or failed request changes nothing
 * loaded.
 * Thread-safe: requests run concurrently on the scratchpad, which is itself thread-safe.
 */
public final class ScratchpadServer implements AutoCloseable {
  private static final String JSON = "application/json; charset=utf-8";

  private final Scratchpad pad;
  private final ServerOptions options;
  private final ReferenceImages references;
  private final ObjectMapper mapper = new ObjectMapper();
  private final DecoderMaps maps;
  private final AnswerCache answers;
  private final MemoryBudget working;
  private final Javalin app;
  private final String url;

  private ScratchpadServer(Scratchpad pad, ServerOptions options, ReferenceImages references) {
    this.pad = pad;
    this.options = options;
    this.references = references;
    this.answers = new AnswerCache(options.cachedAnswers(), options.maxCachedBytes());
    this.working = new MemoryBudget(options.maxWorkingBytes());
    this.maps = new DecoderMaps(pad.sae(), 0L);
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.maxRequestSize = options.maxAskBytes();
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler.Servlet()));
      cfg.staticFiles.add("/web", Location.CLASSPATH);
      cfg.routes.before(this::guard);
      cfg.routes.get("/api/info", this::info);
      cfg.routes.get("/api/samples", ctx -> send(ctx, Arrays.stream(SampleImage.values()).map(SampleImage::slug).toList()));
      cfg.routes.get("/api/samples/{name}", ctx -> png(ctx, SampleImage.bySlug(ctx.pathParam("name")).render()));
      cfg.routes.post("/api/ask", ctx -> withinMemory(ctx, this::ask));
      cfg.routes.get("/api/answers/{id}", ctx -> send(ctx, AnswerViews.answer(ctx.pathParam("id"),
          answers.get(ctx.pathParam("id")), options.barsTopK())));
      cfg.routes.get("/api/answers/{id}/image", ctx -> png(ctx, answers.get(ctx.pathParam("id")).answer().image()));
      cfg.routes.post("/api/answers/{id}/heatmap", this::heatmap);
      cfg.routes.post("/api/answers/{id}/regenerate", ctx -> withinMemory(ctx, this::regenerate));
      cfg.routes.get("/api/answers/{id}/diff/{other}", ctx -> send(ctx, AnswerViews.diff(
          answers.get(ctx.pathParam("id")).answer().diff(answers.get(ctx.pathParam("other")).answer()))));
      cfg.routes.get("/api/statistics", this::statistics);
      cfg.routes.post("/api/classify", ctx -> withinMemory(ctx, this::classify));
      cfg.routes.get("/api/class-sets", ctx -> send(ctx, new java.util.TreeMap<>(ClassPrompts.exampleClassSets())));
      cfg.routes.get("/api/latent-map", this::latentMap);
      cfg.routes.get("/api/latents/{latentId}", this::latent);
      cfg.routes.get("/api/latents/{latentId}/reference/{rank}", this::referenceImage);
      cfg.routes.exception(WebRequestException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
      cfg.routes.exception(InvalidInputException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
      cfg.routes.exception(UnsupportedCapabilityException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
      cfg.routes.exception(ScratchpadException.class, (e, ctx) -> error(ctx, 500, e.getMessage()));
      cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
          e.getStatus() == 413 ? "request body is larger than this server accepts (" + ServerOptions.size(options.maxAskBytes())
              + "). Send a smaller image." : e.getStatus() == 404 ? "no API endpoint " + ctx.method() + " " + ctx.path()
              + "; the page's own requests are listed in ScratchpadServer's documentation." : e.getMessage()));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        System.err.println("vsp serve: unexpected error on " + ctx.method() + " " + ctx.path());
        e.printStackTrace();
        error(ctx, 500, "internal error (" + e.getClass().getSimpleName() + "); the server log has the details. "
            + "The loaded model is unchanged.");
      });
      cfg.routes.error(404, ctx -> {
        String body = ctx.result();
        if (ctx.path().startsWith("/api/") && (body == null || !body.startsWith("{\"error\""))) {
          error(ctx, 404, "no API endpoint " + ctx.method() + " " + ctx.path() + ".");
        }
      });
    });
    try {
      app.start(options.host(), options.port());
    } catch (RuntimeException e) {
      throw new ScratchpadException("cannot start the web server on " + options.host() + ":" + options.port() + " ("
          + e.getMessage() + "). Choose another --port, or 0 for any free port.", e);
    }
    String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    this.url = "http://" + h + ":" + app.port() + "/";
    this.guard = new RequestGuard(options.host(), app.port());
  }

  private volatile RequestGuard guard;

  /**
   * Starts serving {@code pad}. The server does not own the scratchpad: {@link #close()} stops the
   * server only.
   *
   * @throws ScratchpadException if the port cannot be bound
   */
  public static ScratchpadServer start(Scratchpad pad, ServerOptions options) {
    return start(pad, options, ReferenceImages.none());
  }

  /**
   * Starts serving {@code pad}, with the latent page's reference images read from {@code references}
   * (by the image ids the statistics store).
   *
   * @throws ScratchpadException if the port cannot be bound
   */
  public static ScratchpadServer start(Scratchpad pad, ServerOptions options, ReferenceImages references) {
    InvalidInputException.check(pad != null, "scratchpad must not be null");
    InvalidInputException.check(options != null, "server options must not be null");
    InvalidInputException.check(references != null, "reference images must not be null (use ReferenceImages.none())");
    return new ScratchpadServer(pad, options, references);
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8077/}. */
  public String url() {
    return url;
  }

  /** The bound port. */
  public int port() {
    return app.port();
  }

  /**
   * Holds an answer made with the fluent API (on this server's scratchpad) and returns the page's
   * address that opens it, e.g. {@code http://127.0.0.1:8077/#a=k3f9-1}.
   */
  public String show(Answer answer) {
    InvalidInputException.check(answer != null, "answer must not be null");
    return url + "#a=" + answers.put(answer, ImageSource.png(answer.image()));
  }

  /** The number of answers held for later requests. */
  public int heldAnswers() {
    return answers.size();
  }

  /** The estimated bytes the held answers take (at most {@link ServerOptions#maxCachedBytes()}). */
  public long heldBytes() {
    return answers.bytes();
  }

  /** Stops the server (the scratchpad stays open). Never throws. */
  @Override
  public void close() {
    maps.close();
    try {
      app.stop();
    } catch (RuntimeException e) {
      System.err.println("vsp serve: error while stopping: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "ScratchpadServer[" + url + ", " + options + ", " + answers + "]";
  }

  // ---- handlers ----

  private void guard(Context ctx) {
    RequestGuard g = guard;
    if (g == null) {
      throw new WebRequestException(503, "the server is still starting; try again.");
    }
    g.check(ctx.header("Host"), ctx.header("Origin"), ctx.header("Sec-Fetch-Site"));
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; "
        + "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    if (ctx.method().name().equals("POST")) {
      String type = ctx.contentType();
      if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        throw new WebRequestException(415, "POST " + ctx.path() + " needs Content-Type application/json (got "
            + (type == null ? "none" : type) + ").");
      }
    }
  }

  private void info(Context ctx) {
    SaeConfig c = pad.sae().config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sae", Map.of("architecture", c.architecture().cfgName(), "dIn", c.dIn(), "dSae", c.dSae(),
        "hookPoint", c.hookPoint().toString(), "k", c.k(), "dtype", c.dtype(), "modelName", c.modelName()));
    m.put("statistics", pad.statistics().isPresent());
    m.put("capabilities", pad.capabilities().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList());
    m.put("limits", Map.of("maxImageBytes", options.maxImageBytes(), "maxImagePixels", options.maxImagePixels(),
        "maxJsonBytes", options.maxJsonBytes(), "maxCachedBytes", options.maxCachedBytes(),
        "maxWorkingBytes", options.maxWorkingBytes(), "cachedAnswers", options.cachedAnswers()));
    m.put("samples", Arrays.stream(SampleImage.values()).map(SampleImage::slug).toList());
    send(ctx, m);
  }

  private void ask(Context ctx) {
    WebRequests.Ask req = StrictJson.read(body(ctx, options.maxAskBytes(), "ask request"), WebRequests.Ask.class);
    requireCapability(Scratchpad.Capability.ASK, "ask a question");
    String prompt = req.prompt();
    if (prompt == null || prompt.isBlank()) {
      throw new WebRequestException(400, "field 'prompt' is missing or blank. Type a question about the image.");
    }
    if (prompt.length() > 4000) {
      throw WebRequestException.badField("prompt", prompt.length() + " characters", "be at most 4000 characters");
    }
    int maxNew = range("maxNewTokens", req.maxNewTokens(), 32, 1, 512);
    Picked picked = image(req.image(), req.sample());
    try (MemoryBudget.Reservation r = picked.reservation()) {
      BufferedImage img = picked.decode();
      Answer a = pad.ask(img, prompt, AskOptions.defaults().withMaxNewTokens(maxNew));
      String id = answers.put(a, picked.source(), img);
      send(ctx, AnswerViews.answer(id, answers.get(id), options.barsTopK()));
    }
  }

  /** Runs {@code handler}; a request that runs the heap out is answered 503 with a message, not a 500 or a dead thread. */
  private void withinMemory(Context ctx, io.javalin.http.Handler handler) throws Exception {
    try {
      handler.handle(ctx);
    } catch (OutOfMemoryError e) {
      throw new WebRequestException(503, "the server ran out of memory answering this request (" + e.getMessage()
          + "); nothing it holds was changed. Try again with a smaller image, or start the server with more memory "
          + "(VSP_JAVA_OPTS=-Xmx...).");
    }
  }

  private void requireCapability(Scratchpad.Capability needed, String what) {
    if (!pad.capabilities().contains(needed)) {
      throw new UnsupportedCapabilityException("the loaded model cannot " + what + ": it can "
          + pad.capabilities().stream().map(c -> c == Scratchpad.Capability.ASK ? "answer questions (ask)"
              : "classify with CLIP (classify)").reduce((x, y) -> x + " and " + y).orElse("nothing")
          + ". Load " + (needed == Scratchpad.Capability.ASK ? "a LLaVA checkpoint to ask questions"
              : "a CLIP checkpoint (CLIPModel) to classify") + ".");
    }
  }

  /** {@code value} or the default, checked to lie in {@code [min, max]}. */
  private static int range(String field, Integer value, int fallback, int min, int max) {
    int v = value == null ? fallback : value;
    if (v < min || v > max) {
      throw WebRequestException.badField(field, v, "be an integer in [" + min + ", " + max + "]");
    }
    return v;
  }

  private static double range(String field, Double value, double fallback, double min, double max) {
    double v = value == null ? fallback : value;
    if (!Double.isFinite(v) || v < min || v > max) {
      throw WebRequestException.badField(field, v, "be a number in [" + min + ", " + max + "]");
    }
    return v;
  }

  private void heatmap(Context ctx) {
    Answer a = answers.get(ctx.pathParam("id")).answer();
    WebRequests.Heatmap req = StrictJson.read(body(ctx, options.maxJsonBytes(), "heatmap request"), WebRequests.Heatmap.class);
    HeatmapOptions ho = new HeatmapOptions(range("topK", req.topK(), 20, 1, 500),
        req.attentionWeighted() == null || req.attentionWeighted(),
        req.filter() == null ? HeatmapOptions.NoisyFilter.BOTH : req.filter(), range("percent", req.percent(), 2.0, 0, 100),
        req.normalization() == null ? HeatmapOptions.Normalization.NONE : req.normalization(),
        req.includeEndToken() != null && req.includeEndToken());
    TokenLatentHeatmap hm = a.heatmap(ho);
    LatentClusters clusters = null;
    if ((req.cluster() == null || req.cluster()) && !hm.latentIds().isEmpty()) {
      int n = range("clusters", req.clusters(), 5, 0, 1000);
      ClusterOptions co = new ClusterOptions(req.method() == null ? ClusterOptions.Method.AVERAGE : req.method(),
          req.distance() == null ? ClusterOptions.Distance.CORRELATION : req.distance(),
          Math.min(n, hm.latentIds().size()), range("cutHeight", req.cutHeight(), 0.5, 0, 1e9),
          range("seed", req.seed(), 0, 0, Integer.MAX_VALUE), range("restarts", req.restarts(), 10, 1, 100));
      clusters = hm.cluster(co);
    }
    send(ctx, AnswerViews.heatmap(hm, clusters));
  }

  private void regenerate(Context ctx) {
    AnswerCache.Held base = answers.get(ctx.pathParam("id"));
    PlanJson.Plan req = StrictJson.read(body(ctx, options.maxJsonBytes(), "regenerate request"), PlanJson.Plan.class);
    InterventionPlan plan = plan(req.edits(), req.errorTerm(), true);
    try (MemoryBudget.Reservation r = working.reserve(workingBytes(base.width(), base.height()),
        "the answer's image (" + base.width() + " x " + base.height() + ")")) {
      BufferedImage img = base.source().load(options);
      Answer after = pad.ask(img, base.answer().prompt(), base.answer().options().withPlan(plan));
      String id = answers.put(after, base.source(), img);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("baseId", ctx.pathParam("id"));
      m.put("answer", AnswerViews.answer(id, answers.get(id), options.barsTopK()));
      m.put("diff", AnswerViews.diff(base.answer().diff(after)));
      send(ctx, m);
    }
  }

  /** The working memory an image of {@code width x height} reserves. */
  private static long workingBytes(long width, long height) {
    return width * height * ServerOptions.WORKING_BYTES_PER_PIXEL;
  }

  /** A request's image, chosen and sized but not yet decoded, with its working memory reserved. */
  private record Picked(ImageSource source, SampleImage sample, byte[] bytes, MemoryBudget.Reservation reservation,
      ServerOptions options) {
    BufferedImage decode() {
      return sample != null ? sample.render() : ImageUpload.decode(bytes, options);
    }
  }

  /**
   * The image of a request: exactly one of a base64 upload and a built-in sample's name; its size read
   * from the header and its working memory reserved before any pixel is decoded.
   */
  private Picked image(String image, String sample) {
    if ((sample == null) == (image == null)) {
      throw new WebRequestException(400, "send exactly one of 'image' (base64 or a data URL) and 'sample' (a built-in "
          + "picture name); got " + (sample == null ? "neither" : "both") + ".");
    }
    if (sample != null) {
      SampleImage s = SampleImage.bySlug(sample);
      return new Picked(ImageSource.sample(s), s, null, working.reserve(workingBytes(1024, 1024), "picture " + sample),
          options);
    }
    byte[] bytes = ImageUpload.bytes(image, options);
    java.awt.Dimension size = ImageUpload.size(bytes, options);
    MemoryBudget.Reservation r = working.reserve(workingBytes(size.width, size.height),
        "the image (" + size.width + " x " + size.height + ")");
    return new Picked(ImageSource.encoded(bytes), null, bytes, r, options);
  }

  /**
   * The plan of the edits and error term of a request, through the one plan codec ({@link PlanJson}),
   * with this server's limits: 1 to 64 edits (none allowed unless {@code required}), ids below d_sae.
   */
  private InterventionPlan plan(List<PlanJson.Edit> edits, ErrorTerm errorTerm, boolean required) {
    int dSae = pad.sae().dSae();
    if (!required && (edits == null || edits.isEmpty())) {
      return InterventionPlan.none();
    }
    if (edits == null || edits.isEmpty() || edits.size() > 64) {
      throw WebRequestException.badField("edits", edits == null ? "none" : edits.size() + " edits", "be a list of 1 to 64 "
          + "edits like {\"kind\": \"ablate\", \"latentIds\": [412], \"scope\": \"all\"}");
    }
    for (int i = 0; i < edits.size(); i++) {
      List<Integer> ids = edits.get(i) == null ? null : edits.get(i).latentIds();
      if (ids != null && ids.size() > 10_000) {
        throw WebRequestException.badField("edits[" + i + "].latentIds", ids.size() + " ids", "hold at most 10000 latent ids");
      }
    }
    return PlanJson.fromRecord(new PlanJson.Plan(errorTerm, edits), dSae);
  }

  private void classify(Context ctx) {
    WebRequests.Classify req = StrictJson.read(body(ctx, options.maxAskBytes(), "classify request"),
        WebRequests.Classify.class);
    requireCapability(Scratchpad.Capability.CLASSIFY, "classify");
    List<String> classes = req.classes();
    if (classes == null || classes.size() < 2 || classes.size() > 1000) {
      throw WebRequestException.badField("classes", classes == null ? "none" : classes.size() + " names",
          "be a list of 2 to 1000 class names");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < classes.size(); i++) {
      String c = classes.get(i);
      if (c == null || c.isBlank() || c.length() > 200) {
        throw WebRequestException.badField("classes[" + i + "]", c, "be a non-blank class name of at most 200 characters");
      }
      names.add(c.strip());
    }
    List<String> templates;
    JsonNode t = req.templates();
    if (t == null || t.isNull()) {
      templates = List.of("a photo of a {}.");
    } else if (t.isTextual() && t.asText().equals("imagenet")) {
      templates = ClassPrompts.imagenetTemplates();
    } else if (t.isArray() && !t.isEmpty() && t.size() <= 200) {
      templates = new ArrayList<>();
      for (JsonNode x : t) {
        if (!x.isTextual() || x.asText().length() > 300) {
          throw WebRequestException.badField("templates", x, "hold templates (strings of at most 300 characters) with {}");
        }
        templates.add(x.asText());
      }
    } else {
      throw WebRequestException.badField("templates", t, "be \"imagenet\" or a list of 1 to 200 templates containing {}");
    }
    ClassPrompts prompts = new ClassPrompts(names, templates);
    InterventionPlan plan = plan(req.edits(), req.errorTerm(), false);
    Picked picked = image(req.image(), req.sample());
    try (MemoryBudget.Reservation r = picked.reservation()) {
      BufferedImage img = picked.decode();
      Classification before = pad.classify(img, prompts);
      Classification after = plan.edits().isEmpty() ? null : before.under(plan);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("templates", templates.size());
      m.put("before", before.scores());
      m.put("after", after == null ? null : after.scores());
      m.put("plan", plan.edits().stream().map(LatentIntervention::toString).toList());
      send(ctx, m);
    }
  }

  private void statistics(Context ctx) {
    DatasetStatistics s = pad.statistics().orElseThrow(() -> new WebRequestException(404,
        "no latent statistics are loaded. Start the server with --stats DIR to see the exploration scatter."));
    double percent = parsePercent(ctx.queryParam("percent"));
    send(ctx, AnswerViews.statistics(s, percent));
  }

  private int latentId(Context ctx) {
    int dSae = pad.sae().dSae();
    String raw = ctx.pathParam("latentId");
    int latentId;
    try {
      latentId = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      latentId = -1;
    }
    if (latentId < 0 || latentId >= dSae) {
      throw new WebRequestException(400, "latent id (" + (raw.length() > 20 ? raw.substring(0, 20) + "..." : raw)
          + ") must be an integer in [0, d_sae = " + dSae + ").");
    }
    return latentId;
  }

  /** One reference image of a latent, by its rank in the statistics' top images, with the patch mask drawn over it. */
  private void referenceImage(Context ctx) {
    int latentId = latentId(ctx);
    LatentStatistics s = pad.statistics().filter(LatentStatistics.class::isInstance).map(LatentStatistics.class::cast)
        .orElseThrow(() -> new WebRequestException(404, "no latent statistics with top images are loaded. "
            + "Start the server with --stats DIR."));
    List<TopImage> top = s.topImages(latentId);
    String raw = ctx.pathParam("rank");
    int rank = raw.matches("\\d{1,4}") ? Integer.parseInt(raw) : -1;
    if (rank < 0 || rank >= top.size()) {
      throw new WebRequestException(404, "reference image rank (" + (raw.length() > 20 ? raw.substring(0, 20) + "..." : raw)
          + ") of latent " + latentId + " must be an integer in [0, " + top.size() + ")"
          + (top.isEmpty() ? "; this latent never fired on the statistics' images" : "") + ".");
    }
    TopImage t = top.get(rank);
    BufferedImage img = references.load(t.imageId()).orElseThrow(() -> new WebRequestException(404, "reference image "
        + t.imageId() + " is not available: " + references.describe() + "."));
    png(ctx, LatentPageViews.maskOver(img, t.mask(), LatentPageViews.maskScale(top),
        pad.imageTokenLayout(img.getWidth(), img.getHeight()).orElse(null)));
  }

  /** The decoder map with the requested clusters; 202 and a progress note while it is computed. */
  private void latentMap(Context ctx) {
    String raw = ctx.queryParam("clusters");
    int clusters;
    try {
      clusters = raw == null || raw.isEmpty() ? 8 : Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      clusters = -1;
    }
    int dSae = pad.sae().dSae();
    if (clusters < 1 || clusters > Math.min(64, dSae)) {
      throw WebRequestException.badField("clusters", raw == null ? "" : raw.length() > 20 ? raw.substring(0, 20) : raw,
          "be an integer in [1, " + Math.min(64, dSae) + "]");
    }
    DecoderMaps.State state = maps.get(clusters);
    if (state.map() == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", "computing");
      m.put("elapsedMs", state.elapsedMs());
      m.put("dSae", dSae);
      ctx.status(202);
      send(ctx, m);
      return;
    }
    DecoderMap map = state.map();
    float[] x = new float[map.dSae()];
    float[] y = new float[map.dSae()];
    for (int l = 0; l < x.length; l++) {
      x[l] = map.positions().get(l, 0);
      y[l] = map.positions().get(l, 1);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "done");
    m.put("dSae", map.dSae());
    m.put("method", map.method());
    m.put("seed", map.seed());
    m.put("computeMs", state.elapsedMs());
    m.put("clusterCount", map.clusterCount());
    m.put("x", x);
    m.put("y", y);
    m.put("clusters", map.clusters());
    send(ctx, m);
  }

  private void latent(Context ctx) {
    int dSae = pad.sae().dSae();
    int latentId = latentId(ctx);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("latentId", latentId);
    m.put("dSae", dSae);
    final int id = latentId;
    pad.statistics().ifPresent(s -> {
      m.put("meanActivation", s.meanActivation(id));
      m.put("frequency", s.frequency(id));
      m.put("meanActivationRank", rank(s, id, true));
      m.put("frequencyRank", rank(s, id, false));
    });
    try {
      float[] dir = pad.sae().decoderDirection(latentId);
      double sq = 0;
      for (float f : dir) {
        sq += (double) f * f;
      }
      m.put("decoderNorm", Math.sqrt(sq));
    } catch (ScratchpadException | UnsupportedOperationException e) {
      m.put("decoderNorm", null);
    }
    if (pad.statistics().orElse(null) instanceof LatentStatistics ls) {
      m.put("referenceImages", LatentPageViews.references(latentId, ls, references));
      m.put("referenceNote", ls.topImages(latentId).isEmpty()
          ? "this latent fired on none of the " + ls.images() + " images of the statistics."
          : "top " + ls.topImages(latentId).size() + " of " + ls.images() + " images by mean activation; "
              + references.describe() + ". Darker patches: weaker activation (one scale for all of them).");
      double h = ls.labelEntropy(latentId);
      m.put("labelEntropy", h < 0 ? null : h);
      m.put("labelEntropyNote", h < 0 ? "not defined: fewer than top_k (" + ls.options().topK()
          + ") of its top images carry a label" : "natural log over the activation-weighted labels of the top images");
      m.put("distribution", LatentPageViews.distribution(latentId, ls, 20));
    } else {
      m.put("referenceImages", List.of());
      m.put("referenceNote", pad.statistics().isPresent()
          ? "these statistics keep no top images; the patch mask below shows where the latent fires on the current image."
          : "no latent statistics are loaded (--stats DIR); the patch mask below shows where the latent fires on the current image.");
    }
    String answerId = ctx.queryParam("answer");
    if (answerId != null && !answerId.isEmpty()) {
      Answer a = answers.get(answerId).answer();
      float[] perToken = new float[a.imageTokens().size()];
      float max = 0;
      for (int k = 0; k < perToken.length; k++) {
        ImageTokenLocation loc = a.imageTokens().get(k);
        perToken[k] = a.activations().get(loc.crop()).get(loc.saeRow(), latentId);
        max = Math.max(max, perToken[k]);
      }
      // row 0 is CLS only for towers that have one (CLIP); SigLIP's row 0 is a patch: no CLS value then
      boolean hasCls = a.imageTokens().isEmpty() || a.imageTokens().get(0).saeRow() == a.imageTokens().get(0).patchIndex() + 1;
      float[] cls = new float[hasCls ? a.activations().size() : 0];
      for (int c = 0; c < cls.length; c++) {
        cls[c] = a.activations().get(c).get(0, latentId);
      }
      m.put("answer", answerId);
      m.put("patchActivations", perToken);
      m.put("maxPatchActivation", max);
      m.put("clsActivation", cls);
    }
    send(ctx, m);
  }

  /** 1-based rank of the latent among all by the statistic, largest first. */
  private static int rank(DatasetStatistics s, int latentId, boolean byMean) {
    float v = byMean ? s.meanActivation(latentId) : s.frequency(latentId);
    int above = 0;
    for (int l = 0; l < s.dSae(); l++) {
      if ((byMean ? s.meanActivation(l) : s.frequency(l)) > v) {
        above++;
      }
    }
    return above + 1;
  }

  // ---- plumbing ----

  private static double parsePercent(String raw) {
    if (raw == null || raw.isEmpty()) {
      return 2.0;
    }
    try {
      double p = Double.parseDouble(raw);
      if (p >= 0 && p <= 100) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw WebRequestException.badField("percent", raw.length() > 20 ? raw.substring(0, 20) : raw, "be a number in [0, 100]");
  }

  /**
   * At most this many bytes of a refused body are read and thrown away before the 413 is sent: a
   * server that answers and closes while the client still sends makes the client's TCP stack reset
   * the connection, and the client may then never see the answer.
   */
  private static final long DRAIN_LIMIT = 64L << 20;

  private static byte[] body(Context ctx, long limit, String what) {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > limit) {
        drain(in, DRAIN_LIMIT);
        throw WebRequestException.tooLarge(what, declared, limit, "Send a smaller image or fewer fields.");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, limit)));
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) {
          drain(in, DRAIN_LIMIT);
          throw WebRequestException.tooLarge(what, total, limit, "Send a smaller image or fewer fields.");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new WebRequestException(400, what + " body could not be read (" + e.getMessage() + ").");
    }
  }

  /** Reads and discards up to {@code max} bytes of {@code in} (nothing is kept). */
  private static void drain(InputStream in, long max) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long seen = 0;
    int n;
    while (seen < max && (n = in.read(buf)) > 0) {
      seen += n;
    }
  }

  private void send(Context ctx, Object value) {
    try {
      ctx.contentType(JSON).result(mapper.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void error(Context ctx, int status, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message == null ? "error " + status : message);
    m.put("status", status);
    ctx.status(status);
    send(ctx, m);
  }

  private static void png(Context ctx, BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      ctx.contentType("image/png").result(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
