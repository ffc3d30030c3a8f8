// Starting, stopping and asking after the town's daemon from any gt command: a detached `gt daemon run` with its
// output in `.runtime/daemon.log`, found again through the pid lock.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, installRoot } from '../kernel/index.ts';
import { isProcessAlive, spawnDetached, type DetachedChild } from '../proc/index.ts';
import type { TownContext } from '../town/index.ts';
import { daemonFiles, readJson, type DaemonInfo } from './files.ts';
import { isTownDaemon, lockHolder } from './pid-lock.ts';

export interface DaemonStatus {
  running: boolean;
  pid: number | null;
  started_at: string | null;
  heartbeat_at: string | null;
  tick_ms: number | null;
  ticks: number | null;
  log: string;
  /** A pid file left by a daemon that died (kill -9, a crash); the next start replaces it. */
  stale_pid_file: boolean;
}

export function daemonStatus(town: TownContext): DaemonStatus {
  const files = daemonFiles(town);
  const pid = lockHolder(files.pid, town.root);
  const info = readJson<DaemonInfo>(files.info);
  const mine = pid !== undefined && info?.pid === pid ? info : undefined;
  return {
    running: pid !== undefined,
    pid: pid ?? null,
    started_at: mine?.started_at ?? null,
    heartbeat_at: mine?.heartbeat_at ?? null,
    tick_ms: mine?.tick_ms ?? null,
    ticks: mine?.ticks ?? null,
    log: files.log,
    stale_pid_file: pid === undefined && existsSync(files.pid),
  };
}

/** `starting`: launched without waiting for it to be ready (ensureDaemon); a losing racer exits by itself. */
export type StartOutcome = { status: 'started' | 'already-running' | 'starting'; pid: number; log: string };

/** The command that runs gt the way this process runs: from source under Node's type stripping, else bin/gt.js. */
export function gtEntry(): string {
  const here = import.meta.filename;
  return here.endsWith('.ts') ? join(installRoot(), 'src', 'cli', 'gt', 'run.ts') : join(installRoot(), 'bin', 'gt.js');
}

/** Start the daemon unless one runs; returns once it has taken the lock and written daemon.json (unless `wait` is false). */
export async function startDaemon(
  town: TownContext,
  opts: { timeoutMs?: number; wait?: boolean } = {},
): Promise<StartOutcome> {
  const files = daemonFiles(town);
  const now = daemonStatus(town);
  if (now.running) return { status: 'already-running', pid: now.pid!, log: files.log };
  mkdirSync(town.paths.runtime, { recursive: true });
  const logFd = openSync(files.log, 'a');
  const logStart = statSync(files.log).size;
  let child: DetachedChild;
  try {
    child = spawnDetached(process.execPath, [gtEntry(), 'daemon', 'run'], {
      cwd: town.root,
      env: { ...town.env, GT_ROOT: town.root },
      logFd,
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (opts.wait === false && pid !== undefined) return { status: 'starting', pid, log: files.log };
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const info = readJson<DaemonInfo>(files.info);
    if (pid !== undefined && info?.pid === pid && !info.stopped_at && lockHolder(files.pid, town.root) === pid)
      return { status: 'started', pid, log: files.log };
    if (child.exitCode() !== undefined || pid === undefined || !isProcessAlive(pid)) {
      const other = lockHolder(files.pid, town.root);
      if (other !== undefined) return { status: 'already-running', pid: other, log: files.log };
      break;
    }
    await sleep(25);
  }
  const tail = readFileSync(files.log, 'utf8').slice(logStart).trim().split('\n').slice(-5).join(' | ');
  throw new GtError('GT_DAEMON_START_FAILED', `the daemon for ${town.root} did not come up${tail ? `: ${tail}` : ''}`, {
    hint: `read its log: gt daemon logs (${files.log})`,
  });
}

/**
 * Start the daemon if it is not running (for gt sling and gt mayor start); never fails the caller's command.
 * `GT_DAEMON=off` in the environment turns the automatic start off (`gt daemon start` still works).
 */
export async function ensureDaemon(
  town: TownContext,
): Promise<StartOutcome | { status: 'failed'; error: string } | { status: 'disabled' }> {
  if (town.env.GT_DAEMON === 'off') return { status: 'disabled' };
  try {
    return await startDaemon(town, { wait: false });
  } catch (e) {
    return { status: 'failed', error: e instanceof Error ? e.message : String(e) };
  }
}

export type StopOutcome = { stopped: boolean; pid: number | null; forced: boolean; stale_removed: boolean };

/** SIGTERM the daemon, wait for it to finish its tick, then SIGKILL if it has not; clears a stale pid file. */
export async function stopDaemon(town: TownContext, opts: { timeoutMs?: number } = {}): Promise<StopOutcome> {
  const files = daemonFiles(town);
  const pid = lockHolder(files.pid, town.root);
  if (pid === undefined) {
    const stale = existsSync(files.pid);
    if (stale) rmSync(files.pid, { force: true });
    return { stopped: false, pid: null, forced: false, stale_removed: stale };
  }
  // Alive means still this town's daemon: an exited one that nobody reaped yet (a zombie) no longer counts.
  const alive = (): boolean => isTownDaemon(pid, town.root);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (Date.now() < deadline && alive()) await sleep(50);
  let forced = false;
  if (alive()) {
    forced = true;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(); i++) await sleep(20);
  }
  if (lockHolder(files.pid, town.root) === undefined && existsSync(files.pid)) rmSync(files.pid, { force: true });
  return { stopped: true, pid, forced, stale_removed: false };
}

/** The last `n` lines of the daemon's log. */
export function readDaemonLog(town: TownContext, n: number): string[] {
  const { log } = daemonFiles(town);
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
