"""The PyTorch original's side of the reference replay (see README.md beside this file).

Runs chickenbestlover/RNN-Time-series-Anomaly-Detection from a checkout given with
--original, where it lies: its data loader (preprocess_data.py), model (model/model.py),
the training and validation functions of 1_train_predictor.py (the part of that script
above its "# Loop over epochs." line, executed with our command line) and the scoring
functions of anomalyDetector.py. Nothing of it is copied. Dropout is switched off with the
original's own --dropout 0, augmentation noise by handing its augmentation a torch whose
randn returns zeros (the copies are then exact repeats, as anomalab's noise: 0). One
runtime adaptation for the CPU: batchify's result is made contiguous (see below).

The original reads pickled, labelled splits from dataset/<data>/labeled/{train,test}/ under
its working directory; this script builds them in a temporary folder from the raw mirror
file (labels and splits from the mirror's README table) and runs there.

Writes to --out: manifest.json (numbers, shapes, file names) and float32 little-endian
.bin files (initial weights, per-step gradients and weights, the augmented series, the
fitted means and covariances, the test scores). Run with Debian's python3-torch:
/usr/bin/python3 original.py --original /path/to/checkout --series ecg/chfdb_chf13_45590 --out DIR
"""
import argparse
import json
import os
import pickle
import re
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch

MARKER = '# Loop over epochs.'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--original', required=True, help='checkout of the PyTorch original')
    p.add_argument('--series', default='ecg/chfdb_chf13_45590', help='<dataset>/<series> of the mirror')
    p.add_argument('--mirror', default=os.environ.get('ANOMALAB_DATA_MIRROR', '/work/shared/datasets'))
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--record-steps', type=int, default=64, help='training steps whose gradients and weights are written')
    p.add_argument('--window', type=int, default=10, help='prediction window W (prediction_window_size)')
    p.add_argument('--seed', type=int, default=1111)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--clip', type=float, help="the original's --clip (default: its 10)")
    p.add_argument('--model', help="the original's --model: LSTM (its default), GRU, RNN_TANH, RNN_RELU")
    p.add_argument('--res-connection', action='store_true', help="the original's --res_connection")
    p.add_argument('--weight-decay', type=float, help="the original's --weight_decay (default: its 1e-4)")
    p.add_argument('--weights', help='start from the final.*.bin weights an earlier run wrote to this folder (e.g. with --epochs 0: scoring only)')
    p.add_argument('--checkpoint', help="start from the weights of a checkpoint the original saved (save/<data>/checkpoint/<series>.pth)")
    p.add_argument('--shared-masks', type=float, default=0, metavar='RATE',
                   help="dropout RATE with anomalab's masks (its stream for --seed; see SharedMasks) instead of dropout 0")
    p.add_argument('--dropout', type=float, default=0, metavar='RATE',
                   help="the original's own --dropout, its masks from its own generator (replay.ts --torch-rng)")
    p.add_argument('--noise', action='store_true',
                   help="keep the original's augmentation noise (its one torch.randn draw for --seed) instead of noise 0")
    p.add_argument('--out', required=True)
    args = p.parse_args()
    if args.dropout and args.shared_masks:
        p.error("--dropout (its own masks) and --shared-masks (anomalab's) exclude each other")
    return args


def mirror_table(mirror):
    """{(dataset, series): (ranges, train slice, test slice)} from the mirror README's table."""
    text = Path(mirror, 'README.md').read_text()
    rows = {}
    pattern = re.compile(r'^\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*([^|]+)\|\s*\[([^|]+)\)\s*\|\s*\[([^|]+)\)\s*\|\s*$')
    for line in text.splitlines():
        m = pattern.match(line)
        if not m:
            continue
        ranges = [tuple(int(v) for v in r) for r in re.findall(r'\((\d+),\s*(\d+)\)', m.group(3))]
        def sl(s):
            a, b = [v.strip() for v in s.split(',')]
            return int(a), None if b == 'end' else int(b)
        rows[(m.group(1), m.group(2))] = (ranges, sl(m.group(4)), sl(m.group(5)))
    return rows


def build_layout(args, root):
    """dataset/<data>/labeled/{train,test}/<series>.pkl under root, as the original's downloader writes them."""
    data, series = args.series.split('/')
    if data != 'ecg':
        raise SystemExit(f'original.py: only ecg series are wired up (two leads after the time column), got {args.series}')
    table = mirror_table(args.mirror)
    if (data, series) not in table:
        raise SystemExit(f'original.py: {args.series} has no labels/splits row in {args.mirror}/README.md')
    ranges, (a, b), (c, d) = table[(data, series)]
    rows = []
    with open(Path(args.mirror, data, series + '.txt')) as f:
        for i, line in enumerate(f):
            tokens = [float(t) for t in line.split()][1:]  # drop the time stamp column
            tokens.append(1.0 if any(lo < i < hi for lo, hi in ranges) else 0.0)
            rows.append(tokens)
    for split, part in (('train', rows[a:b]), ('test', rows[c:d])):
        folder = Path(root, 'dataset', data, 'labeled', split)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / (series + '.pkl'), 'wb') as f:
            pickle.dump(part, f)
    return data, series


