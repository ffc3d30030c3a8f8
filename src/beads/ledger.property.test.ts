// The ledger round-trips: export, import into a fresh store, export again gives the same bytes and the same beads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGtError } from '../kernel/index.ts';
import {
  addComment,
  addDependency,
  allDetails,
  closeBeads,
  createBead,
  deleteBeads,
  getDetails,
  importLedgerText,
  initStore,
  readyBeads,
  Store,
  toLedgerLine,
  updateBead,
  type DepType,
  type IssueType,
  type Status,
} from './index.ts';

/** Text that exercises JSON escaping: any code point (control characters, NUL, astral), quotes, backslashes, newlines. */
const TEXT = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    'say "hi"\\n',
    'line 1\nline 2\r\n\ttab',
    '\u2028\u2029',
    '😀 é ü 中文',
    '{"id":"xx-1"}\n{"id":"xx-2"}',
  ),
);
const TITLE = TEXT.map((t) =>
  t
    .replace(/[\r\n]/g, ' ')
    .trim()
    .slice(0, 200),
).filter((t) => t.length > 0);
const LABEL = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((l) => !/[\s,]/.test(l) && l.trim() === l);
const KEY = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'a.b'));
const METADATA = fc.option(fc.dictionary(KEY, fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }), { maxKeys: 4 }), {
  freq: 2,
});

const BEAD = fc.record({
  title: TITLE,
  description: TEXT,
  design: TEXT,
  acceptance: TEXT,
  notes: TEXT,
  priority: fc.integer({ min: 0, max: 4 }),
  type: fc.constantFrom<IssueType>('task', 'bug', 'feature', 'epic', 'chore', 'decision', 'message'),
  status: fc.constantFrom<Status>('open', 'in_progress', 'blocked', 'deferred', 'pinned', 'hooked'),
  assignee: fc.option(TEXT),
  labels: fc.array(LABEL, { maxLength: 4 }),
  externalRef: fc.option(TEXT),
  metadata: METADATA,
});

type Op =
  | { k: 'dep'; from: number; to: number; type: DepType }
  | { k: 'comment'; at: number; text: string }
  | { k: 'close'; at: number; reason: string | null }
  | { k: 'notes' | 'defer' | 'delete'; at: number; text: string };

const OP: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant('dep' as const),
    from: fc.nat(20),
    to: fc.nat(20),
    type: fc.constantFrom<DepType>('blocks', 'parent-child', 'related', 'discovered-from', 'tracks', 'waits-for'),
  }),
  fc.record({ k: fc.constant('comment' as const), at: fc.nat(20), text: TEXT.filter((t) => t.trim() !== '') }),
  fc.record({ k: fc.constant('close' as const), at: fc.nat(20), reason: fc.option(TEXT) }),
  fc.record({ k: fc.constantFrom('notes' as const, 'defer' as const, 'delete' as const), at: fc.nat(20), text: TEXT }),
);

function tempStore(prefix: string): { store: Store; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'bd ledger prop '));
  initStore(root, { prefix });
  const store = Store.open(
    { dir: join(root, '.beads'), root, kind: 'standalone' },
    { env: { BD_ACTOR: 'prop "actor" ü' } },
  );
  return {
    store,
    done: () => {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Operations applied and refused (a cycle, a second parent, a deleted bead) over every run. */
const tally = { ok: 0, refused: 0 };

function apply(store: Store, ids: readonly string[], op: Op): void {
  const at = (n: number): string => ids[n % ids.length]!;
  try {
    switch (op.k) {
      case 'dep':
        store.write(() => addDependency(store, at(op.from), at(op.to), op.type));
        break;
      case 'comment':
        addComment(store, at(op.at), op.text);
        break;
      case 'close':
        closeBeads(store, [at(op.at)], op.reason ?? undefined);
        break;
      case 'notes':
        updateBead(store, at(op.at), { appendNotes: op.text });
        break;
      case 'defer':
        updateBead(store, at(op.at), { deferUntil: '2031-05-06T07:08:09.000Z' });
        break;
      case 'delete':
        deleteBeads(store, [at(op.at)], op.text);
        break;
    }
    tally.ok++;
  } catch (e) {
    if (!isGtError(e)) throw e;
    tally.refused++;
  }
}

describe('ledger round trip (property)', () => {
  it('export → import into a fresh store → export gives identical text and equal beads, field by field', () => {
    fc.assert(
      fc.property(
        fc.array(BEAD, { minLength: 1, maxLength: 8 }),
        fc.array(OP, { maxLength: 25, size: 'max' }),
        (beads, ops) => {
          const a = tempStore('rt');
          const b = tempStore('rt');
          try {
            const ids = beads.map((x) => createBead(a.store, x).id);
            for (const op of ops) apply(a.store, ids, op);
            const text = readFileSync(a.store.ledgerPath, 'utf8');
            expect(text).toBe(
              allDetails(a.store.db)
                .map((d) => `${toLedgerLine(d)}\n`)
                .join(''),
            );

            const r = b.store.write(() => importLedgerText(b.store, text));
            expect(r.problems).toEqual([]);
            expect(readFileSync(b.store.ledgerPath, 'utf8')).toBe(text);
            for (const { id } of allDetails(a.store.db)) {
              expect(getDetails(b.store.db, id, { includeDeleted: true }), id).toEqual(
                getDetails(a.store.db, id, { includeDeleted: true }),
              );
            }
            expect(readyBeads(b.store).beads.map((x) => x.id)).toEqual(readyBeads(a.store).beads.map((x) => x.id));
          } finally {
            a.done();
            b.done();
          }
        },
      ),
      { numRuns: 60 },
    );
    // Refusals are fine, but a generator whose operations are mostly refused tests little.
    expect(tally.ok / (tally.ok + tally.refused), JSON.stringify(tally)).toBeGreaterThan(0.6);
  });
});
