// The VisualScratchpad page: plain ES module, no build step. State lives in the URL hash so that a
// view can be shared and reopened (the server holds answers by id).
import * as echarts from './vendor/echarts/echarts.esm.min.js';

const $ = (id) => document.getElementById(id);
const state = { map: null, info: null, answer: null, token: -1, heatmap: null, after: null, history: [], stats: null, latent: null };
window.vspTimings = {};
// Redraws from the data already loaded (no request): lets a test repeat a timing on a busy machine.
window.vspRedraw = {
  heatmap: () => drawHeatmap(state.heatmap),
  scatter: () => drawScatter(state.stats),
  heatmapOf: (hm) => { state.heatmap = hm; drawHeatmap(hm); },
};

// Sets a chart's option and records in window.vspTimings[key] the milliseconds until ECharts reports
// the drawing finished (progressive rendering included).
function timedSetOption(chart, key, option) {
  const t0 = performance.now();
  delete window.vspTimings[key];
  chart.off('finished');
  chart.on('finished', () => { if (window.vspTimings[key] === undefined) window.vspTimings[key] = performance.now() - t0; });
  chart.setOption(option, true);
}

// ---------- errors and the API ----------
function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}
function clearError() { $('error').hidden = true; $('error-text').textContent = ''; }
$('error-close').addEventListener('click', clearError);

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new Error('the server did not answer (' + e.message + '). Is vsp serve still running?');
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
  if (!res.ok) {
    throw new Error(json && json.error ? json.error : `request failed with HTTP ${res.status}`);
  }
  return json;
}
async function guarded(fn) {
  try { clearError(); await fn(); } catch (e) { showError(e.message); }
}