class TorchExcept(types.ModuleType):
    """torch, except the attributes a subclass defines: handed to one of the original's modules
    in place of its `torch`, so its code runs unchanged with one function swapped."""

    def __init__(self):
        super().__init__('torch')

    def __getattr__(self, name):
        return getattr(torch, name)


class NoiseFreeTorch(TorchExcept):
    """torch, except randn gives zeros: the original's augmentation then appends exact copies."""

    @staticmethod
    def randn(*size, **kw):
        return torch.zeros(*size, **kw)


class Float64Torch(TorchExcept):
    """torch, except FloatTensor builds float64 tensors: given to anomalyDetector, the
    original's own fit_norm_distribution_param and anomalyScore then collect the (float32)
    predictions into float64 error vectors, and its one-pass covariance, torch.inverse and
    products run in float64. Its code and formulas unchanged; only the arithmetic is wider."""

    @staticmethod
    def FloatTensor(values):
        return torch.stack([torch.as_tensor(v) for v in values]).double()


def mix_seed(*words):
    """anomalab's mixSeed (core/src/random.ts): FNV-1a over the words' little-endian bytes."""
    h = 0x811c9dc5
    for w in words:
        for k in range(4):
            h = ((h ^ ((w >> (8 * k)) & 0xff)) * 0x01000193) & 0xffffffff
    return h


def mulberry32(key, n):
    """The first n numbers in [0, 1) of anomalab's uniformStream(key) (mulberry32), as float64."""
    with np.errstate(over='ignore'):
        a = (np.uint32(key) + np.arange(1, n + 1, dtype=np.uint32) * np.uint32(0x6d2b79f5)).astype(np.uint32)
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


class SharedMasks:
    """The dropout masks anomalab draws for training window k (the Adam step before it): the
    stream uniformStream(mixSeed(seed, k)), one value per element in the layout
    [step, site (encoder output, each layer's output), 2B lanes (free-running lanes first,
    then teacher-forced), width], 0 below the rate and 1 / (1 - rate) above (src/dropout.ts).
    The original's train() runs the free-running pass as one forward call per step, then the
    teacher-forced pass as one call: each call takes its step's (or window's) lanes."""

    def __init__(self, rate, seed, batch, widths, max_steps):
        self.rate, self.seed, self.B, self.widths, self.max_steps = rate, seed, batch, widths, max_steps
        self.window, self.t, self.masks = 0, 0, None

    def _draw(self):
        P = 2 * self.B
        u = mulberry32(mix_seed(self.seed, self.window), self.max_steps * P * sum(self.widths)).reshape(self.max_steps, -1)
        keep = np.float32(1.0 / (1.0 - self.rate))
        values = np.where(u < self.rate, np.float32(0), keep).astype(np.float32)
        self.masks, offset = [], 0
        for w in self.widths:
            self.masks.append(torch.from_numpy(np.ascontiguousarray(values[:, offset:offset + P * w].reshape(self.max_steps, P, w))))
            offset += P * w

    def next_call(self, steps):
        """Masks [steps, B, w] per site for the next training forward call."""
        if self.masks is None:
            self._draw()
        B = self.B
        if steps == 1:  # a free-running step
            out = [m[self.t:self.t + 1, :B] for m in self.masks]
            self.t += 1
        else:  # the teacher-forced pass ends the window
            out = [m[:steps, B:] for m in self.masks]
            self.window, self.t, self.masks = self.window + 1, 0, None
        return out


