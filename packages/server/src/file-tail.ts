import { open } from 'node:fs/promises';

/**
 * Reads whole lines appended to a file since the last call. The run logger appends one
 * whole line per write, but a read can still land mid-write: the unfinished tail is kept
 * until its newline arrives. A file that does not exist yet reads as empty.
 */
export class FileTail {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: () => Promise<string | undefined>) {}

  async read(maxBytes = 1 << 20): Promise<string[]> {
    const path = await this.path();
    if (!path) return [];
    let handle;
    try {
      handle = await open(path, 'r');
    } catch {
      return [];
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        // Truncated or replaced: start over.
        this.offset = 0;
        this.partial = '';
      }
      if (size === this.offset) return [];
      const length = Math.min(size - this.offset, maxBytes);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.filter((l) => l.length > 0);
    } finally {
      await handle.close();
    }
  }
}
