// Leaderboard: the benchmark table of a sweep (GET /api/sweeps/:id/report), then the best
// completed runs per dataset by oracle F (AUC-PR when an evaluator reports it).
import { get } from '../api.js';
import { el, errorBox, num, replace, runLink, when, whenShort } from '../dom.js';

/** Report metrics in column order, with their headers. */
const SWEEP_METRICS = /** @type {const} */ ([['aucPr', 'AUC-PR'], ['oracleF1', 'Oracle F1'], ['deployableF1', 'Deployable F1']]);

/** `mean ± std` (3 decimals, as `anomalab report`); just the mean with one seed. @param {{mean: number|null, std: number|null, n: number}} s */
export function meanStd(s) {
  if (s?.mean === null || s?.mean === undefined) return '–';
  return s.std === null || s.std === undefined ? num(s.mean, 3) : `${num(s.mean, 3)} ± ${num(s.std, 3)}`;
}

/**
 * The report of one sweep: one row per series x model variant x channel, random rows in
 * italics, the best model value per series and channel in bold, the protocol below.
 * @param {any} report
 */
function sweepReport(report) {
  return el('div', { id: 'sweep-report', dataset: { sweep: report.sweep } },
    report.rows.length ? null : el('p', {}, 'No completed runs in this sweep yet.'),
    el('div', { class: 'scroll' }, el('table', { class: 'sweep-report' },
      el('thead', {}, el('tr', {}, ['Series', 'Model', 'Channel'].map((h) => el('th', {}, h)), SWEEP_METRICS.map(([, h]) => el('th', { class: 'num' }, h)), el('th', { class: 'num' }, 'Seeds'))),
      el('tbody', {}, report.rows.map((/** @type {any} */ r) => el('tr', { class: r.kind === 'random' ? 'random' : '', dataset: { kind: r.kind } },
        el('td', {}, r.series),
        el('td', { title: r.runs.length ? `runs: ${r.runs.join(', ')}` : 'seeded uniform random scores' }, r.kind === 'random' ? el('em', {}, r.model) : r.model),
        el('td', {}, r.channel),
        SWEEP_METRICS.map(([key]) => {
          const s = r.metrics[key];
          const text = meanStd(s);
          const title = s.mean === null ? 'no value' : `mean ${s.mean}${s.std === null ? '' : `, std ${s.std}`} over ${s.n} seed${s.n === 1 ? '' : 's'}`;
          return el('td', { class: `num${r.best[key] ? ' best' : ''}`, title, dataset: { metric: key } }, r.best[key] ? el('strong', {}, text) : text);
        }),
        el('td', { class: 'num', title: `seeds ${r.seeds.join(', ')}` }, r.seeds.length)))))),
    el('p', { class: 'hint' }, 'Bold: best model value for the series and channel. ', el('em', {}, 'random'), ': chance level (not ranked).'),
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
  const load = async (/** @type {string} */ id) => {
    replace(box, el('p', { class: 'muted' }, 'Loading report…'));
    try {
      const report = await get(`/api/sweeps/${encodeURIComponent(id)}/report`);
      if (picker.value === id) replace(box, sweepReport(report));
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

/** @type {import('../app.js').Page} */
export async function leaderboardPage(view, { query }) {
  const [body, { sweeps }] = await Promise.all([get('/api/leaderboard?limit=20'), get('/api/sweeps')]);
  replace(view, el('h1', {}, 'Leaderboard'),
    sweeps.length ? sweepsSection(sweeps, query.get('sweep')) : null,
    sweeps.length ? el('h2', {}, 'Best runs') : null,
    el('p', { class: 'muted' }, 'Completed runs per dataset, best oracle F1 first. Oracle F1 picks the threshold on the test labels (an upper bound); deployable F1 uses a threshold from the train scores only.'),
    body.datasets.length ? null : el('p', {}, 'No completed runs with metrics yet.'),
    body.datasets.map((/** @type {any} */ d) => el('section', { dataset: { dataset: d.dataset } },
      el('h2', {}, d.dataset, el('span', { class: 'muted' }, ` · ${d.runs} run${d.runs === 1 ? '' : 's'}`)),
      el('table', { class: 'leaderboard' },
        el('thead', {}, el('tr', {}, ['#', 'Run', 'Experiment', 'Model', 'Seed'].map((h) => el('th', {}, h)), el('th', { class: 'num' }, 'Oracle F1'), el('th', { class: 'num' }, 'Deployable F1'), d.hasAucPr ? el('th', { class: 'num' }, 'AUC-PR') : null, el('th', {}, 'Started'))),
        el('tbody', {}, d.top.map((/** @type {any} */ r, /** @type {number} */ i) => el('tr', {},
          el('td', {}, i + 1), el('td', {}, runLink(r.id)), el('td', {}, r.experiment), el('td', {}, r.model), el('td', {}, r.seed ?? '–'),
          el('td', { class: 'num' }, num(r.oracle_f)), el('td', { class: 'num' }, num(r.deployable_f)), d.hasAucPr ? el('td', { class: 'num' }, num(r.auc_pr)) : null, el('td', {}, when(r.startedAt)))))))),
    sweeps.length ? null : el('p', { class: 'hint' }, 'No sweeps yet: run a matrix experiment (', el('code', {}, 'anomalab experiment <file with matrix:>'), ') and its benchmark table appears here.'));
}
