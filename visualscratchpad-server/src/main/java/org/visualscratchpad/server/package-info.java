/**
 * The interactive scratchpad page served from the JVM (the paper's Fig. 8-9); module {@code
 * visualscratchpad-server}, to embed in a program (no demo model, no logging backend).
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.server.ScratchpadServer}</td><td>starts the server on a loaded scratchpad; the JSON API</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.ServerOptions}</td><td>address, port, request limits, the answer store's and the working memory's bounds</td></tr>
 *   <tr><td>{@code WebRequests}</td><td>the request bodies, bound strictly (unknown fields refused); plans through {@link org.visualscratchpad.sae.json.PlanJson}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.RequestGuard}</td><td>the Host and Origin checks</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.ImageUpload}</td><td>bounded image decoding</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.AnswerCache}</td><td>answers held for later requests, bounded by estimated bytes (previews and the uploads' file bytes, never decoded full images)</td></tr>
 *   <tr><td>{@code ImageSource}, {@code MemoryBudget}</td><td>where a held answer's full image comes from again; the working memory of the images being answered (413 / 503)</td></tr>
 *   <tr><td>{@code JsonErrorHandler}</td><td>Jetty's own errors (a malformed URI or header) as the API's JSON errors</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.SampleImage}</td><td>built-in pictures to pick (drawn shapes; three ShapesWorld scenes shipped as PNG resources)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.server.ReferenceImages}</td><td>where the statistics' top images come from (scenes drawn from a seed, such as the demo's; an image folder), by stored image id</td></tr>
 *   <tr><td>{@code LatentPageViews}</td><td>the latent page: reference images with patch masks, label entropy, activation distribution</td></tr>
 *   <tr><td>{@code DecoderMaps}</td><td>the UMAP of the decoder directions, computed once off the request thread, clustered on demand</td></tr>
 * </table>
 *
 * <p>The page itself is {@code src/main/resources/web/} (plain ES modules, ECharts vendored).
 */
package org.visualscratchpad.server;