// ---------- URL state ----------
function readHash() { return new URLSearchParams(location.hash.replace(/^#/, '')); }
function writeHash(changes) {
  const p = readHash();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, String(v));
  }
  history.replaceState(null, '', '#' + p.toString());
}
const HM_FIELDS = { k: 'hm-k', f: 'hm-filter', p: 'hm-percent', n: 'hm-norm', m: 'hm-method', d: 'hm-distance', c: 'hm-clusters' };
function heatmapControls() {
  return {
    topK: Number($('hm-k').value), filter: $('hm-filter').value, percent: Number($('hm-percent').value),
    normalization: $('hm-norm').value, method: $('hm-method').value, distance: $('hm-distance').value,
    clusters: Number($('hm-clusters').value), attentionWeighted: $('hm-weighted').checked, cluster: true,
    includeEndToken: $('hm-eos').checked,
  };
}

// ---------- inference ----------
let upload = null;
$('image-file').addEventListener('change', () => {
  const file = $('image-file').files[0];
  if (!file) return;
  const limit = state.info ? state.info.limits.maxImageBytes : Infinity;
  if (file.size > limit) {
    showError(`image (${file.size} bytes) must be at most ${limit} bytes. Choose a smaller image.`);
  }
  const reader = new FileReader();
  reader.onload = () => { upload = reader.result; $('sample').value = ''; $('preview').hidden = false; $('preview').src = upload; };
  reader.readAsDataURL(file);
});
$('preview').addEventListener('error', () => { $('preview').hidden = true; });
$('sample').addEventListener('change', () => {
  const s = $('sample').value;
  if (s) { upload = null; $('image-file').value = ''; $('preview').hidden = false; $('preview').src = 'api/samples/' + encodeURIComponent(s); }
});
$('ask').addEventListener('click', () => guarded(async () => {
  const body = { prompt: $('prompt').value, maxNewTokens: Number($('max-tokens').value) };
  if ($('sample').value) body.sample = $('sample').value; else if (upload) body.image = upload;
  else throw new Error('upload or pick an image first.');
  $('ask-status').textContent = 'asking...';
  try {
    const a = await api('api/ask', body);
    writeHash({ a: a.id, t: null, r: null, h: null, hm: null, l: null });
    showAnswer(a);
    selectToken(a.generated.length ? 0 : -1);
  } finally { $('ask-status').textContent = ''; }
}));

// ---------- observation ----------
function tokenText(t) { return t.text === '' ? '\u2205' : t.text.replace(/\n/g, '\u21b5'); }
function showAnswer(a) {
  state.answer = a; state.heatmap = null; state.after = null; state.history = [];
  // the question and its settings come back with the answer (a reopened URL shows what was asked)
  $('prompt').value = a.prompt;
  if (a.maxNewTokens) $('max-tokens').value = a.maxNewTokens;
  $('heatmap-warnings').hidden = true; $('heatmap-warnings').textContent = '';
  $('answer-text').textContent = a.text;
  $('answer-before').textContent = a.text;
  $('answer-after').textContent = ''; $('steer-plan').textContent = '';
  $('history').innerHTML = ''; $('clusters').innerHTML = '';
  if (heatmapChart) heatmapChart.clear();
  const strip = $('tokens');
  strip.innerHTML = '';
  a.promptTokens.forEach((t) => {
    const s = document.createElement('span');
    s.className = 'tok prompt'; s.textContent = tokenText(t); s.title = `prompt token ${t.index} (id ${t.id})`;
    s.addEventListener('click', () => showError('attention is recorded for generated tokens only; click one of the dark-bordered tokens.'));
    strip.appendChild(s);
  });
  a.generated.forEach((t) => {
    const s = document.createElement('span');
    s.className = 'tok gen'; s.textContent = tokenText(t); s.dataset.index = t.index; s.title = `generated token ${t.index} (id ${t.id})`;
    s.addEventListener('click', () => { clearError(); selectToken(t.index); });
    strip.appendChild(s);
  });
  $('imgwrap').hidden = false; $('bars').hidden = false;
  const img = $('answer-image');
  img.onload = () => { drawOverlay(); };
  img.src = a.image.url;
  $('latent-image').src = a.image.url;
  if (a.barsError) showError('activation bars unavailable: ' + a.barsError);
}

function selectToken(index) {
  state.token = index;
  document.querySelectorAll('#tokens .tok.gen').forEach((el) => el.classList.toggle('selected', Number(el.dataset.index) === index));
  writeHash({ t: index >= 0 ? index : null });
  drawOverlay();
  drawBars();
}

// The boxes are in the full image's pixels (size); the image shown may be a smaller preview.
function fitCanvas(canvas, img, size) {
  canvas.width = img.clientWidth; canvas.height = img.clientHeight;
  canvas.style.width = img.clientWidth + 'px'; canvas.style.height = img.clientHeight + 'px';
  const w = size && size.width ? size.width : img.naturalWidth, h = size && size.height ? size.height : img.naturalHeight;
  return { sx: img.clientWidth / w, sy: img.clientHeight / h };
}
// Paints each box with alpha 0.75 * weight / max; returns the max (the legend's top), 0 when nothing is drawn.
function paintBoxes(canvas, img, boxes, weights, rgb, size) {
  const ctx = canvas.getContext('2d');
  if (!img.naturalWidth) return 0;
  const { sx, sy } = fitCanvas(canvas, img, size);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  let max = 0;
  for (const w of weights) max = Math.max(max, w);
  if (max <= 0) return 0;
  for (let k = 0; k < boxes.length; k++) {
    const [x, y, w, h] = boxes[k];
    const alpha = 0.75 * weights[k] / max;
    if (alpha < 0.01) continue;
    ctx.fillStyle = `rgba(${rgb},${alpha.toFixed(3)})`;
    ctx.fillRect(x * sx, y * sy, w * sx, h * sy);
  }
  return max;
}
function showLegend(id, max, text) {
  $(id).hidden = !(max > 0);
  $(id + '-max').textContent = max > 0 ? Number(max.toPrecision(3)).toString() : '';
  $(id).dataset.max = max > 0 ? String(max) : '';
  if (text !== undefined && $(id + '-text')) $(id + '-text').textContent = text;
}
function drawOverlay() {
  const a = state.answer, canvas = $('overlay'), img = $('answer-image');
  if (!a) return;
  if (state.token < 0 || state.token >= a.attention.length) {
    fitCanvas(canvas, img, a.image); canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height); canvas.dataset.token = '';
    showLegend('overlay-legend', 0);
    return;
  }
  const max = paintBoxes(canvas, img, a.imageTokens, a.attention[state.token], '230,30,30', a.image);
  showLegend('overlay-legend', max, `attention of "${tokenText(a.generated[state.token])}" to each image token (share of the token's attention)`);
  canvas.dataset.token = String(state.token);
}

