import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedLines } from './stdin-lines.ts';

const collect = async (chunks: (string | Buffer)[], max?: number) => {
  const out: string[] = [];
  for await (const line of boundedLines(Readable.from(chunks), max)) out.push(line);
  return out;
};

describe('boundedLines', () => {
  it('splits lines across chunk boundaries, \\r\\n and a last line without a break, as readline does', async () => {
    expect(await collect(['a,1\r', '\nb,', '2\n\nc,3'])).toEqual(['a,1', 'b,2', '', 'c,3']);
    expect(await collect(['x\n'])).toEqual(['x']);
  });

  it('decodes a UTF-8 character split between chunks', async () => {
    const bytes = Buffer.from('é,1\n');
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(['é,1']);
  });

  it('refuses a line longer than the bound, naming it, whether or not it ends', async () => {
    await expect(collect(['1,2\n', 'x'.repeat(11), '\n'], 10)).rejects.toThrow('stdin line 2: longer than 10 characters without a line break');
    await expect(collect(['1,2\n3,4\n', 'y'.repeat(6), 'y'.repeat(6)], 10)).rejects.toThrow('stdin line 3: longer than 10 characters');
    expect(await collect(['x'.repeat(10) + '\n'], 10)).toEqual(['x'.repeat(10)]);
  });
});
