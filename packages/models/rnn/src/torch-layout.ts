// PyTorch's parameter tensors (the original's named_parameters()) <-> anomalab's flat
// parameter vector (parameterLayout in ./architecture.ts). PyTorch stores weights as
// [out, in] and the LSTM gate blocks as [i, f, g, o]; anomalab stores [in, out] and
// [i, f, o, g]. GRU ([r, z, n]) and the plain RNNs keep their order.
import { GATES, parameterLayout, type Architecture } from './architecture.ts';

/** A named PyTorch tensor as written by original.py: row-major float32 and its shape. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** anomalab gate block g takes PyTorch's block GATE_SOURCE[cell][g]. */
function gateSource(arch: Architecture): number[] {
  return arch.cell === 'LSTM' ? [0, 1, 3, 2] : Array.from({ length: GATES[arch.cell] }, (_, g) => g);
}

/** The PyTorch name of an anomalab slot (`rnn.0.weight_ih` -> `rnn.weight_ih_l0`). */
export function torchName(slot: string): string {
  const m = /^rnn\.(\d+)\.(\w+)$/.exec(slot);
  return m ? `rnn.${m[2]}_l${m[1]}` : slot;
}

/** Flat anomalab parameters (or gradients: same mapping) from PyTorch's tensors. */
export function fromTorch(arch: Architecture, tensors: Map<string, TorchTensor>): Float32Array {
  const slots = parameterLayout(arch);
  const flat = new Float32Array(slots.reduce((n, s) => n + s.size, 0));
  const H = arch.hidden;
  const source = gateSource(arch);
  for (const slot of slots) {
    const name = torchName(slot.name);
    const t = tensors.get(name);
    if (!t || t.data.length !== slot.size) throw new Error(`torch-layout: ${name} missing or of size ${t?.data.length} (anomalab ${slot.name} [${slot.shape.join(', ')}])`);
    const out = flat.subarray(slot.offset, slot.offset + slot.size);
    const recurrent = slot.name.startsWith('rnn.');
    if (slot.shape.length === 1) {
      // Biases: reorder the gate blocks of the recurrent ones.
      if (!recurrent) out.set(t.data);
      else for (let g = 0; g < source.length; g++) out.set(t.data.subarray(source[g]! * H, (source[g]! + 1) * H), g * H);
      continue;
    }
    // Weights: anomalab [in, out] = PyTorch [out, in] transposed (out rows reordered by gate).
    const [rows, cols] = slot.shape as [number, number];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        const torchRow = recurrent ? source[Math.floor(j / H)]! * H + (j % H) : j;
        out[i * cols + j] = t.data[torchRow * rows + i]!;
      }
  }
  return flat;
}
