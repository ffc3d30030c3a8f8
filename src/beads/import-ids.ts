// Reading a ledger git changed: heal ids that repeat, and follow beads a merge renamed (docs/formats/beads-merge.md).
import { BEAD_EVENTS } from '../kernel/index.ts';
import type { Store } from './store.ts';
import type { BeadDetails } from './model.ts';
import { parseLedger, type ParsedLedger } from './ledger.ts';
import { toLedgerLine } from './record.ts';
import { getDetails } from './rows.ts';
import { healLedger } from './merge.ts';
import { identityOf } from './ids.ts';
import { refreshAll } from './graph.ts';

export interface Moved {
  from: string;
  to: string;
  title: string;
}

/**
 * Parse ledger text for import. Lines that repeat an id (git merged the file line by line, without our driver) are
 * healed as the merge driver would: nothing is dropped. Local beads whose identity now sits under another id are
 * renamed in the database first, so their history, comments and edges follow them. Call inside a transaction.
 */
export function readForImport(
  store: Store,
  input: string | Uint8Array,
): ParsedLedger & { moved: Moved[]; healed: string[] } {
  let parsed = parseLedger(input);
  let healed: string[] = [];
  if (parsed.problems.length) {
    // Bytes that are not UTF-8 are a problem healing cannot settle: parseLedger reports them, and healing is skipped.
    let text: string | undefined;
    try {
      text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      text = undefined;
    }
    const h = text === undefined ? undefined : healLedger(text);
    if (h && h.conflicts.length === 0) {
      parsed = parseLedger(h.text);
      healed = h.notes;
    }
  }
  return { ...parsed, moved: followRenames(store, parsed.beads), healed };
}

/** Rename local beads to the ids the ledger now gives their identities. */
export function followRenames(store: Store, beads: readonly BeadDetails[]): Moved[] {
  const local = new Map<string, { id: string; title: string }>();
  for (const r of store.db.all<{
    id: string;
    uid: string | null;
    created_at: string;
    created_by: string;
    title: string;
  }>('SELECT id, uid, created_at, created_by, title FROM issues WHERE ephemeral = 0'))
    local.set(identityOf(r), { id: r.id, title: r.title });
  const moves: Moved[] = [];
  for (const b of beads) {
    const cur = local.get(identityOf(b));
    if (cur && cur.id !== b.id) moves.push({ from: cur.id, to: b.id, title: cur.title });
  }
  if (!moves.length) return [];
  // Through temporary ids, so two beads that swap ids never meet.
  moves.forEach((m, i) => renameInDb(store, m.from, `~moving-${i}`));
  moves.forEach((m, i) => {
    // A bead still under the target id here is another one, which the import is about to overwrite with the ledger's.
    renameInDb(store, `~moving-${i}`, m.to, true);
    store.event(m.to, BEAD_EVENTS.renamed, m.from, m.to);
  });
  refreshAll(store.db);
  return moves;
}

const TABLES: readonly [string, string][] = [
  ['deps', 'issue_id'],
  ['deps', 'depends_on_id'],
  ['labels', 'issue_id'],
  ['comments', 'issue_id'],
  ['events', 'issue_id'],
];

function renameInDb(store: Store, from: string, to: string, displace = false): void {
  const db = store.db;
  if (displace && db.get('SELECT 1 AS x FROM issues WHERE id = ?', to)) {
    // The ledger gives `to` to another bead and has no place for this one: shelve it whole (bd doctor lists it).
    const d = getDetails(db, to, { includeDeleted: true })!;
    db.run(
      'INSERT OR REPLACE INTO shelved (id, line, shelved_at) VALUES (?, ?, ?)',
      `${to}@${identityOf(d)}`,
      toLedgerLine(d),
      store.now(),
    );
    db.run('DELETE FROM issues WHERE id = ?', to);
    for (const [t, c] of TABLES) if (t !== 'events') db.run(`DELETE FROM ${t} WHERE ${c} = ?`, to);
  }
  db.run('UPDATE issues SET id = ? WHERE id = ?', to, from);
  for (const [t, c] of TABLES) db.run(`UPDATE OR REPLACE ${t} SET ${c} = ? WHERE ${c} = ?`, to, from);
  const counter = db.get<{ n: number }>('SELECT last_child AS n FROM child_counters WHERE parent_id = ?', from);
  if (counter) {
    db.run('DELETE FROM child_counters WHERE parent_id = ?', from);
    db.run(
      'INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON CONFLICT(parent_id) DO UPDATE SET last_child = max(last_child, excluded.last_child)',
      to,
      counter.n,
    );
  }
  store.touch(to);
}
