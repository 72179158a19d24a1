/** One Server-Sent Event of a session's feed (`data` is sent as JSON). */
export interface FeedEvent {
  event: string;
  data: unknown;
}

/** Unsent events one SSE reader may fall behind by before it is dropped (bytes of JSON). */
export const MAX_READER_BACKLOG_BYTES = 1024 * 1024;

/**
 * One SSE reader's queue. The session publishes without waiting for any reader; a reader
 * that falls more than {@link MAX_READER_BACKLOG_BYTES} behind gets a `lagged` event and is
 * ended, so a stalled client cannot make the session hold unbounded memory.
 */
export class FeedReader {
  private readonly queue: { event: string; data: string }[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  /** Bytes queued and not yet taken. */
  backlogBytes = 0;
  private releaseWriter!: () => void;
  /** Settles once the SSE writer of this reader has stopped (see {@link writerDone}). */
  readonly writerStopped = new Promise<void>((resolve) => (this.releaseWriter = resolve));

  constructor(private readonly onDone: (reader: FeedReader) => void) {}

  /** The SSE writer calls this when it stops writing (drained, or the client left). */
  writerDone(): void {
    this.releaseWriter();
  }

  /** Queue an event (`data` already JSON). Returns false once the reader has ended. */
  offer(event: string, data: string): boolean {
    if (this.ended) return false;
    if (this.backlogBytes + data.length > MAX_READER_BACKLOG_BYTES && event !== 'end') {
      this.queue.length = 0;
      this.backlogBytes = 0;
      this.queue.push({ event: 'lagged', data: JSON.stringify({ message: `this reader fell more than ${MAX_READER_BACKLOG_BYTES} bytes behind the session and was dropped; reconnect to follow it again` }) });
      this.end();
      return false;
    }
    this.queue.push({ event, data });
    this.backlogBytes += data.length;
    this.wake();
    return true;
  }

  /** No more events after the queued ones. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    this.onDone(this);
  }

  /** The next event, waiting for one; undefined once ended and drained. */
  async next(): Promise<{ event: string; data: string } | undefined> {
    while (this.queue.length === 0) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const item = this.queue.shift()!;
    this.backlogBytes = Math.max(0, this.backlogBytes - item.data.length);
    return item;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** The readers of one session: publish to all, end all. */
export class StreamFeed {
  private readonly readers = new Set<FeedReader>();

  get size(): number {
    return this.readers.size;
  }

  /** Bytes queued for all readers (part of the session's memory estimate). */
  get backlogBytes(): number {
    if (this.readers.size === 0) return 0;
    let total = 0;
    for (const r of this.readers) total += r.backlogBytes;
    return total;
  }

  subscribe(): FeedReader {
    const reader = new FeedReader((r) => this.readers.delete(r));
    this.readers.add(reader);
    return reader;
  }

  /** Queue an event for every reader (serialised once, and not at all without readers). */
  publish(event: FeedEvent): void {
    if (this.readers.size === 0) return;
    const data = JSON.stringify(event.data);
    for (const reader of [...this.readers]) reader.offer(event.event, data);
  }

  /** Send a last event to every reader and end them; resolves once their writers have stopped. */
  close(last: FeedEvent): Promise<void> {
    const data = JSON.stringify(last.data);
    const readers = [...this.readers];
    for (const reader of readers) {
      reader.offer(last.event, data);
      reader.end();
    }
    return Promise.all(readers.map((r) => r.writerStopped)).then(() => undefined);
  }
}
