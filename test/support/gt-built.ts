// gt as users run it: bin/gt.js over the bundle dist/gt.cjs (`npm run build`), for the paths that must work built.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { cleanEnv, type RunOut } from './bd.ts';
import { bundlesStale } from './build.ts';

const root = resolve(import.meta.dirname, '../..');
export const GT_BUILT_BIN = join(root, 'bin', 'gt.js');

/** Throws unless the bundles exist and are newer than every source file: a stale bundle would test old code. */
export function requireFreshBuild(): void {
  if (bundlesStale()) throw new Error('dist/ is missing or older than src/: run npm run build first');
}

export function gtBuilt(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): RunOut {
  const r = spawnSync(process.execPath, [GT_BUILT_BIN, ...args], {
    cwd,
    env: cleanEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function gtBuiltJson<T = unknown>(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string> } = {},
): T {
  const r = gtBuilt(cwd, [...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`gt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The built gt without blocking the test process; resolves when it exits. */
export function gtBuiltAsync(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunOut> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [GT_BUILT_BIN, ...args], {
      cwd,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}
