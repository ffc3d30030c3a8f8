// Asynchronous process runs with a timeout that kills the whole process tree, so a hung child never lingers.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import { missingDir, type RunOptions, type RunResult } from './run.ts';

export interface RunAsyncOptions extends RunOptions {
  /** Time between SIGTERM and SIGKILL when the timeout fires (default 2000 ms). */
  killGraceMs?: number;
}

/**
 * Run `cmd args` to completion without blocking the event loop. The child leads its own process group, so a
 * timeout kills it and everything it started. A missing program is PROC_NOT_FOUND; a timeout is PROC_TIMEOUT.
 */
export function run(cmd: string, args: readonly string[], opts: RunAsyncOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killTree(child.pid, 'SIGKILL'), opts.killGraceMs ?? 2000);
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.input);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT' && opts.cwd !== undefined && !existsSync(opts.cwd)) reject(missingDir(cmd, opts.cwd));
      else if (e.code === 'ENOENT') {
        reject(new GtError('PROC_NOT_FOUND', `${cmd} is not installed or not on PATH`, { hint: `install ${cmd} and make sure it is on PATH` }));
      } else reject(new GtError('PROC_FAILED', `${cmd} could not be run: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (timedOut) {
        reject(new GtError('PROC_TIMEOUT', `${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
        return;
      }
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ status: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Signal a process group led by `pid` (a child started by `run`); a group that is already gone is ignored. */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already exited
    }
  }
}

/** Whether a process with this id exists (signal 0 probes without delivering anything). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DetachedChild {
  pid: number | undefined;
  /** The exit code once it has exited (null for a signal), undefined while it runs; -1 if it could not start. */
  exitCode(): number | null | undefined;
}

/** Start a long-lived program in its own session, output to `logFd`, not waited for (a daemon). */
export function spawnDetached(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFd: number }): DetachedChild {
  let exited: number | null | undefined;
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', opts.logFd, opts.logFd] });
  child.on('exit', (code) => void (exited = code));
  child.on('error', () => void (exited = -1));
  child.unref();
  return { pid: child.pid, exitCode: () => exited };
}
