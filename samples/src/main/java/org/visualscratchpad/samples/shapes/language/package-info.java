/**
 * The language of ShapesWorld: {@link org.visualscratchpad.samples.shapes.language.ShapesVocabulary} (word-level,
 * writes {@code tokenizer.json} / {@code tokenizer_config.json} in the Hugging Face format),
 * {@link org.visualscratchpad.samples.shapes.language.ChatPrompt} (LLaVA-1.5-like template, image token
 * expansion) and {@link org.visualscratchpad.samples.shapes.language.Task} (colour of a shape, shape of a
 * colour, position, count, description) producing {@link org.visualscratchpad.samples.shapes.language.QuestionAnswer}s.
 */
package org.visualscratchpad.samples.shapes.language;
