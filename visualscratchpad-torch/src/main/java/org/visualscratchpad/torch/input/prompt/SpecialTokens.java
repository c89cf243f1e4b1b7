package org.visualscratchpad.torch.input.prompt;

/**
 * Whether special tokens take part: when encoding, whether the tokenizer's post-processor adds
 * them (BOS); when decoding, whether they appear in the text.
 *
 * <pre>{@code
 * jshell> tokenizer.encode("hello", SpecialTokens.INCLUDE)   // [BOS, hello]
 * }</pre>
 */
public enum SpecialTokens {
  /** Add them (encode) / keep them (decode): HF's {@code add_special_tokens=True}, {@code skip_special_tokens=False}. */
  INCLUDE,
  /** Leave them out. */
  EXCLUDE
}