let barsChart = null;
function barsMode() { return $('bars-plain').checked ? 'plain' : 'weighted'; }
for (const id of ['bars-weighted', 'bars-plain']) {
  $(id).addEventListener('change', () => { writeHash({ bars: barsMode() === 'plain' ? 'plain' : null }); drawBars(); });
}
function drawBars() {
  const a = state.answer;
  if (!a || !a.bars || state.token < 0) return;
  const mode = barsMode();
  const rows = (mode === 'plain' ? a.bars.plain : a.bars.weighted)[state.token] || [];
  $('bars-title').textContent = `"${tokenText(a.generated[state.token])}": top latents (${mode})`;
  barsChart = barsChart || echarts.init($('bars-chart'));
  barsChart.setOption({
    animation: false, grid: { left: 60, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', name: 'score' },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => String(r[0])) },
    series: [{ type: 'bar', data: rows.map((r) => r[1]), itemStyle: { color: mode === 'plain' ? '#6b7280' : '#b4232c' } }],
    tooltip: { trigger: 'item' },
  }, true);
  barsChart.off('click');
  barsChart.on('click', (e) => guarded(() => openLatent(Number(e.name))));
  $('bars-chart').dataset.mode = mode;
  $('bars-chart').dataset.latents = rows.map((r) => r[0]).join(',');
}

let heatmapChart = null;
$('hm-build').addEventListener('click', () => guarded(buildHeatmap));
async function buildHeatmap() {
  const a = state.answer;
  if (!a) throw new Error('ask a question first: the heatmap is built from an answer.');
  const c = heatmapControls();
  const hm = await api(`api/answers/${encodeURIComponent(a.id)}/heatmap`, c);
  const changes = { hm: 1, e: $('hm-eos').checked ? 1 : null };
  for (const [k, id] of Object.entries(HM_FIELDS)) changes[k] = $(id).value;
  writeHash(changes);
  state.heatmap = hm;
  drawHeatmap(hm);
}
const CLUSTER_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
function drawHeatmap(hm) {
  const order = hm.leafOrder && hm.leafOrder.length === hm.latentIds.length ? hm.leafOrder : hm.latentIds.map((_, i) => i);
  const clusterOf = new Map();
  (hm.clusters || []).forEach((cl) => cl.latentIds.forEach((id) => clusterOf.set(id, cl.index)));
  const xs = order.map((j) => String(hm.latentIds[j]));
  const data = [];
  let max = 0;
  hm.values.forEach((row, t) => order.forEach((j, x) => { data.push([x, t, row[j]]); max = Math.max(max, row[j]); }));
  heatmapChart = heatmapChart || echarts.init($('heatmap-chart'));
  timedSetOption(heatmapChart, 'heatmapMs', {
    animation: false, tooltip: { position: 'top', formatter: (p) => `latent ${xs[p.value[0]]}, "${hm.tokens[p.value[1]]}": ${p.value[2].toPrecision(3)}` },
    grid: { left: 80, right: 90, top: 10, bottom: 70 },
    xAxis: { type: 'category', data: xs, axisLabel: { rotate: 90, fontSize: 9, interval: Math.max(0, Math.ceil(xs.length / 80) - 1),
      color: (v) => { const c = clusterOf.get(Number(v)); return c === undefined ? '#333' : CLUSTER_COLOURS[c % CLUSTER_COLOURS.length]; } } },
    yAxis: { type: 'category', data: hm.tokens.map((s) => s.replace(/\n/g, '\u21b5')), inverse: true },
    // the colour scale: 0 to the largest cell, labelled (normalised heatmaps end at 1)
    visualMap: { min: 0, max: max || 1, calculable: false, orient: 'vertical', right: 5, top: 'middle', itemHeight: 140,
      itemWidth: 12, show: true, text: [Number((max || 1).toPrecision(3)).toString(), '0'], textGap: 6,
      textStyle: { fontSize: 10 }, inRange: { color: ['#fff7ec', '#fc8d59', '#7f0000'] } },
    series: [{ type: 'heatmap', data, progressive: 0 }],
  });
  heatmapChart.off('click');
  heatmapChart.on('click', (e) => guarded(() => openLatent(Number(xs[e.value[0]]))));
  $('heatmap-chart').dataset.cells = String(data.length);
  $('heatmap-chart').dataset.scale = `0-${max || 1}`;
  const warnings = hm.warnings || [];
  $('heatmap-warnings').hidden = warnings.length === 0;
  $('heatmap-warnings').textContent = warnings.map((w) => 'warning: ' + w).join(' ');
  const box = $('clusters');
  box.innerHTML = '';
  if (hm.filteredOut.length) {
    const s = document.createElement('span'); s.className = 'muted'; s.textContent = `${hm.filteredOut.length} noisy latent(s) filtered.`;
    box.appendChild(s);
  }
  (hm.clusters || []).forEach((cl) => {
    const b = document.createElement('button');
    b.className = 'cluster'; b.dataset.index = cl.index;
    b.style.borderColor = CLUSTER_COLOURS[cl.index % CLUSTER_COLOURS.length];
    b.textContent = `cluster ${cl.index}: [${cl.latentIds.join(', ')}]` + (cl.strongestTokens.length ? ` on "${cl.strongestTokens[0]}"` : '');
    b.addEventListener('click', () => {
      box.querySelectorAll('button').forEach((o) => o.classList.toggle('selected', o === b));
      $('steer-latents').value = cl.latentIds.join(', ');
      $('steer-kind').value = 'ablate';
    });
    box.appendChild(b);
  });
}

// ---------- steering ----------
function parseLatents(text) {
  const parts = text.split(/[\s,]+/).filter((s) => s.length);
  if (!parts.length) throw new Error('name at least one latent id (or pick a heatmap cluster).');
  const ids = parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`latent id (${s}) must be a non-negative integer.`);
    return Number(s);
  });
  return [...new Set(ids)];
}
function steeringEdit() {
  const edit = { kind: $('steer-kind').value, latentIds: parseLatents($('steer-latents').value), scope: $('steer-scope').value };
  if (edit.kind !== 'ablate') {
    const v = Number($('steer-value').value);
    if ($('steer-value').value.trim() === '' || !Number.isFinite(v)) throw new Error(`value (${$('steer-value').value}) must be a finite number.`);
    edit.value = v;
  }
  return edit;
}
$('regenerate').addEventListener('click', () => guarded(async () => {
  const a = state.answer;
  if (!a) throw new Error('ask a question first: steering regenerates an answer.');
  const edit = steeringEdit();
  const res = await api(`api/answers/${encodeURIComponent(a.id)}/regenerate`, { edits: [edit] });
  showSteered(res.answer, res.diff);
  writeHash({ r: res.answer.id, h: state.history.map((h) => h.id).join(','), sl: edit.latentIds.join(','), sk: edit.kind,
    sv: edit.value, ss: edit.scope });
}));
function markedAnswer(el, rows, side) {
  el.innerHTML = '';
  for (const r of rows) {
    const s = document.createElement('span');
    s.className = 'tok' + (r.changed ? ' changed' : '');
    s.textContent = r[side] === '' ? '\u2205' : r[side];
    el.appendChild(s);
  }
}
function showSteered(after, diff) {
  state.after = after;
  markedAnswer($('answer-before'), diff.rows, 'before');
  markedAnswer($('answer-after'), diff.rows, 'after');
  $('answer-after').dataset.changed = String(diff.changed);
  $('steer-plan').textContent = after.edits.join('; ') + (diff.changed ? ` (first change at token ${diff.firstChange})` : ' (no change)');
  if (!state.history.some((h) => h.id === after.id)) {
    state.history.push({ id: after.id, plan: after.plan, text: after.text, diff });
    const li = document.createElement('li');
    li.textContent = `${after.edits.join('; ')} \u2192 "${after.text}"${diff.changed ? '' : ' (unchanged)'}`;
    li.addEventListener('click', () => { writeHash({ r: after.id }); showSteered(after, diff); });
    $('history').appendChild(li);
  }
}

