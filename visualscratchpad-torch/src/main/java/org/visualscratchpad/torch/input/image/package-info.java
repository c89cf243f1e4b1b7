/**
 * Images as 8-bit RGB: safe decoding ({@code ImageDecoder}: pixel limit from the header, Pillow-like
 * conversion of grey, palette, 16-bit and CMYK images), the {@code RgbImage} value, and {@code
 * PillowResize}, a bit-exact port of Pillow's 8-bit convolution resampling.
 */
package org.visualscratchpad.torch.input.image;
