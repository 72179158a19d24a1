const num = (value: number, width: number, digits: number) => value.toFixed(digits).padStart(width);

/**
 * `| end of epoch   3 | time:  2.35s | train loss 0.1234 | valid loss 0.2345 |`, the rnn
 * model's epoch line with the teacher-forced train loss added.
 */
export function epochLine(epoch: number, seconds: number, train: number, valid?: number): string {
  return `| end of epoch ${String(epoch).padStart(3)} | time: ${num(seconds, 5, 2)}s | train loss ${num(train, 5, 4)} |${valid === undefined ? '' : ` valid loss ${num(valid, 5, 4)} |`}`;
}