def masked_forward(model, provider):
    """The original's RNNPredictor.forward (model/model.py) for an LSTM in training mode, with
    its three dropout sites (self.drop on the encoder output, nn.LSTM's dropout between
    layers, self.drop on the top layer's output) multiplying by provider's masks: the stacked
    nn.LSTM runs layer by layer through the same _VF.lstm call with the same weights, the
    masks in between. In eval mode the original forward runs unchanged."""
    original = model.forward

    def forward(input, hidden, return_hiddens=False, noise=False):
        if not model.training:
            return original(input, hidden, return_hiddens=return_hiddens, noise=noise)
        steps, B = input.size(0), input.size(1)
        masks = provider.next_call(steps)
        emb = model.encoder(input.contiguous().view(-1, model.enc_input_size)) * masks[0].reshape(steps * B, -1)
        x = emb.view(-1, B, model.rnn_hid_size)
        h0, c0 = hidden
        hs, cs = [], []
        for l in range(model.nlayers):
            weights = [getattr(model.rnn, f'{n}_l{l}') for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')]
            out, h, c = torch._VF.lstm(x, (h0[l:l + 1], c0[l:l + 1]), weights, True, 1, 0.0, True, False, False)
            hs.append(h)
            cs.append(c)
            x = out * masks[l + 1]
        output = x
        decoded = model.decoder(output.view(output.size(0) * output.size(1), output.size(2)))
        decoded = decoded.view(output.size(0), output.size(1), decoded.size(1))
        if model.res_connection:
            decoded = decoded + input
        hidden = (torch.cat(hs, 0), torch.cat(cs, 0))
        return (decoded, hidden, output) if return_hiddens else (decoded, hidden)

    model.forward = forward


class Recorder:
    """Wraps the original's criterion, clip and optimizer step to record what each training step saw."""

    def __init__(self, model, record_steps):
        self.model = model
        self.record_steps = record_steps
        self.losses = []  # every criterion call, in order
        self.norms = []
        self.grads = []
        self.weights = []
        self.steps = 0

    def criterion(self, inner):
        def call(a, b):
            loss = inner(a, b)
            self.losses.append(loss.item())
            return loss
        return call

    def clip(self, inner):
        def call(parameters, max_norm, *rest, **kw):
            parameters = list(parameters)
            if self.steps < self.record_steps:
                self.grads.append({n: p.grad.detach().clone() for n, p in self.model.named_parameters()})
            norm = inner(parameters, max_norm, *rest, **kw)
            self.norms.append(float(norm))
            return norm
        return call

    def step(self, inner):
        def call(*a, **kw):
            out = inner(*a, **kw)
            if self.steps < self.record_steps:
                self.weights.append({n: p.detach().clone() for n, p in self.model.named_parameters()})
            self.steps += 1
            return out
        return call


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    original = Path(args.original).resolve()
    script = original / '1_train_predictor.py'
    if not script.exists():
        raise SystemExit(f'original.py: {script} not found: --original must be a checkout of RNN-Time-series-Anomaly-Detection')
    source = script.read_text()
    if MARKER not in source:
        raise SystemExit(f'original.py: {script} has no "{MARKER}" line: not the expected version of the original')
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(original))
    with tempfile.TemporaryDirectory(prefix='anomalab-replay-') as root:
        data, series = build_layout(args, root)
        os.chdir(root)
        import preprocess_data
        import anomalyDetector
        if not args.noise:
            preprocess_data.torch = NoiseFreeTorch()
        # batchify's transposed view reached the original's GPU as a contiguous copy; on the
        # CPU its later .view() calls refuse the strided tensor. Same numbers, contiguous.
        batchify = preprocess_data.PickleDataLoad.batchify
        preprocess_data.PickleDataLoad.batchify = lambda self, *a, **kw: batchify(self, *a, **kw).contiguous()
        # The script's set-up and functions (argument parsing, seed, data, model, Adam, train, evaluate).
        sys.argv = [str(script), '--data', data, '--filename', series + '.pkl', '--device', 'cpu', '--dropout', str(args.shared_masks or args.dropout),
                    '--seed', str(args.seed), '--epochs', str(args.epochs), '--prediction_window_size', str(args.window)]
        if args.clip is not None:
            sys.argv += ['--clip', str(args.clip)]
        if args.weight_decay is not None:
            sys.argv += ['--weight_decay', str(args.weight_decay)]
        if args.model:
            sys.argv += ['--model', args.model]
        if args.res_connection:
            sys.argv += ['--res_connection']
        ns = {'__name__': 'original_train', '__file__': str(script)}
        exec(compile(source.split(MARKER)[0], str(script), 'exec'), ns)
        model, optimizer, targs, tsd = ns['model'], ns['optimizer'], ns['args'], ns['TimeseriesData']
        rec = Recorder(model, args.record_steps)
        if args.shared_masks > 0:
            if targs.model != 'LSTM':
                raise SystemExit('original.py: --shared-masks is wired up for LSTM only')
            widths = [targs.emsize] + [targs.nhid] * targs.nlayers
            masked_forward(model, SharedMasks(args.shared_masks, args.seed, targs.batch_size, widths, targs.bptt))
        if args.weights:
            with torch.no_grad():
                for n, p in model.named_parameters():
                    p.copy_(torch.from_numpy(np.fromfile(Path(args.weights, f'final.{n}.bin'), '<f4').reshape(p.shape)))
        if args.checkpoint:
            model.load_state_dict(torch.load(args.checkpoint, map_location='cpu')['state_dict'])
        init = {n: p.detach().clone() for n, p in model.named_parameters()}
        ns['criterion'] = rec.criterion(ns['criterion'])
        torch.nn.utils.clip_grad_norm_ = rec.clip(torch.nn.utils.clip_grad_norm_)
        optimizer.step = rec.step(optimizer.step)

        files = {}
        def write(name, tensor):
            arr = np.ascontiguousarray(tensor.detach().cpu().numpy().astype('<f4'))
            arr.tofile(out / name)
            files[name] = list(arr.shape)
            return name

        write('train_series.bin', tsd.trainData)
        write('validation_series.bin', tsd.testData)
        for n, t in init.items():
            write(f'init.{n}.bin', t)
        train_terms, validation = [], []
        for epoch in range(1, args.epochs + 1):
            before = len(rec.losses)
            ns['train'](targs, model, ns['train_dataset'], epoch)
            train_terms += [rec.losses[i:i + 3] for i in range(before, len(rec.losses), 3)]
            before = len(rec.losses)
            loss = ns['evaluate'](targs, model, ns['test_dataset'])
            terms = [rec.losses[i:i + 3] for i in range(before, len(rec.losses), 3)]
            validation.append({'loss': loss, 'windows': terms})
            print(f'original: epoch {epoch}: {len(terms)} validation windows, valid loss {loss:.6f}', flush=True)
        for n, p in model.named_parameters():
            write(f'final.{n}.bin', p)
        for s, (g, w) in enumerate(zip(rec.grads, rec.weights)):
            for n in g:
                write(f'grad.{s}.{n}.bin', g[n])
                write(f'weights.{s}.{n}.bin', w[n])

        # The fit and the scores, as 1_train_predictor.py's end and 2_anomaly_detection.py
        # (un-augmented splits, batch 1, final weights).
        train1 = tsd.batchify(targs, tsd.trainData, bsz=1)[:tsd.length]
        scoring = preprocess_data.PickleDataLoad(data_type=data, filename=series + '.pkl', augment_test_data=False)
        test1 = scoring.batchify(targs, scoring.testData, bsz=1)
        channels = []
        for c in range(model.enc_input_size):
            mean, cov = anomalyDetector.fit_norm_distribution_param(targs, model, train1, c)
            score, _, errors, _, _ = anomalyDetector.anomalyScore(targs, model, test1, mean, cov, channel_idx=c)
            # The same two functions of the original, run again with float64 arithmetic
            # (Float64Torch): its float32 covariance is ill-conditioned (condition number
            # ~1e5), so its float32 scores carry rounding of ~1e-3 relative (up to ~1e-2)
            # that no other float32 order of operations reproduces.
            anomalyDetector.torch = Float64Torch()
            try:
                mean64, cov64 = anomalyDetector.fit_norm_distribution_param(targs, model, train1, c)
                score64 = anomalyDetector.anomalyScore(targs, model, test1, mean64, cov64, channel_idx=c)[0]
            finally:
                anomalyDetector.torch = torch
            f1 = lambda s: anomalyDetector.get_precision_recall(targs, s.float(), scoring.testLabel, 1000)[2].max().item()
            channels.append({'mean': write(f'fit.{c}.mean.bin', mean), 'cov': write(f'fit.{c}.cov.bin', cov),
                             'score': write(f'score.{c}.bin', score), 'errors': write(f'errors.{c}.bin', errors),
                             'score64': write(f'score64.{c}.bin', score64),
                             'cov_condition': float(torch.linalg.cond(cov64)), 'f1': f1(score), 'f1_64': f1(score64)})
            print(f'original: channel {c}: {len(score)} test scores', flush=True)

        manifest = {
            'series': args.series, 'seed': args.seed, 'epochs': args.epochs, 'window': args.window,
            'torch': torch.__version__,
            'parameters': [[n, list(p.shape)] for n, p in model.named_parameters()],
            'steps_per_epoch': len(train_terms) // max(args.epochs, 1),
            'recorded_steps': len(rec.grads),
            'train_terms': train_terms, 'grad_norms': rec.norms, 'validation': validation,
            'channels': channels, 'train_rows': tsd.length, 'files': files,
            'options': {k: getattr(targs, k) for k in ('emsize', 'nhid', 'nlayers', 'lr', 'weight_decay', 'clip', 'batch_size', 'bptt', 'dropout', 'model')},
        }
        (out / 'manifest.json').write_text(json.dumps(manifest))
        print(f'original: wrote {out}/manifest.json', flush=True)


if __name__ == '__main__':
    main()
