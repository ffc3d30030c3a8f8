// What the token-overhead benchmarks (bench/e2e-overhead*.ts) share: running a command, an environment without the
// caller's Gas Town and runtime variables, polling, and a bead's status in a town store.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`). PWD follows `cwd`: OpenCode takes its project folder from it. */
export function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<Run> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd, env: { ...env, PWD: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr });
    });
  });
}

export async function must(p: Promise<Run>): Promise<Run> {
  const r = await p;
  if (r.code !== 0) throw new Error(`command failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

/** This process's environment without the variables matching `drop` (Gas Town's, tmux's, the runtime's), plus `extra`. */
export function cleanEnv(drop: RegExp, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 240_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A bead's status in the town's store. */
export function beadStatus(town: string, id: string): string | undefined {
  const d = new DatabaseSync(join(town, '.beads', 'beads.db'));
  try {
    d.exec('PRAGMA busy_timeout = 10000');
    return (d.prepare('SELECT status FROM issues WHERE id = ?').get(id) as { status: string } | undefined)?.status;
  } finally {
    d.close();
  }
}
