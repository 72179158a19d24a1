// The original's initial weights from PyTorch's generator: what `RNNPredictor(...)` draws
// in its constructor (model/model.py), in the same order and with the same bounds.
import { GATES, type Architecture } from './architecture.ts';
import type { TorchGenerator } from './torch-random.ts';
import { fromTorch, type TorchTensor } from './torch-layout.ts';

/** nn.Linear's default weight bound: kaiming_uniform_(a = sqrt(5)), in PyTorch's double arithmetic. */
function kaimingBound(fanIn: number): number {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a * a));
  return Math.sqrt(3) * (gain / Math.sqrt(fanIn));
}

/**
 * Initial parameters as the original's RNNPredictor draws them from `g`: nn.Linear encoder
 * (weight, bias), the stacked recurrent module's weights and biases layer by layer
 * (weight_ih, weight_hh, bias_ih, bias_hh; all within 1 / sqrt(H)), nn.Linear decoder, then
 * its init_weights(): encoder and decoder weights drawn again within 0.1, decoder bias 0.
 * Returns anomalab's flat layout; `g` is left after the last draw.
 */
export function torchInitialParameters(arch: Architecture, g: TorchGenerator): Float32Array {
  const { channels: C, embedding: E, hidden: H, layers: L } = arch;
  const G = GATES[arch.cell] * H;
  const tensors = new Map<string, TorchTensor>();
  const draw = (name: string, shape: number[], bound: number) => {
    const data = g.uniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -bound, bound);
    tensors.set(name, { shape, data });
  };
  draw('encoder.weight', [E, C], kaimingBound(C));
  draw('encoder.bias', [E], 1 / Math.sqrt(C));
  const k = 1 / Math.sqrt(H);
  for (let l = 0; l < L; l++) {
    draw(`rnn.weight_ih_l${l}`, [G, l === 0 ? E : H], k);
    draw(`rnn.weight_hh_l${l}`, [G, H], k);
    draw(`rnn.bias_ih_l${l}`, [G], k);
    draw(`rnn.bias_hh_l${l}`, [G], k);
  }
  draw('decoder.weight', [C, H], kaimingBound(H));
  draw('decoder.bias', [C], 1 / Math.sqrt(H));
  draw('encoder.weight', [E, C], 0.1);
  tensors.get('decoder.bias')!.data.fill(0);
  draw('decoder.weight', [C, H], 0.1);
  return fromTorch(arch, tensors);
}

/** Generator outputs `torchInitialParameters` takes. */
export function torchInitialDraws(arch: Architecture): number {
  const { channels: C, embedding: E, hidden: H, layers: L } = arch;
  const G = GATES[arch.cell] * H;
  let recurrent = 0;
  for (let l = 0; l < L; l++) recurrent += G * (l === 0 ? E : H) + G * H + 2 * G;
  return 2 * E * C + E + recurrent + 2 * C * H + C;
}
