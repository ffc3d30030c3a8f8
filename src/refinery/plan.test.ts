import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGING_MS, bisectLand, effectivePriority, planBatch, planQueue, type QueueItem } from './plan.ts';

const now = new Date('2026-01-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const item = (id: string, priority: number, waitedMs: number): QueueItem => ({
  id,
  priority,
  created_at: ago(waitedMs),
});

describe('planQueue', () => {
  it('orders by priority, then age', () => {
    const q = [item('c', 2, 1000), item('a', 1, 10), item('b', 2, 5000), item('d', 0, 1)];
    expect(planQueue(q, now).map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('raises a waiting request one level per 30 minutes, so a P4 waiting 2 h beats a fresh P1', () => {
    expect(effectivePriority(item('x', 4, 2 * 60 * 60_000), now)).toBe(0);
    expect(effectivePriority(item('x', 2, AGING_MS - 1), now)).toBe(2);
    const q = [item('fresh-p1', 1, 0), item('old-p4', 4, 2 * 60 * 60_000)];
    expect(planQueue(q, now).map((i) => i.id)).toEqual(['old-p4', 'fresh-p1']);
  });

  it('takes a batch from the front', () => {
    const q = [item('a', 2, 3), item('b', 2, 2), item('c', 2, 1)];
    expect(planBatch(q, 2, now).map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('never starves a request: any request is first once it has waited long enough', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.integer({ min: 0, max: 4 }), w: fc.integer({ min: 0, max: 60 * 60_000 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        (rows) => {
          const q = rows.map((r, i) => item(`i${i}`, r.p, r.w));
          const later = new Date(now.getTime() + 3 * 60 * 60_000);
          const oldest = [...q].sort(
            (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
          )[0]!;
          // After 3 more hours every request has gained 6 levels; the oldest leads unless another shares its best level.
          const first = planQueue(q, later)[0]!;
          expect(effectivePriority(first, later)).toBeLessThanOrEqual(effectivePriority(oldest, later));
        },
      ),
    );
  });
});

describe('bisectLand', () => {
  const run = async (n: number, bad: Set<number>) => {
    const items = Array.from({ length: n }, (_, i) => i);
    return bisectLand(items, async (g) =>
      g.some((i) => bad.has(i)) ? { ok: false, failure: `bad in ${g.join(',')}` } : { ok: true },
    );
  };

  it('lands a green batch in one run', async () => {
    const r = await run(16, new Set());
    expect(r).toMatchObject({ runs: 1, culprits: [] });
    expect(r.landed.flat()).toHaveLength(16);
  });

  it('finds one culprit in 16 with few runs and lands the other 15', async () => {
    for (const b of [0, 7, 8, 15]) {
      const r = await run(16, new Set([b]));
      expect(r.culprits.map((c) => c.item)).toEqual([b]);
      expect(r.landed.flat().sort((x, y) => x - y)).toEqual(
        Array.from({ length: 16 }, (_, i) => i).filter((i) => i !== b),
      );
      expect(r.runs).toBeLessThanOrEqual(9);
    }
  });

  it('finds every culprit, whatever the set', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 19 })),
        async (n, badList) => {
          const bad = new Set(badList.filter((b) => b < n));
          const r = await run(n, bad);
          expect(new Set(r.culprits.map((c) => c.item))).toEqual(bad);
          expect(r.landed.flat().length + r.culprits.length).toBe(n);
        },
      ),
    );
  });
});
