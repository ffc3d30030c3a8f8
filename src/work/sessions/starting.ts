// Starts in progress: `<runtime>/starting/<session>` holds the starter's pid while it prepares and starts a session.
// A start on a host takes seconds before its tmux session exists (tunnel, token, clone); without this mark the
// daemon saw a working polecat with no session, started it a second time (before its placement was recorded: on
// this machine), and two agents did the same hook and landed it twice. The daemon leaves a marked session alone, and
// a second starter backs off while the first one's process lives.
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../../proc/index.ts';
import type { TownContext } from '../../town/index.ts';

/** A mark older than this is stale whatever its pid says (the pid may have been reused). */
const STALE_MS = 10 * 60_000;

const dirOf = (town: TownContext): string => join(town.paths.runtime, 'starting');

function holder(file: string): number | undefined {
  try {
    if (Date.now() - statSync(file).mtimeMs > STALE_MS) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid !== process.pid && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mark `session` as being started by this process. Returns a release function, or undefined when another live
 * process is starting it now (the caller leaves the start to it).
 */
export function markStarting(town: TownContext, session: string): (() => void) | undefined {
  const dir = dirOf(town);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, session);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeFileSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (holder(file) !== undefined) return undefined;
      rmSync(file, { force: true }); // left by a process that died, or stale: taken over
    }
  }
  return undefined;
}

/** Sessions another live process is starting now (this process's own starts are not listed). */
export function sessionsStarting(town: TownContext): Set<string> {
  const dir = dirOf(town);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return new Set();
  }
  return new Set(names.filter((n) => holder(join(dir, n)) !== undefined));
}
