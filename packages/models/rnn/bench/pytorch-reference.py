#!/usr/bin/env python3
"""Training-step timing of the reference PyTorch model, for comparison with `npm run bench`.

A faithful re-implementation of the reference's RNN predictor training step (see
../shared/docs/reference-algorithm.md sections 1-3): Linear encoder + dropout, nn.LSTM
(N layers, dropout between layers), dropout, Linear decoder; per window the free-running
loss, the teacher-forcing loss and the hidden-matching loss MSE(h1, h2.detach()); Adam with
weight_decay; clip_grad_norm_(10). Data: random standardised values of the same shape (the
timing does not depend on the values).

Needs PyTorch (on Debian: `apt-get install python3-torch`, then run with /usr/bin/python3).
Not part of the tests.

    /usr/bin/python3 packages/models/rnn/bench/pytorch-reference.py [--hidden 32 --embedding 32] [--threads 2] [--windows 12]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


class RNNPredictor(nn.Module):
    def __init__(self, channels, embedding, hidden, layers, dropout):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Linear(channels, embedding)
        self.rnn = nn.LSTM(embedding, hidden, layers, dropout=dropout)
        self.decoder = nn.Linear(hidden, channels)
        for w in (self.encoder.weight, self.decoder.weight):
            nn.init.uniform_(w, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        return self.decoder(output), hidden, output


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=2)
    ap.add_argument("--embedding", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--bptt", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--windows", type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1111)
    C, B, L = args.channels, args.batch, args.bptt
    model = RNNPredictor(C, args.embedding, args.hidden, args.layers, 0.2)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-4, weight_decay=1e-4)
    mse = nn.MSELoss()
    data = torch.randn(L + 1, B, C)
    zeros = lambda: (torch.zeros(args.layers, B, args.hidden), torch.zeros(args.layers, B, args.hidden))
    hidden = zeros()
    times = []
    for w in range(args.windows + 2):
        start = time.perf_counter()
        inputs, targets = data[:-1], data[1:]
        hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad()
        # Free-running: feed each prediction back for L steps.
        h_free = hidden
        step_input = inputs[0:1]
        outs, h1 = [], []
        for _ in range(L):
            out, h_free, top = model(step_input, h_free)
            outs.append(out)
            h1.append(top)
            step_input = out
        out_free = torch.cat(outs, 0)
        h1 = torch.cat(h1, 0)
        # Teacher forcing from the same starting state.
        out_tf, hidden, h2 = model(inputs, hidden)
        loss = mse(out_free, targets) + mse(out_tf, targets) + mse(h1, h2.detach())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10)
        optimizer.step()
        if w >= 2:
            times.append((time.perf_counter() - start) * 1000)
    print(
        f"pytorch {torch.__version__} threads {args.threads} | E={args.embedding} H={args.hidden} layers={args.layers} "
        f"batch {B} bptt {L} | median ms/batch {statistics.median(times):.1f} (min {min(times):.1f}, {len(times)} windows)"
    )


if __name__ == "__main__":
    main()
