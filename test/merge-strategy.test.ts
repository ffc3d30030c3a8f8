// rig.json merge_strategy is the default for every bead of the rig (gt sling --merge overrides it per bead):
// "local" leaves the work on its branch at gt done, "direct" lands it at gt done without the gates, "mr" queues it
// for the gated merge queue. Before, the refinery read none of these and every rig behaved as "mr".
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, updateBead } from '../src/beads/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { cleanEnv } from './support/bd.ts';
import { git, gtJson, sourceRepo, tempDir } from './support/gt.ts';

describe('rig.json merge_strategy acts', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let n = 0;
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const setRig = (patch: Record<string, unknown>): void => {
    const path = join(town, 'app', 'rig.json');
    writeFileSync(path, JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), ...patch }, null, 2));
  };
  const done = (
    file: string,
    metadata?: Record<string, unknown>,
  ): { bead: string; outcome: string; mr: string | null; mr_status: string | null } => {
    n++;
    const bead = withStore((s) => createBead(s, { title: `change ${n}`, ...(metadata ? { metadata } : {}) }).id);
    const wt = join(town, 'app', 'polecats', `q${n}`);
    const branch = `polecat/q${n}/${bead}`;
    git(join(town, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name: `q${n}`,
        worktree: wt,
        state: 'working',
        bead,
        branch,
        base: git(wt, ['rev-parse', 'HEAD']).trim(),
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, bead, { status: 'hooked', assignee: `app/q${n}` });
    });
    writeFileSync(join(wt, file), `${file}\n`);
    return {
      bead,
      ...gtJson<{ outcome: string; mr: string | null; mr_status: string | null }>(wt, ['done'], {
        env: { GT_ADDRESS: `app/q${n}` },
      }),
    };
  };

  beforeAll(() => {
    const t = tempDir('gt merge strategy');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(() => cleanup());

  it('"local": gt done leaves the work on its branch and queues nothing', () => {
    setRig({ merge_strategy: 'local' });
    const r = done('l.txt');
    expect(r).toMatchObject({ outcome: 'left-on-branch', mr: null });
    expect(withStore((s) => getBead(s.db, r.bead)!.close_reason)).toMatch(
      /left on branch polecat\/q\d+\/.* \(merge mode local\)/,
    );
  });

  it('"direct": gt done lands the work at once, without the gates that would fail it', () => {
    setRig({ merge_strategy: 'direct', gates: { test: { command: 'exit 1', timeout_seconds: 30 } } });
    const r = done('d.txt');
    expect(r).toMatchObject({ outcome: 'landed', mr_status: 'merged' });
    expect(git(join(town, 'app', '.repo.git'), ['show', 'main:d.txt'])).toBe('d.txt\n');
  });

  it('"mr" queues for the gated queue, and a bead slung with --merge direct still lands directly in that rig', () => {
    setRig({ merge_strategy: 'mr', gates: {} });
    expect(done('m.txt')).toMatchObject({ outcome: 'enqueued', mr_status: 'queued' });
    expect(done('x.txt', { merge: 'direct' })).toMatchObject({ outcome: 'landed' });
  });

  it('"pr" is accepted and acts: gt refinery run tries GitHub and, with no repository known, stops with the cause and a hint', () => {
    setRig({ merge_strategy: 'pr' });
    const r = done('p.txt');
    expect(r).toMatchObject({ outcome: 'enqueued' });
    const out = gtJson<{ status: string }>(town, ['refinery', 'status', 'app']);
    expect(out).toBeDefined();
    const run = (() => {
      try {
        return gtJson(town, ['refinery', 'run', 'app'], { env: { GITHUB_TOKEN: 'x' } });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(String(run)).toMatch(/lands through pull requests but its GitHub repository is unknown/);
    expect(String(run)).not.toMatch(/not supported yet/);
  });
});
