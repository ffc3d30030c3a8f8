// A per-session lock shared by every process of a town: an exclusive lock file holding the owner's pid, taken over
// when that process is gone. Typing into one TUI is serialized through it, so concurrent messages never interleave.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { isProcessAlive } from '../proc/index.ts';

export interface LockOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Poll interval while waiting (default 15 ms, with jitter). */
  pollMs?: number;
  /** A lock older than this is broken even if its pid lives on, e.g. reused by another program (default 10 min). */
  maxHoldMs?: number;
}

export interface LockHandle {
  path: string;
  release(): void;
}

export interface LockRecord {
  pid: number;
  at: number;
}

/** Path of the lock file for `key` (a session name) under a runtime directory. */
export function lockPath(runtimeDir: string, key: string): string {
  return join(runtimeDir, 'locks', `${key}.lock`);
}

/** Take the lock at `path`, waiting for the current holder; LOCK_TIMEOUT when it cannot be had in time. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<LockHandle> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const pollMs = opts.pollMs ?? 15;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(join(path, '..'), { recursive: true });
  for (;;) {
    const handle = tryAcquire(path);
    if (handle) return handle;
    breakIfStale(path, opts.maxHoldMs ?? 600_000);
    if (Date.now() >= deadline) {
      const holder = readLockRecord(path);
      throw new GtError(
        'LOCK_TIMEOUT',
        `could not take lock ${path} within ${timeoutMs} ms${holder ? ` (held by pid ${holder.pid})` : ''}`,
        {
          hint: 'another delivery to this session is still running; try again shortly',
        },
      );
    }
    await sleep(pollMs / 2 + Math.random() * pollMs);
  }
}

/** Take the lock if it is free; undefined when another process holds it. */
export function tryAcquire(path: string): LockHandle | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  const record: LockRecord = { pid: process.pid, at: Date.now() };
  try {
    writeSync(fd, JSON.stringify(record));
  } finally {
    closeSync(fd);
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      const now = readLockRecord(path);
      if (now && now.pid === record.pid && now.at === record.at) rmSync(path, { force: true });
    },
  };
}

/**
 * Remove the lock at `path` if its holder is dead (or it is older than maxHoldMs). Breaking happens under a second,
 * short-lived lock and re-reads the holder there, so two waiters can never both break and both win.
 */
export function breakIfStale(path: string, maxHoldMs: number): boolean {
  if (!isStale(path, maxHoldMs)) return false;
  const breaker = tryAcquire(`${path}.break`);
  if (!breaker) {
    // A breaker left by a process that died mid-break is itself stale after a few seconds.
    if (lockAgeMs(`${path}.break`) > 5000 && isStale(`${path}.break`, 5000)) rmSync(`${path}.break`, { force: true });
    return false;
  }
  try {
    if (!isStale(path, maxHoldMs)) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    breaker.release();
  }
}

function isStale(path: string, maxHoldMs: number): boolean {
  const rec = readLockRecord(path);
  const age = lockAgeMs(path);
  if (age < 0) return false; // gone already
  // An empty or torn record: its writer died between create and write, or is about to write it.
  if (!rec) return age > 2000;
  return !isProcessAlive(rec.pid) || Date.now() - rec.at > maxHoldMs;
}

/** The holder a lock file names, or undefined when the record is empty, torn or unreadable. */
export function readLockRecord(path: string): LockRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    return typeof rec.pid === 'number' && typeof rec.at === 'number' ? { pid: rec.pid, at: rec.at } : undefined;
  } catch {
    return undefined;
  }
}

/** How long ago the lock file was written, in ms; -1 when it is gone. */
export function lockAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
