// Browser-safe: no Node APIs here or in anything imported (the run page bundles it).
import { AnomalabError } from '../errors.ts';
import type { PredictorState } from '../contracts/checkpoint-store.ts';
import type { Detector } from '../contracts/detector.ts';
import type { PredictorStream } from '../contracts/stream.ts';
import { GaussianDetector, type GaussianDetectorOptions } from '../detection/gaussian-detector.ts';
import type { ChannelStats } from '../pipeline/standardize.ts';
import { StreamSession, type StreamThresholds } from './stream-session.ts';

export const STREAM_PACKAGE_FORMAT = 'anomalab-stream-package/1';

/** A float32 tensor as JSON: its bytes (little-endian, as every browser and x86/ARM Node) in base64. */
export interface EncodedTensor {
  shape: number[];
  base64: string;
}

/**
 * Everything a page needs to score rows as the run does, as one JSON document
 * (`GET /api/runs/:id/stream-package`): the model's options and the checkpoint state that
 * scored, the fitted detector, the train statistics, the window and the deployable thresholds.
 */
export interface StreamPackage {
  format: typeof STREAM_PACKAGE_FORMAT;
  run: string;
  model: { name: string; options: Record<string, unknown> };
  channelNames: string[];
  window: number;
  standardization: ChannelStats;
  thresholds: StreamThresholds;
  hasJoint: boolean;
  /** The fitted error model; null for models that score rows themselves. */
  detector: { name: string; options: Record<string, unknown>; state: Record<string, unknown> } | null;
  predictor: { format: string; json: Record<string, unknown>; tensors: Record<string, EncodedTensor> };
}

/** Detectors a page can rebuild from their state: the core's own. */
const BROWSER_DETECTORS: Record<string, (options: Record<string, unknown>) => Detector> = {
  gaussian: (options) => new GaussianDetector(options as unknown as GaussianDetectorOptions),
};

/** Checkpoint tensors to JSON (see `EncodedTensor`). */
export function encodePredictorState(state: PredictorState): StreamPackage['predictor'] {
  const tensors: Record<string, EncodedTensor> = {};
  for (const [name, tensor] of Object.entries(state.tensors)) {
    tensors[name] = { shape: tensor.shape, base64: bytesToBase64(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)) };
  }
  return { format: state.format, json: state.json, tensors };
}

/** The inverse of `encodePredictorState`. */
export function decodePredictorState(encoded: StreamPackage['predictor']): PredictorState {
  const tensors: PredictorState['tensors'] = {};
  for (const [name, tensor] of Object.entries(encoded.tensors)) {
    const bytes = base64ToBytes(tensor.base64);
    if (bytes.byteLength % 4 !== 0) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `stream package: tensor ${name} has ${bytes.byteLength} bytes, not whole float32 values`);
    tensors[name] = { shape: tensor.shape, data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
  }
  return { format: encoded.format, json: encoded.json, tensors };
}

/** A session over a package and the model's stream (opened by the model's browser module). */
export function sessionFromPackage(pkg: StreamPackage, stream: PredictorStream): StreamSession {
  if (pkg.format !== STREAM_PACKAGE_FORMAT) throw new AnomalabError('ANOMALAB_USAGE', `stream package format ${JSON.stringify(pkg.format)}, expected ${STREAM_PACKAGE_FORMAT}`);
  let detector: Detector | undefined;
  if (pkg.detector) {
    const create = BROWSER_DETECTORS[pkg.detector.name];
    if (!create) throw new AnomalabError('ANOMALAB_USAGE', `run ${pkg.run}: detector "${pkg.detector.name}" cannot run in a page (only ${Object.keys(BROWSER_DETECTORS).join(', ')})`);
    detector = create(pkg.detector.options);
    detector.setState(pkg.detector.state);
  }
  return new StreamSession({
    stream,
    detector,
    standardization: pkg.standardization,
    window: pkg.window,
    thresholds: pkg.thresholds,
    channelNames: pkg.channelNames,
    hasJoint: pkg.hasJoint,
    model: pkg.model.name,
  });
}

// btoa/atob exist in browsers and in Node >= 16; chunks keep String.fromCharCode's argument list short.
function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
