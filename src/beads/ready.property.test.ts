// Ready work kept incrementally by the store agrees with a from-scratch reading of the rules, for random graphs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGtError } from '../kernel/index.ts';
import {
  addDependency,
  allDetails,
  blockedBeads,
  claimBead,
  closeBeads,
  createBead,
  deleteBeads,
  initStore,
  readyBeads,
  removeDependency,
  reopenBeads,
  Store,
  updateBead,
  type BeadDetails,
  type IssueType,
  type Status,
} from './index.ts';

// The rules, written out again on purpose (DESIGN.md §5 and beads.md), not imported from blocked.ts.
const FINISHED: readonly string[] = ['closed', 'pinned'];
const NOT_WORK: readonly string[] = ['message', 'molecule', 'convoy', 'merge-request', 'gate', 'agent', 'event'];

/** Which beads are blocked and which are ready, computed from the stored beads and edges alone. */
function reference(beads: readonly BeadDetails[], now: string): { ready: string[]; blocked: string[] } {
  const live = new Map(beads.filter((b) => !b.deleted_at).map((b) => [b.id, b]));
  const unfinished = (id: string): boolean => {
    const b = live.get(id);
    return b !== undefined && !FINISHED.includes(b.status);
  };
  const targets = (b: BeadDetails, type: string): string[] =>
    b.dependencies.filter((d) => d.type === type).map((d) => d.depends_on_id);
  const children = new Map<string, string[]>();
  for (const b of live.values())
    for (const p of targets(b, 'parent-child')) children.set(p, [...(children.get(p) ?? []), b.id]);
  const memo = new Map<string, boolean>();
  const blocked = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, false);
    const b = live.get(id)!;
    const r =
      unfinished(id) &&
      (targets(b, 'blocks').some(unfinished) ||
        targets(b, 'parent-child').some(
          (p) => unfinished(p) && (['blocked', 'deferred'].includes(live.get(p)!.status) || blocked(p)),
        ) ||
        targets(b, 'waits-for').some((s) => (children.get(s) ?? []).some(unfinished)));
    memo.set(id, r);
    return r;
  };
  const ids = [...live.keys()].sort();
  return {
    blocked: ids.filter(blocked),
    ready: ids.filter((id) => {
      const b = live.get(id)!;
      return (
        b.status === 'open' && !NOT_WORK.includes(b.type) && !(b.defer_until && b.defer_until > now) && !blocked(id)
      );
    }),
  };
}

const STATUS = fc.constantFrom<Status>(
  'open',
  'open',
  'open',
  'in_progress',
  'hooked',
  'blocked',
  'deferred',
  'pinned',
  'closed',
);
const TYPE = fc.constantFrom<IssueType>('task', 'task', 'bug', 'epic', 'feature', 'message', 'molecule', 'gate');
const EDGE = fc.constantFrom(
  'blocks',
  'blocks',
  'parent-child',
  'parent-child',
  'waits-for',
  'related',
) as fc.Arbitrary<'blocks' | 'parent-child' | 'waits-for' | 'related'>;
const PICK = fc.nat(40);

type Op =
  | { k: 'create'; status: Status; type: IssueType; parent: number | null }
  | { k: 'dep'; from: number; step: number; type: 'blocks' | 'parent-child' | 'waits-for' | 'related' }
  | { k: 'undep'; from: number; step: number }
  | { k: 'status'; at: number; status: Status }
  | { k: 'close' | 'reopen' | 'delete' | 'claim'; at: number }
  | { k: 'defer'; at: number; days: number | null }
  | { k: 'type'; at: number; type: IssueType }
  | { k: 'reparent'; at: number; parent: number | null };

const CREATE = fc.record({
  k: fc.constant('create' as const),
  status: STATUS,
  type: TYPE,
  parent: fc.option(PICK, { freq: 3 }),
});
const OP: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: CREATE },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('dep' as const), from: PICK, step: PICK, type: EDGE }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('undep' as const), from: PICK, step: PICK }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('status' as const), at: PICK, status: STATUS }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constantFrom('close' as const, 'reopen' as const, 'delete' as const, 'claim' as const),
      at: PICK,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('defer' as const), at: PICK, days: fc.option(fc.constantFrom(-365, 365)) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('type' as const), at: PICK, type: TYPE }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reparent' as const), at: PICK, parent: fc.option(PICK) }) },
);

