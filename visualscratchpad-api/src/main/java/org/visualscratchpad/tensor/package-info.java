/** Immutable dense values that leave native scopes ({@link org.visualscratchpad.tensor.FloatMatrix}). */
package org.visualscratchpad.tensor;
