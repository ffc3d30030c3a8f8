// gt doctor: tool versions, agent CLIs and town integrity; --fix repairs only what is safe and says what it did.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'error';
  detail: string;
  fix?: string;
  fixed?: string;
  hint?: string;
}
interface Report {
  root: string | null;
  ok: boolean;
  errors: number;
  warnings: number;
  fixed: number;
  checks: Check[];
}

const SOCKET = `gt-doctor-test-${process.pid}`;
const NODE_BIN = resolve(import.meta.dirname, '../node_modules/.bin');

describe('gt doctor', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  /** The agent CLIs (claude, codex, …) are dev dependencies: put them on PATH as an installed town would have them. */
  const env = { GT_TMUX_SOCKET: SOCKET, PATH: `${NODE_BIN}:${process.env.PATH}` };

  const doctor = (
    args: string[] = [],
    e: Record<string, string> = env,
    cwd = town,
  ): { code: number; report: Report; stderr: string } => {
    const r = gt(cwd, ['doctor', ...args, '--json'], { env: e });
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  };
  const check = (r: Report, id: string): Check | undefined => r.checks.find((c) => c.id === id);

  beforeAll(() => {
    const t = tempDir('gt doctor');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('outside a town: checks the tools and says there is no town (exit 1)', () => {
    const { code, report } = doctor([], env, base);
    expect(code).toBe(1);
    expect(report.root).toBeNull();
    expect(check(report, 'tool.git')?.status).toBe('ok');
    expect(check(report, 'town')).toMatchObject({ status: 'error', detail: expect.stringContaining('no town found') });
  });

  it('a healthy town passes every check (exit 0)', () => {
    const { code, report } = doctor();
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'tool.git',
        'tool.tmux',
        'tool.node',
        'agent.claude',
        'config.town',
        'config.settings',
        'config.rig.app',
        'layout',
        'store.schema',
        'locks',
        'sessions',
        'rig.app.worktrees',
      ]),
    );
    const human = gt(town, ['doctor'], { env });
    expect(human.stdout).toMatch(/0 error\(s\), 0 warning\(s\)/);
  });

  it('finds missing directories, dead locks, orphaned sessions and vanished worktrees; --fix repairs them', async () => {
    rmSync(join(town, 'mayor'), { recursive: true });
    rmSync(join(town, 'app', 'polecats'), { recursive: true });
    mkdirSync(join(town, '.runtime', 'locks'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(
      join(town, '.runtime', 'locks', 'hq-mayor.lock'),
      JSON.stringify({ pid: Number(dead), at: Date.now() }),
    );
    writeFileSync(join(town, '.runtime', 'locks', 'live.lock'), JSON.stringify({ pid: process.pid, at: Date.now() }));
    const repo = join(town, 'app', '.repo.git');
    git(repo, ['worktree', 'add', '-q', '-b', 'polecat/gone/x-1', join(town, 'app', 'gone')]);
    rmSync(join(town, 'app', 'gone'), { recursive: true });
    for (const name of ['hq-mayor', 'app-crew-alice', 'app-refinery', 'zz-orphan', 'app-ghost', 'app-kept']) {
      await tmux.newSession({ name, cwd: base, argv: ['sleep', '600'] });
    }
    // A session something on disk still refers to (a queued nudge) is reported but never killed.
    mkdirSync(join(town, '.runtime', 'nudge-queue', 'app-kept'), { recursive: true });
    writeFileSync(join(town, '.runtime', 'nudge-queue', 'app-kept', '1.json'), '{}');

    const before = doctor();
    expect(before.code).toBe(1);
    expect(check(before.report, 'layout.mayor')).toMatchObject({ status: 'error', fix: 'create mayor/' });
    expect(check(before.report, 'rig.app.polecats')).toMatchObject({ status: 'error' });
    expect(check(before.report, 'locks')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`hq-mayor.lock (pid ${dead})`),
    });
    expect(check(before.report, 'locks')?.detail).not.toContain('live.lock');
    const sessions = check(before.report, 'sessions')!;
    expect(sessions.status).toBe('warn');
    expect(sessions.detail).toContain('app-ghost, app-kept, zz-orphan');
    expect(sessions.detail).not.toMatch(/hq-mayor|app-crew-alice|app-refinery/);
    expect(sessions.fix).toBe('kill app-ghost, zz-orphan');
    expect(check(before.report, 'rig.app.worktrees')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(join(town, 'app', 'gone')),
    });
    expect(existsSync(join(town, 'mayor'))).toBe(false); // checking changes nothing

    const fixed = doctor(['--fix']);
    expect(fixed.code, JSON.stringify(fixed.report.checks.filter((c) => c.status !== 'ok'))).toBe(0);
    expect(check(fixed.report, 'layout.mayor')).toMatchObject({
      status: 'ok',
      fixed: `created ${join(town, 'mayor')}`,
    });
    expect(existsSync(join(town, 'mayor'))).toBe(true);
    expect(existsSync(join(town, 'app', 'polecats'))).toBe(true);
    expect(existsSync(join(town, '.runtime', 'locks', 'hq-mayor.lock'))).toBe(false);
    expect(existsSync(join(town, '.runtime', 'locks', 'live.lock'))).toBe(true);
    expect((await tmux.listSessions()).map((s) => s.name).sort()).toEqual([
      'app-crew-alice',
      'app-kept',
      'app-refinery',
      'hq-mayor',
    ]);
    expect(check(fixed.report, 'sessions')).toMatchObject({
      status: 'warn',
      hint: expect.stringContaining('app-kept'),
    });
    expect(git(repo, ['worktree', 'list', '--porcelain'])).not.toContain('gone');
    expect(git(repo, ['branch', '--list', 'polecat/gone/x-1'])).toContain('polecat/gone/x-1'); // the branch stays

    const human = gt(town, ['doctor'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/warn {2}sessions: 1 orphaned session/);
  });

  it('reports a corrupt settings file by file and key, and --fix leaves it byte for byte', () => {
    const path = join(town, 'settings', 'config.json');
    const good = readFileSync(path);
    const bad = '{\n  "default_agent": "claude",\n  "caps": { "polecats_per_rig": 0 }\n}\n';
    writeFileSync(path, bad);
    try {
      const r = gt(town, ['doctor', '--fix'], { env });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`ERROR config.settings: ${path}: key "caps.polecats_per_rig"`);
      expect(r.stdout).toMatch(/never rewrites config files/);
      expect(readFileSync(path, 'utf8')).toBe(bad);
      writeFileSync(path, '{ not json');
      const { report } = doctor(['--fix']);
      expect(check(report, 'config.settings')?.detail).toMatch(/not valid JSON/);
      expect(readFileSync(path, 'utf8')).toBe('{ not json');
    } finally {
      writeFileSync(path, good);
    }
  });

  it('without git and tmux on PATH: errors that say so, and which agent misses its CLI for which role', () => {
    const bin = join(base, 'bare bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    gtJson(town, ['config', 'role-agent', 'polecat', 'codex']);
    try {
      const { code, report } = doctor([], { GT_TMUX_SOCKET: SOCKET, PATH: bin });
      expect(code).toBe(1);
      expect(check(report, 'tool.git')).toMatchObject({
        status: 'error',
        detail: expect.stringMatching(/^git is not on PATH/),
      });
      expect(check(report, 'tool.tmux')).toMatchObject({
        status: 'error',
        detail: expect.stringMatching(/^tmux is not on PATH/),
      });
      expect(check(report, 'tool.node')?.status).toBe('ok');
      expect(check(report, 'agent.codex')).toMatchObject({
        status: 'error',
        detail: 'codex: program "codex" is not on PATH; needed by polecat, rig app: polecat',
      });
      expect(check(report, 'agent.claude')?.detail).toMatch(/needed by default agent, mayor, crew, rig app: crew/);
      // Checks that need the missing tools are left out rather than failing.
      expect(check(report, 'sessions')).toBeUndefined();
      expect(check(report, 'rig.app.worktrees')).toBeUndefined();
    } finally {
      gtJson(town, ['config', 'role-agent', 'polecat', '--unset']);
    }
  });
});
