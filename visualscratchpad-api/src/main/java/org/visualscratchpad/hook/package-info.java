/** Named activation sites ({@link org.visualscratchpad.hook.HookPoint}). */
package org.visualscratchpad.hook;
