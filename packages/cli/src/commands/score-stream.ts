import { AnomalabError, type StreamScore, type StreamSession } from '@anomalab/core';
import { boundedLines } from './stdin-lines.ts';
import { RowReader, TIMESTAMP_FIELD } from './stream-rows.ts';

/** Shortest decimal text that reads back as the same float32 (scores are float32). */
export function float32Text(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === x) return text;
  }
  return String(Number(x.toPrecision(9)));
}

const csvCell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Writes scored rows as CSV (a header line first) or NDJSON, one line per row. */
class ScoreWriter {
  private headerWritten = false;
  private withTimestamp = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly session: StreamSession,
    private readonly json: boolean,
  ) {}

  write(score: StreamScore, timestamp: unknown, hasTimestamp: boolean): void {
    const { channelNames, hasJoint } = this.session;
    const number = (v: number | null) => (v === null ? null : Number(float32Text(v)));
    if (this.json) {
      const line: Record<string, unknown> = { row: score.row };
      if (timestamp !== undefined) line[TIMESTAMP_FIELD] = timestamp;
      line.scores = Object.fromEntries(channelNames.map((name, c) => [name, number(score.scores[c]!)]));
      if (hasJoint) line.joint = number(score.joint);
      line.alarm = score.alarm;
      line.alarms = Object.fromEntries(channelNames.map((name, c) => [name, score.alarms[c]!]));
      this.out.write(JSON.stringify(line) + '\n');
      return;
    }
    if (!this.headerWritten) {
      this.withTimestamp = hasTimestamp;
      this.out.write(['row', ...(hasTimestamp ? [TIMESTAMP_FIELD] : []), ...channelNames, ...(hasJoint ? ['joint'] : []), 'alarm'].map(csvCell).join(',') + '\n');
      this.headerWritten = true;
    }
    const text = (v: number | null) => (v === null ? '' : float32Text(v));
    const cells = [String(score.row), ...(this.withTimestamp ? [csvCell(timestamp)] : []), ...score.scores.map(text), ...(hasJoint ? [text(score.joint)] : []), score.alarm ? '1' : '0'];
    this.out.write(cells.join(',') + '\n');
  }
}

/**
 * `anomalab score <run> --stream`: rows from `input` (CSV or NDJSON lines, see RowReader)
 * through the session, each scored row written as soon as the session settles it. A bad
 * line stops with an error naming it (rows before it are already written). At the end of
 * input the rows still open (direct-score models) are settled and written.
 */
export async function scoreStream(session: StreamSession, input: NodeJS.ReadableStream, out: NodeJS.WritableStream, options: { json: boolean }): Promise<number> {
  const reader = new RowReader(session.channelNames);
  const writer = new ScoreWriter(out, session, options.json);
  // Timestamps of rows not written yet (a direct-score model settles rows later).
  const timestamps = new Map<number, unknown>();
  let hasTimestamp: boolean | undefined;
  const emit = (scores: StreamScore[]) => {
    for (const s of scores) {
      writer.write(s, timestamps.get(s.row), hasTimestamp ?? false);
      timestamps.delete(s.row);
    }
  };
  const lines = boundedLines(input as AsyncIterable<Buffer | string>);
  try {
    let n = 0;
    for await (const line of lines) {
      n++;
      const row = reader.read(line, n);
      if (!row) continue;
      hasTimestamp ??= row.timestamp !== undefined;
      if (row.timestamp !== undefined) timestamps.set(session.rowsPushed, row.timestamp);
      let scored: StreamScore[];
      try {
        scored = session.push(row.values);
      } catch (error) {
        if (error instanceof AnomalabError && error.code === 'ANOMALAB_DATA_INVALID') throw new AnomalabError(error.code, `stdin line ${n}: ${error.message}`, { cause: error });
        throw error;
      }
      emit(scored);
    }
  } finally {
    // Stop reading: an open stdin would keep the process alive after an error.
    await lines.return(undefined);
    (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  emit(session.finish());
  return 0;
}
