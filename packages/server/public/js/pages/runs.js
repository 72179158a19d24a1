// Runs table: filter, sort, page, select runs to compare; refreshes while runs are live.
import { get, qs } from '../api.js';
import { badge, duration, el, errorBox, num, replace, runLink, when, whenShort } from '../dom.js';

const LIVE = new Set(['running', 'queued', 'starting']);
const PAGE = 50;

/** @type {import('../app.js').Page} */
export async function runsPage(view, { query }) {
  const state = {
    experiment: query.get('experiment') ?? '',
    dataset: query.get('dataset') ?? '',
    model: query.get('model') ?? '',
    status: query.get('status') ?? '',
    sort: query.get('sort') ?? 'startedAt',
    order: query.get('order') ?? 'desc',
    offset: 0,
  };
  /** @type {Set<string>} */ const selected = new Set();
  const filters = el('div', { class: 'row' });
  const table = el('div', { id: 'runs-table', class: 'scroll' });
  const compare = /** @type {HTMLButtonElement} */ (el('button', { class: 'secondary', disabled: true, onclick: () => (location.hash = `#/compare?ids=${[...selected].map(encodeURIComponent).join(',')}`) }, 'Compare selected'));
  replace(view, el('div', { class: 'row' }, el('h1', {}, 'Runs'), el('span', { class: 'muted', id: 'runs-total' }), el('span', { style: 'flex:1' }), compare, el('a', { href: '#/launch' }, el('button', {}, 'Launch experiment'))), el('div', { class: 'panel' }, filters), table);

  // Filter choices come from all runs (a cheap call: the list is in memory on the server).
  const all = (await get('/api/runs?limit=1000')).runs;
  const distinct = (/** @type {string} */ key) => [...new Set(all.map((/** @type {any} */ r) => r[key]).filter(Boolean))].sort();
  const select = (/** @type {'experiment'|'dataset'|'model'|'status'} */ key, /** @type {string[]} */ options) =>
    el('label', {}, `${key} `, el('select', { name: key, onchange: (/** @type {Event} */ e) => { state[key] = /** @type {HTMLSelectElement} */ (e.target).value; state.offset = 0; load(); } },
      el('option', { value: '' }, 'all'), options.map((o) => el('option', { value: o, selected: o === state[key] }, o))));
  replace(filters, select('experiment', distinct('experiment')), select('dataset', distinct('dataset')), select('model', distinct('model')), select('status', ['queued', 'starting', 'running', 'completed', 'interrupted', 'failed']));

  let timer = 0;
  let stopped = false;
  const load = async () => {
    clearTimeout(timer);
    let body;
    try {
      body = await get(`/api/runs${qs({ experiment: state.experiment, dataset: state.dataset, model: state.model, status: state.status, sort: state.sort, order: state.order, limit: PAGE, offset: state.offset })}`);
    } catch (error) {
      replace(table, errorBox(error));
      return;
    }
    if (stopped) return;
    render(body);
    // Poll while something is live (SSE per row would be one connection per run).
    const live = body.runs.some((/** @type {any} */ r) => LIVE.has(r.status));
    timer = window.setTimeout(load, live ? 2000 : 10000);
  };

  const header = (/** @type {string} */ label, /** @type {string|null} */ key, cls = '') => {
    if (!key) return el('th', { class: cls }, label);
    const active = state.sort === key;
    return el('th', { class: `sortable ${cls} ${active ? 'sorted' : ''}`, dataset: { sort: key }, onclick: () => {
      state.order = active && state.order === 'desc' ? 'asc' : 'desc';
      state.sort = key;
      load();
    } }, label, active ? (state.order === 'desc' ? ' ▾' : ' ▴') : '');
  };

  const render = (/** @type {any} */ body) => {
    document.getElementById('runs-total').textContent = `${body.total} run${body.total === 1 ? '' : 's'}`;
    const rows = body.runs.map((/** @type {any} */ r) =>
      el('tr', { dataset: { run: r.id } },
        el('td', {}, el('input', { type: 'checkbox', checked: selected.has(r.id), disabled: ['queued', 'starting', 'cancelled'].includes(r.status), onchange: (/** @type {Event} */ e) => {
          if (/** @type {HTMLInputElement} */ (e.target).checked) selected.add(r.id); else selected.delete(r.id);
          compare.disabled = selected.size < 2;
        } })),
        el('td', {}, runLink(r.id)),
        el('td', {}, badge(r.status)),
        el('td', {}, r.experiment), el('td', {}, r.dataset), el('td', {}, r.model), el('td', { class: 'num' }, r.seed ?? '–'),
        el('td', { title: when(r.startedAt) }, whenShort(r.startedAt)), el('td', { class: 'num' }, duration(r.durationMs)),
        el('td', { class: 'num', dataset: { field: 'oracle_f' } }, num(r.oracle_f)), el('td', { class: 'num' }, num(r.deployable_f)), el('td', { class: 'num' }, num(r.auc_pr))));
    const pager = el('div', { class: 'row pager' },
      el('button', { class: 'secondary', disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, '‹ Newer'),
      el('span', { class: 'muted' }, body.total ? `${state.offset + 1}–${Math.min(body.total, state.offset + PAGE)} of ${body.total}` : 'no runs match'),
      el('button', { class: 'secondary', disabled: state.offset + PAGE >= body.total, onclick: () => { state.offset += PAGE; load(); } }, 'Older ›'));
    replace(table, el('table', {},
      el('thead', {}, el('tr', {}, header('', null), header('Run', null), header('Status', null), header('Experiment', null), header('Dataset', null), header('Model', null), header('Seed', null, 'num'),
        header('Started', 'startedAt'), header('Duration', 'duration', 'num'), header('Oracle F1', 'oracle_f', 'num'), header('Deployable F1', 'deployable_f', 'num'), header('AUC-PR', 'auc_pr', 'num'))),
      el('tbody', {}, rows)), pager);
  };

  await load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
