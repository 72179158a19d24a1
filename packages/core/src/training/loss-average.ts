/**
 * Mean loss terms over the steps of an epoch (or of a log interval). `loss` is the sum of
 * all terms' sums over the total weight; each named term is reported beside it.
 */
export class LossAverage {
  private readonly sums: number[];
  /** Total weight added (the step count when every weight is 1). */
  count = 0;

  /** @param terms names of the values a step returns; none: a step returns the loss alone. */
  constructor(private readonly terms: readonly string[] = []) {
    this.sums = new Array<number>(Math.max(1, terms.length)).fill(0);
  }

  add(values: ArrayLike<number>, weight = 1): void {
    for (let i = 0; i < this.sums.length; i++) this.sums[i]! += values[i]! * weight;
    this.count += weight;
  }

  /** Mean of the summed terms. */
  total(): number {
    let sum = this.sums[0]!;
    for (let i = 1; i < this.sums.length; i++) sum += this.sums[i]!;
    return sum / Math.max(1, this.count);
  }

  /** `{ loss, ...terms }`, each a mean. */
  report(): Record<string, number> {
    const out: Record<string, number> = { loss: this.total() };
    this.terms.forEach((name, i) => (out[name] = this.sums[i]! / Math.max(1, this.count)));
    return out;
  }
}
