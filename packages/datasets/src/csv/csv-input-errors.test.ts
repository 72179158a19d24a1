import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnomalabError } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import { loadCsv } from './csv-dataset.ts';
import { withCsvDefaults, type CsvOptions } from './csv-options.ts';

// Files that look like CSV but are not what they seem (issue 12, item 13): each must fail
// with a message that names the file, the line and the real problem.
const temp = makeTempDir('anomalab-csv-');
afterAll(() => temp.cleanup());

function errorFor(name: string, content: string | Uint8Array, options: Partial<CsvOptions> = {}): string {
  writeFileSync(join(temp.dir, name), content);
  try {
    loadCsv(withCsvDefaults({ ...options, path: name }), temp.dir);
  } catch (error) {
    expect(error).toBeInstanceOf(AnomalabError);
    expect((error as AnomalabError).code).toBe('ANOMALAB_DATA_INVALID');
    return (error as Error).message;
  }
  throw new Error(`expected ${name} to be refused`);
}

const rows = 'a,b\n' + Array.from({ length: 20 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n';

describe('csv plugin: encodings, quoting and numbers', () => {
  it('names UTF-16 (with or without a byte-order mark) instead of calling it a ragged row', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows, 'utf16le')]);
    expect(errorFor('utf16le.csv', le)).toMatch(/utf16le\.csv: the file is UTF-16 text; anomalab reads UTF-8 CSV/);
    expect(errorFor('utf16-nobom.csv', Buffer.from(rows, 'utf16le'))).toMatch(/utf16-nobom\.csv: the file is UTF-16 text/);
  });

  it('refuses a latin-1 header with its line instead of mangling it', () => {
    const latin1 = Buffer.from('time,temp \xb0C\n1,2\n3,4\n5,6\n', 'latin1');
    expect(errorFor('latin1.csv', latin1)).toMatch(/latin1\.csv:1: not UTF-8 text \(byte 0xB0 at offset 10\); the file is probably latin-1/);
    // The same header in UTF-8 reads fine (with its BOM dropped).
    writeFileSync(join(temp.dir, 'utf8.csv'), '\ufefftime,temp °C\n1,2\n3,4\n5,6\n');
    expect(loadCsv(withCsvDefaults({ path: 'utf8.csv' }), temp.dir).channelNames).toEqual(['time', 'temp °C']);
  });

  it('reports a quoted line break and an unclosed quote as quoting problems', () => {
    expect(errorFor('newline.csv', 'name,value\n"first\nsecond",1\n"x",2\n')).toMatch(/newline\.csv:2: quoting problem: a quoted field is not closed on this line \(quoted fields may not span lines/);
    expect(errorFor('unclosed.csv', 'a,b\n1,2\n"3,4\n5,6\n')).toMatch(/unclosed\.csv:3: quoting problem/);
    // Doubled quotes inside a quoted field are fine.
    writeFileSync(join(temp.dir, 'escaped.csv'), 'x,"say ""hi"", twice"\n1,2\n3,4\n');
    expect(loadCsv(withCsvDefaults({ path: 'escaped.csv' }), temp.dir).channelNames).toEqual(['x', 'say "hi", twice']);
  });

  it('rejects hexadecimal numbers instead of reading 0x10 as 16', () => {
    expect(errorFor('hex.csv', 'a,b\n1,2\n0x10,3\n4,5\n')).toMatch(/hex\.csv:3: column "a" \(#0\): expected a number, got "0x10" \(hexadecimal, octal and binary numbers are not read/);
    expect(errorFor('hex-label.csv', 'a,label\n1,0\n2,0x1\n3,0\n', { label_column: 'label' })).toMatch(/hex-label\.csv:3: column "label" \(#1\): label must be 0 or 1, got "0x1"/);
  });

  it('refuses duplicate header names', () => {
    expect(errorFor('dup.csv', 'a,b,a\n1,2,3\n4,5,6\n')).toMatch(/dup\.csv:1: duplicate column name "a" \(#0 and #2\): column names must be unique/);
  });

  it('reports values that overflow float32 as out of range (not as training diverging later)', () => {
    expect(errorFor('huge.csv', 'a,b\n1,2\n1e300,3\n4,5\n')).toMatch(/huge\.csv:3: column "a" \(#0\): value 1e300 is out of range: values are stored as 32-bit floats/);
    expect(errorFor('inf.csv', 'a,b\n1,2\n1e400,3\n4,5\n')).toMatch(/inf\.csv:3: column "a" \(#0\): value 1e400 is out of range: it overflows a 64-bit float/);
  });
});
