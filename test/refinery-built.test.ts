// The refinery as users run it, through the built CLI (bin/gt.js → dist/gt.cjs): rework reaches a polecat, a gate
// that leaves a process behind cannot hold the run past its timeout, and a rewritten origin stops the queue with
// a problem and a hint whose commands work.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead } from '../src/beads/index.ts';
import { enqueueMergeRequest } from '../src/refinery/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { git, gtJson, sourceRepo, tempDir } from './support/gt.ts';
import { gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-refinery-built-${process.pid}`;
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome { mr: string; bead: string; status: string; rework_bead?: string; slung?: string; note?: string; reason?: string; commit?: string }
interface RunResult { status: string; message?: string; outcomes: Outcome[] }

describe('the refinery, built', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  let n = 0;
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const setRig = (rig: string, patch: Record<string, unknown>): void => {
    const path = join(town, rig, 'rig.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...cfg, gates: {}, ...patch }, null, 2));
  };
  /** A bead and a work branch from main with `files` committed in the rig's repo, queued (what gt done leaves). */
  const request = (rig: string, files: Record<string, string>): { bead: string; mr: string; head: string; branch: string } => {
    n++;
    const repo = join(town, rig, '.repo.git');
    const bead = withStore((s) => createBead(s, { title: `change ${n}` }).id);
    const branch = `work/c${n}`;
    const wt = join(base, `scratch ${n}`);
    git(repo, ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    for (const [p, text] of Object.entries(files)) writeFileSync(join(wt, p), text);
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'commit', '-q', '-m', `change ${n}`]);
    const head = git(wt, ['rev-parse', 'HEAD']).trim();
    git(repo, ['worktree', 'remove', '--force', wt]);
    const mr = withStore((s) => enqueueMergeRequest(s, { rig, bead, branch, head }).mr.id);
    return { bead, mr, head, branch };
  };
  const alive = (pattern: string): boolean => spawnSync('pgrep', ['-f', pattern]).status === 0;

  beforeAll(() => {
    requireFreshBuild();
    const t = tempDir('gt refinery built');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    const agent = join(base, 'fake agent.sh');
    writeFileSync(agent, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_TUI}' --log "$GT_AGENT_LOG_DIR/$GT_SESSION.log"\n`);
    chmodSync(agent, 0o755);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    settings.agents = { fake: { command: agent, env: { GT_AGENT_LOG_DIR: base }, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 } };
    settings.role_agents = { polecat: 'fake' };
    writeFileSync(settingsPath, JSON.stringify(settings, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('slings the rework of a failing gate to a polecat, and a retry that fails again keeps the same rework bead', async () => {
    setRig('app', { gates: { test: { command: 'echo "FAIL: r.txt"; exit 1', timeout_seconds: 30 } } });
    const f = request('app', { 'r.txt': 'r\n' });
    const first = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app'], { env });
    expect(first.outcomes).toEqual([expect.objectContaining({ mr: f.mr, status: 'gate-failed', slung: 'started' })]);
    expect(first.outcomes[0]!.note).toBeUndefined();
    const rework = first.outcomes[0]!.rework_bead!;
    const hooked = gtBuiltJson<{ id: string; status: string; assignee: string | null }>(town, ['bd', 'show', rework]);
    expect(hooked.assignee).toMatch(/^app\//);

    expect(gtBuiltJson<{ status: string }>(town, ['mq', 'retry', f.mr]).status).toBe('queued');
    const again = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app'], { env });
    expect(again.outcomes).toEqual([expect.objectContaining({ mr: f.mr, status: 'gate-failed', rework_bead: rework })]);
    const reworks = withStore((s) => s.db.all<{ id: string }>("SELECT id FROM issues WHERE json_extract(metadata, '$.rework_of') = ?", f.bead));
    expect(reworks.map((r) => r.id)).toEqual([rework]);
    setRig('app', {});
    gtBuilt(town, ['mq', 'reject', f.mr], { env });
  }, 120_000);

  it('ends a gate at its timeout when a process it left with setsid holds the output, and stops that process', () => {
    setRig('app', { gates: { test: { command: 'setsid sleep 45.25 & sleep 30', timeout_seconds: 4 } } });
    const slow = request('app', { 's.txt': 's\n' });
    let t0 = Date.now();
    const r = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.outcomes).toEqual([expect.objectContaining({ mr: slow.mr, status: 'gate-timeout' })]);
    expect(alive('sleep 45.25')).toBe(false);

    // A gate that exits at once but leaves the process holding its pipes: its own status counts, the process is stopped.
    setRig('app', { gates: { test: { command: 'setsid sleep 45.5 & echo ok', timeout_seconds: 4 } } });
    const quick = request('app', { 'q.txt': 'q\n' });
    t0 = Date.now();
    const q = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(q.outcomes).toEqual([expect.objectContaining({ mr: quick.mr, status: 'merged' })]);
    expect(alive('sleep 45.5')).toBe(false);
    setRig('app', {});
  }, 60_000);
});
