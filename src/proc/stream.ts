// A process whose input and output are byte streams (a CGI program such as git http-backend): started in its own
// process group, killed with its children when the deadline passes or the caller gives up.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { killTree } from './run-async.ts';

export interface StreamingChild {
  stdin: Writable;
  stdout: Readable;
  /** The first 64 KiB of standard error (for a log line when it fails). */
  stderr(): string;
  /** Resolves with the exit status (128 for a signal, -1 when it could not start). */
  exited: Promise<number>;
  kill(): void;
}

export function spawnStreaming(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): StreamingChild {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 65536) err += d.toString('utf8');
  });
  child.stdin.on('error', () => undefined);
  const kill = (): void => killTree(child.pid, 'SIGKILL');
  const timer = setTimeout(kill, opts.timeoutMs);
  const exited = new Promise<number>((res) => {
    child.on('error', () => res(-1));
    child.on('close', (code, signal) => res(code ?? (signal ? 128 : 1)));
  }).finally(() => clearTimeout(timer));
  return { stdin: child.stdin, stdout: child.stdout, stderr: () => err, exited, kill };
}
