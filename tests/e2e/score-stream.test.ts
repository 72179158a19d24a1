// `anomalab score <run> --stream` in a real pipe: a child process fed one line at a time,
// each scored line read back before the next row is written (so before stdin closes),
// compared with the scores the run stored for its test split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAnomalab, readSeriesFolder, type LoadedSeries } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import { findTestMirror } from '@anomalab/datasets/testing';
import { cliBin, repoRoot, runCli } from './cli-helpers.ts';

const mirror = findTestMirror();
const temp = makeTempDir('anomalab-score-stream-');
afterAll(() => temp.cleanup());
const runs = join(temp.dir, 'runs');
let id = '';
let ecg: LoadedSeries;

/** The CLI with stdin, stdout and stderr piped; stdout arrives line by line through `nextLine`. */
function streamCli(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cliBin, 'score', ...args, '--runs', runs], {
    cwd: repoRoot,
    env: { ...process.env, ANOMALAB_DATA_MIRROR: mirror.dir! },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) (waiting.length ? waiting.shift()!(line) : lines.push(line));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The CLI may stop reading (a refused line) before everything written has reached it.
  child.stdin!.on('error', () => {});
  // The exit code, or a failure when the CLI does not exit within 30 s.
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not exit within 30 s (stderr: ${stderr})`)), 30_000);
    child.on('close', (code) => (clearTimeout(timer), resolve(code)));
  });
  exited.catch(() => {});
  return {
    write: (line: string) => child.stdin!.write(line + '\n'),
    end: () => child.stdin!.end(),
    /** The next stdout line; fails after `ms` (the first one waits for the CLI to start). */
    nextLine: (ms = 10_000) =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no output line within ${ms} ms (stderr: ${stderr})`)), ms);
            waiting.push((line) => (clearTimeout(timer), resolve(line)));
          }),
    exited,
    stderr: () => stderr,
    kill: () => child.kill(),
  };
}

