// One run: facts, metrics, live training curves, test series, threshold curves, config, log.
import { followRun, get, post } from '../api.js';
import { lineChart, seriesExplorer } from '../charts.js';
import { badge, duration, el, errorBox, logView, num, replace, when } from '../dom.js';
import { localScorePanel } from '../local-score.js';

const LIVE = new Set(['running', 'queued', 'starting']);
const LOG_LINES = 500;

/** Metrics table: one row per channel (and joint); oracle, deployable, threshold-free and event columns. @param {any} run */
export function metricsTable(run) {
  const summary = run.summary ?? {};
  const channels = Object.keys(summary);
  if (!channels.length) return el('p', { class: 'muted' }, run.status === 'completed' ? 'No metrics: the dataset has no labels.' : 'Metrics appear when the run completes.');
  const cols = [
    ['oracle_f', 'Oracle F1'], ['oracle_precision', 'P'], ['oracle_recall', 'R'], ['oracle_threshold', 'threshold'],
    ['deployable_f', 'Deployable F1'], ['deployable_precision', 'P'], ['deployable_recall', 'R'], ['deployable_threshold', 'threshold'],
    ['auc_pr', 'AUC-PR'], ['auc_roc', 'AUC-ROC'],
  ].filter(([k]) => channels.some((ch) => summary[ch][k] !== null));
  const events = channels.some((ch) => summary[ch].events !== null);
  return el('table', { id: 'metrics-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Channel'), cols.map(([, t]) => el('th', { class: 'num' }, t)), events ? el('th', { class: 'num', title: 'labelled ranges detected at the oracle / deployable threshold' }, 'events found (oracle / deployable)') : null)),
    el('tbody', {}, channels.map((ch) => el('tr', {}, el('td', {}, ch === 'joint' ? el('strong', {}, 'joint') : ch),
      cols.map(([k]) => {
        const v = summary[ch][k];
        return el('td', { class: 'num', dataset: { metric: `${ch}.${k}` }, title: v ?? '' }, num(v, k.endsWith('threshold') ? 2 : 4));
      }),
      events ? el('td', { class: 'num' }, summary[ch].events === null ? '–' : `${summary[ch].oracle_events_detected ?? '–'} / ${summary[ch].deployable_events_detected ?? '–'} of ${summary[ch].events}`) : null))),
  );
}

/**
 * Training curves: train + validation loss on one chart, every other train term on its own.
 * @param {HTMLElement} box
 * @param {any} history
 */
function historyCharts(box, history) {
  const charts = [];
  replace(box);
  if (!history.epoch.length) {
    box.append(el('p', { class: 'muted' }, 'No epochs yet.'));
    return charts;
  }
  const few = history.epoch.length < 30;
  const lossSeries = [];
  const lossData = [history.epoch];
  if (history.train.loss) { lossSeries.push({ label: 'train loss' }); lossData.push(history.train.loss); }
  for (const [term, values] of Object.entries(history.validation)) { lossSeries.push({ label: `validation ${term}`, dash: [5, 3] }); lossData.push(values); }
  const lossBox = el('div', { class: 'chart', id: 'history-chart' });
  box.append(lossBox);
  charts.push(lineChart(lossBox, { title: 'Loss per epoch', xLabel: 'epoch', series: lossSeries, data: lossData, points: few, height: 220 }));
  for (const [term, values] of Object.entries(history.train)) {
    if (term === 'loss') continue;
    const termBox = el('div', { class: 'chart' });
    box.append(termBox);
    charts.push(lineChart(termBox, { title: `train ${term}`, xLabel: 'epoch', series: [{ label: term }], data: [history.epoch, values], points: few, height: 160 }));
  }
  return charts;
}

/** Threshold-free evaluator columns and thresholded ones (PA%K right after point F1). */
const FREE_METRICS = [['vus-pr', 'VUS-PR'], ['vus-roc', 'VUS-ROC'], ['range-auc-pr', 'R-AUC-PR'], ['range-auc-roc', 'R-AUC-ROC']];
const AT_METRICS = [['pa0-f1', 'F1-PA%0'], ['pa20-f1', 'F1-PA%20'], ['pa50-f1', 'F1-PA%50'], ['pa-auc', 'AUC-PA%K'], ['range-f1', 'R-F1'], ['affiliation-f1', 'Aff-F1']];

/**
 * Evaluator plugins' metrics (run.json `metrics.<channel>.evaluators`): threshold-free ones,
 * then the thresholded ones at the oracle and the deployable threshold, labelled, with
 * point F1 first so PA%K values sit next to it.
 * @param {any} run
 */
