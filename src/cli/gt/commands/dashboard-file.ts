// The running dashboard's record (.runtime/dashboard.json: pid, port, address; never the token), so gt status can
// say it is up and gt shutdown can stop it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isoNow, writeFileAtomic } from '../../../kernel/index.ts';
import { isProcessAlive } from '../../../proc/index.ts';
import type { TownContext } from '../../../town/index.ts';

export interface DashboardRecord {
  pid: number;
  port: number;
  bind: string;
  started_at: string;
}

const fileOf = (town: TownContext): string => join(town.paths.runtime, 'dashboard.json');

export function recordDashboard(town: TownContext, port: number, bind: string): void {
  writeFileAtomic(
    fileOf(town),
    `${JSON.stringify({ pid: process.pid, port, bind, started_at: isoNow() } satisfies DashboardRecord)}\n`,
  );
}

/** Forget this process's record (a newer dashboard's record is left alone). */
export function forgetDashboard(town: TownContext): void {
  if (readRecord(town)?.pid === process.pid) rmSync(fileOf(town), { force: true });
}

function readRecord(town: TownContext): DashboardRecord | undefined {
  try {
    return existsSync(fileOf(town)) ? (JSON.parse(readFileSync(fileOf(town), 'utf8')) as DashboardRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The dashboard serving this town, when its process still runs gt dashboard. */
export function runningDashboard(town: TownContext): DashboardRecord | undefined {
  const r = readRecord(town);
  if (!r || !Number.isInteger(r.pid) || !running(r.pid)) return undefined;
  try {
    if (!readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0').includes('dashboard')) return undefined;
  } catch {
    // no /proc (macOS): liveness is all we can tell
  }
  return r;
}

/** Alive and not a zombie (an exited child its parent has not reaped yet). */
function running(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** SIGTERM the town's dashboard and wait up to 5 s for it to go; returns its record when one was running. */
export async function stopDashboard(town: TownContext): Promise<DashboardRecord | undefined> {
  const r = runningDashboard(town);
  if (!r) {
    rmSync(fileOf(town), { force: true });
    return undefined;
  }
  process.kill(r.pid, 'SIGTERM');
  for (let i = 0; i < 100 && running(r.pid); i++) await new Promise((res) => setTimeout(res, 50));
  rmSync(fileOf(town), { force: true });
  return r;
}
