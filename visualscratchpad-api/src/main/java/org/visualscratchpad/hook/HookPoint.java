package org.visualscratchpad.hook;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.visualscratchpad.InvalidInputException;

/**
 * A named activation site of a model, rendered as TransformerLens does with a tower prefix:
 * {@code vision.blocks.18.hook_resid_post} is the residual stream after vision encoder layer 18
 * (0-based), which Hugging Face returns as {@code hidden_states[19]}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var hook = HookPoint.parse("vision.blocks.18.hook_resid_post")
 * hook ==> vision.blocks.18.hook_resid_post
 * jshell> hook.hiddenStatesIndex()
 * $2 ==> 19
 * jshell> HookPoint.parse("vision_model.encoder.layers.18")   // HF module path, same site
 * $3 ==> vision.blocks.18.hook_resid_post
 * }</pre>
 *
 * @param tower the tower the site belongs to
 * @param layer the 0-based block index
 * @param site the position inside the block
 */
public record HookPoint(Tower tower, int layer, HookSite site) {

  private static final Pattern LENS =
      Pattern.compile("(?:([A-Za-z_]+)\\.)?blocks\\.(-?\\d+)\\.(hook_[a-z_]+)");
  private static final Pattern HF =
      Pattern.compile("(?:.*\\.)?(vision_model|text_model|model)\\.(?:encoder\\.)?layers\\.(\\d+)");

  public HookPoint {
    if (tower == null || site == null) {
      throw new InvalidInputException("hook point tower and site must not be null");
    }
    InvalidInputException.check(layer >= 0, "hook point layer (%s) must be >= 0", layer);
  }

  /** The residual stream after vision block {@code layer}: where the paper's SAEs read. */
  public static HookPoint visionResidPost(int layer) {
    return new HookPoint(Tower.VISION, layer, HookSite.RESID_POST);
  }

  /**
   * Parses {@code vision.blocks.L.hook_resid_post}, {@code text.blocks.L.hook_resid_pre}, and the
   * Hugging Face module paths {@code vision_model.encoder.layers.L} / {@code
   * vision_tower.vision_model.encoder.layers.L} (the output of that layer, so {@code
   * hook_resid_post}). A name without a tower prefix ({@code blocks.L.hook_resid_post}) is taken as
   * the vision tower, where this library's SAEs read.
   *
   * @throws InvalidInputException if the text is none of these forms
   */
  public static HookPoint parse(String text) {
    if (text == null) {
      throw new InvalidInputException("hook point must not be null. Use e.g. vision.blocks.18.hook_resid_post.");
    }
    String s = text.strip();
    Matcher m = LENS.matcher(s);
    if (m.matches()) {
      Tower tower = m.group(1) == null ? Tower.VISION : Tower.parse(m.group(1));
      int layer = parseLayer(m.group(2), s);
      return new HookPoint(tower, layer, HookSite.parse(m.group(3), s));
    }
    Matcher h = HF.matcher(s);
    if (h.matches()) {
      Tower tower = h.group(1).equals("vision_model") ? Tower.VISION : Tower.TEXT;
      return new HookPoint(tower, parseLayer(h.group(2), s), HookSite.RESID_POST);
    }
    throw new InvalidInputException(
        "hook point ('" + text + "') must look like vision.blocks.18.hook_resid_post "
            + "(tower.blocks.LAYER.hook_resid_post|hook_resid_pre) or vision_model.encoder.layers.18.");
  }

  private static int parseLayer(String digits, String whole) {
    try {
      int layer = Integer.parseInt(digits);
      InvalidInputException.check(layer >= 0, "hook point layer (%s) in '%s' must be >= 0", layer, whole);
      return layer;
    } catch (NumberFormatException e) {
      throw new InvalidInputException("hook point layer (" + digits + ") in '" + whole + "' is not a number", e);
    }
  }

  /**
   * The index of this site in Hugging Face's {@code hidden_states} tuple: {@code layer + 1} after
   * the block, {@code layer} before it.
   */
  public int hiddenStatesIndex() {
    return site == HookSite.RESID_POST ? layer + 1 : layer;
  }

  /**
   * Checks that {@code hook} is a vision hook inside a tower of {@code numLayers} encoder layers and returns its
   * {@code hidden_states} index ({@code hook_resid_pre} of layer {@code numLayers} is the last state).
   *
   * @param where appended to the message of a hook beyond the tower (e.g. the checkpoint folder), or empty
   * @throws InvalidInputException naming the hook and the tower's layers
   */
  public static int checkedVisionIndex(HookPoint hook, int numLayers, String where) {
    int n = numLayers;
    InvalidInputException.check(hook != null && hook.tower() == Tower.VISION,
        "hook point (%s) must be on the vision tower, e.g. vision.blocks.%s.hook_resid_post", hook, n - 2);
    InvalidInputException.check(hook.layer() < n || (hook.site() == HookSite.RESID_PRE && hook.layer() <= n),
        "hook layer (%s) of %s must be less than the vision tower's %s layers (0..%s)%s", hook.layer(), hook, n, n - 1,
        where);
    return hook.hiddenStatesIndex();
  }

  /** The rendered name, e.g. {@code vision.blocks.18.hook_resid_post}. */
  @Override
  public String toString() {
    return tower.prefix() + ".blocks." + layer + "." + site.suffix();
  }
}
