// Issue 12, items 1-4 and the API part of 14: what a request can and cannot make the server
// do, against a real server on 127.0.0.1 with the payloads from the issue.
import { request } from 'node:http';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment, PluginRegistry, planSweep } from '@anomalab/core';
import { csvOptionsSchema, loadCsv } from '@anomalab/datasets';
import { childEnvironment } from '../src/child-env.ts';
import { startServer, type RunningServer } from '../src/index.ts';
import { hostsFor, isLoopbackHost } from '../src/request-guard.ts';
import { openApp, sleep, tempDir, workspaceRoot } from './helpers.ts';

let root: string;
let experimentsDir: string;
let dataDir: string;
let server: RunningServer;
/** Imported = this file exists: the module writes it at import time. */
let marker: string;
let evilModule: string;

/** A request sent byte for byte (any Host, Origin, Content-Type), answered as text + JSON. */
function send(options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: any; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'content-type': 'application/json' };
const postYaml = (yaml: string, headers: Record<string, string> = json, overrides?: string[]) =>
  send({ method: 'POST', path: '/api/runs', headers, body: JSON.stringify({ yaml, ...(overrides ? { overrides } : {}) }) });
const postFile = (experiment: string, overrides: string[] = []) => send({ method: 'POST', path: '/api/runs', headers: json, body: JSON.stringify({ experiment, overrides }) });
const TAIL = 'dataset: {name: synthetic}\nmodel: {name: baselines}\n';

/** Runs deliberately started by these tests (only the oversized-csv one). */
let launched = 0;
/** Nothing else was queued or started by the requests so far. */
const nothingQueued = () => expect(server.app.queue.list()).toHaveLength(launched);

