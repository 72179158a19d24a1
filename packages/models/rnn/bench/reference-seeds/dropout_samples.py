"""The PyTorch original's side of the dropout check (dropout-check.ts, see README.md here).

One training window of the original with dropout on (its default 0.2), repeated for
--samples mask draws from the same initial weights and the same input: the three loss
terms and the gradient of each draw, as its train() computes them. Runs the original from
a checkout given with --original, where it lies: the part of 1_train_predictor.py above
its "# Loop over epochs." line (argument parsing, data, model, Adam, train()) is executed
with our command line, and train() is called on the first window of its batchified train
series (steps 0..50 of 64 lanes), after --warmup-epochs of its ordinary training
or from a trained --checkpoint of the original. Adam's step is switched off, so every call starts from
the same weights; torch.manual_seed(--mask-seed + k) before call k. Nothing is copied.

Writes to --out: manifest.json, init.<name>.bin (initial weights), window.bin ([51, 64, C]),
terms.bin ([samples, 3], float64) and grad.<name>.bin ([samples, ...]), float32 little-endian
("init" = the weights every draw starts from, after the warm-up).
/usr/bin/python3 dropout_samples.py --original CHECKOUT --series ecg/chfdb_chf13_45590 --samples 200 --out DIR
"""
import argparse
import json
import os
import runpy
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
MARKER = '# Loop over epochs.'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--original', required=True, help='checkout of the PyTorch original')
    p.add_argument('--series', default='ecg/chfdb_chf13_45590')
    p.add_argument('--mirror', default=os.environ.get('ANOMALAB_DATA_MIRROR', '/work/shared/datasets'))
    p.add_argument('--seed', type=int, default=1111, help='the original --seed (initial weights, augmentation)')
    p.add_argument('--mask-seed', type=int, default=100000)
    p.add_argument('--samples', type=int, default=200)
    p.add_argument('--dropout', type=float, default=0.2)
    p.add_argument('--warmup-epochs', type=int, default=2, help='epochs of ordinary training first (from init the outputs barely depend on dropout)')
    p.add_argument('--checkpoint', help="start from this checkpoint of the original (save/<data>/checkpoint/<series>.pth, e.g. from original_seeds.py's work folder) instead of the warm-up")
    p.add_argument('--out', required=True)
    return p.parse_args()


def main():
    args = parse_args()
    runpy.run_path(str(HERE / 'torch-shim' / 'sitecustomize.py'))  # one thread; .view -> reshape when strided
    original = Path(args.original).resolve()
    script = original / '1_train_predictor.py'
    source = script.read_text() if script.exists() else ''
    if MARKER not in source:
        raise SystemExit(f'dropout_samples.py: {script} missing or without a "{MARKER}" line: --original must be a checkout of RNN-Time-series-Anomaly-Detection')
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(original))
    sys.path.insert(0, str(HERE.parent / 'reference-replay'))
    from original import build_layout  # the replay's data preparation (same labels and splits)
    with tempfile.TemporaryDirectory(prefix='anomalab-dropout-') as root:
        data, series = build_layout(args, root)
        os.chdir(root)
        sys.argv = [str(script), '--data', data, '--filename', series + '.pkl', '--device', 'cpu',
                    '--seed', str(args.seed), '--dropout', str(args.dropout)]
        ns = {'__name__': 'original_train', '__file__': str(script)}
        exec(compile(source.split(MARKER)[0], str(script), 'exec'), ns)
    model, optimizer, targs = ns['model'], ns['optimizer'], ns['args']
    if args.checkpoint:
        model.load_state_dict(torch.load(args.checkpoint)['state_dict'])
    else:
        for epoch in range(1, args.warmup_epochs + 1):
            ns['train'](targs, model, ns['train_dataset'], epoch)
    window = ns['train_dataset'][:targs.bptt + 1].contiguous()
    names = [n for n, _ in model.named_parameters()]
    init = {n: p.detach().clone() for n, p in model.named_parameters()}
    losses, grads = [], {n: [] for n in names}
    inner = ns['criterion']

    def criterion(a, b):
        loss = inner(a, b)
        losses.append(loss.item())
        return loss
    ns['criterion'] = criterion
    clip = torch.nn.utils.clip_grad_norm_

    def record_then_clip(parameters, *a, **kw):
        parameters = list(parameters)
        for n, p in model.named_parameters():
            grads[n].append(p.grad.detach().clone())
        return clip(parameters, *a, **kw)
    torch.nn.utils.clip_grad_norm_ = record_then_clip
    optimizer.step = lambda *a, **kw: None
    for k in range(args.samples):
        torch.manual_seed(args.mask_seed + k)
        ns['train'](targs, model, window, 1)
    for n, p in model.named_parameters():
        assert torch.equal(p, init[n]), 'weights changed: the optimizer step was not switched off'

    files = {}

    def write(name, array, dtype='<f4'):
        a = np.ascontiguousarray(np.asarray(array).astype(dtype))
        a.tofile(out / name)
        files[name] = list(a.shape)
    for n in names:
        write(f'init.{n}.bin', init[n].numpy())
        write(f'grad.{n}.bin', torch.stack(grads[n]).numpy())
    write('window.bin', window.numpy())
    write('terms.bin', np.array(losses).reshape(args.samples, 3), '<f8')
    manifest = {
        'series': args.series, 'seed': args.seed, 'samples': args.samples, 'warmup_epochs': 0 if args.checkpoint else args.warmup_epochs, 'checkpoint': args.checkpoint, 'dropout': args.dropout, 'torch': torch.__version__,
        'parameters': [[n, list(init[n].shape)] for n in names], 'files': files,
        'options': {k: getattr(targs, k) for k in ('emsize', 'nhid', 'nlayers', 'batch_size', 'bptt', 'model')},
    }
    (out / 'manifest.json').write_text(json.dumps(manifest))
    print(f'dropout_samples.py: {args.samples} draws of one window -> {out}', flush=True)


if __name__ == '__main__':
    main()
