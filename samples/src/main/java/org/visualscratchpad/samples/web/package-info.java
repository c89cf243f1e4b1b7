/**
 * The interactive scratchpad page served from the JVM (the paper's Fig. 8-9).
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.samples.web.ScratchpadServer}</td><td>starts the server on a loaded scratchpad; the JSON API</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.ServerOptions}</td><td>address, port, request limits, the answer store's and the working memory's bounds</td></tr>
 *   <tr><td>{@code WebRequests}</td><td>the request bodies, bound strictly (unknown fields refused); plans through {@link org.visualscratchpad.sae.json.PlanJson}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.RequestGuard}</td><td>the Host and Origin checks</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.ImageUpload}</td><td>bounded image decoding</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.AnswerCache}</td><td>answers held for later requests, bounded by estimated bytes (previews and the uploads' file bytes, never decoded full images)</td></tr>
 *   <tr><td>{@code ImageSource}, {@code MemoryBudget}</td><td>where a held answer's full image comes from again; the working memory of the images being answered (413 / 503)</td></tr>
 *   <tr><td>{@code JsonErrorHandler}</td><td>Jetty's own errors (a malformed URI or header) as the API's JSON errors</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.SampleImage}</td><td>built-in pictures to pick</td></tr>
 *   <tr><td>{@link org.visualscratchpad.samples.web.ReferenceImages}</td><td>where the statistics' top images come from (demo scenes, an image folder), by stored image id</td></tr>
 *   <tr><td>{@code LatentPageViews}</td><td>the latent page: reference images with patch masks, label entropy, activation distribution</td></tr>
 *   <tr><td>{@code DecoderMaps}</td><td>the UMAP of the decoder directions, computed once off the request thread, clustered on demand</td></tr>
 * </table>
 *
 * <p>The page itself is {@code src/main/resources/web/} (plain ES modules, ECharts vendored).
 */
package org.visualscratchpad.samples.web;
