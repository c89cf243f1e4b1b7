/**
 * Strict JSON at the project's edges: {@link org.visualscratchpad.sae.json.StrictJson} binds JSON to
 * typed records with Jackson data binding and refuses unknown fields, duplicate keys, trailing data
 * and type coercions, with messages that name the field ({@code edits[0].value}) and never Jackson's
 * internals; {@link org.visualscratchpad.sae.json.PlanJson} is the one codec of intervention plans,
 * shared by saved sessions, {@code report.json} and the web server's requests.
 */
package org.visualscratchpad.sae.json;
