package org.visualscratchpad.scratchpad;

import java.nio.file.Path;
import java.util.Optional;
import org.visualscratchpad.InvalidInputException;

/**
 * What to load into a {@link Scratchpad}.
 *
 * <pre>{@code
 * jshell> var spec = LoadSpec.of(Path.of("llava-1.5-7b-hf"), Path.of("sae-layer18")).withStatistics(Path.of("stats"))
 * }</pre>
 *
 * @param model a Hugging Face model folder ({@code config.json}, safetensors weights, tokenizer)
 * @param sae an SAE folder (SAELens layout) or file (PatchSAE checkpoint)
 * @param statistics latent statistics over a dataset, or {@code null}
 * @param device {@code "cpu"} (default: the project's CPU engine), {@code "torch:cpu"} (libtorch on the
 *     CPU) or a GPU such as {@code "gpu"} / {@code "gpu:0"} (libtorch with CUDA natives)
 * @param dtype how the CPU engine holds the weights: {@code "auto"} (default: as stored), {@code "bf16"},
 *     {@code "f16"} or {@code "f32"}
 */
public record LoadSpec(Path model, Path sae, Path statistics, String device, String dtype) {
  public LoadSpec {
    InvalidInputException.check(model != null, "model folder must not be null");
    InvalidInputException.check(sae != null, "SAE path must not be null");
    device = device == null || device.isBlank() ? "cpu" : device;
    dtype = dtype == null || dtype.isBlank() ? "auto" : dtype;
  }

  /** A spec with the weights held as stored. */
  public LoadSpec(Path model, Path sae, Path statistics, String device) {
    this(model, sae, statistics, device, "auto");
  }

  /** This spec with the weights held in {@code weightDtype} ({@code auto}, {@code bf16}, {@code f16}, {@code f32}). */
  public LoadSpec withDtype(String weightDtype) {
    return new LoadSpec(model, sae, statistics, device, weightDtype);
  }

  /** A model and an SAE on the CPU, without statistics. */
  public static LoadSpec of(Path model, Path sae) {
    return new LoadSpec(model, sae, null, "cpu");
  }

  /** This spec with latent statistics. */
  public LoadSpec withStatistics(Path stats) {
    return new LoadSpec(model, sae, stats, device, dtype);
  }

  /** This spec on another device. */
  public LoadSpec onDevice(String deviceName) {
    return new LoadSpec(model, sae, statistics, deviceName, dtype);
  }

  /** The statistics path, if any. */
  public Optional<Path> statisticsPath() {
    return Optional.ofNullable(statistics);
  }
}