describe('anomalab score --stream (baselines run on ecg/chfdb_chf13_45590)', () => {
  beforeAll(async () => {
    if (!mirror.dir) throw new Error(mirror.reason);
    const result = await runCli(['experiment', 'experiments/ecg-chfdb_chf13_45590.yaml', '--set', 'model.name=baselines', '--set', 'model.options={}', '--set', 'training.epochs=1', '--runs', runs, '--quiet'], { ANOMALAB_DATA_MIRROR: mirror.dir });
    expect(result.code, result.stderr).toBe(0);
    id = readdirSync(runs)[0]!;
    const app = await createAnomalab({ runsDir: runs, dataMirror: mirror.dir });
    ecg = await app.loadSeries({ dataset: 'ecg', series: 'chfdb_chf13_45590' });
  });

  it('CSV in a pipe: each row is scored and written before the next is sent, with the run\'s stored scores and alarms', async () => {
    const results = JSON.parse(readFileSync(join(runs, id, 'results.json'), 'utf8'));
    const { entries } = await readSeriesFolder(join(runs, id, 'series'));
    const joint = entries.joint!.score!;
    const threshold = results.joint.metrics.deployable.threshold as number;
    const cli = streamCli([id, '--stream']);
    try {
      // A header with the channels out of order and an extra timestamp column (echoed).
      cli.write('timestamp,lead2,lead1');
      const { rows, channels, values } = ecg.test;
      let alarms = 0;
      for (let t = 0; t < rows; t++) {
        cli.write(`t${t},${values[t * channels + 1]},${values[t * channels]}`);
        // The output header comes with the first scored row.
        if (t === 0) expect(await cli.nextLine()).toBe('row,timestamp,lead1,lead2,joint,alarm');
        const line = await cli.nextLine();
        const cells = line.split(',');
        expect(cells.slice(0, 2)).toEqual([String(t), `t${t}`]);
        if (t < results.window) {
          expect(cells.slice(2)).toEqual(['', '', '', '0']);
          continue;
        }
        // Shortest decimals that read back as the very float32 scores the run stored.
        const [lead1, lead2, j] = cells.slice(2, 5).map((c) => Math.fround(Number(c)));
        expect([lead1, lead2, j]).toEqual([entries.lead1!.score![t], entries.lead2!.score![t], joint[t]]);
        expect(cells[5]).toBe(joint[t]! > threshold ? '1' : '0');
        if (cells[5] === '1') alarms++;
      }
      expect(alarms).toBeGreaterThan(0);
      cli.end();
      expect(await cli.exited).toBe(0);
    } finally {
      cli.kill();
    }
  });

  it('NDJSON in and out; a bad line stops with exit 2 naming the line, after the rows before it', async () => {
    const cli = streamCli([id, '--stream', '--json']);
    try {
      cli.write('{"lead1": 0.5, "lead2": -0.25, "timestamp": 1733000000}');
      expect(JSON.parse(await cli.nextLine())).toEqual({ row: 0, timestamp: 1733000000, scores: { lead1: null, lead2: null }, joint: null, alarm: false, alarms: { lead1: false, lead2: false } });
      cli.write('[0.5, -0.25]');
      expect(JSON.parse(await cli.nextLine())).toMatchObject({ row: 1 });
      cli.write('{"lead1": 0.5, "lead2": "high"}');
      expect(await cli.exited).toBe(2);
      expect(cli.stderr()).toContain('error: stdin line 3: channel lead2: expected a number, got "high"');
    } finally {
      cli.kill();
    }
  });

  it('a discord model (matrix-profile join: train, m = 20) writes row t once row t + 19 is in, the last 19 rows at end of input', async () => {
    const result = await runCli(['experiment', 'experiments/ecg-chfdb_chf13_45590.yaml', '--set', 'model.name=matrix-profile', '--set', 'model.options={join: train, window: 20}', '--set', 'training.epochs=1', '--runs', runs, '--quiet', '--json'], { ANOMALAB_DATA_MIRROR: mirror.dir! });
    expect(result.code, result.stderr).toBe(0);
    const mp = JSON.parse(result.stdout).id as string;
    const { entries } = await readSeriesFolder(join(runs, mp, 'series'));
    const cli = streamCli([mp, '--stream', '--json']);
    try {
      const { channels, values } = ecg.test;
      const row = (t: number) => JSON.stringify({ lead1: values[t * channels], lead2: values[t * channels + 1], timestamp: `t${t}` });
      for (let t = 0; t < 19; t++) cli.write(row(t));
      cli.write(row(19)); // completes the first subsequence: row 0 is settled
      const first = JSON.parse(await cli.nextLine());
      expect(first).toMatchObject({ row: 0, timestamp: 't0' });
      expect(Math.fround(first.scores.lead1)).toBe(entries.lead1!.score![0]);
      for (let t = 20; t < 40; t++) {
        cli.write(row(t));
        const line = JSON.parse(await cli.nextLine());
        expect(line.row).toBe(t - 19);
        expect(line.timestamp).toBe(`t${t - 19}`);
        expect(Math.fround(line.joint)).toBe(entries.joint!.score![t - 19]);
      }
      cli.end(); // rows 21..39 settle now
      const rest: number[] = [];
      for (let t = 21; t < 40; t++) rest.push(JSON.parse(await cli.nextLine()).row);
      expect(rest).toEqual(Array.from({ length: 19 }, (_, i) => 21 + i));
      expect(await cli.exited).toBe(0);
    } finally {
      cli.kill();
    }
  });

  it('refuses bad CSV with the line and what was expected', async () => {
    const cases: [string, RegExp][] = [
      ['0.1,0.2\n0.3\n', /stdin line 2: expected 2 comma-separated value\(s\) \(lead1, lead2\), got 1/],
      ['0.1,abc\n', /stdin line 1: the header \("0\.1", "abc"\) has no column "lead1", "lead2"/],
      ['lead1,lead2\n0.1,\n', /stdin line 2: channel lead2: expected a decimal number, got ""/],
      ['lead1,lead2\n0.1,1e39\n', /stdin line 2: row 0, channel lead2: 1e\+39 is outside the float32 range/],
      // A line over 1 MiB characters (no line break in sight) is refused, not buffered without limit.
      [`0.1,0.2\n${'9'.repeat(1_100_000)}`, /stdin line 2: longer than 1048576 characters without a line break: give one row per line/],
    ];
    await Promise.all(
      cases.map(async ([input, message]) => {
        const cli = streamCli([id, '--stream']);
        cli.write(input.trimEnd());
        cli.end();
        expect(await cli.exited, input.slice(0, 80)).toBe(2);
        expect(cli.stderr(), input.slice(0, 80)).toMatch(message);
      }),
    );
    const usage = await runCli(['score', id, '--stream', '--series', 'ecg/chfdb_chf13_45590', '--runs', runs]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--stream reads rows from stdin: it takes no --series/);
  });
});