beforeAll(async () => {
  root = await tempDir('security');
  experimentsDir = join(root, 'experiments');
  dataDir = join(root, 'data');
  await mkdir(experimentsDir);
  await mkdir(dataDir);
  marker = join(root, 'imported');
  evilModule = join(root, 'x.mjs');
  await writeFile(evilModule, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport default [];\n`);
  const app = await openApp(join(root, 'runs'));
  server = await startServer({ app, port: 0, host: '127.0.0.1', experimentsDir, dataDirs: [dataDir], cwd: workspaceRoot, bodyLimit: 4 * 1024 * 1024 });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('1. no request runs code', () => {
  it('refuses a YAML alias used as the plugins key, without importing the module', async () => {
    const res = await postYaml(`description: &k plugins\n*k : [${JSON.stringify(evilModule)}]\n${TAIL}`);
    expect(res.status).toBe(400);
    expect(res.body.error.problems[0]).toMatchObject({ source: '<inline>', line: 2, col: 1, path: '(yaml)' });
    expect(res.body.error.problems[0].message).toContain('alias');
    expect(existsSync(marker)).toBe(false);
    nothingQueued();
  });

  it('refuses YAML merge keys (1.2 and %YAML 1.1, where << really merges), without importing', async () => {
    const merge = await postYaml(`<<: {plugins: [${JSON.stringify(evilModule)}]}\n${TAIL}`);
    expect(merge.status).toBe(400);
    expect(merge.body.error.problems[0].message).toContain('merge keys');
    const yaml11 = await postYaml(`%YAML 1.1\n---\n<<: {plugins: [${JSON.stringify(evilModule)}]}\n${TAIL}`);
    expect(yaml11.status).toBe(400);
    expect(yaml11.body.error.problems.map((p: any) => p.message).join('\n')).toMatch(/merge keys|plugin modules/);
    expect(existsSync(marker)).toBe(false);
    nothingQueued();
  });

  it('refuses plugins: in inline YAML and in overrides of an experiment file, checked on parsed data', async () => {
    await writeFile(join(experimentsDir, 'plain.yaml'), `name: plain\n${TAIL}`);
    for (const res of [
      await postYaml(`plugins: [${JSON.stringify(evilModule)}]\n${TAIL}`),
      await postYaml(`"plugins": [${JSON.stringify(evilModule)}]\n${TAIL}`),
      await postYaml(`? plugins\n: [${JSON.stringify(evilModule)}]\n${TAIL}`),
      await postYaml(TAIL, json, [`plugins=[${JSON.stringify(evilModule)}]`]),
      await postYaml(TAIL, json, [`plugins.0=${evilModule}`]),
      await postFile('plain.yaml', [`plugins=[${JSON.stringify(evilModule)}]`]),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.error.problems.some((p: any) => p.path === 'plugins' && /plugin modules are code/.test(p.message))).toBe(true);
    }
    expect(existsSync(marker)).toBe(false);
    nothingQueued();
  });

  it('answers an existing and a missing module path alike (no probing the file system)', async () => {
    const a = await postYaml(`plugins: [${JSON.stringify(evilModule)}]\n${TAIL}`);
    const b = await postYaml(`plugins: [${JSON.stringify(join(root, 'no-such-module.mjs'))}]\n${TAIL}`);
    expect(a.status).toBe(400);
    expect(a.text).toBe(b.text);
    expect(a.text).not.toContain(root);
  });

  it('refuses absolute plugins: paths even in a trusted experiment file (the README says relative)', async () => {
    await writeFile(join(experimentsDir, 'absolute.yaml'), `plugins: [${JSON.stringify(evilModule)}]\n${TAIL}`);
    const res = await postFile('absolute.yaml');
    expect(res.status).toBe(400);
    expect(res.body.error.problems[0]).toMatchObject({ path: 'plugins[0]' });
    expect(res.body.error.problems[0].message).toContain('absolute path');
    expect(existsSync(marker)).toBe(false);
    nothingQueued();
  });
});

describe('2. other web sites cannot use the server (CSRF, DNS rebinding)', () => {
  const body = JSON.stringify({ yaml: TAIL });

  it('refuses a foreign Host (POST /api/runs with Host: attacker.example started a run before)', async () => {
    const post = await send({ method: 'POST', path: '/api/runs', headers: { ...json, host: 'attacker.example' }, body });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('ANOMALAB_FORBIDDEN_HOST');
    const read = await send({ path: '/api/runs', headers: { host: 'attacker.example:8377' } });
    expect(read.status).toBe(403);
    const page = await send({ path: '/', headers: { host: 'attacker.example:8377' } });
    expect(page.status).toBe(403);
    nothingQueued();
  });

  it('refuses a foreign Origin on reads and writes, and answers its own', async () => {
    const post = await send({ method: 'POST', path: '/api/runs', headers: { ...json, origin: 'http://attacker.example' }, body });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('ANOMALAB_FORBIDDEN_ORIGIN');
    expect((await send({ path: '/api/runs', headers: { origin: 'null' } })).status).toBe(403);
    expect((await send({ method: 'POST', path: '/api/runs/x/cancel', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    nothingQueued();
    // Its own origin passes the guard (and reaches validation: a matrix is a 400 from the route).
    const own = await send({ method: 'POST', path: '/api/runs', headers: { ...json, origin: `http://127.0.0.1:${server.port}` }, body: JSON.stringify({ yaml: `${TAIL}matrix: {seed: [1, 2]}\n` }) });
    expect(own.status).toBe(400);
    expect(own.body.error.code).toBe('ANOMALAB_USAGE');
    expect((await send({ path: '/api/health', headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('refuses text/plain and form bodies (no preflight) instead of parsing them as JSON', async () => {
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await send({ method: 'POST', path: '/api/runs', headers: { 'content-type': type }, body });
      expect(res.status, type).toBe(415);
      expect(res.body.error.code).toBe('ANOMALAB_UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await send({ method: 'POST', path: '/api/runs', body })).status).toBe(415);
    nothingQueued();
  });

  it('beyond loopback: a per-start token guards changes; hosts and the warning follow the bound address', async () => {
    expect(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0') || isLoopbackHost('192.168.1.5')).toBe(false);
    expect(hostsFor('192.168.1.5')).toEqual(['localhost', '127.0.0.1', '::1', '192.168.1.5']);
    // A real server with a token (bound to loopback here: tests never listen beyond it).
    const app = await openApp(join(root, 'runs'));
    const warnings: string[] = [];
    const guarded = await startServer({ app, port: 0, host: '127.0.0.1', experimentsDir, cwd: workspaceRoot, token: 'per-start-secret', warn: (m) => warnings.push(m) });
    try {
      const url = `${guarded.url}/api/runs`;
      const without = await fetch(url, { method: 'POST', headers: json, body: JSON.stringify({ yaml: 'x: [' }) });
      expect(without.status).toBe(403);
      expect((await without.json()).error.code).toBe('ANOMALAB_TOKEN_REQUIRED');
      const wrong = await fetch(url, { method: 'POST', headers: { ...json, 'x-anomalab-token': 'per-start-secreT' }, body: JSON.stringify({ yaml: 'x: [' }) });
      expect(wrong.status).toBe(403);
      const right = await fetch(url, { method: 'POST', headers: { ...json, 'x-anomalab-token': 'per-start-secret' }, body: JSON.stringify({ yaml: 'x: [' }) });
      expect(right.status).toBe(400); // past the guard: the YAML syntax error
      expect((await fetch(url)).status).toBe(200); // reads need no token
      expect(warnings).toEqual([]); // loopback: no warning
    } finally {
      await guarded.close();
    }
  });
});

describe('3. no file outside the experiments and data folders leaks through errors', () => {
  it('refuses csv path /proc/self/environ and /etc/passwd before any run exists, quoting nothing of them', async () => {
    const environ = await readFile('/proc/self/environ', 'utf8');
    const passwd = await readFile('/etc/passwd', 'utf8');
    for (const path of ['/proc/self/environ', '/etc/passwd', '../../../../../../etc/passwd']) {
      const res = await postYaml(`dataset: {name: csv, options: {path: ${path}}}\nmodel: {name: baselines}\n`);
      expect(res.status, path).toBe(400);
      expect(res.body.error.problems).toEqual([expect.objectContaining({ path: 'dataset.options.path', line: 1 })]);
      expect(res.body.error.problems[0].message).toContain('may only read files inside');
      expect(res.text).not.toContain('root:x:0');
      expect(res.text).not.toContain(environ.split('\0')[0]!.slice(0, 30));
      expect(passwd).toContain('root:');
    }
    nothingQueued();
    expect((await send({ path: '/api/runs' })).body.total).toBe(0);
  });

  it('refuses a symlink in the data folder that leads out of it, and an experiment file naming /etc/passwd', async () => {
    await symlink('/etc/passwd', join(dataDir, 'innocent.csv'));
    const res = await postYaml(`dataset: {name: csv, options: {path: ${join(dataDir, 'innocent.csv')}}}\nmodel: {name: baselines}\n`);
    expect(res.status).toBe(400);
    expect(res.body.error.problems[0].path).toBe('dataset.options.path');
    await writeFile(join(experimentsDir, 'passwd.yaml'), 'dataset: {name: csv, options: {path: /etc/passwd}}\nmodel: {name: baselines}\n');
    expect((await postFile('passwd.yaml')).status).toBe(400);
    nothingQueued();
  });

  it('accepts files inside the data and experiments folders (the path is not among the problems)', async () => {
    await writeFile(join(dataDir, 'ok.csv'), 'a\n1\n2\n3\n4\n');
    await writeFile(join(experimentsDir, 'ok.csv'), 'a\n1\n2\n3\n4\n');
    for (const path of [join(dataDir, 'ok.csv'), join(experimentsDir, 'ok.csv')]) {
      const res = await postYaml(`dataset: {name: csv, options: {path: ${path}}}\nmodel: {name: nope}\n`);
      expect(res.status).toBe(400);
      expect(res.body.error.problems.map((p: any) => p.path)).toEqual(['model.name']);
    }
  });

  it('quotes at most a short, escaped excerpt of a bad cell', () => {
    const file = join(root, 'long-cell.csv');
    return writeFile(file, `a\n1\n${'S3CRET'.repeat(1000)}\u202e\n3\n`).then(() => {
      const error = (() => {
        try {
          loadCsv({ ...defaults(), path: file }, root);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).toMatch(/expected a number, got "S3CRETS3CRET.{0,40}… \(6001 characters\)/);
      expect(error!.message.length).toBeLessThan(file.length + 200);
    });
  });

  it('gives a launched experiment a minimal environment', () => {
    const env = childEnvironment({ PATH: '/usr/bin', HOME: '/root', ANOMALAB_DATA_MIRROR: '/m', AWS_SECRET_ACCESS_KEY: 'k', GITHUB_TOKEN: 't' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', ANOMALAB_DATA_MIRROR: '/m', NO_COLOR: '1' });
  });
});

/** csv options with the schema's defaults. */
function defaults(): any {
  return Object.fromEntries(Object.entries(csvOptionsSchema.properties as Record<string, any>).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
}

describe('4. bounded inputs', () => {
  it('/dev/zero as csv path: refused by the server, and the reader itself only reads regular files', async () => {
    const res = await postYaml('dataset: {name: csv, options: {path: /dev/zero}}\nmodel: {name: baselines}\n');
    expect(res.status).toBe(400);
    // Refused before reading: reading /dev/zero would never end (the test would time out).
    expect(() => loadCsv({ ...defaults(), path: '/dev/zero' }, root)).toThrow(/not a regular file/);
  });

  it('a csv over 128 MiB fails the run with the size, without reading it', async () => {
    const big = join(dataDir, 'big.csv');
    await writeFile(big, 'a\n1\n');
    await truncate(big, 200 * 1024 * 1024); // sparse: no disk used
    const res = await postYaml(`dataset: {name: csv, options: {path: ${big}}}\nmodel: {name: baselines}\n`);
    expect(res.status).toBe(202);
    launched++;
    let run: any;
    for (let i = 0; i < 150; i++) {
      run = (await send({ path: `/api/runs/${res.body.id}` })).body.run;
      if (['failed', 'completed'].includes(run.status)) break;
      await sleep(200);
    }
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run)).toContain('the file is 209715200 bytes; the csv dataset reads files of at most 128 MiB');
  });

  it('a YAML over 1 MiB is refused: inline (2 MB body under a 4 MiB body limit) and as a 50 MB file', async () => {
    const inline = await postYaml(`${TAIL}description: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    expect(inline.status).toBe(400);
    expect(inline.body.error.problems[0].message).toMatch(/the experiment is 2097\d+ bytes; at most 1048576 bytes/);
    const file = join(experimentsDir, 'huge.yaml');
    await writeFile(file, TAIL);
    await truncate(file, 50 * 1024 * 1024);
    const res = await postFile('huge.yaml');
    expect(res.status).toBe(400);
    expect(res.body.error.problems[0].message).toContain('the experiment is 52428800 bytes');
    nothingQueued();
  });

  it('a 1000 x 1000 matrix is refused with its run count before anything is expanded', async () => {
    const file = join(root, 'matrix.yaml');
    const values = Array.from({ length: 1000 }, (_, i) => i).join(', ');
    await writeFile(file, `${TAIL}matrix:\n  seed: [${values}]\n  training.epochs: [${values}]\n`);
    await expect(planSweep(file)).rejects.toThrow('expands to 1000000 runs (1000 x 1000); a sweep may have at most 1000');
  });
});

describe('14. API answers', () => {
  it('a lying Content-Length gets a JSON 400 (bad request), a declared oversize body a 413', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(server.port, '127.0.0.1');
        let out = '';
        socket.on('data', (d) => (out += d));
        socket.on('close', () => resolve(out));
        socket.write(text);
        setTimeout(() => socket.destroy(), 3000);
      });
    const body = JSON.stringify({ yaml: TAIL });
    const lying = await raw(`POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n${body}`);
    expect(lying).toMatch(/^HTTP\/1.1 400/);
    expect(lying).toContain('"code":"ANOMALAB_BAD_REQUEST"');
    expect(lying).not.toContain('PAYLOAD_TOO_LARGE');
    const oversize = await raw(`POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n${body}`);
    expect(oversize).toMatch(/^HTTP\/1.1 413/);
    expect(oversize).toContain('ANOMALAB_PAYLOAD_TOO_LARGE');
    nothingQueued();
  });

  it('validates status=x,y', async () => {
    const res = await send({ path: '/api/runs?status=x,y' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('unknown status "x", "y"');
    expect((await send({ path: '/api/runs?status=completed,failed' })).status).toBe(200);
  });

  it('/api/health shows no absolute paths', async () => {
    const res = await send({ path: '/api/health' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(root);
    expect(res.text).not.toMatch(/"\/[^"]*"/);
  });

  it('billion laughs: a 400, not a 500, inline and as an experiment file', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `${laughs.join('\n')}\n${TAIL}`;
    const inline = await postYaml(text);
    expect(inline.status).toBe(400);
    await writeFile(join(experimentsDir, 'laughs.yaml'), text);
    const file = await postFile('laughs.yaml');
    expect(file.status).toBe(400);
    expect(file.body.error.problems[0].message).toContain('cannot expand the document');
    nothingQueued();
  });
});

describe('core: the request policy is an option of loadExperiment', () => {
  it('refuses aliases, merge keys and plugins only under the policy', async () => {
    const registry = new PluginRegistry();
    const text = `description: &k plugins\nname: *k\n${TAIL}`;
    await expect(loadExperiment({ text, policy: { trustedText: false, dataRoots: [] } }, registry)).rejects.toThrow('alias');
    // Without a policy (the user's own files, the CLI) aliases are plain YAML.
    await expect(loadExperiment({ text }, registry)).rejects.toThrow('unknown dataset');
  });
});