// ---------- CLIP classification ----------
$('clip-templates').addEventListener('change', () => { $('clip-custom-row').hidden = $('clip-templates').value !== 'custom'; });
$('clip-set').addEventListener('change', () => {
  const set = state.classSets && state.classSets[$('clip-set').value];
  if (set) $('clip-classes').value = set.join(', ');
});
$('classify').addEventListener('click', () => guarded(async () => {
  const body = { classes: $('clip-classes').value.split(',').map((s) => s.trim()).filter((s) => s.length) };
  const t = $('clip-templates').value;
  if (t === 'imagenet') body.templates = 'imagenet';
  else if (t === 'custom') body.templates = $('clip-custom').value.split('\n').map((s) => s.trim()).filter((s) => s.length);
  if ($('sample').value) body.sample = $('sample').value; else if (upload) body.image = upload;
  else throw new Error('upload or pick an image first.');
  if ($('clip-steer').checked) body.edits = [steeringEdit()];
  const r = await api('api/classify', body);
  const table = $('clip-result');
  table.innerHTML = '';
  const head = table.insertRow();
  for (const h of ['class', 'probability'].concat(r.after ? ['steered', 'change'] : [])) {
    const th = document.createElement('th'); th.textContent = h; head.appendChild(th);
  }
  const pct = (p) => (100 * p).toFixed(1) + '%';
  r.before.forEach((s, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = s.className;
    tr.insertCell().textContent = pct(s.probability);
    if (r.after) {
      const d = r.after[i].probability - s.probability;
      tr.insertCell().textContent = pct(r.after[i].probability);
      const c = tr.insertCell(); c.textContent = (d >= 0 ? '+' : '') + (100 * d).toFixed(1); c.className = d > 0.0005 ? 'up' : d < -0.0005 ? 'down' : '';
    }
  });
  table.dataset.top = r.before.reduce((a, b) => (b.probability > a.probability ? b : a)).className;
  if (r.after) table.dataset.topAfter = r.after.reduce((a, b) => (b.probability > a.probability ? b : a)).className;
  else delete table.dataset.topAfter;
}));

