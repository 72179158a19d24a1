// "Score a local file": a CSV chosen in the page is scored in the page with the run's model
// (its browser module: for rnn the same WebAssembly kernel as the server) and weights.
// Nothing is uploaded: the page downloads the run's stream package and the model module.
import { get } from './api.js';
import { lineChart } from './charts.js';
import { el, errorBox, num, replace } from './dom.js';

/** Rows pushed between two redraws: the chart grows while the file is scored. */
const ROWS_PER_FRAME = 2000;

/**
 * CSV (or whitespace-separated) text to rows of the run's channels. With a header, the
 * columns named like the run's channels are taken; without one, a line has either one value
 * per channel or a leading time stamp column plus those (the benchmark files' layout).
 * Errors name the line and the column.
 * @param {string} text
 * @param {string[]} channels
 * @returns {{ rows: number[][], columns: string }}
 */
export function parseRows(text, channels) {
  const lines = text.split(/\r?\n/).map((line, i) => ({ line: line.trim(), number: i + 1 })).filter((l) => l.line !== '');
  if (!lines.length) throw new Error('the file has no rows');
  const first = lines[0].line;
  const separator = first.includes(',') ? ',' : first.includes(';') ? ';' : first.includes('\t') ? '\t' : /\s+/;
  const split = (/** @type {string} */ line) => line.split(separator).map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
  const isNumber = (/** @type {string} */ f) => f !== '' && Number.isFinite(Number(f));
  const head = split(first);
  /** @type {number[]} */ let picks;
  let body = lines;
  let columns;
  if (!head.every(isNumber)) {
    picks = channels.map((name) => head.indexOf(name));
    const missing = channels.filter((_, c) => picks[c] < 0);
    if (missing.length) throw new Error(`line 1 (header): no column named ${missing.join(', ')}; the run's channels are ${channels.join(', ')} (header: ${head.join(', ')})`);
    body = lines.slice(1);
    columns = `columns ${channels.join(', ')} (by name)`;
  } else if (head.length === channels.length || head.length === channels.length + 1) {
    const skip = head.length - channels.length;
    picks = channels.map((_, c) => c + skip);
    columns = skip ? `columns 2–${head.length} (column 1 taken for a time stamp)` : `all ${head.length} column(s)`;
  } else {
    throw new Error(`line ${lines[0].number}: ${head.length} value(s); the run has ${channels.length} channel(s) (${channels.join(', ')}): give one value per channel, a time stamp column plus those, or a header naming them`);
  }
  const width = head.length;
  const rows = body.map(({ line, number }) => {
    const fields = split(line);
    if (fields.length !== width) throw new Error(`line ${number}: ${fields.length} field(s), expected ${width} like line ${lines[0].number}`);
    return picks.map((p) => {
      if (!isNumber(fields[p])) throw new Error(`line ${number}, column ${p + 1}: ${JSON.stringify(fields[p].slice(0, 40))} is not a number`);
      return Number(fields[p]);
    });
  });
  if (!rows.length) throw new Error('the file has a header but no rows');
  return { rows, columns };
}

