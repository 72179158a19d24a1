/**
 * Affiliation precision and recall of Huet et al. (KDD 2022), a port of the reference
 * ahstat/affiliation-metrics-py (`affiliation/metrics.py` and its helpers; TSB-AD ships the
 * same code). Events are half-open intervals [start, stop); a flagged row i is [i, i + 1).
 * Each ground-truth event owns an affiliation zone (halfway to its neighbours); precision
 * and recall are mean survival probabilities of the distances inside the zones.
 */

import { binaryRanges } from './ranges.ts';

export type Interval = readonly [number, number];
type MaybeInterval = Interval | null;

// ---- generics.py -----------------------------------------------------------------------

/** `convert_vector_to_events`: runs of non-zero entries as half-open [first, last + 1). */
export function vectorToEvents(vector: ArrayLike<number>): Interval[] {
  return binaryRanges(vector).map((r): Interval => [r.start, r.end + 1]);
}

// ---- _integral_interval.py ------------------------------------------------------------

const length = (J: MaybeInterval) => (J ? J[1] - J[0] : 0);

function intersection(I: MaybeInterval, J: MaybeInterval): MaybeInterval {
  if (!I || !J) return null;
  const a = Math.max(I[0], J[0]), b = Math.min(I[1], J[1]);
  return a >= b ? null : [a, b];
}

const subset = (I: Interval, J: Interval) => I[0] >= J[0] && I[1] <= J[1];
const same = (I: MaybeInterval, J: MaybeInterval) => (I === null ? J === null : J !== null && I[0] === J[0] && I[1] === J[1]);

/** `cut_into_three_func`: the parts of I before J, inside J and after J. */
function cutIntoThree(I: MaybeInterval, J: Interval): [MaybeInterval, MaybeInterval, MaybeInterval] {
  if (!I) return [null, null, null];
  const inter = intersection(I, J);
  if (same(I, inter)) return [null, inter, null];
  if (I[1] <= J[0]) return [I, inter, null];
  if (I[0] >= J[1]) return [null, inter, I];
  if (I[0] <= J[0] && I[1] >= J[1]) return [[I[0], inter![0]], inter, [inter![1], I[1]]];
  if (I[0] <= J[0]) return [[I[0], inter![0]], inter, null];
  if (I[1] >= J[1]) return [null, inter, [inter![1], I[1]]];
  throw new Error('affiliation: unexpected interval layout');
}

/** `get_pivot_j`: the border of J closest to I (I outside J). */
function pivot(I: Interval, J: Interval): number {
  if (intersection(I, J)) throw new Error('affiliation: I and J should have a void intersection');
  if (I[1] <= J[0]) return J[0];
  if (I[0] >= J[1]) return J[1];
  throw new Error('affiliation: I should be outside J');
}

/** `integral_mini_interval`: integral of d(x, J) over x in I, I outside J. */
function integralMiniInterval(I: MaybeInterval, J: Interval): number {
  if (!I) return 0;
  const p = pivot(I, J);
  return (I[1] - I[0]) * Math.abs(p - (I[0] + I[1]) / 2);
}

/** `integral_interval_distance`: integral of d(x, J) over x in I. */
function integralIntervalDistance(I: MaybeInterval, J: Interval): number {
  const [before, , after] = cutIntoThree(I, J);
  return integralMiniInterval(before, J) + integralMiniInterval(after, J);
}

/** `integral_mini_interval_P_CDFmethod__min_piece`. */
function minPiece(I: Interval, J: Interval, E: Interval): number {
  const [eMin, eMax] = E, [jMin, jMax] = J, [iMin, iMax] = I;
  const dMin = Math.max(iMin - jMax, jMin - iMax);
  const dMax = Math.max(iMax - jMax, jMin - iMin);
  const m = Math.min(jMin - eMin, eMax - jMax);
  const A = Math.min(dMax, m) ** 2 - Math.min(dMin, m) ** 2;
  const B = Math.max(dMax, m) - Math.max(dMin, m);
  return (1 / 2) * A + m * B;
}

/** `integral_mini_interval_Pprecision_CDFmethod`: integral over I (outside J) of Fbar(d(x, J)). */
function precisionMiniIntegral(I: Interval, J: Interval, E: Interval): number {
  if (!subset(J, E) || !subset(I, E)) throw new Error('affiliation: I and J should be included in E');
  const [eMin, eMax] = E, [jMin, jMax] = J, [iMin, iMax] = I;
  const dMin = Math.max(iMin - jMax, jMin - iMax);
  const dMax = Math.max(iMax - jMax, jMin - iMin);
  const linear = (1 / 2) * (dMax ** 2 - dMin ** 2);
  const remaining = (jMax - jMin) * (iMax - iMin);
  return iMax - iMin - (1 / (eMax - eMin)) * (minPiece(I, J, E) + linear + remaining);
}

