// The daemon's files under `<town>/.runtime/`: the pid lock, its description (daemon.json), its log and its memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../kernel/index.ts';
import type { TownContext } from '../town/index.ts';

export interface DaemonFiles {
  pid: string;
  info: string;
  log: string;
  /** What the daemon remembers between ticks (pane hashes, nudges), so a restart does not forget a stuck agent. */
  memory: string;
}

export function daemonFiles(town: Pick<TownContext, 'paths'>): DaemonFiles {
  const dir = town.paths.runtime;
  return {
    pid: join(dir, 'daemon.pid'),
    info: join(dir, 'daemon.json'),
    log: join(dir, 'daemon.log'),
    memory: join(dir, 'daemon-memory.json'),
  };
}

/** `daemon.json`: written by the running daemon when it is ready and after every tick. */
export interface DaemonInfo {
  pid: number;
  root: string;
  started_at: string;
  tick_ms: number;
  ticks: number;
  heartbeat_at: string;
  last_tick_ms?: number;
  stopped_at?: string;
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
