// Asynchronous process runs with a timeout that kills the whole process tree, so a hung child never lingers.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import { missingDir, type RunOptions, type RunResult } from './run.ts';

export interface RunAsyncOptions extends RunOptions {
  /** Time between SIGTERM and SIGKILL when the timeout fires (default 2000 ms). */
  killGraceMs?: number;
  /**
   * How long output may stay open after the program itself exited (default 1000 ms): a process it left behind
   * (`setsid sleep 45 &`) holding the pipes is then stopped and the run ends with the program's own status.
   */
  drainMs?: number;
  /**
   * Also stop, at the timeout or when the output stays open, processes that left the session (setsid) but still
   * carry this run's marker variable: for commands that own everything they start (gates). Off for tmux, whose
   * server and agents outlive the call that started them.
   */
  stopEscaped?: boolean;
}

let runs = 0;

/**
 * Run `cmd args` to completion without blocking the event loop. The child leads its own session and process group;
 * a timeout kills the group and the session (and, with `stopEscaped`, every process carrying the run's marker
 * variable, which finds one that left with setsid) and stops waiting for the pipes. A missing program is PROC_NOT_FOUND; a timeout is PROC_TIMEOUT.
 */
export function run(cmd: string, args: readonly string[], opts: RunAsyncOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const marker = `GT_PROC_${process.pid}_${++runs}_${Date.now().toString(36)}`;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.stopEscaped ? { ...(opts.env ?? process.env), [marker]: '1' } : (opts.env ?? process.env),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const after = (ms: number, fn: () => void): void => void timers.push(setTimeout(fn, ms));
    const everything = (signal: NodeJS.Signals): void =>
      killRun(child.pid, opts.stopEscaped ? marker : undefined, signal);
    const finish = (leftBehind: boolean): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (leftBehind) {
        everything('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      if (timedOut) {
        reject(new GtError('PROC_TIMEOUT', `${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
        return;
      }
      const stdout = Buffer.concat(out).toString('utf8');
      let stderr = Buffer.concat(err).toString('utf8');
      if (leftBehind)
        stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}(gt: ${cmd} exited but a process it left running kept its output open; that process was stopped)\n`;
      resolve({ status: exit?.code ?? (exit?.signal ? 128 : 1), stdout, stderr });
    };
    after(timeoutMs, () => {
      timedOut = true;
      everything('SIGTERM');
      after(opts.killGraceMs ?? 2000, () => finish(true));
    });
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.input);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (e.code === 'ENOENT' && opts.cwd !== undefined && !existsSync(opts.cwd)) reject(missingDir(cmd, opts.cwd));
      else if (e.code === 'ENOENT') {
        reject(
          new GtError('PROC_NOT_FOUND', `${cmd} is not installed or not on PATH`, {
            hint: `install ${cmd} and make sure it is on PATH`,
          }),
        );
      } else reject(new GtError('PROC_FAILED', `${cmd} could not be run: ${e.message}`));
    });
    // The program exited; its pipes close when the last process holding them does. One it left behind gets drainMs.
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (!timedOut) after(opts.drainMs ?? 1000, () => finish(true));
    });
    child.on('close', () => finish(false));
  });
}

/**
 * Every process a run started: its process group and session (led by `pid`), and any process whose environment
 * holds the run's marker (one that left with setsid). Linux /proc; elsewhere the group only.
 */
function killRun(pid: number | undefined, marker: string | undefined, signal: NodeJS.Signals): void {
  killTree(pid, signal);
  if (pid === undefined) return;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  const needle = marker ? `${marker}=` : undefined;
  for (const e of entries) {
    const p = Number(e);
    if (!Number.isInteger(p) || p <= 1 || p === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const [, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (
        Number(session) === pid ||
        (needle &&
          readFileSync(`/proc/${p}/environ`, 'latin1')
            .split('\0')
            .some((v) => v.startsWith(needle)))
      )
        process.kill(p, signal);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
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
export function spawnDetached(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFd: number },
): DetachedChild {
  let exited: number | null | undefined;
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', opts.logFd, opts.logFd],
  });
  child.on('exit', (code) => void (exited = code));
  child.on('error', () => void (exited = -1));
  child.unref();
  return { pid: child.pid, exitCode: () => exited };
}
