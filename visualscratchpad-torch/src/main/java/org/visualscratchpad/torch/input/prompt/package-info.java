/**
 * Prompts: {@code PromptFormat} (chat template through Jinjava, or LLaVA-1.5's plain format), {@code
 * PromptTokenizer} (DJL's HF tokenizers from a local {@code tokenizer.json}, {@code <image>}
 * expansion), {@code PromptInputs} (ids and image spans) and {@code ContextWindow} (the length
 * check).
 */
package org.visualscratchpad.torch.input.prompt;
