/** The {@link org.visualscratchpad.scratchpad.Scratchpad} facade and its service-provider interface. */
package org.visualscratchpad.scratchpad;
