package org.visualscratchpad.torch.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.trace.DenseTensor;

/** Conversions between NDArrays and the plain-Java values that leave the backend. */
public final class Nd {
  private Nd() {}

  /** A plain copy of {@code a} (converted to float32 first if needed). */
  public static DenseTensor dense(NDArray a) {
    NDArray f = a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? a : a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    return DenseTensor.adopt(f.getShape().getShape(), f.toFloatArray());
  }

  /** {@code a} viewed as {@code [numel / last, last]}. */
  public static FloatMatrix matrix(NDArray a) {
    long[] s = a.getShape().getShape();
    int cols = (int) s[s.length - 1];
    float[] data = a.toFloatArray();
    return FloatMatrix.adopt(data.length / cols, cols, data);
  }

  /** An NDArray in {@code m} with the tensor's values and shape. */
  public static NDArray create(NDManager m, DenseTensor t) {
    return m.create(t.toArray(), new Shape(t.shape()));
  }

  /** An NDArray {@code [rows, cols]} in {@code m} with the matrix's values. */
  public static NDArray create(NDManager m, FloatMatrix x) {
    return m.create(x.toArray(), new Shape(x.rows(), x.cols()));
  }
}
