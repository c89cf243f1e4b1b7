package org.visualscratchpad.torch.llava;

/** Why generation ended. */
public enum StopReason {
  /** A stop token was generated (it is included in the new tokens). */
  STOP_TOKEN,
  /** The token limit was reached. */
  MAX_NEW_TOKENS,
  /** The sequence reached the model's context length ({@code max_position_embeddings}). */
  CONTEXT_LENGTH
}
