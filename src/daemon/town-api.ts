// The daemon keeps the town API up while the town has SSH hosts (docs/hosts.md): agents there reach the town only
// through it. It runs as its own `gt serve --port 0` process (a slow tick never delays an agent's call), started
// when hosts are configured and none runs, and stopped with the daemon if the daemon started it.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, killTree, spawnDetached } from '../proc/index.ts';
import { hostsFile, loadHosts } from '../providers/index.ts';
import type { TownContext } from '../town/index.ts';
import { gtEntry } from './lifecycle.ts';

export interface TownApiKeeper {
  /** The pid of the `gt serve` this daemon started, if any. */
  pid?: number;
}

function apiInfo(town: TownContext): { url: string; pid: number } | undefined {
  const file = join(town.paths.runtime, 'town-api.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { url: string; pid: number };
  } catch {
    return undefined;
  }
}

/** True when a town API process is running (its file names a live process). */
export function townApiRunning(town: TownContext): boolean {
  const info = apiInfo(town);
  return info !== undefined && isProcessAlive(info.pid);
}

/** Start `gt serve` when the town has hosts and no town API runs; returns a line for the log when it did. */
export function keepTownApi(town: TownContext, keeper: TownApiKeeper): string | undefined {
  if (!existsSync(hostsFile(town.paths.settingsDir)) || loadHosts(town.paths.settingsDir).length === 0)
    return undefined;
  if (townApiRunning(town)) return undefined;
  if (keeper.pid !== undefined && isProcessAlive(keeper.pid)) return undefined; // starting: its file is not written yet
  const fd = openSync(join(town.paths.runtime, 'town-api.log'), 'a');
  try {
    const child = spawnDetached(process.execPath, [gtEntry(), 'serve', '--port', '0'], {
      cwd: town.root,
      env: { ...town.env, GT_ROOT: town.root },
      logFd: fd,
    });
    if (child.pid !== undefined) keeper.pid = child.pid;
  } finally {
    closeSync(fd);
  }
  return `started the town API (gt serve, pid ${keeper.pid ?? '?'}) for the town's hosts`;
}

/** Stop the `gt serve` this daemon started. */
export function stopTownApi(keeper: TownApiKeeper): void {
  if (keeper.pid !== undefined && isProcessAlive(keeper.pid)) killTree(keeper.pid, 'SIGTERM');
  delete keeper.pid;
}