export function evaluatorTable(run) {
  const metrics = run.metrics ?? {};
  const channels = Object.keys(metrics).filter((ch) => metrics[ch]?.evaluators && Object.keys(metrics[ch].evaluators).length);
  if (!channels.length) return null;
  /** @param {any} m @param {string} key @param {string|undefined} at */
  const value = (m, key, at) => {
    for (const e of Object.values(m.evaluators ?? {})) {
      const values = at ? /** @type {any} */ (e)[at]?.metrics : /** @type {any} */ (e).metrics;
      if (values && key in values) return values[key];
    }
    return null;
  };
  const free = FREE_METRICS.filter(([k]) => channels.some((ch) => value(metrics[ch], k, undefined) !== null));
  const at = AT_METRICS.filter(([k]) => channels.some((ch) => value(metrics[ch], k, 'oracle') !== null || value(metrics[ch], k, 'deployable') !== null));
  const vus = metrics[channels[0]]?.evaluators?.vus?.parameters;
  return el('div', { id: 'evaluator-metrics' },
    free.length ? el('table', { id: 'free-metrics-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Channel'), free.map(([, t]) => el('th', { class: 'num' }, t)))),
      el('tbody', {}, channels.map((ch) => el('tr', {}, el('td', {}, ch), free.map(([k]) => el('td', { class: 'num', dataset: { metric: `${ch}.${k}` } }, num(value(metrics[ch], k, undefined)))))))) : null,
    vus ? el('p', { class: 'hint' }, `VUS: range-AUC over buffer windows 0..${vus.window} (${vus.windowRule}), ${vus.thresholds} thresholds (TSB-AD); threshold-free.`) : null,
    at.length ? el('table', { id: 'thresholded-metrics-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Channel'), el('th', {}, 'Threshold'), el('th', { class: 'num' }, 'F1'), at.map(([, t]) => el('th', { class: 'num' }, t)))),
      el('tbody', {}, channels.flatMap((ch) => ['oracle', 'deployable'].filter((name) => at.some(([k]) => value(metrics[ch], k, name) !== null)).map((name) => el('tr', {},
        el('td', {}, ch), el('td', { title: Object.values(metrics[ch].evaluators).find((/** @type {any} */ e) => e[name])?.[name]?.protocol ?? '' }, name),
        el('td', { class: 'num' }, num(metrics[ch][name]?.f1)),
        at.map(([k]) => el('td', { class: 'num', dataset: { metric: `${ch}.${k}@${name}` } }, num(value(metrics[ch], k, name))))))))) : null,
    at.length ? el('p', { class: 'hint' }, 'oracle: threshold chosen on the test labels (upper bound); deployable: from the train scores only. F1-PA%K: point-adjusted F1 (PA%0 flatters every detector: compare with F1).') : null);
}

/** Precision / recall / F against the threshold (oracle sweep), the PR curve, and the VUS curve. @param {HTMLElement} box @param {any} channel */
function thresholdChart(box, channel) {
  if (!channel?.curves?.threshold.length && !channel?.vus) {
    replace(box, el('p', { class: 'muted' }, 'No threshold sweep for this channel (unlabelled, or no threshold gives non-zero precision and recall).'));
    return [];
  }
  const sweepBox = el('div', { class: 'chart', id: 'threshold-chart' });
  const prBox = el('div', { class: 'chart', id: 'pr-chart' });
  const vusBox = el('div', { class: 'chart', id: 'vus-chart' });
  replace(box, sweepBox, prBox, vusBox);
  const c = channel.curves;
  const charts = [];
  if (c.threshold.length) {
    charts.push(lineChart(sweepBox, {
      title: `${channel.channel}: precision / recall / F vs threshold (oracle F1 ${num(channel.oracle?.f)} at ${num(channel.oracle?.threshold, 2)})`,
      xLabel: 'threshold (log)', xLog: true, height: 240,
      series: [{ label: 'precision' }, { label: 'recall' }, { label: 'F', width: 2.5 }],
      data: [c.threshold, c.precision, c.recall, c.f],
    }));
    // The sweep's thresholds ascend, so recall descends: reversed, recall is an ascending x axis.
    const order = c.recall.map((/** @type {number} */ _r, /** @type {number} */ i) => i).reverse();
    charts.push(lineChart(prBox, {
      title: `${channel.channel}: precision vs recall (oracle sweep)`,
      xLabel: 'recall', yLabel: 'precision', height: 220, points: true,
      series: [{ label: 'precision', width: 2 }],
      data: [order.map((/** @type {number} */ i) => c.recall[i]), order.map((/** @type {number} */ i) => c.precision[i])],
    }));
  }
  if (channel.vus?.window.length) {
    const v = channel.vus;
    const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    charts.push(lineChart(vusBox, {
      title: `${channel.channel}: range-AUC vs buffer window (VUS-PR ${num(mean(v.rangeAucPr))}, VUS-ROC ${num(mean(v.rangeAucRoc))}: their means)`,
      xLabel: 'buffer window (rows)', height: 220,
      series: [{ label: 'range-AUC-PR', width: 2.5 }, { label: 'range-AUC-ROC' }],
      data: [v.window, v.rangeAucPr, v.rangeAucRoc],
    }));
  }
  return charts;
}

