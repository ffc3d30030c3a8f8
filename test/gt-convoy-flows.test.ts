// Seed 002's convoy flows run literally through the CLI from source (real git and tmux on a private socket, the fake
// agent): the manual flow (create empty, add-issue, sling by hand) is staged and never fed, so the hand sling works;
// the Mayor's flow (create with issues) is launched and fed; gt convoy stage|launch|stranded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, ledgerLine, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-convoy-flows-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Convoy {
  id: string;
  fed: boolean;
  total: number;
  tracked: { id: string; state: string; worker: string | null }[];
}
interface Refresh {
  feed: { decisions: { bead: string; action: string; reason: string }[] };
}

describe('seed 002 convoy flows', () => {
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const show = (id: string): { status: string; assignee?: string } =>
    gtJson<{ status: string; assignee?: string }[]>(town, ['bd', 'show', id])[0]!;

  beforeAll(() => {
    const t = tempDir('gt convoy flows');
    cleanup = t.cleanup;
    town = join(t.dir, 'my town');
    gtJson(t.dir, ['install', town]);
    addFakeAgent(town, t.dir, { settings: { role_agents: { polecat: 'fake' } } });
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'myproject', join(t.dir, 'app src'), '--prefix', 'bug']);
    // The seed's ids, as a repository's ledger brings them.
    const ledger = join(t.dir, 'bugs.jsonl');
    writeFileSync(
      ledger,
      ['bug-101', 'bug-102', 'bug-201', 'bug-202'].map((id) => ledgerLine(id, `Fix ${id}`)).join('\n') + '\n',
    );
    gt(town, ['bd', 'import', ledger]);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('the manual flow: create "Bug Fixes" --human, add-issue bug-101 bug-102, sling bug-101 myproject/my-agent, show', async () => {
    const c = gtJson<Convoy>(town, ['convoy', 'create', 'Bug Fixes', '--human']);
    expect(c.fed).toBe(false);
    expect(gt(town, ['convoy', 'add-issue', 'bug-101', 'bug-102']).code).toBe(0);
    // What the daemon does on each tick: a staged convoy is not fed, so nothing takes bug-101 first.
    const r = gtJson<Refresh>(town, ['convoy', 'refresh', c.id], { env });
    expect(r.feed.decisions).toEqual([]);
    expect(show('bug-101').status).toBe('open');
    expect(gt(town, ['convoy', 'stranded']).stdout).toContain(
      `${c.id}  staged  Bug Fixes: bug-101, bug-102 ready (sling them: gt sling bug-101 <rig>, or gt convoy launch ${c.id})`,
    );
    const s = gt(town, ['sling', 'bug-101', 'myproject/my-agent'], { env });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^Slung bug-101 to myproject\/my-agent/m);
    const text = gt(town, ['convoy', 'show'], { env }).stdout;
    expect(text).toMatch(new RegExp(`^${c.id} .* open \\(staged\\) {2}Bug Fixes$`, 'm'));
    expect(text).toContain(`staged (sling its work by hand, or gt convoy launch ${c.id})`);
    expect(text).toMatch(/bug-101 +\S+ +myproject\/my-agent/);
    expect(show('bug-102').status).toBe('open');

    // Launched, the rest of its ready work is fed.
    expect(gt(town, ['convoy', 'launch', c.id]).stdout).toBe(
      `Launched convoy ${c.id} "Bug Fixes": launched: the daemon slings its ready beads to their rigs\n`,
    );
    expect(gt(town, ['convoy', 'launch', c.id]).stdout).toMatch(/is already launched; nothing to do/);
    const fed = gtJson<Refresh>(town, ['convoy', 'refresh', c.id], { env });
    expect(fed.feed.decisions).toEqual([expect.objectContaining({ bead: 'bug-102', action: 'slung' })]);
    expect(show('bug-102').status).toBe('hooked');
  });

  it('the Mayor\'s flow: create "Auth System" with issues --notify is launched and fed; stage stops the feeding', () => {
    const c = gtJson<Convoy>(town, ['convoy', 'create', 'Auth System', 'bug-201', '--notify']);
    expect(c.fed).toBe(true);
    expect(gtJson<Convoy>(town, ['convoy', 'stage', c.id]).fed).toBe(false);
    expect(gtJson<Refresh>(town, ['convoy', 'refresh', c.id], { env }).feed.decisions).toEqual([]);
    expect(gtJson<Convoy>(town, ['convoy', 'launch', c.id]).fed).toBe(true);
    expect(gtJson<Refresh>(town, ['convoy', 'refresh', c.id], { env }).feed.decisions).toEqual([
      expect.objectContaining({ bead: 'bug-201', action: 'slung' }),
    ]);
    expect(gtJson<Convoy>(town, ['convoy', 'create', 'Later', 'bug-202', '--stage']).fed).toBe(false);
    expect(gtJson<Convoy>(town, ['convoy', 'create', 'Now', '--launch']).fed).toBe(true);
  });

  it('garbage input: contradicting flags, unknown or closed convoys, flag-looking ids', () => {
    expectFailure(
      gt(town, ['convoy', 'create', 'X', '--stage', '--launch']),
      2,
      /--stage and --launch contradict each other/,
    );
    expectFailure(gt(town, ['convoy', 'launch', 'hq-nosuch']), 2, /hq-nosuch/);
    expectFailure(gt(town, ['convoy', 'stage', 'bug-202']), 2, /bug-202/);
    const c = gtJson<Convoy>(town, ['convoy', 'create', 'Done with']);
    gtJson(town, ['convoy', 'close', c.id]);
    expectFailure(gt(town, ['convoy', 'launch', c.id]), 2, new RegExp(`convoy ${c.id} \\("Done with"\\) is closed`));
    expectFailure(gt(town, ['convoy', 'stage', '--', '--all']), 2, /--all/);
  });
});
