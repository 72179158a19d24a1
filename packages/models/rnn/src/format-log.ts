/** Python's `{:Nd}` / `{:N.Pf}`: right-aligned in a field of at least `width` characters. */
const num = (value: number, width: number, digits?: number) => (digits === undefined ? String(value) : value.toFixed(digits)).padStart(width);

/** `| epoch   3 |    10/   31 batches | ms/batch 58.17 | loss  0.18` (the reference's line). */
export function batchLine(epoch: number, batch: number, batches: number, msPerBatch: number, loss: number): string {
  return `| epoch ${num(epoch, 3)} | ${num(batch, 5)}/${num(batches, 5)} batches | ms/batch ${num(msPerBatch, 5, 2)} | loss ${num(loss, 5, 2)}`;
}

/** `| end of epoch   3 | time:  2.35s | valid loss 1.7863 |` (train loss when there is no validation series). */
export function epochLine(epoch: number, seconds: number, loss: number, which: 'valid' | 'train' = 'valid'): string {
  return `| end of epoch ${num(epoch, 3)} | time: ${num(seconds, 5, 2)}s | ${which} loss ${num(loss, 5, 4)} |`;
}
