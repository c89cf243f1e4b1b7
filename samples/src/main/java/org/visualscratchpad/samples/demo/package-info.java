/**
 * The shipped ShapesWorld demo: its files and what it is measured by ({@code vsp demo run}, which uses
 * them, is {@code org.visualscratchpad.cli.DemoRun}).
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.samples.demo.ShippedDemo}</td><td>the shipped model, SAE and statistics copied into folders; the statistics' reference scenes by seed</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.demo.DemoSaeBuilder}</td><td>builds the demo's SAE and latent statistics</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.demo.DemoEvaluation}</td><td>the paper's claims measured on the demo model</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.demo.ConceptReferences}</td><td>reference patches of every latent over labelled scenes, and what they share</td></tr>
 * </table>
 */
package org.visualscratchpad.samples.demo;
