// Stale locks: lock files under .runtime/ (the session-lock format, `{"pid":…,"at":…}`) whose owner is dead.
import { readdirSync } from 'node:fs';
import { lockAgeMs, readLockRecord } from '../../agents/index.ts';
import { join, relative } from 'node:path';
import { isProcessAlive } from '../../proc/index.ts';
import type { PlannedCheck, Repair } from './types.ts';

export interface LockFile {
  path: string;
  /** The owner's pid, or undefined when the record is empty or unreadable. */
  pid: number | undefined;
  ageMs: number;
}

/** Every `*.lock` and `*.lock.break` file under `dir`. */
export function findLocks(dir: string): LockFile[] {
  const out: LockFile[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && /\.lock(\.break)?$/.test(e.name))
        out.push({ path, pid: readLockRecord(path)?.pid, ageMs: Math.max(0, lockAgeMs(path)) });
    }
  };
  walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Dead owners are stale and removable; unreadable records older than a minute are reported, not removed (pure). */
export function lockCheck(runtime: string, locks: readonly LockFile[], alive: (pid: number) => boolean): PlannedCheck {
  const dead = locks.filter((l) => l.pid !== undefined && !alive(l.pid));
  const torn = locks.filter((l) => l.pid === undefined && l.ageMs > 60_000);
  if (dead.length === 0 && torn.length === 0) {
    return {
      id: 'locks',
      status: 'ok',
      detail: locks.length ? `${locks.length} lock(s) held by live processes` : 'no stale locks',
    };
  }
  const name = (l: LockFile): string => relative(runtime, l.path);
  const parts = [
    ...(dead.length
      ? [
          `${dead.length} stale lock(s) whose owner is dead: ${dead
            .slice(0, 5)
            .map((l) => `${name(l)} (pid ${l.pid})`)
            .join(', ')}`,
        ]
      : []),
    ...(torn.length ? [`${torn.length} lock(s) with no readable owner: ${torn.slice(0, 5).map(name).join(', ')}`] : []),
  ];
  const repairs: Repair[] = dead.map((l) => ({ kind: 'remove-lock', path: l.path, pid: l.pid! }));
  return {
    id: 'locks',
    status: 'warn',
    detail: parts.join('; '),
    ...(repairs.length ? { fix: `remove the ${repairs.length} lock(s) of dead processes`, repairs } : {}),
    ...(torn.length ? { hint: 'a lock with no readable owner is broken by the next process that waits for it' } : {}),
  };
}

export function lockChecks(runtime: string): PlannedCheck[] {
  return [lockCheck(runtime, findLocks(runtime), isProcessAlive)];
}