/** @type {import('../app.js').Page} */
/**
 * The discords a model that scores rows itself reported (results.json `model.discords`,
 * one list per channel; the joint chart shows every channel's), as chart marks.
 * @param {any} results
 * @param {string} channel
 */
function discordMarks(results, channel) {
  const perChannel = results?.model?.discords;
  if (!Array.isArray(perChannel)) return [];
  const names = (results.channels ?? []).map((/** @type {any} */ c) => c.channel);
  const picked = channel === 'joint' ? perChannel.flatMap((d, c) => d.map((/** @type {any} */ x) => ({ ...x, channel: names[c] }))) : (perChannel[names.indexOf(channel)] ?? []);
  return picked.map((/** @type {any} */ d, /** @type {number} */ i) => ({ from: d.start, to: d.start + d.length, label: `discord ${i + 1}${d.channel ? ` (${d.channel})` : ''}`, distance: d.distance }));
}

/** @param {{from: number, to: number, label: string, distance: number}[]} marks */
function discordList(marks) {
  return el('p', { class: 'hint discords' }, 'Discords (outlined on the score chart): ', marks.map((m, i) => `${i ? ' · ' : ''}${m.label}: test rows ${m.from}–${m.to - 1}, distance ${Number(m.distance).toFixed(3)}`).join(''));
}