/** `integral_interval_probaCDF_precision`. */
function precisionIntegral(I: MaybeInterval, J: Interval, E: Interval): number {
  const [before, middle, after] = cutIntoThree(I, J);
  return (before ? precisionMiniIntegral(before, J, E) : 0) + length(middle) + (after ? precisionMiniIntegral(after, J, E) : 0);
}

/** `cut_J_based_on_mean_func`. */
function cutAt(J: MaybeInterval, mean: number): [MaybeInterval, MaybeInterval] {
  if (!J) return [null, null];
  if (mean >= J[1]) return [J, null];
  if (mean <= J[0]) return [null, J];
  return [[J[0], mean], [mean, J[1]]];
}

/** `integral_mini_interval_Precall_CDFmethod`: integral over J (outside I) of Fbar_y(d(y, I)). */
function recallMiniIntegral(I: Interval, J: Interval, E: Interval): number {
  const iPivot = pivot(J, I);
  const [eMin, eMax] = E;
  const eMean = (eMin + eMax) / 2;
  // A pivot outside E is worse than any random point of E: recall 0.
  if (iPivot <= eMin || iPivot >= eMax) return 0;
  const [jBefore, jAfter] = cutAt(J, eMean);
  const [beforeCloseE, beforeCloseI] = cutAt(jBefore, (eMin + iPivot) / 2);
  const [afterCloseI, afterCloseE] = cutAt(jAfter, (eMax + iPivot) / 2);
  const lo = (x: MaybeInterval) => (x ? x[0] : NaN);
  const hi = (x: MaybeInterval) => (x ? x[1] : NaN);
  const [bbMin, bbMax, baMin, baMax] = [lo(beforeCloseE), hi(beforeCloseE), lo(beforeCloseI), hi(beforeCloseI)];
  const [abMin, abMax, aaMin, aaMax] = [lo(afterCloseI), hi(afterCloseI), lo(afterCloseE), hi(afterCloseE)];
  let parts: number[];
  if (iPivot >= J[1]) {
    parts = [
      (iPivot - eMin) * (bbMax - bbMin),
      2 * iPivot * (baMax - baMin) - (baMax ** 2 - baMin ** 2),
      2 * iPivot * (abMax - abMin) - (abMax ** 2 - abMin ** 2),
      (eMax + iPivot) * (aaMax - aaMin) - (aaMax ** 2 - aaMin ** 2),
    ];
  } else if (iPivot <= J[0]) {
    parts = [
      bbMax ** 2 - bbMin ** 2 - (eMin + iPivot) * (bbMax - bbMin),
      baMax ** 2 - baMin ** 2 - 2 * iPivot * (baMax - baMin),
      abMax ** 2 - abMin ** 2 - 2 * iPivot * (abMax - abMin),
      (eMax - iPivot) * (aaMax - aaMin),
    ];
  } else throw new Error('affiliation: the pivot should be outside J');
  const sum = parts.reduce((s, v) => (Number.isNaN(v) ? s : s + v), 0); // _sum_wo_nan
  return J[1] - J[0] - (1 / (eMax - eMin)) * sum;
}

/** `integral_interval_probaCDF_recall`: J is cut with respect to I this time. */
function recallIntegral(I: Interval, J: MaybeInterval, E: Interval): number {
  const [before, middle, after] = cutIntoThree(J, I);
  return (before ? recallMiniIntegral(I, before, E) : 0) + length(middle) + (after ? recallMiniIntegral(I, after, E) : 0);
}

// ---- _affiliation_zone.py -------------------------------------------------------------

/** `get_all_E_gt_func`: each event's zone reaches halfway to its neighbours (and to the Trange borders, mirrored). */
export function affiliationZones(Js: readonly Interval[], trange: Interval): Interval[] {
  const [a, b] = [Math.min(...trange), Math.max(...trange)];
  const n = Js.length;
  const tStart = (j: number): number => (j === n ? 2 * b - tStop(n - 1) : Js[j]![0]);
  const tStop = (j: number): number => (j === -1 ? 2 * a - tStart(0) : Js[j]![1]);
  return Js.map((_, j) => [(tStop(j - 1) + tStart(j)) / 2, (tStop(j) + tStart(j + 1)) / 2] as Interval);
}

/** `affiliation_partition`: every event of Is cut to each zone (null where it does not reach). */
function partition(Is: readonly MaybeInterval[], zones: readonly Interval[]): MaybeInterval[][] {
  return zones.map((E) => Is.map((I) => intersection(I, E)));
}

