package org.visualscratchpad.torch.llava;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * What a regeneration under another intervention can reuse, in plain Java: the vision tower's
 * stream at the SAE hook per crop (the layers up to the hook do not change) and the language
 * model's keys and values of the text before the first image token. Built by {@link
 * LlavaModel#cacheFor}; passed to {@link LlavaModel#generate(GenerationRequest, PromptCache)}.
 *
 * <pre>{@code
 * jshell> var cache = model.cacheFor(req)
 * cache ==> PromptCache[vision.blocks.18.hook_resid_post, 5 crops, 5 prefix tokens, 47 prompt tokens]
 * jshell> var ablated = model.generate(req.withSae(new SaeTap(sae, plan)), cache)
 * }</pre>
 *
 * <p>Immutable and thread-safe; holds no native memory.
 */
public final class PromptCache {
  private final List<Integer> prompt;
  private final List<ImageInput> images;
  private final HookPoint hook;
  private final List<FloatMatrix> streams;
  private final int prefixLength;
  private final List<float[]> keys;     // per layer (nKV * prefix * headDim)
  private final List<float[]> values;
  private final Object engine;          // the engine that built it: its keys and values are in that engine's layout

  PromptCache(List<Integer> prompt, List<ImageInput> images, HookPoint hook, List<FloatMatrix> streams,
      int prefixLength, List<float[]> keys, List<float[]> values, Object engine) {
    this.engine = engine;
    this.prompt = List.copyOf(prompt);
    this.images = List.copyOf(images);
    this.hook = hook;
    this.streams = List.copyOf(streams);
    this.prefixLength = prefixLength;
    this.keys = List.copyOf(keys);
    this.values = List.copyOf(values);
  }

  /** The hook point whose stream is cached. */
  public HookPoint hook() {
    return hook;
  }

  /** The unedited stream at the hook, one {@code [tokensPerCrop x d]} per crop. */
  public List<FloatMatrix> streams() {
    return streams;
  }

  /** Number of prompt tokens before the first image token (whose keys and values are cached). */
  public int prefixLength() {
    return prefixLength;
  }

  List<float[]> keys() {
    return keys;
  }

  List<float[]> values() {
    return values;
  }

  /** Checks that {@code req} has the prompt, images and hook this cache was built for, by {@code engine}. */
  void checkFits(GenerationRequest req, Object builtBy) {
    InvalidInputException.check(engine == builtBy,
        "the prompt cache was built by another model; build it with this model's cacheFor(request)");
    InvalidInputException.check(req.inputIds().equals(prompt),
        "the prompt cache was built for another prompt (%s tokens, not %s); build it with cacheFor(request)",
        prompt.size(), req.inputIds().size());
    InvalidInputException.check(req.images().equals(images), "the prompt cache was built for other images");
    InvalidInputException.check(req.sae() != null && req.sae().hookPoint().equals(hook),
        "the prompt cache holds the stream at %s; the request's SAE hooks %s", hook,
        req.sae() == null ? "nothing" : req.sae().hookPoint());
  }

  @Override
  public String toString() {
    return "PromptCache[" + hook + ", " + streams.size() + " crops, " + prefixLength + " prefix tokens, "
        + prompt.size() + " prompt tokens]";
  }
}