// ---------- exploration ----------
let scatterChart = null;
$('stats-load').addEventListener('click', () => guarded(loadStatistics));
async function loadStatistics() {
  const p = Number($('stats-percent').value);
  const s = await api('api/statistics?percent=' + encodeURIComponent(p));
  writeHash({ s: 1, sp: p });
  state.stats = s;
  drawScatter(s);
}
function drawScatter(s) {
  // flat typed arrays [x0, y0, x1, y1, ...]: ECharts' fast path for large scatters. The noisy latents
  // are the server's (the library's one rule), not recomputed here from the thresholds.
  const isNoisy = new Uint8Array(s.dSae);
  for (const l of s.noisy) isNoisy[l] = 1;
  const nNoisy = s.noisy.length;
  const kept = new Float32Array(2 * (s.dSae - nNoisy)), noisy = new Float32Array(2 * nNoisy);
  const keptIds = new Int32Array(s.dSae - nNoisy), noisyIds = new Int32Array(nNoisy);
  let k = 0, n = 0;
  for (let l = 0; l < s.dSae; l++) {
    if (isNoisy[l]) {
      noisy[2 * n] = s.frequency[l]; noisy[2 * n + 1] = s.meanActivation[l]; noisyIds[n++] = l;
    } else {
      kept[2 * k] = s.frequency[l]; kept[2 * k + 1] = s.meanActivation[l]; keptIds[k++] = l;
    }
  }
  const idOf = (p) => (p.seriesIndex === 0 ? keptIds : noisyIds)[p.dataIndex];
  $('scatter-chart').hidden = false;
  scatterChart = scatterChart || echarts.init($('scatter-chart'));
  const line = (axis, v, name) => (Number.isFinite(v) ? [{ [axis]: v, name }] : []);
  timedSetOption(scatterChart, 'scatterMs', {
    animation: false, grid: { left: 60, right: 50, top: 30, bottom: 40 },
    legend: { data: ['kept', 'noisy'], top: 0 },
    tooltip: { trigger: 'item', formatter: (p) => `latent ${idOf(p)}: frequency ${p.value[0].toPrecision(3)}, mean ${p.value[1].toPrecision(3)}` },
    xAxis: { type: 'value', name: 'frequency', nameLocation: 'middle', nameGap: 25, scale: true },
    yAxis: { type: 'value', name: 'mean activation', scale: true },
    series: [
      { name: 'kept', type: 'scatter', data: kept, dimensions: ['frequency', 'mean'], symbolSize: 3, large: true, largeThreshold: 2000, progressive: 0,
        itemStyle: { color: '#1f77b4' },
        markLine: { silent: true, symbol: 'none', lineStyle: { color: '#b4232c', type: 'dashed' },
          data: [...line('xAxis', s.frequencyThreshold, 'freq'), ...line('yAxis', s.meanThreshold, 'mean')] } },
      { name: 'noisy', type: 'scatter', data: noisy, dimensions: ['frequency', 'mean'], symbolSize: 4, large: true, largeThreshold: 2000, progressive: 0,
        itemStyle: { color: '#b4232c' } },
    ],
  });
  $('scatter-chart').dataset.points = String(k + n);
  $('scatter-chart').dataset.noisy = String(n);
  scatterChart.off('click');
  scatterChart.on('click', (e) => guarded(() => openLatent(idOf(e))));
}
// ---------- the map of decoder directions (UMAP, computed once by the server, off the request thread) ----------
let mapChart = null;
$('map-load').addEventListener('click', () => guarded(loadMap));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function loadMap() {
  const k = Number($('map-clusters').value);
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new Error(`map clusters (${$('map-clusters').value}) must be an integer in [1, 64].`);
  let m;
  for (;;) {
    const res = await fetch('api/latent-map?clusters=' + k);
    m = await res.json().catch(() => null);
    if (!res.ok) throw new Error(m && m.error ? m.error : `request failed with HTTP ${res.status}`);
    if (res.status !== 202) break;
    $('map-status').textContent = `computing the UMAP of ${m.dSae} decoder directions... ${(m.elapsedMs / 1000).toFixed(0)} s`;
    await sleep(500);
  }
  $('map-status').textContent = `${m.method}, seed ${m.seed}, ${m.clusterCount} k-means clusters; computed in ${(m.computeMs / 1000).toFixed(1)} s`;
  writeHash({ u: 1, uk: k });
  state.map = m;
  drawMap(m);
}
function drawMap(m) {
  const series = [];
  const ids = [];
  for (let c = 0; c < Math.max(1, m.clusterCount); c++) {
    const pts = [], members = [];
    for (let l = 0; l < m.dSae; l++) if (m.clusters[l] === c || (m.clusterCount === 0 && c === 0)) { pts.push(m.x[l], m.y[l]); members.push(l); }
    ids.push(members);
    series.push({ name: `cluster ${c}`, type: 'scatter', data: new Float32Array(pts), dimensions: ['x', 'y'], symbolSize: 5, large: true,
      largeThreshold: 2000, progressive: 0, itemStyle: { color: CLUSTER_COLOURS[c % CLUSTER_COLOURS.length] } });
  }
  $('map-chart').hidden = false;
  mapChart = mapChart || echarts.init($('map-chart'));
  timedSetOption(mapChart, 'mapMs', {
    animation: false, grid: { left: 40, right: 20, top: 30, bottom: 30 }, legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'item', formatter: (p) => `latent ${ids[p.seriesIndex][p.dataIndex]} (cluster ${p.seriesIndex})` },
    xAxis: { type: 'value', scale: true, name: 'UMAP 1' }, yAxis: { type: 'value', scale: true, name: 'UMAP 2' },
    series,
  });
  mapChart.off('click');
  mapChart.on('click', (e) => guarded(() => openLatent(ids[e.seriesIndex][e.dataIndex])));
  $('map-chart').dataset.points = String(ids.reduce((n, a) => n + a.length, 0));
  const box = $('map-cluster-list');
  box.innerHTML = '';
  ids.forEach((members, c) => {
    if (!m.clusterCount) return;
    const b = document.createElement('button');
    b.className = 'map-cluster'; b.dataset.index = String(c);
    b.style.borderColor = CLUSTER_COLOURS[c % CLUSTER_COLOURS.length];
    b.textContent = `steer map cluster ${c} (${members.length} latents)`;
    b.title = members.join(', ');
    b.addEventListener('click', () => {
      box.querySelectorAll('button').forEach((o) => o.classList.toggle('selected', o === b));
      $('steer-latents').value = members.join(', ');
    });
    box.appendChild(b);
  });
}
window.vspRedraw.map = () => drawMap(state.map);
window.vspRedraw.mapOf = (m) => { state.map = m; drawMap(m); };

