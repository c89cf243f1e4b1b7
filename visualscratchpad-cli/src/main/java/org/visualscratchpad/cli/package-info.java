/**
 * {@code vsp}, the command line ({@code bin/vsp}; module {@code visualscratchpad-cli}, the application that
 * brings slf4j-simple). Each subcommand parses and checks its flags, then calls the libraries, the server
 * ({@code org.visualscratchpad.server}) or the ShapesWorld demo ({@code samples}).
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.cli.Vsp}</td><td>the entry point and the subcommand list</td></tr>
 *   <tr><td>{@code AskCommand}, {@code ClassifyCommand}, {@code HeatmapCommand}, {@code InputsCommand}</td><td>one question about one image; CLIP zero-shot classification; the heatmap of a recorded run; what the model is fed</td></tr>
 *   <tr><td>{@code StatsCommand}</td><td>latent statistics over an image dataset ({@code --spark} hands over to visualscratchpad-spark)</td></tr>
 *   <tr><td>{@code SaeCommand}, {@code SaeInfoCommand}, {@code SaeTrainCommand}</td><td>inspect and train SAEs</td></tr>
 *   <tr><td>{@code ParityCommand}</td><td>a model folder checked against the reference outputs of {@code transformers}</td></tr>
 *   <tr><td>{@code ServeCommand}</td><td>the scratchpad page ({@code ScratchpadServer}), on the shipped demo by default</td></tr>
 *   <tr><td>{@code DemoCommand} and its {@code Demo*Command}s, {@link org.visualscratchpad.cli.DemoRun}</td><td>the ShapesWorld demo: run (the main job, writes {@code report.json}), train, SAE, scenes, accuracy, evaluation</td></tr>
 *   <tr><td>{@code Arguments}, {@code Output}, {@code LoadBar}</td><td>argument checks; what is printed besides results; the load progress bar</td></tr>
 * </table>
 */
package org.visualscratchpad.cli;
