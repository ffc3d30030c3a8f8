// The only place that spawns processes: run a command to completion with a timeout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Run `cmd args` synchronously; a missing program is a GtError with code PROC_NOT_FOUND. */
export function runSync(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const err = r.error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && opts.cwd !== undefined && !existsSync(opts.cwd)) throw missingDir(cmd, opts.cwd);
    if (err.code === 'ENOENT') {
      throw new GtError('PROC_NOT_FOUND', `${cmd} is not installed or not on PATH`, {
        hint: `install ${cmd} and make sure it is on PATH`,
      });
    }
    if (err.code === 'ETIMEDOUT') {
      throw new GtError(
        'PROC_TIMEOUT',
        `${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms`,
      );
    }
    throw new GtError('PROC_FAILED', `${cmd} could not be run: ${err.message}`);
  }
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run a program on this terminal (stdin, stdout and stderr inherited) until it exits; its exit status. */
export function runInteractive(
  cmd: string,
  args: readonly string[],
  opts: Pick<RunOptions, 'cwd' | 'env'> = {},
): number {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'inherit' });
  if (r.error) {
    const err = r.error as NodeJS.ErrnoException;
    throw new GtError(
      err.code === 'ENOENT' ? 'PROC_NOT_FOUND' : 'PROC_FAILED',
      `${cmd} could not be run: ${err.message}`,
    );
  }
  return r.status ?? 1;
}

/** spawn reports a missing working directory as ENOENT, like a missing program: tell them apart. */
export function missingDir(cmd: string, cwd: string): GtError {
  return new GtError('PROC_NO_DIR', `cannot run ${cmd} in ${cwd}: the directory does not exist`, {
    hint: 'check the path; it may have been moved or deleted',
  });
}
