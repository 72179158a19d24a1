// uPlot wrappers: plain line charts, and the zoomable test-series explorer.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { get, qs } from './api.js';
import { el, palette } from './dom.js';

/** Keep a chart as wide as its container. @param {uPlot} u @param {HTMLElement} target @param {number} height */
function autoWidth(u, target, height) {
  const observer = new ResizeObserver(() => {
    const width = Math.max(200, target.clientWidth);
    if (Math.abs(width - u.width) > 2) u.setSize({ width, height });
  });
  observer.observe(target);
  const destroy = u.destroy.bind(u);
  u.destroy = () => {
    observer.disconnect();
    destroy();
  };
}

/**
 * Axis labels at least `gap` CSS pixels apart, kept nearest zero first: on an asinh scale
 * the ticks -1, 0 and 1 otherwise print on top of each other.
 * @param {number} gap
 * @returns {(u: uPlot, splits: number[], axisIdx: number) => (number | null)[]}
 */
function spacedTicks(gap) {
  return (u, splits, axisIdx) => {
    const scale = u.axes[axisIdx].scale ?? 'y';
    /** @type {number[]} */ const kept = [];
    const keep = new Set();
    const order = splits.map((_, i) => i).sort((a, b) => Math.abs(splits[a]) - Math.abs(splits[b]));
    for (const i of order) {
      const pos = u.valToPos(splits[i], scale);
      if (kept.every((k) => Math.abs(k - pos) >= gap)) {
        kept.push(pos);
        keep.add(i);
      }
    }
    return splits.map((v, i) => (keep.has(i) ? v : null));
  };
}

/**
 * A line chart. `data` is uPlot's aligned form: [x, y1, y2, ...].
 * @param {HTMLElement} target
 * @param {{ title?: string, xLabel?: string, yLabel?: string, series: Array<{label: string, color?: string, dash?: number[], scale?: string, width?: number, points?: boolean}>,
 *   data: any[], height?: number, xLog?: boolean, points?: boolean, scales?: Record<string, any>, axes?: any[], hooks?: any }} options
 * @returns {uPlot}
 */
export function lineChart(target, options) {
  const height = options.height ?? 240;
  const u = new uPlot(
    {
      title: options.title,
      width: Math.max(200, target.clientWidth || 600),
      height,
      scales: { x: { time: false, ...(options.xLog ? { distr: 3 } : {}) }, ...(options.scales ?? {}) },
      axes: options.axes ?? [{ label: options.xLabel }, { label: options.yLabel, size: 60 }],
      series: [
        { label: options.xLabel ?? 'x' },
        ...options.series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? palette[i % palette.length],
          width: s.width ?? 1.5,
          dash: s.dash,
          scale: s.scale ?? 'y',
          spanGaps: true,
          points: { show: s.points ?? options.points ?? false, size: 5, ...(s.points ? { fill: s.color } : {}) },
        })),
      ],
      cursor: { drag: { x: true, y: false } },
      hooks: options.hooks,
    },
    options.data,
    target,
  );
  autoWidth(u, target, height);
  return u;
}

/**
 * Test split of one channel: values and predictions on top, the anomaly score (asinh
 * scale, threshold lines) below, labelled anomalies shaded on both. Data comes from the
 * server already min/max-downsampled to the chart width, and is re-fetched at full
 * detail whenever the x range changes, so 45,000 rows stay fast and no spike is lost.
 * Drag to zoom, mouse wheel to zoom around the cursor, shift+drag to pan, double-click to reset.
 * @param {HTMLElement} target
 * `marks`: row ranges [from, to) outlined and labelled on the score chart (a model's discords).
 * @param {{ runId: string, channel: string, marks?: { from: number, to: number, label: string }[] }} options
 * @returns {Promise<{ destroy(): void }>}
 */