/** Apply one operation through the public store API; refusals (cycles, second parent, deleted bead) are fine. */
/** Operations applied and refused (a cycle, a second parent, a deleted bead) over every run. */
const tally = { ok: 0, refused: 0 };

function apply(store: Store, ids: string[], op: Op): void {
  const at = (n: number): string => ids[n % ids.length]!;
  // A second bead other than at(n) (when there are two): edges to oneself are not worth generating.
  const other = (n: number, step: number): string => ids[(n + 1 + (step % Math.max(1, ids.length - 1))) % ids.length]!;
  try {
    if (op.k === 'create') {
      const parent = op.parent !== null && ids.length ? at(op.parent) : undefined;
      ids.push(
        createBead(store, {
          title: `bead ${ids.length}`,
          status: op.status,
          type: op.type,
          ...(parent ? { parent } : {}),
        }).id,
      );
      tally.ok++;
      return;
    }
    if (ids.length === 0) return;
    switch (op.k) {
      case 'dep':
        store.write(() => addDependency(store, at(op.from), other(op.from, op.step), op.type));
        break;
      case 'undep':
        store.write(() => removeDependency(store, at(op.from), other(op.from, op.step)));
        break;
      case 'status':
        updateBead(store, at(op.at), { status: op.status });
        break;
      case 'close':
        closeBeads(store, [at(op.at)]);
        break;
      case 'reopen':
        reopenBeads(store, [at(op.at)]);
        break;
      case 'delete':
        deleteBeads(store, [at(op.at)]);
        break;
      case 'claim':
        claimBead(store, at(op.at), 'agent');
        break;
      case 'defer':
        updateBead(store, at(op.at), {
          deferUntil: op.days === null ? null : new Date(Date.now() + op.days * 86_400_000).toISOString(),
        });
        break;
      case 'type':
        updateBead(store, at(op.at), { type: op.type });
        break;
      case 'reparent':
        updateBead(store, at(op.at), { parent: op.parent === null ? null : at(op.parent) });
        break;
    }
    tally.ok++;
  } catch (e) {
    if (!isGtError(e)) throw e;
    tally.refused++;
  }
}

function tempStore(): { store: Store; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'bd ready prop '));
  initStore(root, { prefix: 'rp' });
  const store = Store.open({ dir: join(root, '.beads'), root, kind: 'standalone' }, { env: { BD_ACTOR: 'prop' } });
  return {
    store,
    done: () => {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

describe('ready work (property)', () => {
  it('readyBeads and blockedBeads equal a from-scratch reference after every step of random graph edits', () => {
    fc.assert(
      fc.property(
        fc.array(CREATE, { minLength: 3, maxLength: 10, size: 'max' }),
        fc.array(OP, { minLength: 5, maxLength: 40, size: 'max' }),
        (seed, ops) => {
          const { store, done } = tempStore();
          try {
            const ids: string[] = [];
            for (const op of seed) apply(store, ids, op);
            for (const op of ops) {
              apply(store, ids, op);
              const want = reference(allDetails(store.db), new Date().toISOString());
              expect(
                readyBeads(store)
                  .beads.map((b) => b.id)
                  .sort(),
                JSON.stringify(op),
              ).toEqual(want.ready);
              expect(
                blockedBeads(store)
                  .map((b) => b.id)
                  .sort(),
                JSON.stringify(op),
              ).toEqual(want.blocked);
            }
          } finally {
            done();
          }
        },
      ),
      { numRuns: 80 },
    );
    // Refusals are fine, but a generator whose operations are mostly refused tests little.
    expect(tally.ok / (tally.ok + tally.refused), JSON.stringify(tally)).toBeGreaterThan(0.6);
  });
});
