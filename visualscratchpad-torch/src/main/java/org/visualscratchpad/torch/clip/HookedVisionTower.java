package org.visualscratchpad.torch.clip;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.cpu.CpuClipTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.Devices;
import org.visualscratchpad.torch.llava.LlavaConfig;
import org.visualscratchpad.torch.nn.Nd;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * The vision tower of a CLIP, LLaVA-1.5 or LLaVA-NeXT checkpoint folder, loaded and run only as far
 * as an SAE's hook point: the embeddings and the encoder layers before {@code hidden_states[index]}
 * are read from the checkpoint, nothing else (no later vision layer, no text tower, no language
 * model: for {@code llava-1.5-7b} with a layer-18 SAE that is 0.2 GB of weights instead of 14 GB).
 * Images go through the folder's own preprocessing ({@code preprocessor_config.json}; for
 * LLaVA-NeXT every anyres crop the model would use). What dataset statistics and SAE training over
 * images need.
 *
 * <p>{@code device "cpu"} is the project's CPU engine (weights in their stored precision or {@code
 * dtype}); {@code "torch:cpu"}, {@code "gpu"}, {@code "gpu:N"} run on libtorch through DJL. On the CPU
 * engine the stream of a LLaVA folder is bit-identical to {@code LlavaModel.residualStream}, on libtorch
 * that of a CLIP folder to {@code ClipModel.residualStream} (tested). Thread-safe.
 *
 * <pre>{@code
 * jshell> var tower = HookedVisionTower.load(Path.of("llava-1.5-7b-hf"), HookPoint.visionResidPost(18), "cpu", "auto")
 * tower ==> HookedVisionTower[llava llava-1.5-7b-hf, 19 of 24 layers loaded, cpu engine]
 * jshell> tower.residualStream(ImageIO.read(new File("cat.jpg")), HookPoint.visionResidPost(18))
 * $2 ==> [FloatMatrix[577 x 1024]]
 * }</pre>
 */
public final class HookedVisionTower implements VisionEncoder, AutoCloseable {
  private final Path folder;
  private final String modelType;
  private final ClipTowerConfig cfg;
  private final List<ImageSize> pinpoints; // LLaVA-NeXT's anyres grid; null otherwise
  private final ImagePreprocessor preprocessor;
  private final int loadedLayers;
  private final CpuClipTower cpu;        // the CPU engine, or
  private final ClipVisionTower torch;   // libtorch
  private final NDManager manager;
  private final LongAdder layersRun = new LongAdder();
  private volatile boolean closed;

  private HookedVisionTower(Path folder, String modelType, ClipTowerConfig cfg, List<ImageSize> pinpoints,
      ImagePreprocessor preprocessor, int loadedLayers, CpuClipTower cpu, ClipVisionTower torch, NDManager manager) {
    this.folder = folder;
    this.modelType = modelType;
    this.cfg = cfg;
    this.pinpoints = pinpoints;
    this.preprocessor = preprocessor;
    this.loadedLayers = loadedLayers;
    this.cpu = cpu;
    this.torch = torch;
    this.manager = manager;
  }

  /**
   * Whether {@link #load} reads {@code folder}: a CLIP, CLIPVision, LLaVA-1.5 or LLaVA-NeXT checkpoint (other
   * families' towers, e.g. LLaVA-OneVision's SigLIP, load through {@code family.HookedFamilyTower}).
   */
  public static boolean supports(Path folder) {
    String type = ConfigJson.read(folder).getString("model_type", "");
    return type.equals("clip") || type.equals("clip_vision_model") || type.equals("llava") || type.equals("llava_next");
  }

