// Leaderboard: the benchmark table of a sweep (GET /api/sweeps/:id/report?rank-by=), ranked
// by a chosen metric with each model's mean rank, then the best completed runs per dataset
// by a chosen metric (GET /api/leaderboard?metric=).
import { get } from '../api.js';
import { el, errorBox, num, replace, runLink, when, whenShort } from '../dom.js';

/** Metrics the best-runs table can rank by (metric key, label). */
export const RUN_METRICS = /** @type {const} */ ([
  ['vus-pr', 'VUS-PR'], ['vus-roc', 'VUS-ROC'], ['auc-pr', 'AUC-PR'], ['auc-roc', 'AUC-ROC'], ['range-auc-pr', 'R-AUC-PR'],
  ['f1@oracle', 'F1 (oracle)'], ['f1@deployable', 'F1 (deployable)'], ['range-f1@oracle', 'R-F1 (oracle)'], ['range-f1@deployable', 'R-F1 (deployable)'],
  ['affiliation-f1@oracle', 'Aff-F1 (oracle)'], ['affiliation-f1@deployable', 'Aff-F1 (deployable)'],
]);

/** `mean ± std` (3 decimals, as `anomalab report`); just the mean with one seed. @param {{mean: number|null, std: number|null, n: number}} s */
export function meanStd(s) {
  if (s?.mean === null || s?.mean === undefined) return '–';
  return s.std === null || s.std === undefined ? num(s.mean, 3) : `${num(s.mean, 3)} ± ${num(s.std, 3)}`;
}

/**
 * The report of one sweep: one row per series x model variant x channel with its rank by
 * the chosen metric, random rows in italics, the best model value per series and channel in
 * bold, each model's mean rank, the protocol below.
 * @param {any} report @param {(metric: string) => void} rerank
 */
