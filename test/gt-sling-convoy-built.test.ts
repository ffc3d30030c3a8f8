// The sling's auto-convoy and its refusal of town-level records through the BUILT CLI (bin/gt.js → dist/gt.cjs;
// `npm run build` first), in real git and tmux (private socket) with the fake agent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, sourceRepo, tempDir } from './support/gt.ts';
import { gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-sling-convoy-built-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

describe('gt sling auto-convoy, built CLI', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(() => {
    requireFreshBuild();
    const t = tempDir('gt sling convoy built');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtBuiltJson(base, ['install', town]);
    addFakeAgent(town, base);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtBuiltJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  }, 120_000);
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('a lone sling is tracked in "Work: <title>"; an escalation is refused in one line unless forced', () => {
    const id = gtBuiltJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Built sling']).id;
    const r = gtBuiltJson<{ results: { status: string }[]; convoy: string }>(
      town,
      ['sling', id, 'app', '--agent', 'fake'],
      { env },
    );
    expect(r.results[0]!.status).toBe('started');
    const list = gtBuiltJson<{ id: string; title: string; fed: boolean; tracked: { id: string }[] }[]>(town, [
      'convoy',
      'list',
    ]);
    expect(list.find((c) => c.id === r.convoy)).toMatchObject({
      title: 'Work: Built sling',
      fed: false,
      tracked: [{ id }],
    });
    const esc = gtBuiltJson<{ bead: string }>(town, ['escalate', 'built escalation']).bead;
    expectFailure(
      gtBuilt(town, ['sling', esc, 'app', '--agent', 'fake'], { env }),
      1,
      new RegExp(`${esc} is an escalation, a town-level record, not work for rig app`),
    );
  }, 120_000);
});