$('latent-go').addEventListener('click', () => guarded(() => {
  const v = $('latent-search').value.trim();
  if (!/^\d+$/.test(v)) throw new Error(`latent id (${v || 'empty'}) must be a non-negative integer.`);
  return openLatent(Number(v));
}));
async function openLatent(latentId) {
  const q = state.answer ? '?answer=' + encodeURIComponent(state.answer.id) : '';
  const d = await api(`api/latents/${latentId}${q}`);
  state.latent = d;
  writeHash({ l: latentId });
  $('latent-search').value = String(latentId);
  $('latent-page').hidden = false;
  $('latent-title').textContent = `Latent ${d.latentId} of ${d.dSae}`;
  const rows = [];
  const fmt = (v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v);
  if (d.meanActivation !== undefined) {
    rows.push(['mean activation', `${fmt(d.meanActivation)} (rank ${d.meanActivationRank})`]);
    rows.push(['frequency', `${fmt(d.frequency)} (rank ${d.frequencyRank})`]);
  } else rows.push(['statistics', 'not loaded (--stats)']);
  if (d.labelEntropy !== undefined) rows.push(['label entropy', d.labelEntropy === null ? `n/a (${d.labelEntropyNote})` : `${fmt(d.labelEntropy)} nats`]);
  if (d.distribution) {
    const x = d.distribution;
    rows.push(['fires on', `${x.firingImages} of ${x.images} images, ${x.firingTokens} of ${x.tokens} tokens`]);
    rows.push(['when firing', `mean ${fmt(x.meanWhenFiring)}, std ${fmt(x.stdWhenFiring)}, max ${fmt(x.max)} (per token)`]);
  }
  rows.push(['decoder norm', d.decoderNorm === null ? 'n/a' : fmt(d.decoderNorm)]);
  if (d.patchActivations) rows.push(['on this image', `max ${fmt(d.maxPatchActivation)}` + (d.clsActivation.length ? `, CLS ${d.clsActivation.map(fmt).join(', ')}` : ', no CLS row (this tower has none)')]);
  const table = $('latent-stats');
  table.innerHTML = '';
  for (const [k, v] of rows) {
    const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = String(v);
  }
  $('latent-note').textContent = d.referenceNote;
  drawReferences(d);
  drawLatentHistogram(d);
  const img = $('latent-image');
  const paint = () => {
    if (state.answer && d.patchActivations) {
      showLegend('latent-legend', paintBoxes($('latent-mask'), img, state.answer.imageTokens, d.patchActivations, '30,90,230', state.answer.image));
    }
  };
  if (!d.patchActivations) showLegend('latent-legend', 0);
  $('latent-imgwrap').hidden = !d.patchActivations;
  if (img.complete && img.naturalWidth) paint(); else img.onload = paint;
  $('steer-latents').value = $('steer-latents').value || String(latentId);
}

