import { AnomalabError } from '@anomalab/core';

const invalid = (message: string) => new AnomalabError('ANOMALAB_DATA_INVALID', message);

/**
 * The text of a CSV file, which must be UTF-8 (a UTF-8 byte-order mark is dropped).
 * UTF-16 (Excel's "Unicode text") is recognised and named instead of surfacing as a ragged
 * row, and bytes that are not UTF-8 (a latin-1 "°C" header) are refused with their line
 * rather than silently turned into U+FFFD.
 */
export function decodeCsvText(bytes: Uint8Array, file: string): string {
  const bom16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (bom16 || looksLikeUtf16(bytes)) {
    throw invalid(`${file}: the file is UTF-16 text; anomalab reads UTF-8 CSV: save it as "CSV UTF-8" (or convert it: iconv -f UTF-16 -t UTF-8)`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = countLines(bytes, at);
    throw invalid(
      `${file}:${line}: not UTF-8 text (byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')} at offset ${at}); ` +
        'the file is probably latin-1 / Windows-1252: save it as UTF-8 (or convert it: iconv -f latin1 -t UTF-8)',
    );
  }
}

/** UTF-16 without a BOM: every other byte of the first ones is zero (ASCII in UTF-16). */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return false;
  let evenZeros = 0, oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  return Math.max(evenZeros, oddZeros) >= (n / 2) * 0.4;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return 0;
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
