import { StringDecoder } from 'node:string_decoder';
import { AnomalabError } from '@anomalab/core';

/** Longest input line `anomalab score --stream` accepts (characters): a row of thousands of channels fits. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * The lines of a text stream (UTF-8; `\n` or `\r\n` ends a line; a last line without one
 * counts), as they arrive. Unlike readline it bounds a line: a line longer than `maxChars`
 * (a binary file, a missing line break) stops with an error naming it instead of buffering
 * without limit.
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxChars = MAX_LINE_CHARS): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  const tooLong = () => new AnomalabError('ANOMALAB_DATA_INVALID', `stdin line ${line + 1}: longer than ${maxChars} characters without a line break: give one row per line`);
  const take = function* (text: string): Generator<string> {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (pending.length + end - start > maxChars) throw tooLong();
      const full = pending + text.slice(start, end);
      pending = '';
      line++;
      yield full.endsWith('\r') ? full.slice(0, -1) : full;
      start = end + 1;
    }
    pending += text.slice(start);
    if (pending.length > maxChars) throw tooLong();
  };
  for await (const chunk of input) yield* take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  yield* take(decoder.end());
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
