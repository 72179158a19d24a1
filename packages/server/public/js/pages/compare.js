// Two or more runs side by side: config diff, metric deltas, overlaid curves.
import { get } from '../api.js';
import { lineChart, uPlot } from '../charts.js';
import { el, errorBox, num, palette, replace, runLink } from '../dom.js';

/** Flatten nested config into dotted keys. @param {any} value @param {string} [prefix] @param {Record<string, string>} [out] */
function flatten(value, prefix = '', out = {}) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(value);
  return out;
}

/** @type {import('../app.js').Page} */
export async function comparePage(view, { query }) {
  const ids = (query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const picker = el('div', { class: 'panel' });
  replace(view, el('h1', {}, 'Compare runs'), picker);
  const all = (await get('/api/runs?limit=200&status=completed,interrupted,failed,running')).runs;
  const chosen = new Set(ids);
  const apply = () => (location.hash = `#/compare?ids=${[...chosen].map(encodeURIComponent).join(',')}`);
  replace(picker,
    el('div', { class: 'row' }, el('span', { class: 'muted' }, 'Pick two or more runs:'),
      el('select', { id: 'compare-add', onchange: (/** @type {Event} */ e) => { const v = /** @type {HTMLSelectElement} */ (e.target).value; if (v) { chosen.add(v); apply(); } } },
        el('option', { value: '' }, 'add a run…'),
        all.filter((/** @type {any} */ r) => !chosen.has(r.id)).map((/** @type {any} */ r) => el('option', { value: r.id }, `${r.id} (${r.model}, F ${num(r.oracle_f, 3)})`))),
      [...chosen].map((id) => el('button', { class: 'chip', title: 'remove', onclick: () => { chosen.delete(id); apply(); } }, `${id} ✕`))));
  if (ids.length < 2) return;

  let details;
  try {
    details = await Promise.all(ids.map(async (id) => {
      const [detail, history, curves] = await Promise.all([get(`/api/runs/${encodeURIComponent(id)}`), get(`/api/runs/${encodeURIComponent(id)}/history`), get(`/api/runs/${encodeURIComponent(id)}/curves`)]);
      return { id: detail.run.id, detail, history, curves };
    }));
  } catch (error) {
    view.append(errorBox(error));
    return;
  }
  const charts = [];

  // Config diff: keys whose values differ (all keys on demand).
  const flat = details.map((d) => flatten(d.detail.config ?? {}));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const differing = keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1);
  const diffBox = el('div');
  const renderDiff = (/** @type {boolean} */ showAll) => replace(diffBox, el('table', { class: 'diff', id: 'config-diff' },
    el('thead', {}, el('tr', {}, el('th', {}, 'config key'), details.map((d) => el('th', {}, runLink(d.id))))),
    el('tbody', {}, (showAll ? keys : differing).map((k) => el('tr', {}, el('td', {}, k), flat.map((f) => el('td', { class: differing.includes(k) ? 'changed' : '' }, f[k] ?? '–')))))),
    differing.length || showAll ? null : el('p', { class: 'muted' }, 'The resolved configs are identical.'));
  renderDiff(false);

  // Metric deltas against the first run.
  const metricKeys = ['oracle_f', 'oracle_precision', 'oracle_recall', 'deployable_f', 'auc_pr', 'auc_roc'];
  const channels = [...new Set(details.flatMap((d) => Object.keys(d.detail.run.summary ?? {})))];
  const deltas = el('table', { id: 'metric-deltas' },
    el('thead', {}, el('tr', {}, el('th', {}, 'metric'), details.map((d, i) => el('th', { class: 'num' }, i === 0 ? `${d.id} (base)` : d.id)))),
    el('tbody', {}, channels.flatMap((ch) => metricKeys.map((k) => {
      const base = details[0].detail.run.summary?.[ch]?.[k];
      return el('tr', {}, el('td', {}, `${ch} ${k}`), details.map((d, i) => {
        const v = d.detail.run.summary?.[ch]?.[k];
        const delta = i > 0 && typeof v === 'number' && typeof base === 'number' ? v - base : null;
        return el('td', { class: 'num' }, num(v), delta !== null ? el('span', { class: `delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}` }, ` (${delta >= 0 ? '+' : ''}${delta.toFixed(4)})`) : null);
      }));
    }))));

  const lossBox = el('div', { class: 'chart' });
  const fBox = el('div', { class: 'chart' });
  replace(view, view.firstChild, picker,
    el('h2', {}, 'Metrics'), el('div', { class: 'panel' }, deltas),
    el('div', { class: 'row' }, el('h2', {}, 'Config differences'), el('label', { class: 'hint' }, el('input', { type: 'checkbox', onchange: (/** @type {Event} */ e) => renderDiff(/** @type {HTMLInputElement} */ (e.target).checked) }), ' show all keys')),
    el('div', { class: 'panel' }, diffBox),
    el('div', { class: 'grid2' }, el('div', {}, el('h2', {}, 'Loss per epoch'), el('div', { class: 'panel' }, lossBox)), el('div', {}, el('h2', {}, 'F vs threshold (joint, else first channel)'), el('div', { class: 'panel' }, fBox))));

  // Overlaid curves: runs have different epochs and thresholds, so align with uPlot.join.
  const lossTables = details.flatMap((d) => [[d.history.epoch, d.history.train.loss ?? d.history.epoch.map(() => null)], [d.history.epoch, d.history.validation.loss ?? d.history.epoch.map(() => null)]]);
  const lossSeries = details.flatMap((d, i) => [{ label: `${d.id} train`, color: palette[i % palette.length] }, { label: `${d.id} valid`, color: palette[i % palette.length], dash: [5, 3] }]);
  charts.push(lineChart(lossBox, { xLabel: 'epoch', series: lossSeries, data: uPlot.join(/** @type {any} */ (lossTables)), points: true, height: 260 }));
  const fTables = details.map((d) => {
    const ch = d.curves.channels.find((/** @type {any} */ c) => c.channel === 'joint') ?? d.curves.channels[0];
    const curves = ch?.curves;
    return curves?.threshold.length ? [curves.threshold, curves.f] : [[1], [null]];
  });
  charts.push(lineChart(fBox, { xLabel: 'threshold (log)', xLog: true, series: details.map((d, i) => ({ label: d.id, color: palette[i % palette.length] })), data: uPlot.join(/** @type {any} */ (fTables)), height: 260 }));
  return () => charts.forEach((c) => c.destroy());
}
