// Budgets end to end in a real town (git, tmux on a private socket, a stand-in agent): a reached cap stops new
// slings under it ("over budget"), keeps queued slings waiting, is told once to the overseer and the Mayor, shows in
// gt costs and gt status; raising it lets the work through again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costsStep } from '../src/costs/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown, openTownStore, recordTownEvent } from '../src/town/index.ts';
import { sendMail } from '../src/work/mail/index.ts';
import { drainSlingQueue } from '../src/work/sling/index.ts';
import { enqueueSling } from '../src/work/sling/queue.ts';
import { addFakeAgent, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-costs-budget-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome {
  bead: string;
  status: string;
  reason?: string;
  hint?: string;
}

describe('budgets', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let tracked = '';
  let loose = '';
  let convoy = '';
  const tmux = createTmux({ socket: SOCKET });
  const settingsPath = (): string => join(town, 'settings', 'config.json');
  const setBudgets = (budgets: Record<string, number>): void => {
    const s = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    s.budgets = budgets;
    writeFileSync(settingsPath(), JSON.stringify(s, null, 2));
  };
  const sling = (id: string): Outcome =>
    (JSON.parse(gt(town, ['sling', id, 'app', '--agent', 'fake', '--json'], { env }).stdout) as { results: Outcome[] })
      .results[0]!;
  const ctx = (): ReturnType<typeof loadTown> => loadTown(town, { ...process.env, ...env, GT_ROOT: town });
  const inbox = (who: string): { subject: string }[] =>
    gtJson<{ subject: string }[]>(town, ['mail', 'inbox', who], { env });

  beforeAll(() => {
    const t = tempDir('gt budget');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    // The stand-in agent must really start: a sling whose agent dies at start-up says so (status hooked, exit 1).
    addFakeAgent(town, base);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    tracked = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Tracked work']).id;
    loose = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Loose work']).id;
    convoy = gtJson<{ id: string }>(town, ['convoy', 'create', 'Batch', tracked]).id;
    // $3.00 of Sonnet input spent by app/ghost while the tracked bead was on its hook: the convoy has spent $3.
    const store = openTownStore(ctx(), { clock: () => new Date('2026-01-01T00:00:00.000Z') });
    try {
      recordTownEvent(store, {
        kind: 'sling.hooked',
        subject: tracked,
        data: { polecat: 'app/ghost', fromQueue: false },
      });
    } finally {
      store.close();
    }
    const transcript = join(base, 'ghost.jsonl');
    writeFileSync(
      transcript,
      `${JSON.stringify({ type: 'assistant', sessionId: 'g', timestamp: new Date().toISOString(), message: { id: 'msg_ghost', model: 'claude-sonnet-4-5', usage: { input_tokens: 1_000_000, output_tokens: 0 } } })}\n`,
    );
    gtJson(town, ['costs', 'record', '--transcript', transcript, '--address', 'app/ghost']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('refuses a sling under a reached convoy cap, saying "over budget"; work outside it goes on', () => {
    setBudgets({ per_convoy_usd: 1 });
    const refused = sling(tracked);
    expect(refused).toMatchObject({ bead: tracked, status: 'refused' });
    expect(refused.reason).toBe(
      `over budget: convoy ${convoy} spent $3.00 of its $1.00 budget (budgets.per_convoy_usd)`,
    );
    expect(refused.hint).toMatch(/raise or remove budgets\.per_convoy_usd/);
    const text = gt(town, ['sling', tracked, 'app', '--agent', 'fake'], { env });
    expect(`${text.stdout}${text.stderr}`).toMatch(/over budget/);
    expect(sling(loose)).toMatchObject({ bead: loose, status: 'started' });
  });

  it('shows the reached cap in gt costs and gt status', () => {
    const v = gtJson<{ budgets: { reached: { key: string; scope: string }[] } }>(town, ['costs']);
    expect(v.budgets.reached).toEqual([expect.objectContaining({ scope: 'convoy', key: `convoy:${convoy}:1` })]);
    expect(gt(town, ['costs']).stdout).toMatch(/! over budget: convoy .* no new work is slung under it/);
    const status = gtJson<{ problems: { kind: string; subject: string; message: string }[] }>(town, ['status'], {
      env,
    });
    expect(status.problems).toContainEqual(expect.objectContaining({ kind: 'over-budget', subject: convoy }));
  });

  it('tells the overseer and the Mayor once', async () => {
    const first = await costsStep(ctx(), sendMail);
    expect(first.told).toEqual([`convoy:${convoy}:1`]);
    expect((await costsStep(ctx(), sendMail)).told).toEqual([]);
    for (const who of ['overseer', 'mayor']) {
      expect(inbox(who).filter((m) => m.subject.startsWith('Budget reached'))).toEqual([
        expect.objectContaining({ subject: `Budget reached: the budget of convoy ${convoy}` }),
      ]);
    }
  });

  it('keeps a queued sling waiting under a day cap without blocking the queue, and lets it through when raised', async () => {
    setBudgets({ per_day_usd: 2 });
    const queued = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Queued work']).id;
    const store = openTownStore(ctx());
    try {
      enqueueSling(store, { bead: queued, rig: 'app', agent: 'fake', options: JSON.stringify({ agent: 'fake' }) });
    } finally {
      store.close();
    }
    expect(await drainSlingQueue(ctx())).toEqual([]);
    expect(sling(tracked).reason).toMatch(
      /^over budget: the town spent \$3\.00 today \(\d{4}-\d{2}-\d{2}\) of its \$2\.00 budget \(budgets\.per_day_usd\)$/,
    );
    expect((await costsStep(ctx(), sendMail)).told).toEqual([expect.stringMatching(/^day:/)]);
    setBudgets({ per_day_usd: 10, per_convoy_usd: 10 });
    const drained = await drainSlingQueue(ctx());
    expect(drained).toEqual([expect.objectContaining({ bead: queued, status: 'started' })]);
    expect(sling(tracked)).toMatchObject({ bead: tracked, status: 'started' });
    expect((await costsStep(ctx(), sendMail)).told).toEqual([]);
  });
});