export async function runPage(view, { path }) {
  const id = path[0];
  /** @type {Array<{ destroy(): void }>} */ let charts = [];
  /** @type {{ destroy(): void } | undefined} */ let explorer;
  /** @type {(() => void) | undefined} */ let stopEvents;
  let detail = await get(`/api/runs/${encodeURIComponent(id)}`);
  let history = await get(`/api/runs/${encodeURIComponent(id)}/history`);
  const runId = () => detail.run.id;

  const head = el('div');
  const metricsBox = el('div', { class: 'panel', id: 'metrics' });
  const historyBox = el('div');
  const seriesBox = el('div', { class: 'panel' });
  const localBox = el('div');
  const curvesBox = el('div');
  const logBox = el('pre', { class: 'log', id: 'log' });
  const configBox = el('pre', { id: 'config' });
  replace(view, head,
    el('h2', {}, 'Metrics'), metricsBox,
    el('div', { class: 'grid2' }, el('div', {}, el('h2', {}, 'Training'), el('div', { class: 'panel' }, historyBox)), el('div', {}, el('h2', {}, 'Threshold sweep'), el('div', { class: 'panel' }, curvesBox))),
    el('h2', {}, 'Test series'), seriesBox,
    localBox,
    el('div', { class: 'grid2' }, el('div', {}, el('h2', {}, 'Log'), logBox), el('div', {}, el('h2', {}, 'Resolved config'), configBox)));

  const renderHead = () => {
    const r = detail.run;
    const cancel = LIVE.has(r.status) && r.job && !r.job.cancelRequested
      ? el('button', { class: 'danger', onclick: async (/** @type {Event} */ e) => {
        /** @type {HTMLButtonElement} */ (e.target).disabled = true;
        try { await post(`/api/runs/${encodeURIComponent(runId())}/cancel`); } catch (error) { head.append(errorBox(error)); }
      } }, r.status === 'queued' ? 'Remove from queue' : 'Stop (checkpoint)')
      : null;
    replace(head,
      el('div', { class: 'row' }, el('h1', { id: 'run-id' }, r.id), badge(r.status), r.job?.cancelRequested && LIVE.has(r.status) ? el('span', { class: 'muted' }, 'stopping…') : null, el('span', { style: 'flex:1' }), cancel,
        el('a', { href: `#/compare?ids=${encodeURIComponent(r.id)}` }, 'compare with…')),
      el('div', { class: 'panel' }, el('dl', { class: 'facts' },
        el('dt', {}, 'experiment'), el('dd', {}, r.experiment), el('dt', {}, 'dataset'), el('dd', {}, r.dataset), el('dt', {}, 'model'), el('dd', {}, `${r.model}${r.engine ? ` (${r.engine})` : ''}`),
        el('dt', {}, 'seed'), el('dd', {}, r.seed ?? '–'), el('dt', {}, 'started'), el('dd', {}, when(r.startedAt)), el('dt', {}, 'duration'), el('dd', {}, duration(r.durationMs)),
        el('dt', {}, 'backend'), el('dd', {}, r.backend ?? '–'), el('dt', {}, 'git'), el('dd', {}, r.gitCommit?.slice(0, 12) ?? '–'), el('dt', {}, 'scored'), el('dd', {}, detail.results ? (detail.results.detector?.none ? `by the model (no detector), epoch ${detail.results.scoredEpoch}` : `${detail.results.weights} weights of epoch ${detail.results.scoredEpoch}, W=${detail.results.window}`) : '–'))),
      r.error ? errorBox(r.error) : null);
  };

  let selectedChannel = detail.joint ? 'joint' : detail.channels[0];
  let curves = null;
  const renderCurves = () => {
    const channel = curves?.channels.find((/** @type {any} */ c) => c.channel === selectedChannel) ?? curves?.channels.at(-1);
    charts.push(...thresholdChart(curvesBox, channel));
  };
  const renderSeries = async () => {
    explorer?.destroy();
    explorer = undefined;
    if (detail.run.status !== 'completed') {
      replace(seriesBox, el('p', { class: 'muted' }, 'The test series is written when the run completes.'));
      return;
    }
    const names = [...detail.channels, ...(detail.joint ? ['joint'] : [])];
    const chips = el('div', { class: 'row' }, 'channel:', names.map((n) => el('button', { class: `chip ${n === selectedChannel ? 'active' : ''}`, dataset: { channel: n }, onclick: () => { selectedChannel = n; renderSeries(); renderCurves(); } }, n)));
    const plots = el('div');
    replace(seriesBox, chips, plots);
    const marks = discordMarks(detail.results, selectedChannel);
    if (marks.length) plots.after(discordList(marks));
    explorer = await seriesExplorer(plots, { runId: runId(), channel: selectedChannel, marks });
  };
  const renderAll = async () => {
    for (const c of charts) c.destroy();
    charts = [];
    renderHead();
    replace(metricsBox, el('div', { class: 'scroll' }, metricsTable(detail.run)), el('div', { class: 'scroll' }, evaluatorTable(detail.run)));
    charts.push(...historyCharts(historyBox, history));
    configBox.textContent = detail.config ? JSON.stringify(detail.config, null, 2) : '(not resolved yet)';
    if (detail.run.status === 'completed') {
      curves = await get(`/api/runs/${encodeURIComponent(runId())}/curves`);
      renderCurves();
    } else replace(curvesBox, el('p', { class: 'muted' }, 'Appears when the run completes.'));
    await renderSeries();
    replace(localBox, ...(detail.run.status === 'completed' && detail.inPageScoring ? [el('h2', {}, 'Score a local file'), localScorePanel(runId(), { model: detail.run.model, channels: detail.channels })] : []));
  };

  const logLines = logView(logBox, LOG_LINES);
  const live = LIVE.has(detail.run.status);
  // Live runs get their whole log replayed by the event stream below.
  if (!live) logLines.set((await get(`/api/runs/${encodeURIComponent(id)}/log?tail=${LOG_LINES}`)).lines);
  await renderAll();

  if (live) {
    let redraw = 0;
    stopEvents = followRun(id, {
      log: ({ line }) => logLines.push(line),
      epoch: (record) => {
        const i = history.epoch.indexOf(record.epoch);
        const at = i >= 0 ? i : history.epoch.length;
        history.epoch[at] = record.epoch;
        for (const split of ['train', 'validation']) for (const [term, value] of Object.entries(record[split] ?? {})) (history[split][term] ??= [])[at] = value;
        // Coalesce redraws: a fast model reports many epochs per second.
        if (!redraw) redraw = window.setTimeout(() => {
          redraw = 0;
          for (const c of charts.splice(0)) c.destroy();
          charts.push(...historyCharts(historyBox, history));
        }, 500);
      },
      status: async (run) => {
        const changed = run.status !== detail.run.status || run.id !== detail.run.id;
        detail = { ...detail, run };
        if (!changed) return renderHead();
        if (LIVE.has(run.status)) return renderHead();
        detail = await get(`/api/runs/${encodeURIComponent(run.id)}`);
        history = await get(`/api/runs/${encodeURIComponent(run.id)}/history`);
        // A job id resolved to its run: show the run's own address.
        if (run.id !== id) window.history.replaceState(null, '', `#/run/${encodeURIComponent(run.id)}`);
        await renderAll();
      },
    });
  }

  return () => {
    stopEvents?.();
    explorer?.destroy();
    for (const c of charts) c.destroy();
  };
}
