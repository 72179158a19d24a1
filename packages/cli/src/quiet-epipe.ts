/**
 * `anomalab runs list --json | head -1`: once the reader closes the pipe, writes to stdout
 * fail with EPIPE, which Node raises as an unhandled 'error' event (a stack trace, exit 1).
 * Output nobody reads is not an error: from then on stdout writes are dropped and the
 * command finishes normally (a training run keeps going and still writes its log.txt).
 */
export function dropOutputOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    stream.write = (() => true) as typeof stream.write;
  });
}
