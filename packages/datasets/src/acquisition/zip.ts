import { inflateRawSync } from 'node:zlib';
import { AnomalabError } from '@anomalab/core';

/** One file unpacked from a zip archive. */
export interface ZipEntry {
  /** Name inside the archive, possibly with folders (`ECG_data/chfdb_chf01_275.txt`). */
  name: string;
  data: Buffer;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/**
 * Unpacks a (non-ZIP64) zip archive in memory: stored and deflated entries, read via the
 * central directory. Only what ECG_data.zip needs; no encryption, no multi-disk archives.
 * CRC-32 is checked so a damaged archive fails here rather than as a checksum mismatch.
 *
 * @param label names the archive in error messages (usually its URL).
 */
export function readZip(zip: Buffer, label: string): ZipEntry[] {
  const fail = (what: string): never => {
    throw new AnomalabError('ANOMALAB_DATA_INVALID', `${label}: not a readable zip archive: ${what}`);
  };
  // The end-of-central-directory record sits in the last 22 + (up to 65,535 comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) fail('ZIP64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) fail(`bad central directory entry #${n}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue; // a folder
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) fail(`bad local header of ${name}`);
    // The local header's name/extra lengths may differ from the central directory's.
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (raw.length !== compressedSize) fail(`${name} is truncated`);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (error) {
        return fail(`${name}: ${(error as Error).message}`);
      }
    } else return fail(`${name}: compression method ${method} is not supported (only stored and deflate)`);
    if (data.length !== size) fail(`${name}: expected ${size} bytes, got ${data.length}`);
    if (crc32(data) !== crc) fail(`${name}: CRC-32 mismatch`);
    entries.push({ name, data });
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as used by zip). node:zlib only has it from Node 22. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The entry whose base name is `member` (archives often wrap files in a folder). */
export function findZipMember(entries: ZipEntry[], member: string): ZipEntry | undefined {
  const base = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  return entries.find((e) => base(e.name) === member) ?? entries.find((e) => base(e.name).toLowerCase() === member.toLowerCase());
}
