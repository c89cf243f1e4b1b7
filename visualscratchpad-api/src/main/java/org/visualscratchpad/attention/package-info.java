/** Text-to-image attention: what to tap ({@link org.visualscratchpad.attention.AttentionTap}) and what comes back. */
package org.visualscratchpad.attention;