function sweepReport(report, rerank) {
  const columns = /** @type {string[]} */ (report.columns);
  const rankBy = /** @type {HTMLSelectElement} */ (el('select', { id: 'rank-by-select', onchange: () => rerank(rankBy.value) },
    columns.map((k) => el('option', { value: k, selected: k === report.rankBy }, report.labels[k] ?? k))));
  return el('div', { id: 'sweep-report', dataset: { sweep: report.sweep, rankBy: report.rankBy } },
    el('div', { class: 'row' }, el('label', {}, 'Rank by ', rankBy)),
    report.rows.length ? null : el('p', {}, 'No completed runs in this sweep yet.'),
    el('div', { class: 'scroll' }, el('table', { class: 'sweep-report' },
      el('thead', {}, el('tr', {}, ['Series', 'Model', 'Channel'].map((h) => el('th', {}, h)), el('th', { class: 'num' }, 'Rank'),
        columns.map((k) => el('th', { class: `num${k === report.rankBy ? ' ranked' : ''}`, dataset: { metric: k } }, report.labels[k] ?? k)), el('th', { class: 'num' }, 'Seeds'))),
      el('tbody', {}, report.rows.map((/** @type {any} */ r) => el('tr', { class: r.kind === 'random' ? 'random' : '', dataset: { kind: r.kind } },
        el('td', {}, r.series),
        el('td', { title: r.runs.length ? `runs: ${r.runs.join(', ')}` : 'seeded uniform random scores' }, r.kind === 'random' ? el('em', {}, r.model) : r.model),
        el('td', {}, r.channel),
        el('td', { class: 'num', dataset: { rank: r.rank ?? '' } }, r.rank ?? '–'),
        columns.map((key) => {
          const s = r.metrics[key] ?? { mean: null, std: null, n: 0 };
          const text = meanStd(s);
          const title = s.mean === null ? 'no value' : `mean ${s.mean}${s.std === null ? '' : `, std ${s.std}`} over ${s.n} seed${s.n === 1 ? '' : 's'}`;
          return el('td', { class: `num${r.best[key] ? ' best' : ''}`, title, dataset: { metric: key } }, r.best[key] ? el('strong', {}, text) : text);
        }),
        el('td', { class: 'num', title: `seeds ${r.seeds.join(', ')}` }, r.seeds.length)))))),
    el('p', { class: 'hint' }, 'Bold: best model value for the series and channel. ', el('em', {}, 'random'), ': chance level (not ranked). F1-PA%0 is point-adjusted F1 (it flatters every detector): read it next to F1.'),
    el('h3', {}, `Mean rank by ${report.labels[report.rankBy] ?? report.rankBy}`),
    el('table', { id: 'sweep-ranking' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Model'), el('th', { class: 'num' }, 'Mean rank'), el('th', { class: 'num' }, 'Ranked in'))),
      el('tbody', {}, report.ranking.map((/** @type {any} */ r) => el('tr', { dataset: { model: r.model } },
        el('td', {}, r.model), el('td', { class: 'num' }, num(r.meanRank, 2)), el('td', { class: 'num', title: 'series x channel groups' }, r.n))))),
    report.missing.length
      ? el('p', { class: 'hint', id: 'sweep-missing' }, `Left out (not completed): ${report.missing.map((/** @type {any} */ m) => `${m.runId} (${m.status})`).join(', ')}`)
      : null,
    el('ul', { class: 'protocol hint', id: 'sweep-protocol' }, report.protocol.map((/** @type {string} */ line) => el('li', {}, line))));
}

/**
 * The Sweeps section: a sweep picker (newest first, or `?sweep=<id>` from the URL) and its report.
 * @param {any[]} sweeps @param {string|null} wanted
 */
function sweepsSection(sweeps, wanted) {
  const box = el('div', {});
  const load = async (/** @type {string} */ id, /** @type {string|undefined} */ rankBy = undefined) => {
    replace(box, el('p', { class: 'muted' }, 'Loading report…'));
    try {
      const report = await get(`/api/sweeps/${encodeURIComponent(id)}/report${rankBy ? `?rank-by=${encodeURIComponent(rankBy)}` : ''}`);
      if (picker.value === id) replace(box, sweepReport(report, (metric) => load(id, metric)));
    } catch (error) {
      if (picker.value === id) replace(box, errorBox(error));
    }
  };
  const current = sweeps.some((s) => s.id === wanted) ? wanted : sweeps[0]?.id;
  const picker = /** @type {HTMLSelectElement} */ (el('select', {
    id: 'sweep-select',
    onchange: () => {
      // Keep the choice in the URL without re-rendering the page.
      history.replaceState(null, '', `#/leaderboard?sweep=${encodeURIComponent(picker.value)}`);
      load(picker.value);
    },
  }, sweeps.map((s) => el('option', { value: s.id, selected: s.id === current }, `${s.name} · ${s.id} · ${s.completed}/${s.runs} runs · ${whenShort(s.createdAt)}`))));
  if (current) load(current);
  return el('section', { id: 'sweeps' },
    el('h2', {}, 'Sweeps', el('span', { class: 'muted' }, ` · ${sweeps.length}`)),
    el('p', { class: 'muted' }, 'Matrix experiments: every series × model variant × channel, mean ± std over seeds, next to random scores (as ', el('code', {}, 'anomalab report <sweep>'), ').'),
    el('div', { class: 'row' }, el('label', {}, 'Sweep ', picker)),
    box);
}

/**
 * Best completed runs per dataset, ranked by the metric chosen in the selector.
 * @param {any} body @param {string} metric
 */
function bestRuns(body, metric) {
  const labelOf = (/** @type {string} */ k) => RUN_METRICS.find(([key]) => key === k)?.[1] ?? k;
  return el('div', { id: 'best-runs', dataset: { metric: body.metric } },
    body.datasets.length ? null : el('p', {}, 'No completed runs with metrics yet.'),
    body.datasets.map((/** @type {any} */ d) => el('section', { dataset: { dataset: d.dataset } },
      el('h2', {}, d.dataset, el('span', { class: 'muted' }, ` · ${d.runs} run${d.runs === 1 ? '' : 's'}`)),
      el('table', { class: 'leaderboard' },
        el('thead', {}, el('tr', {}, ['#', 'Run', 'Experiment', 'Model', 'Seed'].map((h) => el('th', {}, h)), el('th', { class: 'num ranked' }, labelOf(metric)), el('th', { class: 'num' }, 'Oracle F1'), el('th', { class: 'num' }, 'Deployable F1'), d.hasAucPr ? el('th', { class: 'num' }, 'AUC-PR') : null, el('th', {}, 'Started'))),
        el('tbody', {}, d.top.map((/** @type {any} */ r, /** @type {number} */ i) => el('tr', { dataset: { run: r.id } },
          el('td', {}, i + 1), el('td', {}, runLink(r.id)), el('td', {}, r.experiment), el('td', {}, r.model), el('td', {}, r.seed ?? '–'),
          el('td', { class: 'num', dataset: { value: r.value ?? '' } }, num(r.value)), el('td', { class: 'num' }, num(r.oracle_f)), el('td', { class: 'num' }, num(r.deployable_f)), d.hasAucPr ? el('td', { class: 'num' }, num(r.auc_pr)) : null, el('td', {}, when(r.startedAt)))))))));
}

/** @type {import('../app.js').Page} */
export async function leaderboardPage(view, { query }) {
  const wanted = query.get('metric');
  const initial = RUN_METRICS.some(([k]) => k === wanted) ? /** @type {string} */ (wanted) : 'vus-pr';
  const [body, { sweeps }] = await Promise.all([get(`/api/leaderboard?limit=20&metric=${encodeURIComponent(initial)}`), get('/api/sweeps')]);
  const box = el('div', {}, bestRuns(body, initial));
  const metricPicker = /** @type {HTMLSelectElement} */ (el('select', {
    id: 'leaderboard-metric',
    onchange: async () => {
      const metric = metricPicker.value;
      try {
        const next = await get(`/api/leaderboard?limit=20&metric=${encodeURIComponent(metric)}`);
        if (metricPicker.value === metric) replace(box, bestRuns(next, metric));
      } catch (error) {
        replace(box, errorBox(error));
      }
    },
  }, RUN_METRICS.map(([k, label]) => el('option', { value: k, selected: k === initial }, label))));
  replace(view, el('h1', {}, 'Leaderboard'),
    sweeps.length ? sweepsSection(sweeps, query.get('sweep')) : null,
    sweeps.length ? el('h2', {}, 'Best runs') : null,
    el('p', { class: 'muted' }, 'Completed runs per dataset, best first by the chosen metric (the joint score, else the channel mean; runs without it last). VUS-PR is threshold-free; "oracle" metrics pick the threshold on the test labels (an upper bound); "deployable" ones use a threshold from the train scores only.'),
    el('div', { class: 'row' }, el('label', {}, 'Rank runs by ', metricPicker)),
    box,
    sweeps.length ? null : el('p', { class: 'hint' }, 'No sweeps yet: run a matrix experiment (', el('code', {}, 'anomalab experiment <file with matrix:>'), ') and its benchmark table appears here.'));
}
