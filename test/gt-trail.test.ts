// gt trail through the CLI from source: a polecat's sling, its commit and the merge that landed it, in time order,
// by agent, bead, convoy and time (real git and tmux on a private socket, the fake agent, gt done and gt refinery run).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-trail-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Entry {
  agent: string;
  what: string;
  ref: string;
  bead: string | null;
  text: string;
}

describe('gt trail', () => {
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(() => {
    const t = tempDir('gt trail');
    cleanup = t.cleanup;
    town = join(t.dir, 'my town');
    gtJson(t.dir, ['install', town]);
    addFakeAgent(town, t.dir, { settings: { role_agents: { polecat: 'fake' } } });
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(t.dir, 'app src')]);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('shows what a polecat did: hooked, committed, done, landed; narrowed by agent, bead, convoy and time', () => {
    const id = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Add b']).id;
    const other = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Something else']).id;
    const convoy = gtJson<{ id: string }>(town, ['convoy', 'create', 'Batch', id]).id;
    const p = gtJson<{ results: { polecat: string }[] }>(town, ['sling', id, 'app'], { env }).results[0]!.polecat;
    const wt = join(town, 'app', 'polecats', p.split('/')[1]!);
    writeFileSync(join(wt, 'b.txt'), 'b\n');
    git(wt, ['add', '-A']);
    git(wt, ['-c', `user.name=${p}`, '-c', 'user.email=p@example.com', 'commit', '-q', '-m', 'add b']);
    gtJson(wt, ['done'], { env: { ...env, GT_ADDRESS: p } });
    expect(gt(town, ['refinery', 'run', 'app'], { env }).code).toBe(0);
    gtJson(town, ['escalate', 'unrelated', '--bead', other]);

    const mine = gtJson<Entry[]>(town, ['trail', '--agent', p]);
    const kinds = mine.map((e) => (e.what === 'event' ? e.ref : e.what));
    expect(kinds).toEqual(expect.arrayContaining(['sling.hooked', 'commit', 'merge']));
    expect(kinds.indexOf('sling.hooked')).toBeLessThan(kinds.indexOf('merge'));
    expect(mine.find((e) => e.what === 'commit')).toMatchObject({ agent: p, bead: id, text: 'add b' });
    expect(mine.find((e) => e.what === 'merge')).toMatchObject({ agent: p, bead: id });
    expect(mine.every((e) => e.agent === p)).toBe(true);
    expect(gtJson<Entry[]>(town, ['trail', '--bead', id]).every((e) => e.bead === id)).toBe(true);
    expect(gtJson<Entry[]>(town, ['trail', '--convoy', convoy]).map((e) => e.bead)).not.toContain(other);
    expect(gtJson<Entry[]>(town, ['trail', '--bead', other]).map((e) => e.ref)).toEqual(['escalation']);
    expect(gtJson<Entry[]>(town, ['trail', '--since', '2099-01-01'])).toEqual([]);
    expect(gt(town, ['trail', '--agent', p]).stdout).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d {2}${p.replace('/', '\\/')} +commit [0-9a-f]{12} add b$`,
        'm',
      ),
    );
  });

  it('garbage input: bad times, limits, unknown convoys and agents', () => {
    expectFailure(gt(town, ['trail', '--since', 'last week']), 2, /--since "last week" is neither/);
    expectFailure(gt(town, ['trail', '-n', '-3']), 2, /--limit must be a whole number/);
    expectFailure(gt(town, ['trail', '--convoy', 'hq-nosuch']), 2, /hq-nosuch/);
    expectFailure(gt(town, ['trail', '--agent', 'nowhere/x']), 2, /nowhere/);
    expect(gt(town, ['trail', '--agent', 'app/nobody']).stdout).toBe('Nothing in the trail matches.\n');
  });
});