  /**
   * Loads the vision tower of {@code folder} up to {@code hook}.
   *
   * @param device {@code cpu} (the CPU engine), {@code torch:cpu}, {@code gpu} or {@code gpu:N}
   * @param dtype {@code auto}, {@code f32}, {@code bf16} or {@code f16} (CPU engine; libtorch holds float32)
   * @throws InvalidInputException if the hook is not a vision hook inside the tower, or the device or
   *     dtype is unknown
   * @throws org.visualscratchpad.CheckpointFormatException if the folder is not a CLIP or LLaVA
   *     checkpoint or a needed tensor is missing
   */
  public static HookedVisionTower load(Path folder, HookPoint hook, String device, String dtype) {
    ConfigJson config = ConfigJson.read(folder);
    String type = config.getString("model_type", "");
    ClipTowerConfig vc;
    String prefix;
    List<ImageSize> pinpoints = null;
    switch (type) {
      case "clip" -> {
        vc = ClipTowerConfig.vision(config.child("vision_config"));
        prefix = "vision_model";
      }
      case "clip_vision_model" -> {
        vc = ClipTowerConfig.vision(config);
        prefix = "vision_model";
      }
      case "llava", "llava_next" -> {
        LlavaConfig lc = LlavaConfig.read(config);
        vc = lc.vision();
        prefix = "vision_tower.vision_model";
        pinpoints = lc.isNext() ? lc.pinpoints().stream().map(p -> new ImageSize(p[0], p[1])).toList() : null;
      }
      default -> throw config.bad("model_type", type.isEmpty() ? "missing" : type,
          "clip, clip_vision_model, llava or llava_next (a checkpoint with a CLIP vision tower)");
    }
    int index = checkHook(hook, vc, folder);
    ImagePreprocessor preprocessor = ImagePreprocessor.forCheckpoint(folder);
    var storage = Devices.storage(dtype);
    if (Devices.isCpuEngine(device)) {
      try (Weights w = Weights.open(folder)) {
        CpuWeights cw = new CpuWeights(w, storage);
        CpuClipTower tower = new CpuClipTower(cw, prefix, vc, index);
        cw.finish();
        return new HookedVisionTower(folder, type, vc, pinpoints, preprocessor, index, tower, null, null);
      }
    }
    InvalidInputException.check(storage == null || storage == org.visualscratchpad.torch.cpu.PackedWeight.Storage.F32,
        "dtype (%s) is for the cpu engine; on %s the weights are float32 (use auto or f32)", dtype, device);
    NDManager manager = NDManager.newBaseManager(Devices.parse(device));
    try (Weights w = Weights.open(folder, manager)) {
      ClipVisionTower tower = ClipVisionTower.loadFirstLayers(w, prefix, vc, index);
      return new HookedVisionTower(folder, type, vc, pinpoints, preprocessor, index, null, tower, manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static int checkHook(HookPoint hook, ClipTowerConfig vc, Path folder) {
    return HookPoint.checkedVisionIndex(hook, vc.numLayers(), " of " + folder + ". Was this SAE trained on another model?");
  }

  /** Encoder layers held (those before the hook's {@code hidden_states} index). */
  public int loadedLayers() {
    return loadedLayers;
  }

  /** Encoder layers run since load, summed over crops batches (one per layer per call). */
  public long layersRun() {
    return layersRun.sum();
  }

  /** Whether this runs on the project's CPU engine (else libtorch). */
  public boolean onCpuEngine() {
    return cpu != null;
  }

  @Override
  public int numLayers() {
    return cfg.numLayers();
  }

  @Override
  public int hiddenSize() {
    return cfg.hiddenSize();
  }

  @Override
  public int imageSize() {
    return cfg.imageSize();
  }

  @Override
  public int patchSize() {
    return cfg.patchSize();
  }

  /**
   * @throws InvalidInputException if {@code hook} lies beyond the layers loaded (load again with that hook)
   */
  @Override
  public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
    if (closed) {
      throw new ScratchpadException("HookedVisionTower " + folder + " is closed; load it again");
    }
    int index = checkHook(hook, cfg, folder);
    InvalidInputException.check(index <= loadedLayers, "hook %s reads hidden_states[%s], but this tower was loaded "
        + "up to hidden_states[%s]; load it with that hook", hook, index, loadedLayers);
    ImageInputs in = preprocessor.preprocess(ImageDecoder.toRgb(image));
    int s = cfg.imageSize();
    InvalidInputException.check(in.cropHeight() == s && in.cropWidth() == s, "preprocessed crops are %sx%s but the "
        + "vision tower takes %sx%s: check preprocessor_config.json of %s", in.cropHeight(), in.cropWidth(), s, s, folder);
    int need = pinpoints == null ? 1 : AnyresGeometry.plan(in.imageSize(), pinpoints, s).cropCount();
    InvalidInputException.check(in.cropCount() >= need, "image (%s) has %s crops but the model needs %s",
        in.imageSize(), in.cropCount(), need);
    float[] pixels = Arrays.copyOf(in.toArray(), need * 3 * s * s);
    List<FloatMatrix> out = new ArrayList<>(need);
    if (cpu != null) {
      float[] x = cpu.embed(pixels, need);
      CpuClipTower.Scratch scratch = new CpuClipTower.Scratch(cfg, need);
      for (int l = 0; l < index; l++) {
        cpu.layer(l, x, need, scratch);
        layersRun.increment();
      }
      int tokens = cfg.tokensPerCrop();
      int d = cfg.hiddenSize();
      for (int c = 0; c < need; c++) {
        out.add(FloatMatrix.adopt(tokens, d, Arrays.copyOfRange(x, c * tokens * d, (c + 1) * tokens * d)));
      }
      return out;
    }
    try (NDManager m = manager.newSubManager()) {
      List<FloatMatrix> crops = torch.hiddenStates(Nd.create(m, DenseTensor.adopt(new long[] {need, 3, s, s}, pixels)),
          index);
      layersRun.add(index);
      return crops;
    }
  }

  /** Frees the weights (libtorch's native memory). Never throws; later calls fail with a clear error. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (manager != null) {
        try {
          manager.close();
        } catch (RuntimeException ignored) {
          // close() never throws
        }
      }
    }
  }

  @Override
  public String toString() {
    return "HookedVisionTower[" + modelType + " " + folder.getFileName() + ", " + loadedLayers + " of " + cfg.numLayers()
        + " layers loaded, " + (cpu != null ? "cpu engine" : "libtorch") + "]";
  }
}
