"""The PyTorch original's side of reference-seeds (see README.md beside this file).

Runs chickenbestlover/RNN-Time-series-Anomaly-Detection's own scripts where they lie
(1_train_predictor.py, then 2_anomaly_detection.py) with their default arguments except
--epochs, --seed and --device cpu, dropout and noise on, in a working folder that holds
the pickled labelled splits its loader expects (built from the raw mirror file by
../reference-replay/original.py's build_layout). Nothing of the original is copied.
Its scripts run with torch-shim/ on PYTHONPATH (one thread; .view falls back to reshape).

Writes --out (JSON): the test scores per channel (score.pkl of 2_anomaly_detection.py),
the F-beta it printed per channel, and the training CPU seconds.
/usr/bin/python3 original_seeds.py --original CHECKOUT --series ecg/chfdb_chf13_45590 --seed 1111 --work DIR --out scores.json
"""
import argparse
import json
import os
import pickle
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--original', required=True, help='checkout of the PyTorch original')
    p.add_argument('--series', required=True, help='<dataset>/<series> of the mirror (ecg only)')
    p.add_argument('--mirror', default=os.environ.get('ANOMALAB_DATA_MIRROR', '/work/shared/datasets'))
    p.add_argument('--epochs', type=int, default=100)
    p.add_argument('--seed', type=int, default=1111)
    p.add_argument('--work', required=True, help='working folder (dataset/, save/, result/ and logs land here)')
    p.add_argument('--out', required=True)
    return p.parse_args()


def run(cmd, cwd, log):
    env = dict(os.environ, PYTHONPATH=str(HERE / 'torch-shim'), OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    with open(log, 'w') as f:
        code = subprocess.call(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT)
    if code != 0:
        raise SystemExit(f'original_seeds.py: {" ".join(cmd)} exited with {code}; see {log}')


def main():
    args = parse_args()
    original = Path(args.original).resolve()
    for script in ('1_train_predictor.py', '2_anomaly_detection.py'):
        if not (original / script).exists():
            raise SystemExit(f'original_seeds.py: {original / script} not found: --original must be a checkout of RNN-Time-series-Anomaly-Detection')
    sys.path.insert(0, str(HERE.parent / 'reference-replay'))
    from original import build_layout  # the replay's data preparation (same labels and splits)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    data, series = build_layout(args, str(work))
    name = series + '.pkl'
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    run([sys.executable, str(original / '1_train_predictor.py'), '--data', data, '--filename', name,
         '--epochs', str(args.epochs), '--seed', str(args.seed), '--device', 'cpu'], work, work / 'train.log')
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    train_wall = time.time() - started
    run([sys.executable, str(original / '2_anomaly_detection.py'), '--data', data, '--filename', name], work, work / 'detect.log')
    import torch  # only to read the tensors in score.pkl
    with open(work / 'result' / data / series / 'score.pkl', 'rb') as f:
        scores = [s.cpu().numpy().astype(float).tolist() for s in pickle.load(f)]
    printed = [float(m) for m in re.findall(r'f-beta \(no compensation\):\s+([0-9.eE+-]+)', (work / 'detect.log').read_text())]
    result = {
        'series': args.series, 'seed': args.seed, 'epochs': args.epochs, 'original': str(original),
        'scores': scores, 'printedFBeta': printed,
        'trainCpuSeconds': (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        'trainWallSeconds': train_wall,
    }
    Path(args.out).write_text(json.dumps(result))
    print(f'original_seeds.py: {args.series} seed {args.seed}: printed F-beta {printed}, train CPU {result["trainCpuSeconds"]:.0f} s', flush=True)


if __name__ == '__main__':
    main()