function drawReferences(d) {
  const box = $('latent-refs');
  box.innerHTML = '';
  for (const r of d.referenceImages) {
    const f = document.createElement('figure');
    const img = document.createElement('img');
    img.alt = `reference image ${r.rank + 1} of latent ${d.latentId}: ${r.imageId}`;
    img.dataset.rank = String(r.rank);
    img.loading = 'eager';
    img.addEventListener('error', () => { img.replaceWith(Object.assign(document.createElement('div'), { className: 'muted', textContent: 'image unavailable' })); });
    img.src = r.url;
    const c = document.createElement('figcaption');
    const fmt = (v) => Number(v.toPrecision(3));
    c.textContent = `#${r.rank + 1} ${fmt(r.activation)}${r.label ? ' ' + r.label : ''}`;
    c.title = `${r.imageId}${r.label ? ' (' + r.label + ')' : ''}: image-level activation ${r.activation}, fires on ${r.activeTokens} of ${r.tokens} tokens`;
    f.append(img, c);
    box.appendChild(f);
  }
}
let histChart = null;
// Two honest views of the activation distribution: the per-token activations inside the top images'
// masks (the statistics keep no dataset-wide histogram), and, when an answer is loaded, this image's patches.
function drawLatentHistogram(d) {
  const series = [];
  let labels = null;
  const bins = 20;
  if (d.distribution) {
    const h = d.distribution.topImagesHistogram;
    labels = Array.from({ length: bins }, (_, b) => (h.to * (b + 0.5) / bins).toPrecision(2));
    series.push({ name: `tokens of the top ${h.images} images (${h.values})`, type: 'bar', data: Array.from(h.counts), itemStyle: { color: '#1f77b4' } });
    if (d.patchActivations) {
      const counts = new Array(bins).fill(0);
      for (const v of d.patchActivations) if (v > 0) counts[Math.min(bins - 1, Math.floor(h.to > 0 ? v / h.to * bins : 0))]++;
      series.push({ name: 'patches of this image', type: 'bar', data: counts, itemStyle: { color: '#b4232c' } });
    }
  }
  $('latent-hist').hidden = !labels;
  $('latent-hist-note').textContent = labels
    ? 'Per-token activations where the latent fires, in equal bins up to the largest value in its top images. The statistics store sums and the top images only, not a histogram over the whole dataset.'
    : (d.patchActivations ? '' : 'no statistics loaded: no distribution to show.');
  if (!labels) return;
  histChart = histChart || echarts.init($('latent-hist'));
  histChart.setOption({
    animation: false, grid: { left: 45, right: 10, top: 30, bottom: 30 }, legend: { top: 0, textStyle: { fontSize: 10 } },
    tooltip: { trigger: 'axis' }, xAxis: { type: 'category', data: labels, name: 'activation' }, yAxis: { type: 'value', name: 'tokens' },
    series,
  }, true);
  $('latent-hist').dataset.bins = String(labels.length);
}

