// Test helpers: gt run as a real process from source, temp dirs with spaces, and source repositories to add as rigs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import { cleanEnv, git, type RunOut } from './bd.ts';
import type { Store } from '../../src/beads/index.ts';
import { loadTown, openTownStore } from '../../src/town/index.ts';

export { git, type RunOut };

/** gt as users and agents run it: the launcher over the bundle (see BD_BIN). */
export const GT_BIN = resolve(import.meta.dirname, '../../bin/gt.js');

export function gt(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): RunOut {
  const r = spawnSync(process.execPath, [GT_BIN, ...args], {
    cwd,
    env: cleanEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** gt with --json, parsed; fails the test with gt's stderr if it did not exit 0. */
export function gtJson<T = unknown>(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string> } = {},
): T {
  const r = gt(cwd, [...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`gt ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A fresh temp directory whose path contains a space; remove with the returned cleanup. */
export function tempDir(label = 'gt test'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${label} `));
  // Retries: an agent process killed with its tmux server may still be writing its last files for a moment.
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }) };
}

/** A source repository at `dir` on `branch`; `files` are committed in one commit unless empty (then no commit at all). */
export function sourceRepo(dir: string, branch: string, files: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', branch]);
  if (Object.keys(files).length === 0) return dir;
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=Source', '-c', 'user.email=source@example.com', 'commit', '-q', '-m', 'first']);
  return dir;
}

/** Commit everything in a work tree as a test user. */
export function commitAll(dir: string, message: string): void {
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=Tester', '-c', 'user.email=tester@example.com', 'commit', '-q', '-m', message]);
}

/** Every file under `dir` with its content and modification time, to prove a command changed nothing. */
export function snapshotTree(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) {
        out.set(`${rel}/`, String(statSync(p, { bigint: true }).mtimeNs));
        walk(p);
      } else {
        out.set(rel, `${statSync(p, { bigint: true }).mtimeNs}:${readFileSync(p).toString('base64')}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** A ledger line as Beads writes it, for repositories that track `.beads/issues.jsonl`. */
export function ledgerLine(id: string, title: string): string {
  return JSON.stringify({
    id,
    title,
    status: 'open',
    priority: 2,
    type: 'task',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  });
}

/** A failed command: exit code, an `Error:` line matching `names`, at most one `Hint:` line, and no unsafe advice. */
export function expectFailure(r: RunOut, code: 1 | 2, names: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(r.code, r.stderr).toBe(code);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(names);
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^Hint: /);
  expect(r.stderr).not.toMatch(/--force|\brm -|re-?init|delete the/i);
}

/**
 * gt as a child process without blocking this process (which may be serving the model server Claude talks to).
 * `onStdout` sees the output so far after each chunk, with the child (to signal it or close its pipe).
 */
export function gtAsync(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
  onStdout?: (soFar: string, child: ChildProcess) => void,
): Promise<RunOut> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [GT_BIN, ...args], {
      cwd,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, p);
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * For an end-to-end timeout: what the scripted model decided and received, every pane and the daemon's log,
 * written to a directory named after the suite; returns the directory.
 */
export async function dumpE2eState(
  label: string,
  s: {
    scriptLog: unknown;
    requests: unknown;
    town: string;
    env: Record<string, string>;
    tmux: {
      listSessions(): Promise<{ name: string }[]>;
      snapshot(name: string): Promise<{ lines: readonly string[] }>;
    };
  },
): Promise<string> {
  const dir = join(tmpdir(), `gt-e2e-${label}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'script-log.json'), JSON.stringify(s.scriptLog, null, 1));
  writeFileSync(join(dir, 'requests.json'), JSON.stringify(s.requests, null, 1));
  for (const x of await s.tmux.listSessions().catch(() => [])) {
    const snap = await s.tmux.snapshot(x.name).catch(() => ({ lines: ['(no snapshot)'] }));
    writeFileSync(join(dir, `pane-${x.name}.txt`), snap.lines.join('\n'));
  }
  const d = gt(s.town, ['daemon', 'logs', '-n', '300'], { env: s.env });
  writeFileSync(join(dir, 'daemon.log'), d.stdout + d.stderr);
  return dir;
}

/** The fake agent TUI (testing/fake-tui): a ready prompt, and a log of what it was typed. */
export const FAKE_TUI = resolve(import.meta.dirname, '../../testing/fake-tui/fake-tui.js');

/**
 * Gives a town the agent runtime `fake`: the fake TUI started by a script in `logDir` (a path with a space), which
 * logs what each session was typed to `<logDir>/<session>.log`; the directory reaches it through the variable
 * `logVar`. `settings` is merged into settings/config.json too (e.g. `role_agents`, `caps`).
 */
export function addFakeAgent(
  town: string,
  logDir: string,
  opts: { logVar?: string; settings?: Record<string, unknown> } = {},
): void {
  const logVar = opts.logVar ?? 'GT_AGENT_LOG_DIR';
  const agent = join(logDir, 'fake agent.sh');
  writeFileSync(agent, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_TUI}' --log "$${logVar}/$GT_SESSION.log"\n`, {
    mode: 0o755,
  });
  const path = join(town, 'settings', 'config.json');
  const settings = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  settings.agents = {
    fake: { command: agent, env: { [logVar]: logDir }, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 },
  };
  writeFileSync(path, JSON.stringify({ ...settings, ...opts.settings }, null, 2));
}

/**
 * Run `fn` on the town's store opened by the code that owns its tables (its own connection, as a second process
 * would): tests read the town's rows through the owners' functions (countTownEvents, listInbox, getPolecat …).
 */
export function withTown<T>(town: string, fn: (store: Store) => T): T {
  const store = openTownStore(loadTown(town, {}));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
