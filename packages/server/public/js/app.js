// Hash router: #/runs, #/run/<id>, #/compare?ids=a,b, #/leaderboard, #/launch.
import { errorBox, replace } from './dom.js';
import { runsPage } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { comparePage } from './pages/compare.js';
import { leaderboardPage } from './pages/leaderboard.js';
import { launchPage } from './pages/launch.js';

const view = /** @type {HTMLElement} */ (document.getElementById('view'));
/** Cleanup of the current page (timers, event streams, charts). @type {(() => void) | undefined} */
let leave;

/** @typedef {(view: HTMLElement, params: { path: string[], query: URLSearchParams }) => Promise<(() => void) | void>} Page */
/** @type {Record<string, Page>} */
const pages = { runs: runsPage, run: runPage, compare: comparePage, leaderboard: leaderboardPage, launch: launchPage };

async function route() {
  leave?.();
  leave = undefined;
  const hash = location.hash.replace(/^#\/?/, '') || 'runs';
  const [pathPart, queryPart = ''] = hash.split('?');
  const path = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const name = path[0] in pages ? path[0] : 'runs';
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', /** @type {HTMLElement} */ (a).dataset.nav === (name === 'run' ? 'runs' : name));
  replace(view);
  try {
    leave = (await pages[name](view, { path: path.slice(1), query: new URLSearchParams(queryPart) })) || undefined;
  } catch (error) {
    replace(view, errorBox(error));
  }
}

window.addEventListener('hashchange', route);
route();
