// Test helpers: a temp git repo with a bd store, and bd run as a real process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * bd as users and agents run it: the launcher over the bundle (dist/bd.cjs), about half the CPU of a run from
 * source. The suite's global set-up (test/support/build.ts) rebuilds the bundle when a source file is newer.
 */
export const BD_BIN = resolve(import.meta.dirname, '../../bin/bd.js');
const COMPILE_CACHE = resolve(import.meta.dirname, '../../node_modules/.cache/test-compile-cache');

export interface RunOut {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment with no GT_/BD_/TMUX variables of the person running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GT_|BD_|BEADS_|TMUX|GIT_)/.test(k)) env[k] = v;
  }
  // No daemon is started on demand unless a test asks for one (GT_DAEMON: 'on'); tests start theirs explicitly.
  return { ...env, BD_ACTOR: 'tester', NODE_COMPILE_CACHE: COMPILE_CACHE, GT_DAEMON: 'off', ...extra };
}

export function bd(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): RunOut {
  const r = spawnSync(process.execPath, [BD_BIN, ...args], {
    cwd,
    env: cleanEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function bdAsync(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string> } = {},
): Promise<RunOut> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BD_BIN, ...args], {
      cwd,
      env: cleanEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** bd with --json, parsed; fails the test with bd's stderr if it did not exit 0. */
export function bdJson<T = unknown>(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): T {
  const r = bd(cwd, [...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`bd ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function git(cwd: string, args: readonly string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv() });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh temp directory (path contains a space, on purpose) holding a git repo; remove with the returned cleanup. */
export function tempRepo(name = 'repo'): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'bd test '));
  const dir = join(base, name);
  spawnSync('mkdir', ['-p', dir]);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Test User']);
  git(dir, ['config', 'user.email', 'test@example.com']);
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** A temp repo with `bd init --prefix <prefix>` already run. */
export function tempStore(prefix = 'bd'): { dir: string; cleanup: () => void } {
  const t = tempRepo();
  const r = bd(t.dir, ['init', '--prefix', prefix]);
  if (r.code !== 0) throw new Error(`bd init failed: ${r.stderr}`);
  return t;
}
