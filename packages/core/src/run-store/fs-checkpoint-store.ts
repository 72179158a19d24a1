import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AnomalabError } from '../errors.ts';
import type { Checkpoint, CheckpointStore, TensorData } from '../contracts/checkpoint-store.ts';
import { writeFileAtomic } from './atomic-write.ts';

const MAGIC = 'ANMLCKP1';
const TAG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Checkpoint file: 8-byte magic, uint32 header length, JSON header (everything but the
 * tensor data, plus each tensor's shape and offset), then the float32 tensor data.
 * One file per tag, written atomically, so a killed process never leaves half a checkpoint.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const index: Record<string, { shape: number[]; offset: number; length: number }> = {};
  let floats = 0;
  for (const [name, tensor] of Object.entries(checkpoint.predictor.tensors)) {
    index[name] = { shape: tensor.shape, offset: floats, length: tensor.data.length };
    floats += tensor.data.length;
  }
  const header = JSON.stringify({ ...checkpoint, predictor: { ...checkpoint.predictor, tensors: index } });
  const headerBytes = new TextEncoder().encode(header);
  // Pad the header so the float data is 4-byte aligned.
  const headerLength = Math.ceil(headerBytes.length / 4) * 4;
  const out = new Uint8Array(12 + headerLength + floats * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerLength, true);
  out.fill(0x20, 12, 12 + headerLength);
  out.set(headerBytes, 12);
  const data = new Float32Array(out.buffer, 12 + headerLength, floats);
  for (const [name, tensor] of Object.entries(checkpoint.predictor.tensors)) data.set(tensor.data, index[name]!.offset);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const fail = (why: string) => new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `${source}: not a valid checkpoint (${why})`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw fail('bad magic');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw fail('truncated header');
  let header: Checkpoint & { predictor: { tensors: Record<string, { shape: number[]; offset: number; length: number }> } };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw fail('unreadable header');
  }
  const floatBytes = bytes.slice(12 + headerLength);
  if (floatBytes.length % 4 !== 0) throw fail('truncated data');
  const data = new Float32Array(floatBytes.buffer, floatBytes.byteOffset, floatBytes.length / 4);
  const tensors: Record<string, TensorData> = {};
  for (const [name, entry] of Object.entries(header.predictor.tensors)) {
    if (entry.offset + entry.length > data.length) throw fail(`tensor ${name} out of range`);
    tensors[name] = { shape: entry.shape, data: data.slice(entry.offset, entry.offset + entry.length) };
  }
  return { ...header, predictor: { ...header.predictor, tensors } };
}

/** Checkpoints in `<run>/checkpoints/<tag>.ckpt`. */
export class FsCheckpointStore implements CheckpointStore {
  constructor(readonly dir: string) {}

  private pathOf(tag: string): string {
    if (!TAG.test(tag)) throw new AnomalabError('ANOMALAB_INTERNAL', `invalid checkpoint tag ${JSON.stringify(tag)}`);
    return join(this.dir, `${tag}.ckpt`);
  }

  async save(tag: string, checkpoint: Checkpoint): Promise<void> {
    await writeFileAtomic(this.pathOf(tag), encodeCheckpoint(checkpoint));
  }

  async load(tag: string): Promise<Checkpoint | undefined> {
    const path = this.pathOf(tag);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return decodeCheckpoint(bytes, path);
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.ckpt')).map((f) => f.slice(0, -5)).sort();
    } catch {
      return [];
    }
  }
}
