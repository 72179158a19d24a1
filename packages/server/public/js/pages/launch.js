// Launch an experiment from experiments/ (or edited YAML) with overrides; follow its log.
import { followRun, get, post } from '../api.js';
import { badge, el, errorBox, logView, replace } from '../dom.js';

/** @type {import('../app.js').Page} */
export async function launchPage(view) {
  const { experiments } = await get('/api/experiments');
  /** @type {(() => void) | undefined} */ let stop;
  const pick = el('select', { id: 'launch-experiment', onchange: () => loadYaml() }, experiments.map((/** @type {any} */ e) => el('option', { value: e.name }, `${e.name}${e.description ? ` — ${e.description}` : ''}`)));
  const yaml = el('textarea', { id: 'launch-yaml', rows: 16, spellcheck: false, readOnly: true });
  const edit = el('input', { type: 'checkbox', id: 'launch-edit', onchange: () => { /** @type {HTMLTextAreaElement} */ (yaml).readOnly = !(/** @type {HTMLInputElement} */ (edit)).checked; } });
  const overrides = el('textarea', { id: 'launch-overrides', rows: 4, placeholder: 'one key=value per line, e.g.\ntraining.epochs=5\nseed=7', spellcheck: false });
  const result = el('div', { id: 'launch-result' });
  const queue = el('div', { id: 'launch-queue', class: 'hint' });
  // Where runs execute: local child processes, or the workers of a BullMQ queue (serve --queue).
  const showQueue = async () => {
    try {
      const q = await get('/api/queue');
      const counts = Object.entries(q.counts).map(([k, v]) => `${k} ${v}`).join(', ');
      const workers = q.workers ? ` | workers (${q.workers.length}): ${q.workers.map((/** @type {any} */ w) => w.name).join(', ') || 'none connected'}` : '';
      replace(queue, `Runs execute ${q.kind === 'queue' ? q.description : 'here, in local child processes'} | ${counts || 'idle'}${workers}`);
    } catch (error) {
      replace(queue, errorBox(error));
    }
  };
  void showQueue();
  const button = el('button', { id: 'launch-button', onclick: () => launch() }, 'Launch');

  const loadYaml = async () => {
    if (!(/** @type {HTMLSelectElement} */ (pick)).value) return;
    const body = await get(`/api/experiments/${encodeURIComponent(/** @type {HTMLSelectElement} */ (pick).value)}`);
    /** @type {HTMLTextAreaElement} */ (yaml).value = body.yaml;
  };

  const launch = async () => {
    stop?.();
    /** @type {HTMLButtonElement} */ (button).disabled = true;
    const lines = /** @type {HTMLTextAreaElement} */ (overrides).value.split('\n').map((l) => l.trim()).filter(Boolean);
    const editing = /** @type {HTMLInputElement} */ (edit).checked;
    try {
      const body = await post('/api/runs', editing ? { yaml: /** @type {HTMLTextAreaElement} */ (yaml).value, overrides: lines } : { experiment: /** @type {HTMLSelectElement} */ (pick).value, overrides: lines });
      follow(body.id);
      void showQueue();
    } catch (error) {
      replace(result, errorBox(error));
    } finally {
      /** @type {HTMLButtonElement} */ (button).disabled = false;
    }
  };

  const follow = (/** @type {string} */ id) => {
    const status = el('span', {}, badge('queued'));
    const link = el('span', {});
    const log = el('pre', { class: 'log', id: 'launch-log' });
    const lines = logView(log);
    replace(result, el('div', { class: 'row' }, el('strong', {}, 'Submitted'), status, link), log);
    stop = followRun(id, {
      status: (run) => {
        replace(status, badge(run.status));
        replace(link, el('a', { href: `#/run/${encodeURIComponent(run.id)}` }, `open ${run.id}`));
        // Failed before it had a run folder (no log.txt): show the child's last output.
        if (run.status === 'failed' && run.job && run.id === run.job.id) lines.push(run.error?.message ?? '');
      },
      log: ({ line }) => lines.push(line),
    });
  };

  replace(view, el('h1', {}, 'Launch an experiment'),
    el('div', { class: 'panel' },
      queue,
      experiments.length ? null : el('p', { class: 'muted' }, 'No *.yaml files in the experiments folder.'),
      el('div', { class: 'row' }, el('label', {}, 'Experiment ', pick), el('label', { class: 'hint' }, edit, ' edit as inline YAML (plugin modules are not allowed; relative paths resolve against a temp folder)')),
      el('p', {}, yaml),
      el('label', {}, 'Overrides (same as --set)'), overrides,
      el('p', {}, button, el('span', { class: 'hint' }, '  validated like the CLI: every problem is listed; runs go to a queue and start in their own process')),
    ),
    result);
  await loadYaml();
  return () => stop?.();
}
