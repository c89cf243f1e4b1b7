package org.visualscratchpad.torch.family;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.VisionStream;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.Devices;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * The vision tower of a registered VLM family (LLaVA-OneVision's SigLIP, Qwen2-VL's ViT, LLaVA's CLIP) loaded and
 * run only up to an SAE's hook, on the CPU engine: the embeddings and the layers before the hook are all that is
 * read from the checkpoint (for a 7B model, a few hundred MB instead of 16 GB). Images are preprocessed with the
 * folder's own processor, every crop as the model sees it. Gives the same stream as the whole model's {@code
 * residualStream}. Immutable and thread-safe; {@link #close()} only refuses later calls (the weights are Java
 * arrays).
 */
public final class HookedFamilyTower implements VisionEncoder, AutoCloseable {
  private final Path folder;
  private final VlmFamily family;
  private final VlmConfig cfg;
  private final CpuFamilyModel parts;
  private final CpuVisionTower tower;
  private final ImagePreprocessor preprocessor;
  private final int loadedLayers;
  private final LongAdder layersRun = new LongAdder();
  private volatile boolean closed;

  private HookedFamilyTower(Path folder, VlmFamily family, VlmConfig cfg, CpuFamilyModel parts,
      ImagePreprocessor preprocessor, int loadedLayers) {
    this.folder = folder;
    this.family = family;
    this.cfg = cfg;
    this.parts = parts;
    this.tower = parts.vision();
    this.preprocessor = preprocessor;
    this.loadedLayers = loadedLayers;
  }

  /** Whether {@link #load} can read {@code folder}: a registered family that loads its tower alone. */
  public static boolean supports(Path folder) {
    String type = ConfigJson.read(folder).getString("model_type", "");
    return VlmFamilies.find(type).map(VlmFamily::loadsVisionAlone).orElse(false);
  }

  /**
   * Loads the vision tower of {@code folder} up to {@code hook} on the CPU engine.
   *
   * @param dtype {@code auto}, {@code f32}, {@code bf16} or {@code f16}
   * @throws InvalidInputException if the hook is not a vision hook inside the tower or the dtype is unknown
   * @throws org.visualscratchpad.CheckpointFormatException if config.json, preprocessor_config.json or a needed
   *     tensor is missing or malformed
   */
  public static HookedFamilyTower load(Path folder, HookPoint hook, String dtype) {
    ConfigJson json = ConfigJson.read(folder);
    VlmFamily family = VlmFamilies.forConfig(json);
    VlmConfig cfg = family.readConfig(json);
    int index = checkHook(hook, cfg, folder);
    ImagePreprocessor preprocessor = ImagePreprocessor.forCheckpoint(folder);
    var storage = Devices.storage(dtype);
    try (Weights w = Weights.open(folder)) {
      CpuWeights cw = new CpuWeights(w, storage);
      CpuFamilyModel parts = family.loadCpuVision(cfg, cw, index);
      InvalidInputException.check(parts != null, "%s does not load its vision tower alone", family.displayName());
      cw.finish();
      return new HookedFamilyTower(folder, family, cfg, parts, preprocessor, index);
    }
  }

  private static int checkHook(HookPoint hook, VlmConfig cfg, Path folder) {
    return HookPoint.checkedVisionIndex(hook, cfg.vision().numLayers(),
        " of " + folder + ". Was this SAE trained on another model?");
  }

  /** Encoder layers held (those before the hook's {@code hidden_states} index). */
  public int loadedLayers() {
    return loadedLayers;
  }

  /** Encoder layers run since load (one per layer per image). */
  public long layersRun() {
    return layersRun.sum();
  }

  /** Bytes of weights held. */
  public long weightBytes() {
    return parts.bytes();
  }

  @Override
  public int numLayers() {
    return cfg.vision().numLayers();
  }

  @Override
  public int hiddenSize() {
    return cfg.vision().hiddenSize();
  }

  @Override
  public int imageSize() {
    return cfg.vision().imageSize();
  }

  @Override
  public int patchSize() {
    return cfg.vision().patchSize();
  }

  @Override
  public boolean hasClsToken() {
    return tower.hasClsToken();
  }

  /**
   * The residual stream at {@code hook} for every crop the model uses, {@code [rows x d]} each (row 0 = CLS where
   * the tower has one).
   *
   * @throws InvalidInputException if {@code hook} lies beyond the layers loaded (load again with that hook)
   */
  @Override
  public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
    if (closed) {
      throw new ScratchpadException("HookedFamilyTower " + folder + " is closed; load it again");
    }
    InvalidInputException.check(image != null, "image must not be null");
    int index = checkHook(hook, cfg, folder);
    InvalidInputException.check(index <= loadedLayers, "hook %s reads hidden_states[%s], but this tower was loaded "
        + "up to hidden_states[%s]; load it with that hook", hook, index, loadedLayers);
    ImageInput in = ImageInput.from(preprocessor.preprocess(ImageDecoder.toRgb(image)));
    int need = parts.checkedCrops(0, in);
    VisionStream x = parts.embed(List.of(in), new int[] {need});
    for (int l = 0; l < index; l++) {
      tower.layer(l, x, null);
      layersRun.increment();
    }
    List<FloatMatrix> out = new ArrayList<>(x.crops());
    for (int c = 0; c < x.crops(); c++) {
      out.add(x.crop(c));
    }
    return out;
  }

  /** Refuses later calls. Never throws. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "HookedFamilyTower[" + family.modelType() + " " + folder.getFileName() + ", " + loadedLayers + " of "
        + cfg.vision().numLayers() + " layers loaded]";
  }
}