export async function seriesExplorer(target, { runId, channel, marks = [] }) {
  const topBox = el('div', { class: 'chart', id: 'series-chart' });
  const bottomBox = el('div', { class: 'chart', id: 'score-chart' });
  const status = el('span', { class: 'hint' });
  target.replaceChildren(
    el('div', { class: 'row hint' }, 'Drag to zoom · wheel to zoom · shift+drag to pan · double-click to reset', status),
    topBox,
    bottomBox,
  );

  /** @type {any} */ let current;
  const fetchRange = async (/** @type {number} */ from, /** @type {number|undefined} */ to) => {
    const maxPoints = Math.max(200, Math.round((target.clientWidth || 800) * 2));
    const started = performance.now();
    const body = await get(`/api/runs/${encodeURIComponent(runId)}/series/${encodeURIComponent(channel)}${qs({ from, to, maxPoints })}`);
    status.textContent = ` rows ${body.from}–${body.to - 1} of ${body.rows}: ${body.x.length} points${body.downsampled ? ' (min/max downsampled)' : ''}, ${Math.round(performance.now() - started)} ms`;
    return body;
  };

  const shade = (/** @type {uPlot} */ u) => {
    if (!current?.anomalies?.length) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.fillStyle = 'rgba(220, 38, 38, 0.13)';
    for (const [s, e] of current.anomalies) {
      let x0 = Math.max(bbox.left, u.valToPos(s - 0.5, 'x', true));
      let x1 = Math.min(bbox.left + bbox.width, u.valToPos(e + 0.5, 'x', true));
      if (x1 <= x0) continue;
      // A few-row range (a spike) would be a hairline at full zoom: draw it at least 4 px wide.
      const minWidth = 4 * devicePixelRatio;
      if (x1 - x0 < minWidth) {
        const mid = (x0 + x1) / 2;
        x0 = mid - minWidth / 2;
        x1 = mid + minWidth / 2;
      }
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    }
    ctx.restore();
  };
  const thresholds = (/** @type {uPlot} */ u) => {
    const t = current?.thresholds ?? {};
    const { ctx, bbox } = u;
    for (const [name, value, color] of [['oracle', t.oracle, '#16a34a'], ['deployable', t.deployable, '#ea580c']]) {
      if (typeof value !== 'number') continue;
      const y = u.valToPos(value, 'score', true);
      if (y < bbox.top || y > bbox.top + bbox.height) continue;
      ctx.save();
      ctx.strokeStyle = color;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.font = `${11 * devicePixelRatio}px system-ui`;
      // uPlot leaves the y axis' right alignment on the context: label inside the plot.
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(`${name} threshold`, bbox.left + 4, y - 4);
      ctx.restore();
    }
  };

  // Marked row ranges (e.g. a model's discords): outlined on the score chart, numbered.
  const drawMarks = (/** @type {uPlot} */ u) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#7c3aed';
    ctx.fillStyle = 'rgba(124, 58, 237, 0.10)';
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.font = `${11 * devicePixelRatio}px system-ui`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    for (const [i, m] of marks.entries()) {
      const x0 = Math.max(bbox.left, u.valToPos(m.from - 0.5, 'x', true));
      const x1 = Math.min(bbox.left + bbox.width, u.valToPos(m.to - 0.5, 'x', true));
      if (x1 <= x0) continue;
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
      ctx.strokeRect(x0, bbox.top, x1 - x0, bbox.height);
      ctx.fillStyle = '#7c3aed';
      ctx.fillText(m.label ?? String(i + 1), x0 + 3, bbox.top + 3);
      ctx.fillStyle = 'rgba(124, 58, 237, 0.10)';
    }
    ctx.restore();
  };

  let syncing = false;
  let timer = 0;
  /** @type {uPlot[]} */ const charts = [];
  // The whole split is fetched first (downsampled); its row count bounds zoom and pan.
  current = await fetchRange(0, undefined);
  const rows = current.rows;
  const full = { min: 0, max: Math.max(1, rows - 1) };

  const setRange = (/** @type {number} */ min, /** @type {number} */ max) => {
    const span = Math.max(10, max - min);
    min = Math.max(full.min, Math.min(min, full.max - span));
    max = Math.min(full.max, min + span);
    for (const c of charts) c.setScale('x', { min, max });
  };

  let generation = 0;
  const reload = async () => {
    const mine = generation;
    const { min, max } = charts[0].scales.x;
    const from = Math.max(0, Math.floor(/** @type {number} */ (min)));
    const to = Math.min(rows, Math.ceil(/** @type {number} */ (max)) + 1);
    const body = await fetchRange(from, to);
    // The user zoomed or panned while this was loading: a newer reload is on its way.
    if (mine !== generation) return;
    current = body;
    syncing = true;
    if (charts.length === 2) charts[0].setData(topData(current), false);
    charts[charts.length - 1].setData(bottomData(current), false);
    // Re-apply the range so the y scales fit the newly loaded points.
    for (const c of charts) c.setScale('x', { min: /** @type {number} */ (min), max: /** @type {number} */ (max) });
    syncing = false;
  };

  let built = false;
  const onScale = (/** @type {uPlot} */ u, /** @type {string} */ key) => {
    // Ignore uPlot's own initial scaling and our re-applied ranges; react to the user only.
    if (key !== 'x' || syncing || !built) return;
    generation++;
    syncing = true;
    for (const c of charts) if (c !== u) c.setScale('x', { min: /** @type {number} */ (u.scales.x.min), max: /** @type {number} */ (u.scales.x.max) });
    syncing = false;
    clearTimeout(timer);
    timer = window.setTimeout(() => reload().catch((e) => (status.textContent = ` ${e.message}`)), 120);
  };

  const interactions = (/** @type {uPlot} */ u) => {
    u.over.addEventListener('wheel', (e) => {
      e.preventDefault();
      const { min, max } = /** @type {{min: number, max: number}} */ (u.scales.x);
      const at = u.posToVal(e.offsetX, 'x');
      const factor = e.deltaY < 0 ? 0.75 : 1 / 0.75;
      setRange(at - (at - min) * factor, at + (max - at) * factor);
    }, { passive: false });
    u.over.addEventListener('mousedown', (e) => {
      if (!e.shiftKey) return;
      const startX = e.clientX;
      const { min, max } = /** @type {{min: number, max: number}} */ (u.scales.x);
      const perPx = (max - min) / u.over.clientWidth;
      const move = (/** @type {MouseEvent} */ m) => setRange(min - (m.clientX - startX) * perPx, max - (m.clientX - startX) * perPx);
      const up = () => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
  };

  const cursor = {
    drag: { x: true, y: false },
    sync: { key: `series-${runId}` },
    bind: {
      // Shift+drag pans (our handler) instead of selecting.
      mousedown: (/** @type {uPlot} */ _u, /** @type {any} */ _t, /** @type {(e: MouseEvent) => any} */ handler) => (/** @type {MouseEvent} */ e) => (e.shiftKey ? null : handler(e)),
      // Reset to the whole split (uPlot's default would fit only the loaded window).
      dblclick: () => () => {
        setRange(full.min, full.max);
        return null;
      },
    },
  };

  // Models that report errors without forecasts have no prediction arrays: only what exists is drawn.
  const topSeries = [
    { key: 'target', label: 'target', stroke: '#111827', width: 1 },
    { key: 'prediction1', label: 'prediction (t+1)', stroke: palette[0], width: 1 },
    { key: 'predictionMean', label: 'prediction (window mean)', stroke: palette[4], width: 1, dash: [4, 3] },
  ].filter((s) => current.series[s.key]);
  const topData = (/** @type {any} */ d) => [d.x, ...topSeries.map((s) => d.series[s.key])];
  const bottomData = (/** @type {any} */ d) => [d.x, d.series.score];
  const width = Math.max(200, target.clientWidth || 800);
  const isJoint = !current.series.target;
  if (!isJoint) {
    charts.push(new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: false, min: full.min, max: full.max } },
        axes: [{}, { label: 'value (standardised)', size: 60 }],
        series: [{ label: 'row' }, ...topSeries.map(({ key: _key, ...s }) => s)],
        cursor,
        hooks: { drawClear: [shade], setScale: [onScale], ready: [interactions] },
      },
      topData(current),
      topBox,
    ));
    autoWidth(charts[0], topBox, 260);
  } else topBox.remove();
  const bottom = new uPlot(
    {
      width,
      height: isJoint ? 280 : 220,
      scales: { x: { time: false, min: full.min, max: full.max }, score: { distr: 4, asinh: 1 } },
      axes: [{ label: 'test row' }, { scale: 'score', label: `${isJoint ? 'joint ' : ''}anomaly score (asinh)`, size: 60, filter: spacedTicks(16) }],
      series: [{ label: 'row' }, { label: 'score', stroke: palette[3], width: 1, scale: 'score' }],
      cursor,
      hooks: { drawClear: [shade], draw: [thresholds, drawMarks], setScale: [onScale], ready: [interactions] },
    },
    bottomData(current),
    bottomBox,
  );
  charts.push(bottom);
  autoWidth(bottom, bottomBox, isJoint ? 280 : 220);
  built = true;
  return {
    destroy() {
      clearTimeout(timer);
      for (const c of charts) c.destroy();
    },
  };
}

export { uPlot };
