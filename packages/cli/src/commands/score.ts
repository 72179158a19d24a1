import { AnomalabError } from '@anomalab/core';
import { writeJson, type Command } from '../command.ts';
import { openApp } from '../app.ts';
import { scoreStream } from './score-stream.ts';

export const scoreCommand: Command = {
  path: ['score'],
  summary: 'score another series with a trained run (no training), or rows from stdin as they arrive (--stream)',
  help: `Usage: anomalab score <run-id> --series <dataset>/<series> [--set dataset.options.x=y]... [options]
       anomalab score <run-id> --series <file.csv> [--set dataset.options.label_column=...]
       anomalab score <run-id> --stream [--json] < rows.csv      (tail -f sensor.csv | anomalab score <run> --stream)

Scores a series with a completed run's checkpoint, without training: the weights that
scored in the run (final or best, as the run recorded), the Gaussian detector fitted on
the run's train split, standardisation with the run's train mean/std and the run's window
W. The series may be labelled or unlabelled, from any dataset plugin or a csv file.

Metrics (labelled series): the deployable threshold is the run's own (chosen on the run's
train scores), so it uses no labels of this series; the oracle sweep, AUC-PR, AUC-ROC and
the event counts use this series' labels. Unlabelled series: scores and flagged rows only.

Output: <run>/scores/<dataset>__<series>[__train]/ with results.json (same shape as the
run's, plus "scoredWith"), metrics.json (the per-channel metrics), series/ (float32 plot
series + index.json) and log.txt. The folder appears atomically (written aside, then
renamed); scoring the same series again replaces it.

Streaming (--stream): reads rows from stdin, one per line, and writes one scored line per
row to stdout as soon as it is scored (the run's weights, detector, train statistics and
deployable thresholds, as above; see docs/streaming.md). Input, fixed by the first line:
  CSV with a header   lead1,lead2 (columns matched to the run's channels by name; other
                      columns are ignored; a "timestamp" column is echoed)
  CSV without header  one value per channel, in the run's channel order
  NDJSON              {"lead1": 0.1, "lead2": 0.2, "timestamp": "..."} or [0.1, 0.2]
Output: CSV "row[,timestamp],<channels...>[,joint],alarm" (empty scores for the first W
rows; alarm 1 when the row crosses the run's deployable threshold: the joint one when the
run has a joint score, else any channel's), or with --json NDJSON
{"row", "timestamp"?, "scores": {...}, "joint", "alarm", "alarms": {...}}. Alarms are the
alarm column, nothing goes to stderr. A bad line stops with exit code 2 and an error naming
the line (rows before it are written). Models that score rows themselves may settle a row
later (a discord needs the rows after it): its line comes then, the rest at end of input.
Models without streaming (e.g. encdec) are refused with an error naming the model.

Options:
  --stream             score rows from stdin as they arrive (see above)
  --series <spec>      <dataset>/<series>, <dataset> (its first series), or a .csv path
  --set key=value      dataset option override (dataset.* only), value is YAML; repeatable
  --split test|train   which split of the series to score (default test)
  --quiet              only the summary table
  --json               print {dir, metrics} as JSON instead of the table (--stream: NDJSON lines)
  --runs <dir>         run store root (default: $ANOMALAB_RUNS or ./runs)
  --data-mirror <dir>  read benchmark data files from this local mirror

Examples:
  anomalab score 20250101-120000-quickstart-ab12 --series synthetic/sines --set dataset.options.seed=8
  anomalab score <run> --series ecg/mitdbx_mitdbx_108
  anomalab score <run> --series data/my-series.csv --set dataset.options.label_column=label
  tail -f sensor.csv | anomalab score <run> --stream`,
  allowPositionals: true,
  options: {
    stream: { type: 'boolean' },
    series: { type: 'string' },
    set: { type: 'string', multiple: true },
    split: { type: 'string' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new AnomalabError('ANOMALAB_USAGE', 'expected one run id\nsee: anomalab score --help');
    if (values.stream) {
      const conflicting = ['series', 'set', 'split', 'quiet'].filter((k) => values[k] !== undefined);
      if (conflicting.length) throw new AnomalabError('ANOMALAB_USAGE', `--stream reads rows from stdin: it takes no ${conflicting.map((k) => `--${k}`).join(', ')}\nsee: anomalab score --help`);
      const app = await openApp(ctx);
      const session = await app.openStream(positionals[0]!);
      try {
        return await scoreStream(session, ctx.in ?? process.stdin, ctx.out, { json: Boolean(values.json) });
      } finally {
        session.dispose();
      }
    }
    if (!values.series) throw new AnomalabError('ANOMALAB_USAGE', '--series <dataset>/<series> is required\nsee: anomalab score --help');
    if (values.split !== undefined && values.split !== 'test' && values.split !== 'train') {
      throw new AnomalabError('ANOMALAB_USAGE', `--split must be test or train, got ${JSON.stringify(values.split)}`);
    }
    const app = await openApp(ctx);
    const outcome = await app.score({
      run: positionals[0]!,
      series: values.series,
      overrides: values.set ?? [],
      split: values.split,
      out: ctx.out,
      quiet: Boolean(values.quiet || values.json),
    });
    if (values.json) {
      const metrics = Object.fromEntries([...outcome.results.channels, ...(outcome.results.joint ? [outcome.results.joint] : [])].map((c) => [c.channel, c.metrics]));
      writeJson(ctx, { dir: outcome.dir, dataset: outcome.results.dataset, labelled: outcome.results.labelled, metrics });
    } else {
      if (values.quiet) ctx.out.write(outcome.summary.join('\n') + '\n');
      ctx.out.write(`scores written to ${outcome.dir}\n`);
    }
    return 0;
  },
};
