// Many bd processes at once: creates never collide or get lost, and claims are won exactly once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, bdAsync, bdJson, tempStore, type RunOut } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  status: string;
  assignee: string | null;
}
interface Doctor {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** Seed `n` ready beads in one transaction; returns their ids. */
function seedReady(dir: string, n: number): string[] {
  const file = join(dir, 'seed.jsonl');
  writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ title: `ready ${i}` })).join('\n'));
  return bdJson<B[]>(dir, ['create', '--from-file', file]).map((b) => b.id);
}

function expectHealthy(dir: string): void {
  const doc = bdJson<Doctor>(dir, ['doctor']);
  expect(doc.checks.filter((c) => !c.ok)).toEqual([]);
  expect(doc.ok).toBe(true);
}

describe('bd under concurrent processes', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it(
    '20 workers × 50 creates at once give 1,000 distinct beads, a 1,000-line ledger and a healthy store',
    { timeout: 600_000 },
    async () => {
      const t = tempStore('cc');
      cleanup = t.cleanup;
      const started = Date.now();
      const worker = async (w: number): Promise<RunOut[]> => {
        const out: RunOut[] = [];
        for (let i = 0; i < 50; i++)
          out.push(
            await bdAsync(t.dir, ['create', `worker ${w} bead ${i}`, '--silent'], { env: { BD_ACTOR: `agent-${w}` } }),
          );
        return out;
      };
      const results = (await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)))).flat();
      const seconds = (Date.now() - started) / 1000;
      console.log(`1,000 concurrent creates took ${seconds.toFixed(1)} s`);

      expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
      const ids = results.map((r) => r.stdout.trim());
      expect(new Set(ids).size).toBe(1000);
      const listed = bdJson<B[]>(t.dir, ['list', '--all', '-n', '0']);
      expect(listed).toHaveLength(1000);
      expect(new Set(listed.map((b) => b.id))).toEqual(new Set(ids));
      const lines = readFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      expect(lines).toHaveLength(1000);
      expect(new Set(lines.map((l) => (JSON.parse(l) as B).id))).toEqual(new Set(ids));
      expectHealthy(t.dir);
    },
  );

  it('50 processes racing `bd update --claim` on 10 beads: each bead is won once and every loser is told who holds it', async () => {
    const t = tempStore('cl');
    cleanup = t.cleanup;
    const ids = seedReady(t.dir, 10);
    const racers = Array.from({ length: 50 }, (_, n) => ({ actor: `agent-${n}`, id: ids[n % 10]! }));
    const results = await Promise.all(
      racers.map((r) => bdAsync(t.dir, ['update', r.id, '--claim', '--actor', r.actor, '--json'])),
    );

    const winners = new Map<string, string>();
    racers.forEach((r, n) => {
      if (results[n]!.code === 0) {
        expect(winners.has(r.id), `${r.id} was claimed twice`).toBe(false);
        winners.set(r.id, r.actor);
      }
    });
    expect(winners.size).toBe(10);
    racers.forEach((r, n) => {
      const res = results[n]!;
      if (winners.get(r.id) === r.actor) return;
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`${r.id} is already claimed by ${winners.get(r.id)}`);
    });
    for (const b of bdJson<B[]>(t.dir, ['list', '--all', '-n', '0'])) {
      expect(b).toMatchObject({ status: 'in_progress', assignee: winners.get(b.id) });
    }
    expectHealthy(t.dir);
  });

  it('50 processes racing `bd ready --claim` over 10 ready beads: 10 distinct winners, the rest get {"claimed": null}', async () => {
    const t = tempStore('rc');
    cleanup = t.cleanup;
    const ids = seedReady(t.dir, 10);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => bdAsync(t.dir, ['ready', '--claim', '--actor', `agent-${n}`, '--json'])),
    );
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const outcomes = results.map((r) => (JSON.parse(r.stdout) as { claimed: B | null }).claimed);
    const won = outcomes.filter((c): c is B => c !== null);
    expect(won).toHaveLength(10);
    expect(new Set(won.map((b) => b.id))).toEqual(new Set(ids));
    expect(outcomes.filter((c) => c === null)).toHaveLength(40);
    const holders = new Map(won.map((b) => [b.id, b.assignee]));
    expect(new Set(holders.values()).size).toBe(10);
    for (const b of bdJson<B[]>(t.dir, ['list', '--all', '-n', '0'])) {
      expect(b).toMatchObject({ status: 'in_progress', assignee: holders.get(b.id) });
    }
    expect(bd(t.dir, ['ready', '--json']).stdout.trim()).toBe('[]');
    expectHealthy(t.dir);
  });
});