/** Scored rows as CSV (row, per-channel scores, joint, alarm), for the download link. @param {any} result */
function resultCsv(result) {
  const header = ['row', ...result.channels.map((/** @type {string} */ c) => `score_${c}`), ...(result.hasJoint ? ['score_joint'] : []), 'alarm'];
  const lines = [header.join(',')];
  for (let t = 0; t < result.rows; t++) {
    const cells = [t, ...result.scores.map((/** @type {any[]} */ s) => s[t] ?? ''), ...(result.hasJoint ? [result.joint[t] ?? ''] : []), result.alarms[t] ? 1 : 0];
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * The panel. Its last result is also left on `window.anomalabLocalScore` (rows, channels,
 * scores per channel, joint, alarms, thresholds) for use from the browser console.
 * @param {string} runId
 * @param {{ model: string, channels: string[] }} run
 */
export function localScorePanel(runId, run) {
  const input = /** @type {HTMLInputElement} */ (el('input', { type: 'file', id: 'local-file', accept: '.csv,.txt,text/csv,text/plain' }));
  const status = el('p', { id: 'local-status', class: 'muted' }, `Choose a CSV file with the channels ${run.channels.join(', ')}: it is scored here, with this run's weights; nothing is uploaded.`);
  const chartBox = el('div', { class: 'chart', id: 'local-chart' });
  const summary = el('div', { id: 'local-summary' });
  /** @type {{ destroy(): void } | undefined} */ let chart;
  /** @type {Promise<{ pkg: any, mod: any }> | undefined} */ let loading;

  const load = () => (loading ??= (async () => {
    const pkg = await get(`/api/runs/${encodeURIComponent(runId)}/stream-package`);
    const base = `/api/models/${encodeURIComponent(pkg.model.name)}`;
    const mod = await import(`${base}/browser.js`);
    return { pkg, mod, assetUrl: (/** @type {string} */ name) => `${base}/assets/${encodeURIComponent(name)}` };
  })().catch((error) => {
    loading = undefined;
    throw error;
  }));

  const score = async (/** @type {File} */ file) => {
    chart?.destroy();
    chart = undefined;
    replace(summary);
    summary.dataset.state = 'scoring';
    const started = performance.now();
    const { rows, columns } = parseRows(await file.text(), run.channels);
    const { pkg, mod, assetUrl } = /** @type {any} */ (await load());
    const stream = await mod.openBrowserStream({ options: pkg.model.options, channels: pkg.channelNames.length, horizon: pkg.window, state: mod.decodePredictorState(pkg.predictor), assetUrl });
    const session = mod.sessionFromPackage(pkg, stream);
    const shown = pkg.hasJoint ? 'joint' : pkg.channelNames[0];
    const threshold = pkg.hasJoint ? pkg.thresholds.joint : pkg.thresholds.channels[0];
    const result = { rows: rows.length, channels: pkg.channelNames, hasJoint: pkg.hasJoint, scores: pkg.channelNames.map(() => /** @type {(number|null)[]} */ ([])), joint: /** @type {(number|null)[]} */ ([]), alarms: /** @type {boolean[]} */ ([]), thresholds: pkg.thresholds };
    const x = [], y = [], line = [], alarmAt = [];
    const collect = (/** @type {any[]} */ scored) => {
      for (const s of scored) {
        s.scores.forEach((v, c) => (result.scores[c][s.row] = v));
        result.joint[s.row] = s.joint;
        result.alarms[s.row] = s.alarm;
        const v = pkg.hasJoint ? s.joint : s.scores[0];
        x.push(s.row); y.push(v); line.push(threshold); alarmAt.push(s.alarm ? v : null);
      }
    };
    chart = lineChart(chartBox, { title: `${file.name}: ${shown} score (scored in this page)`, xLabel: 'row', series: [{ label: `${shown} score` }, { label: 'deployable threshold', dash: [5, 3], color: '#888' }, { label: 'alarm', color: '#dc2626', width: 0, points: true }], data: [[], [], [], []], height: 240 });
    try {
      for (let t0 = 0; t0 < rows.length; t0 += ROWS_PER_FRAME) {
        for (let t = t0; t < Math.min(rows.length, t0 + ROWS_PER_FRAME); t++) {
          try {
            collect(session.push(rows[t]));
          } catch (error) {
            throw new Error(`data row ${t + 1}: ${/** @type {Error} */ (error).message}`);
          }
        }
        /** @type {any} */ (chart).setData([x, y, line, alarmAt]);
        status.textContent = `scoring ${file.name}: ${Math.min(rows.length, t0 + ROWS_PER_FRAME)} of ${rows.length} rows…`;
        await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
      }
      collect(session.finish());
      /** @type {any} */ (chart).setData([x, y, line, alarmAt]);
    } finally {
      session.dispose();
    }
    const alarms = result.alarms.filter(Boolean).length;
    const ms = performance.now() - started;
    /** @type {any} */ (window).anomalabLocalScore = result;
    const href = URL.createObjectURL(new Blob([resultCsv(result)], { type: 'text/csv' }));
    status.textContent = `${file.name}: ${rows.length} rows scored in this page in ${Math.round(ms)} ms (${columns}).`;
    replace(summary,
      el('p', {}, el('strong', { id: 'local-alarms' }, String(alarms)), ` alarm(s) at the deployable threshold ${num(threshold, 3)} (${shown}); the first ${pkg.window} rows have no score (window W).`, ' ',
        el('a', { href, download: `${file.name.replace(/\.[^.]*$/, '')}-scores.csv` }, 'download scores (CSV)')));
    summary.dataset.state = 'done';
  };

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    score(file).catch((error) => {
      summary.dataset.state = 'failed';
      status.textContent = `${file.name}: not scored.`;
      replace(summary, errorBox(error));
    });
  });
  return el('div', { class: 'panel', id: 'local-score' }, el('div', { class: 'row' }, input), status, chartBox, summary);
}