// ---- _single_ground_truth_event.py ----------------------------------------------------

function precisionDistance(Is: MaybeInterval[], J: Interval): number {
  if (Is.every((I) => I === null)) return NaN;
  return Is.reduce((s, I) => s + integralIntervalDistance(I, J), 0) / Is.reduce((s, I) => s + length(I), 0);
}

function precisionProba(Is: MaybeInterval[], J: Interval, E: Interval): number {
  if (Is.every((I) => I === null)) return NaN;
  return Is.reduce((s, I) => s + precisionIntegral(I, J, E), 0) / Is.reduce((s, I) => s + length(I), 0);
}

function recallDistance(IsAll: MaybeInterval[], J: Interval): number {
  const Is = IsAll.filter((I): I is Interval => I !== null);
  if (Is.length === 0) return Infinity;
  const pieces = partition([J], affiliationZones(Is, [-Infinity, Infinity]));
  return Is.reduce((s, I, i) => s + integralIntervalDistance(pieces[i]![0]!, I), 0) / length(J);
}

function recallProba(IsAll: MaybeInterval[], J: Interval, E: Interval): number {
  const Is = IsAll.filter((I): I is Interval => I !== null);
  if (Is.length === 0) return 0;
  const pieces = partition([J], affiliationZones(Is, E));
  return Is.reduce((s, I, i) => s + recallIntegral(I, pieces[i]![0]!, E), 0) / length(J);
}

// ---- metrics.py -----------------------------------------------------------------------

export interface AffiliationResult {
  /** Mean individual precision over the zones with a prediction; NaN when nothing is predicted. */
  precision: number;
  recall: number;
  individualPrecisionProbabilities: number[];
  individualRecallProbabilities: number[];
  individualPrecisionDistances: number[];
  individualRecallDistances: number[];
}

function checkEvents(events: readonly Interval[], name: string): void {
  events.forEach((e, i) => {
    if (!(e[0] <= e[1])) throw new RangeError(`${name}[${i}]: start must be <= stop`);
    if (i > 0 && !(events[i - 1]![1] < e[0])) throw new RangeError(`${name}: events must be disjoint and ordered`);
  });
}

/** `pr_from_events`: affiliation precision/recall of predicted against ground-truth events within `trange`. */
export function affiliationFromEvents(pred: readonly Interval[], gt: readonly Interval[], trange: Interval): AffiliationResult {
  checkEvents(pred, 'predicted events');
  checkEvents(gt, 'ground-truth events');
  if (gt.length === 0) throw new RangeError('affiliation needs at least one ground-truth event');
  const all = [...pred, ...gt];
  if (all.some((e) => e[0] < trange[0] || e[1] > trange[1])) throw new RangeError('Trange must include all the events');
  if (all.some((e) => e[1] - e[0] === 0)) throw new RangeError('affiliation cannot handle point events (start = stop)');
  const zones = affiliationZones(gt, trange);
  const parts = partition(pred, zones);
  const dPrecision = parts.map((Is, j) => precisionDistance(Is, gt[j]!));
  const dRecall = parts.map((Is, j) => recallDistance(Is, gt[j]!));
  const pPrecision = parts.map((Is, j) => precisionProba(Is, gt[j]!, zones[j]!));
  const pRecall = parts.map((Is, j) => recallProba(Is, gt[j]!, zones[j]!));
  const defined = pPrecision.filter((p) => !Number.isNaN(p));
  return {
    precision: defined.length > 0 ? defined.reduce((s, p) => s + p, 0) / defined.length : NaN,
    recall: pRecall.reduce((s, p) => s + p, 0) / pRecall.length,
    individualPrecisionProbabilities: pPrecision,
    individualRecallProbabilities: pRecall,
    individualPrecisionDistances: dPrecision,
    individualRecallDistances: dRecall,
  };
}

export interface AffiliationScores {
  /** null when nothing is flagged (the reference's NaN). */
  precision: number | null;
  recall: number;
  /** 2PR / (P + R); null when precision is. */
  f1: number | null;
}

/** Affiliation metrics of 0/1 flags against 0/1 labels over [0, n), as TSB-AD's `metric_Affiliation`. */
export function affiliationScores(labels: ArrayLike<number>, flags: ArrayLike<number>): AffiliationScores {
  const result = affiliationFromEvents(vectorToEvents(flags), vectorToEvents(labels), [0, labels.length]);
  const precision = Number.isNaN(result.precision) ? null : result.precision;
  const recall = result.recall;
  const f1 = precision === null ? null : precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