// ---------- start: model info, then the view named in the URL ----------
async function restore() {
  const p = readHash();
  if (p.get('bars') === 'plain') $('bars-plain').checked = true;
  for (const [k, id] of Object.entries(HM_FIELDS)) if (p.has(k)) $(id).value = p.get(k);
  if (p.has('sp')) $('stats-percent').value = p.get('sp');
  if (p.has('sl')) $('steer-latents').value = p.get('sl').split(',').join(', ');
  if (['ablate', 'set', 'scale'].includes(p.get('sk'))) $('steer-kind').value = p.get('sk');
  if (p.has('sv')) $('steer-value').value = p.get('sv');
  if (['all', 'patches'].includes(p.get('ss'))) $('steer-scope').value = p.get('ss');
  $('hm-eos').checked = p.get('e') === '1';
  if (p.has('a')) {
    const a = await api('api/answers/' + encodeURIComponent(p.get('a')));
    showAnswer(a);
    const t = p.has('t') ? Number(p.get('t')) : 0;
    selectToken(Number.isInteger(t) && t >= 0 && t < a.generated.length ? t : -1);
    if (p.get('hm') === '1') await buildHeatmap();
    // the whole steering history, in order, then the steered answer that was on view
    const steps = (p.get('h') || '').split(',').filter((s) => s.length);
    if (p.has('r') && !steps.includes(p.get('r'))) steps.push(p.get('r'));
    let missing = 0;
    const shown = new Map();
    for (const id of steps) {
      try {
        const after = await api('api/answers/' + encodeURIComponent(id));
        const diff = await api(`api/answers/${encodeURIComponent(a.id)}/diff/${encodeURIComponent(after.id)}`);
        shown.set(id, [after, diff]);
        showSteered(after, diff);
      } catch (e) { missing++; }
    }
    if (p.has('r') && shown.has(p.get('r'))) showSteered(...shown.get(p.get('r')));
    if (missing) showError(`${missing} step(s) of the steering history are no longer held by the server (it keeps its most recent answers); the others are shown.`);
  }
  if (p.get('s') === '1') await loadStatistics();
  if (p.has('uk')) $('map-clusters').value = p.get('uk');
  if (p.get('u') === '1') await loadMap();
  if (p.has('l')) await openLatent(Number(p.get('l')));
}
// Disables what the loaded model cannot do, saying why on hover and beside the controls.
function applyCapabilities(info) {
  const can = new Set(info.capabilities || ['ask']);
  const disable = (ids, why) => ids.forEach((id) => { $(id).disabled = true; $(id).title = why; });
  if (!can.has('ask')) {
    const why = 'the loaded model cannot answer questions (a CLIP model generates no text): classify with CLIP instead';
    disable(['ask', 'prompt', 'max-tokens', 'regenerate', 'hm-build'], why);
    $('ask-note').textContent = why + '.'; $('ask-note').hidden = false;
    $('clip').open = true;
  }
  if (!can.has('classify')) {
    const why = 'the loaded model has no CLIP text tower, so it cannot classify (load a CLIP checkpoint)';
    disable(['classify', 'clip-classes', 'clip-templates', 'clip-set', 'clip-custom', 'clip-steer'], why);
    $('clip-note').textContent = why + '.'; $('clip-note').hidden = false;
  }
  if (!info.statistics) disable(['stats-load'], 'no latent statistics are loaded (start the server with --stats DIR)');
  document.body.dataset.capabilities = [...can].sort().join(',');
}
async function start() {
  const info = await api('api/info');
  state.info = info;
  applyCapabilities(info);
  const sae = info.sae;
  $('model-info').textContent = `SAE ${sae.architecture} d_in ${sae.dIn} d_sae ${sae.dSae} at ${sae.hookPoint}`
    + (sae.modelName ? ` (${sae.modelName})` : '') + (info.statistics ? '; statistics loaded' : '; no statistics');
  for (const s of info.samples) {
    const o = document.createElement('option'); o.value = s; o.textContent = s; $('sample').appendChild(o);
  }
  $('latent-search').max = String(sae.dSae - 1);
  try {
    state.classSets = await api('api/class-sets');
    for (const name of Object.keys(state.classSets)) {
      const o = document.createElement('option'); o.value = name; o.textContent = name; $('clip-set').appendChild(o);
    }
  } catch (e) { /* class sets are optional */ }
  await restore();
}
window.addEventListener('resize', () => { drawOverlay(); [barsChart, heatmapChart, scatterChart, histChart, mapChart].forEach((c) => c && c.resize()); });
guarded(start).then(() => { document.body.dataset.ready = '1'; });
