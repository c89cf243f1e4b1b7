/**
 * Fuzzing of the readers and of the server's requests (module {@code visualscratchpad-cli}, since the
 * targets reach the server and the demo model): {@code FuzzTest} runs them in every build, {@code -Pfuzz}
 * for a million cases a target.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.fuzz.FuzzTargets}</td><td>the fuzzed readers, each seeded from valid inputs</td></tr>
 *   <tr><td>{@link org.visualscratchpad.fuzz.FuzzTarget}</td><td>one reader under fuzzing</td></tr>
 *   <tr><td>{@link org.visualscratchpad.fuzz.Mutator}</td><td>bad inputs made from valid ones</td></tr>
 *   <tr><td>{@link org.visualscratchpad.fuzz.Fuzzer}, {@link org.visualscratchpad.fuzz.FuzzRun}</td><td>runs a target for a number of cases; the long run's entry point</td></tr>
 * </table>
 */
package org.visualscratchpad.fuzz;
