import { createHash } from 'node:crypto';
import { AnomalabError } from '@anomalab/core';

/** SHA-256 of `data` as lower-case hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Throws `ANOMALAB_DATA_INVALID` unless `data` hashes to `expected`. The message names the
 * file, where it came from and both hashes, so a user can tell a truncated download from a
 * changed upstream file.
 */
export function verifySha256(data: Uint8Array, expected: string, file: string, origin: string): void {
  const actual = sha256Hex(data);
  if (actual !== expected.toLowerCase()) {
    throw new AnomalabError(
      'ANOMALAB_DATA_INVALID',
      `checksum mismatch for ${file} (from ${origin}): expected sha256 ${expected}, got ${actual} (${data.length} bytes)`,
    );
  }
}
