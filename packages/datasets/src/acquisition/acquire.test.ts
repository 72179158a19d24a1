import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnomalabError, type DatasetPlugin, type PluginServices } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import { acquireFile, effectiveUrl, type RawFile } from './acquire.ts';
import { sha256Hex } from './checksum.ts';
import { cacheRoot } from './cache.ts';
import { readZip, findZipMember } from './zip.ts';
import { makeZip } from '../testing/make-zip.ts';
import { startFileServer, unusedPort, type FileServer } from '../testing/file-server.ts';
import { findTestMirror } from '../testing/find-mirror.ts';
import { BENCHMARKS } from '../benchmarks/catalog.ts';
import plugins from '../index.ts';

const listFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];

async function rejection(promise: Promise<unknown>): Promise<AnomalabError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AnomalabError);
  return error as AnomalabError;
}

const quietLogger = { info() {}, warn() {}, error() {}, metric() {}, progress: () => ({ update() {}, done() {} }) };

describe('HTTP download into the cache (local server)', () => {
  const good = Buffer.from('1.0\n2.0\n3.0\n');
  const file = (name: string): RawFile => ({
    path: `demo/${name}`,
    sha256: sha256Hex(good),
    source: { kind: 'file', url: `http://example.invalid/discords/${name}` },
  });
  let server: FileServer;
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    server = await startFileServer({ '/good.txt': good, '/bad.txt': Buffer.from('1.0\n2.0\n3.5\n') });
  });
  afterAll(() => server.close());
  beforeEach(() => (temp = makeTempDir('anomalab-dl-')));
  afterEach(() => temp.cleanup());

  it('downloads, verifies and caches a file; the next call is served from the cache', async () => {
    const data = await acquireFile(file('good.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: server.url });
    expect(data.equals(good)).toBe(true);
    expect(readFileSync(join(temp.dir, 'demo/good.txt')).equals(good)).toBe(true);
    expect(listFiles(temp.dir)).toEqual(['good.txt']); // no temp file left behind
    const before = server.requests.length;
    await acquireFile(file('good.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: server.url });
    expect(server.requests.length).toBe(before);
  });

  it('replaces a damaged cache entry by downloading it again', async () => {
    mkdirSync(join(temp.dir, 'demo'), { recursive: true });
    writeFileSync(join(temp.dir, 'demo/good.txt'), 'garbage');
    const warnings: string[] = [];
    const data = await acquireFile(file('good.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: server.url, logger: { info() {}, warn: (m) => warnings.push(m) } });
    expect(data.equals(good)).toBe(true);
    expect(readFileSync(join(temp.dir, 'demo/good.txt')).equals(good)).toBe(true);
    expect(warnings.join()).toMatch(/checksum/);
  });

  it('rejects a corrupted download naming the file and both hashes, and caches nothing', async () => {
    const error = await rejection(acquireFile(file('bad.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: server.url }));
    expect(error.code).toBe('ANOMALAB_DATA_INVALID');
    expect(error.message).toContain('demo/bad.txt');
    expect(error.message).toContain(sha256Hex(good));
    expect(error.message).toContain(sha256Hex(Buffer.from('1.0\n2.0\n3.5\n')));
    expect(error.message).toContain(`${server.url}/bad.txt`);
    expect(listFiles(temp.dir)).toEqual([]);
  });

  it('reports HTTP 404 with the URL and the mirror option, and caches nothing', async () => {
    const error = await rejection(acquireFile(file('missing.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: server.url }));
    expect(error.code).toBe('ANOMALAB_DATA_UNAVAILABLE');
    expect(error.message).toContain(`${server.url}/missing.txt`);
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('ANOMALAB_DATA_MIRROR');
    expect(error.message).toContain('--data-mirror <dir>');
    expect(listFiles(temp.dir)).toEqual([]);
  });

  it('reports a refused connection with the URL and the mirror option, and caches nothing', async () => {
    const base = `http://127.0.0.1:${await unusedPort()}`;
    const error = await rejection(acquireFile(file('good.txt'), { mirrorDir: null, cacheDir: temp.dir, baseUrl: base }));
    expect(error.code).toBe('ANOMALAB_DATA_UNAVAILABLE');
    expect(error.message).toContain(`${base}/good.txt`);
    expect(error.message).toMatch(/connection refused/);
    expect(error.message).toContain('ANOMALAB_DATA_MIRROR');
    expect(error.message).toContain('--data-mirror');
    expect(listFiles(temp.dir)).toEqual([]);
  });

  it('without a base URL override downloads from the original URL', () => {
    expect(effectiveUrl('http://www.cs.ucr.edu/~eamonn/discords/TEK16.txt', undefined)).toBe('http://www.cs.ucr.edu/~eamonn/discords/TEK16.txt');
    expect(effectiveUrl('http://www.cs.ucr.edu/~eamonn/discords/TEK16.txt', 'http://127.0.0.1:9/x/')).toBe('http://127.0.0.1:9/x/TEK16.txt');
  });
});

describe('cache location', () => {
  it('honours ANOMALAB_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheRoot({ ANOMALAB_CACHE_DIR: '/tmp/a', XDG_CACHE_HOME: '/tmp/x' })).toBe('/tmp/a');
    expect(cacheRoot({ XDG_CACHE_HOME: '/tmp/x' })).toBe('/tmp/x/anomalab');
    expect(cacheRoot({})).toMatch(/\.cache\/anomalab$/);
  });
});

describe('zip reader', () => {
  it('reads deflated and stored members, and finds them by base name', () => {
    const a = Buffer.from('hello '.repeat(100));
    const b = Buffer.from('stored bytes');
    const entries = readZip(makeZip([{ name: 'folder/a.txt', data: a }, { name: 'b.txt', data: b, store: true }]), 'test.zip');
    expect(entries.map((e) => e.name)).toEqual(['folder/a.txt', 'b.txt']);
    expect(findZipMember(entries, 'a.txt')!.data.equals(a)).toBe(true);
    expect(findZipMember(entries, 'b.txt')!.data.equals(b)).toBe(true);
  });

  it('rejects a damaged archive naming it', () => {
    const zip = makeZip([{ name: 'a.txt', data: Buffer.from('hello world'), store: true }]);
    zip[30 + 5 + 2] ^= 0xff; // flip a byte of the stored data
    expect(() => readZip(zip, 'http://h/ECG_data.zip')).toThrow(/ECG_data.zip.*CRC-32/);
    expect(() => readZip(Buffer.from('not a zip at all, definitely not'), 'x.zip')).toThrow(/x.zip: not a readable zip/);
  });
});

const mirror = findTestMirror();
if (!mirror.dir) console.warn(`[datasets] skipping download tests with benchmark files: ${mirror.reason}. Set ANOMALAB_DATA_MIRROR to run them.`);

describe.skipIf(!mirror.dir)('benchmark plugins over HTTP and from the mirror', () => {
  const dir = mirror.dir!;
  const pluginOf = (name: string) => (plugins as DatasetPlugin[]).find((p) => p.name === name)!;
  const services = { logger: quietLogger } as unknown as PluginServices;
  const read = (path: string) => readFileSync(join(dir, path));
  const zipMembers = BENCHMARKS.flatMap((d) => d.series).filter((s) => s.source.kind === 'zip');
  const saved = { ...process.env };
  let server: FileServer;
  let temp: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    // Serve the files under their original names, and ECG_data.zip built from the mirror.
    const routes: Record<string, Buffer> = {
      '/ECG_data.zip': makeZip(zipMembers.map((s) => ({ name: `ECG_data/${s.source.kind === 'zip' ? s.source.member : ''}`, data: read(s.path) }))),
    };
    for (const s of BENCHMARKS.flatMap((d) => d.series)) {
      if (s.source.kind === 'file') routes['/' + s.source.url.slice(s.source.url.lastIndexOf('/') + 1)] = read(s.path);
    }
    server = await startFileServer(routes);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    temp = makeTempDir('anomalab-bench-dl-');
    delete process.env.ANOMALAB_DATA_MIRROR;
    process.env.ANOMALAB_CACHE_DIR = temp.dir;
    process.env.ANOMALAB_DATA_BASE_URL = server.url;
    server.requests.length = 0;
  });
  afterEach(() => {
    for (const key of ['ANOMALAB_DATA_MIRROR', 'ANOMALAB_CACHE_DIR', 'ANOMALAB_DATA_BASE_URL']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    temp.cleanup();
  });

  it('loads an ECG series from ECG_data.zip and caches every member of the archive', async () => {
    const s = await pluginOf('ecg').load({ series: 'chfdb_chf13_45590', options: {}, baseDir: '.', services });
    expect(s.test.rows).toBe(1287);
    expect(server.requests).toEqual(['/ECG_data.zip']);
    for (const m of zipMembers) expect(readFileSync(join(temp.dir, 'datasets', m.path)).equals(read(m.path))).toBe(true);
    // A sibling from the same archive now comes from the cache: no second download.
    await pluginOf('ecg').load({ series: 'stdb_308_0', options: {}, baseDir: '.', services });
    expect(server.requests).toEqual(['/ECG_data.zip']);
  });

  it('rejects an ECG member that does not match its pinned hash, caching nothing for it', async () => {
    const original = server.routes.get('/ECG_data.zip')!;
    server.routes.set('/ECG_data.zip', makeZip(zipMembers.map((s) => ({ name: s.path.slice(4), data: s.name === 'chfdb_chf13_45590' ? Buffer.from('0 1 2\r\n') : read(s.path) }))));
    try {
      const error = await rejection(pluginOf('ecg').load({ series: 'chfdb_chf13_45590', options: {}, baseDir: '.', services }));
      expect(error.message).toMatch(/checksum mismatch for ecg\/chfdb_chf13_45590.txt/);
      expect(existsSync(join(temp.dir, 'datasets/ecg/chfdb_chf13_45590.txt'))).toBe(false);
    } finally {
      server.routes.set('/ECG_data.zip', original);
    }
  });

  it('prefetch downloads every series of a dataset (space_shuttle, gesture, nyc_taxi)', async () => {
    for (const name of ['space_shuttle', 'gesture', 'nyc_taxi']) await pluginOf(name).prefetch!({ logger: quietLogger });
    expect(server.requests.sort()).toEqual(['/TEK14.txt', '/TEK16.txt', '/TEK17.txt', '/ann_gun_CentroidA', '/nyc_taxi.csv']);
    expect(listFiles(join(temp.dir, 'datasets')).sort()).toEqual(['TEK14.txt', 'TEK16.txt', 'TEK17.txt', 'ann_gun_CentroidA.txt', 'nyc_taxi.csv']);
    const s = await pluginOf('nyc_taxi').load({ series: 'nyc_taxi', options: {}, baseDir: '.', services });
    expect(s.metadata.anomalousRows).toMatchObject({ train: 665, test: 99 });
    expect(server.requests).toHaveLength(5);
  });

  it('a 404 for a benchmark file names its URL and suggests the mirror', async () => {
    server.routes.delete('/TEK16.txt');
    const error = await rejection(pluginOf('space_shuttle').load({ series: 'TEK16', options: {}, baseDir: '.', services }));
    server.routes.set('/TEK16.txt', read('space_shuttle/TEK16.txt'));
    expect(error.message).toContain(`${server.url}/TEK16.txt`);
    expect(error.message).toMatch(/ANOMALAB_DATA_MIRROR.*--data-mirror/);
    expect(listFiles(temp.dir)).toEqual([]);
  });

  it('with ANOMALAB_DATA_MIRROR set, prefetch copies from the mirror (no network) into the cache', async () => {
    process.env.ANOMALAB_DATA_MIRROR = dir;
    await pluginOf('respiration').prefetch!({ logger: quietLogger });
    expect(server.requests).toEqual([]);
    expect(listFiles(join(temp.dir, 'datasets')).sort()).toEqual(['nprs43.txt', 'nprs44.txt']);
  });

  it('a mirror without the file is a clear error', async () => {
    const empty = makeTempDir('anomalab-empty-mirror-');
    try {
      process.env.ANOMALAB_DATA_MIRROR = empty.dir;
      const error = await rejection(pluginOf('space_shuttle').load({ series: 'TEK14', options: {}, baseDir: '.', services }));
      expect(error.code).toBe('ANOMALAB_DATA_UNAVAILABLE');
      expect(error.message).toContain('space_shuttle/TEK14.txt is not in the data mirror');
    } finally {
      empty.cleanup();
    }
  });
});
