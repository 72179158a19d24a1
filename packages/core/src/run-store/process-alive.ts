import { readFileSync } from 'node:fs';

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who a pid is, beyond its number: `<boot id>:<start time in clock ticks>` from /proc on
 * Linux (undefined elsewhere or when the process is gone). Pids are reused, so a run
 * records this next to its pid; a later process with the same pid has another start time.
 */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces, so count from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTicks ? `${bootId}:${startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the process that recorded (pid, identity) is still running: the pid exists and,
 * when an identity was recorded and can be read, it is the same process, not a newer one
 * that was given the same pid.
 */
export function recordedProcessAlive(pid: number, identity: string | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (identity === undefined) return true;
  const current = processIdentity(pid);
  return current === undefined || current === identity;
}
