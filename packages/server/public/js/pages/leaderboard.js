// Best completed runs per dataset by oracle F (AUC-PR when an evaluator reports it).
import { get } from '../api.js';
import { el, num, replace, runLink, when } from '../dom.js';

/** @type {import('../app.js').Page} */
export async function leaderboardPage(view) {
  const body = await get('/api/leaderboard?limit=20');
  replace(view, el('h1', {}, 'Leaderboard'),
    el('p', { class: 'muted' }, 'Completed runs per dataset, best oracle F1 first. Oracle F1 picks the threshold on the test labels (an upper bound); deployable F1 uses a threshold from the train scores only.'),
    body.datasets.length ? null : el('p', {}, 'No completed runs with metrics yet.'),
    body.datasets.map((/** @type {any} */ d) => el('section', { dataset: { dataset: d.dataset } },
      el('h2', {}, d.dataset, el('span', { class: 'muted' }, ` · ${d.runs} run${d.runs === 1 ? '' : 's'}`)),
      el('table', { class: 'leaderboard' },
        el('thead', {}, el('tr', {}, ['#', 'Run', 'Experiment', 'Model', 'Seed'].map((h) => el('th', {}, h)), el('th', { class: 'num' }, 'Oracle F1'), el('th', { class: 'num' }, 'Deployable F1'), d.hasAucPr ? el('th', { class: 'num' }, 'AUC-PR') : null, el('th', {}, 'Started'))),
        el('tbody', {}, d.top.map((/** @type {any} */ r, /** @type {number} */ i) => el('tr', {},
          el('td', {}, i + 1), el('td', {}, runLink(r.id)), el('td', {}, r.experiment), el('td', {}, r.model), el('td', {}, r.seed ?? '–'),
          el('td', { class: 'num' }, num(r.oracle_f)), el('td', { class: 'num' }, num(r.deployable_f)), d.hasAucPr ? el('td', { class: 'num' }, num(r.auc_pr)) : null, el('td', {}, when(r.startedAt)))))))));
}
