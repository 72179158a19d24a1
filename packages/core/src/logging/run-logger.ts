import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger, ProgressHandle } from '../contracts/services.ts';

export interface RunLoggerOptions {
  /** Human log file (log.txt); lines are appended whole. */
  logFile?: string;
  /** Machine log (metrics.jsonl), one JSON object per line. */
  metricsFile?: string;
  /** Where humans read along; default process.stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Where warnings and errors go; default process.stderr. */
  err?: NodeJS.WritableStream;
  /** Suppress console output (files are still written). */
  quiet?: boolean;
  /** Called for every line and record (the server streams these). */
  listener?: (event: LogEvent) => void;
}

export type LogEvent =
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string; time: string }
  | { kind: 'metric'; record: Record<string, unknown> };

/**
 * The run's Logger. Log files are append-only and written one whole line per write
 * (O_APPEND), so a crash can cut the log short but never interleave or corrupt lines.
 */
export class RunLogger implements Logger {
  private readonly out: NonNullable<RunLoggerOptions['out']>;
  private readonly err: NodeJS.WritableStream;
  private activeBar = false;

  constructor(private readonly options: RunLoggerOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
    for (const file of [options.logFile, options.metricsFile]) if (file) mkdirSync(dirname(file), { recursive: true });
  }

  private get tty(): boolean {
    return Boolean(this.out.isTTY) && !this.options.quiet;
  }

  private write(level: 'info' | 'warn' | 'error', message: string): void {
    const time = new Date().toISOString();
    const prefix = level === 'info' ? '' : `${level}: `;
    if (!this.options.quiet) {
      if (this.activeBar) {
        this.out.write('\r\x1b[K');
      }
      (level === 'info' ? this.out : this.err).write(`${prefix}${message}\n`);
    }
    if (this.options.logFile) appendFileSync(this.options.logFile, `${time} ${prefix}${message}\n`);
    this.options.listener?.({ kind: 'log', level, message, time });
  }

  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  metric(record: { type: string } & Record<string, unknown>): void {
    const full = { time: new Date().toISOString(), ...record };
    if (this.options.metricsFile) appendFileSync(this.options.metricsFile, JSON.stringify(full) + '\n');
    this.options.listener?.({ kind: 'metric', record: full });
  }

  progress(label: string, total: number): ProgressHandle {
    const started = Date.now();
    if (!this.tty) {
      // Non-TTY (CI, pipes): a start line, a line per 25%, and an end line.
      let nextQuarter = 1;
      this.write('info', `${label}: started (${total})`);
      return {
        update: (done) => {
          while (total > 0 && done >= (nextQuarter * total) / 4 && nextQuarter < 4) {
            this.write('info', `${label}: ${nextQuarter * 25}% (${done}/${total})`);
            nextQuarter++;
          }
        },
        done: (status) => this.write('info', `${label}: done in ${((Date.now() - started) / 1000).toFixed(2)}s${status ? ` (${status})` : ''}`),
      };
    }
    let lastDraw = 0;
    const draw = (done: number, status = '') => {
      const width = 24;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * width);
      this.out.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${status}`);
      this.activeBar = true;
    };
    draw(0);
    return {
      update: (done, status) => {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        draw(done, status);
      },
      done: (status) => {
        this.out.write('\r\x1b[K');
        this.activeBar = false;
        this.write('info', `${label}: done in ${((Date.now() - started) / 1000).toFixed(2)}s${status ? ` (${status})` : ''}`);
      },
    };
  }
}
