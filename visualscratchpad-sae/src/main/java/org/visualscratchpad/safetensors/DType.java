package org.visualscratchpad.safetensors;

import java.util.Locale;

/** The element types of the safetensors format, with their on-disk names and sizes. */
public enum DType {
  F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the floating-point types, which {@link SafetensorsFile#floats} widens to float32. */
  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /** The dtype named {@code name} in a header ({@code "F32"}, ...), or null if unknown. */
  static DType fromHeader(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
