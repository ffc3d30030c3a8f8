// An escalation suspends the hook until someone acts, with one mail per escalation: through the BUILT CLI (bin/gt.js
// → dist/gt.cjs; `npm run build` first), with the daemon and sim agents in real tmux on a private socket, as in
// gt demo's town.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { sourceRepo, tempDir, withTown, type RunOut } from './support/gt.ts';
import { countTownEvents } from '../src/town/index.ts';
import { listInbox, type Mail } from '../src/work/mail/index.ts';
import { gtBuilt, gtBuiltJson } from './support/gt-built.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOCKET = `gt-test-esc-${process.pid}`;
const env = {
  GT_TMUX_SOCKET: SOCKET,
  GT_DAEMON_TICK_MS: '250',
  GT_DAEMON_GRACE_MS: '3000',
  GT_DAEMON_STUCK_MS: '600000',
  GT_DAEMON_REAP_MS: '600000',
  GT_SIM_POLL_MS: '400',
};

/** The built gt (bin/gt.js) with this suite's daemon timings and tmux socket. */
const gtb = (cwd: string, args: readonly string[]): RunOut => gtBuilt(cwd, args, { env });
const gtbJson = <T>(cwd: string, args: readonly string[]): T => gtBuiltJson<T>(cwd, args, { env });

interface Hook {
  bead: { id: string } | null;
  polecat: { hook_state: string } | null;
  suspended: { since: string; reason: string } | null;
}
interface Escalated {
  bead: string;
  mail: string[];
  duplicate: boolean;
  suspended: boolean;
}

describe('an escalation suspends the hook, built CLI', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  /** Mail from `from` to the Mayor and the overseer whose subject mentions `about`. */
  const mailAbout = (from: string, about: string): Mail[] =>
    withTown(town, (s) =>
      ['mayor', 'overseer']
        .flatMap((to) => listInbox(s, to, { archived: true }))
        .filter((m) => m.from === from && m.subject.includes(about)),
    );
  const create = (title: string, script: string): string =>
    gtbJson<{ id: string }>(town, [
      'bd',
      'create',
      '--rig',
      'app',
      title,
      '-d',
      `Do it.\n\n\`\`\`sim\n${script}\n\`\`\`\n`,
    ]).id;
  const sling = (bead: string): string =>
    gtbJson<{ results: { polecat: string }[] }>(town, ['sling', bead, 'app']).results[0]!.polecat;
  const polecatState = (address: string): string =>
    gtbJson<{ work: { address: string; state: string }[] }>(town, ['hooks', 'list']).work.find(
      (h) => h.address === address,
    )!.state;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'gt.cjs'))) throw new Error('dist/gt.cjs is missing: run npm run build first');
    const t = tempDir('gt escalation');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtbJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtbJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtbJson(town, ['config', 'role-agent', 'polecat', 'sim', '--rig', 'app']);
    gtbJson(town, ['daemon', 'start']);
  });

  afterAll(async () => {
    if (town) gtb(town, ['daemon', 'stop']);
    await tmux.killServer();
    cleanup();
  });

  it('a polecat that gives up with gt done --status escalated is not handed the bead again: one mail, however many polls', async () => {
    const bead = create('Needs a database', 'fail "the gate needs a database nobody set up"');
    const polecat = sling(bead);
    const mails = (): number =>
      gtbJson<{ subject: string }[]>(town, ['mail', 'inbox', 'mayor']).filter((m) =>
        m.subject.startsWith(`Escalation: ${bead}`),
      ).length;
    await until(() => mails() > 0, 30_000);
    // The sim reads its hook every 0.4 s: a hook handed back would be escalated again within a second or two.
    await new Promise((r) => setTimeout(r, 5000));
    expect(mails()).toBe(1);
    const hook = gtbJson<Hook>(town, ['hook', polecat]);
    expect(hook.bead?.id).toBe(bead);
    expect(hook.suspended).toMatchObject({
      reason: expect.stringContaining('escalated: the gate needs a database nobody set up'),
    });
    expect(gtb(town, ['hook', polecat]).stdout).toMatch(/suspended since .*: do not work on it until someone acts/);
  }, 60_000);

  it('gt escalate from a polecat suspends its hook, files one escalation however often it is repeated, and the daemon resumes the hook when it is closed', async () => {
    const bead = create('Pick a database', 'hang');
    const polecat = sling(bead);
    await until(() => polecatState(polecat) === 'working');
    const first = gtbJson<Escalated>(town, ['escalate', 'Which database: sqlite or postgres?', '--from', polecat]);
    expect(first).toMatchObject({ duplicate: false, suspended: true });
    expect(first.mail).toHaveLength(2);
    const again = gtbJson<Escalated>(town, ['escalate', 'Which database: sqlite or postgres?', '--from', polecat]);
    expect(again).toMatchObject({ bead: first.bead, duplicate: true, mail: [] });
    expect(mailAbout(polecat, 'Which database')).toHaveLength(2);
    expect(gtbJson<Hook>(town, ['hook', polecat]).suspended).toMatchObject({
      reason: expect.stringContaining('Which database'),
    });
    expect(polecatState(polecat)).toBe('idle');

    gtbJson(town, ['bd', 'close', first.bead, '-r', 'use sqlite']);
    await until(() => withTown(town, (s) => countTownEvents(s, { kind: 'daemon.resume', subject: bead })) === 1);
    const hook = gtbJson<Hook>(town, ['hook', polecat]);
    expect(hook).toMatchObject({ suspended: null, polecat: { hook_state: 'active' } });
    expect(polecatState(polecat)).toBe('working');
  }, 90_000);
});

async function until(ok: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
