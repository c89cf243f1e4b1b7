/**
 * Parity with Hugging Face {@code transformers}: {@link
 * org.visualscratchpad.torch.parity.FixtureParity} recomputes every reference output of a folder in
 * the {@code hf-reference} fixture layout and reports one {@link
 * org.visualscratchpad.torch.parity.ParityCheck} per tensor ({@code vsp parity DIR}).
 */
package org.visualscratchpad.torch.parity;
