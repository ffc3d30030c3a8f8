// One daemon per town: `.runtime/daemon.pid` is created exclusively by the daemon that runs. A file naming a process
// that is gone, or that is not this town's daemon (a reused pid), is stale and replaced.
import { closeSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { tryAcquire } from '../agents/index.ts';
import { isProcessAlive } from '../proc/index.ts';

export type Claim = { status: 'claimed' } | { status: 'held'; pid: number };

/** The pid in the file, if it holds one. */
export function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live `gt daemon run` of the town at `root`. Where /proc exists the command line and working
 * directory are checked, so a pid reused by another program after a `kill -9` does not count.
 */
export function isTownDaemon(pid: number, root: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!argv.includes('daemon') || !argv.includes('run')) return false;
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(root);
  } catch {
    return isProcessAlive(pid); // no /proc (macOS): liveness is all we can tell
  }
}

/** The live daemon holding the lock, if any. */
export function lockHolder(path: string, root: string): number | undefined {
  const pid = readPid(path);
  return pid !== undefined && isTownDaemon(pid, root) ? pid : undefined;
}

/** Take the lock for this process, replacing a stale file; `held` when a live daemon has it. */
export function claimPid(path: string, root: string): Claim {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { status: 'claimed' };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(path, root);
    if (holder !== undefined) return { status: 'held', pid: holder };
    breakStale(path, root);
  }
  const pid = readPid(path);
  return { status: 'held', pid: pid ?? 0 };
}

/** Remove the pid file if it still names this process (a successor's file is left alone). */
export function releasePid(path: string): void {
  if (readPid(path) === process.pid) rmSync(path, { force: true });
}

/** Remove a stale pid file under a short breaker lock, re-reading it there, so two starters never both break it. */
function breakStale(path: string, root: string): void {
  const breaker = tryAcquire(`${path}.break`);
  if (!breaker) {
    try {
      if (Date.now() - statSync(`${path}.break`).mtimeMs > 5000) rmSync(`${path}.break`, { force: true });
    } catch {
      // gone already
    }
    return;
  }
  try {
    const pid = readPid(path);
    // An empty file is a claimer between create and write: stale only once it is old.
    if (pid === undefined && ageMs(path) < 2000) return;
    if (pid !== undefined && isTownDaemon(pid, root)) return;
    rmSync(path, { force: true });
  } finally {
    breaker.release();
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}
