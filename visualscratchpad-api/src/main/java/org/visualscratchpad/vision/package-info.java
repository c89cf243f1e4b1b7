/** Vision towers and the map from image tokens to crops, patches and pixels. */
package org.visualscratchpad.vision;
