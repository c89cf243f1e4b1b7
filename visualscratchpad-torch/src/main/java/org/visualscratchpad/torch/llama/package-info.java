/**
 * The Llama / Mistral decoder: {@link org.visualscratchpad.torch.llama.LlamaConfig} (class defaults,
 * {@code llama3} rope scaling, Mistral's sliding window), {@link
 * org.visualscratchpad.torch.llama.LlamaDecoder} (eager GQA attention with observable
 * probabilities) and its {@link org.visualscratchpad.torch.llama.KvCache}.
 */
package org.visualscratchpad.torch.llama;
