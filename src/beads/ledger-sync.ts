// Keeping the ledger file and the database in step: patch lines on write, import when git changed the file.
import {
  copyFileSync,
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlink,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic, writeFileAtomicWith, BEAD_EVENTS } from '../kernel/index.ts';
import type { Store } from './store.ts';
import type { BeadDetails } from './model.ts';
import { parseLedger, type LedgerProblem } from './ledger.ts';
import { toLedgerLine } from './record.ts';
import { patchFileInto, UnplacedLine } from './ledger-patch.ts';
import { allDetails, getDetails, keepOtherRecords, otherRecords, writeBeadRows } from './rows.ts';
import { refreshAll } from './graph.ts';
import { readForImport, type Moved } from './import-ids.ts';

const STAT_KEY = 'ledger_stat';

/** Size, modification time (ns) and inode: changes whenever anyone but us rewrites the file. */
export function ledgerStat(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** True when the file is exactly what the store last wrote. */
export function ledgerInSync(store: Store): boolean {
  return ledgerStat(store.ledgerPath) === store.getMeta(STAT_KEY);
}

function writeLines(store: Store, lines: string[]): void {
  writeLedger(store, lines.length ? `${lines.join('\n')}\n` : '');
}

/**
 * Replace the ledger and record its stat; runs inside the write transaction. If that transaction then does not
 * commit (COMMIT itself failing on a full disk included), the old file is put back: a write that fails leaves the
 * ledger and the database as they were.
 */
function writeLedger(store: Store, data: string | ((fd: number) => void)): void {
  const path = store.ledgerPath;
  sweepStaleTemps(path);
  keepOldLedger(store);
  if (typeof data === 'string') writeFileAtomic(path, data);
  else writeFileAtomicWith(path, data);
  store.setMeta(STAT_KEY, ledgerStat(path) ?? '');
}

/** Hard-link the current ledger aside (no data copied) until the transaction ends: restored on abort, dropped on commit. */
function keepOldLedger(store: Store): void {
  const path = store.ledgerPath;
  const old = join(dirname(path), `.${basename(path)}.${process.pid}.${++backups}.old.tmp`);
  let had = true;
  try {
    linkSync(path, old);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') had = false;
    else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK')
      copyFileSync(path, old);
    else throw e;
  }
  const first = store.db.onEnd('ledger', {
    // Freeing the old file's blocks takes a while for a large ledger: let a worker thread do it while the command
    // finishes (one left behind by an early exit is swept by the next write).
    commit: () => unlink(old, () => {}),
    abort: () => {
      if (had) renameSync(old, path);
      else rmSync(path, { force: true });
    },
  });
  // A second replacement in the same transaction: the file to restore is the one kept by the first.
  if (!first) rmSync(old, { force: true });
}

let backups = 0;

/**
 * Remove temporary ledger files a killed writer left between writing and renaming (and the old ledger it kept aside).
 * Every ledger writer holds the store's write lock, so while we hold it no live process can own one; the pid check is
 * a second guard.
 */
function sweepStaleTemps(ledger: string): void {
  const dir = dirname(ledger);
  const re = new RegExp(`^\\.${basename(ledger).replace(/\./g, '\\.')}\\.(\\d+)\\.\\d+\\.(old\\.)?tmp$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rewrite the whole ledger from the database. Call inside a transaction. */
export function exportLedger(store: Store): number {
  const lines = allDetails(store.db).map(toLedgerLine);
  writeLines(store, [...otherRecords(store.db), ...lines]);
  return lines.length;
}

/** Replace the lines of `ids` (inside the write transaction). Falls back to import + full export if the file moved. */
export function patchLedger(store: Store, ids: readonly string[]): void {
  if (!existsSync(store.ledgerPath) || !ledgerInSync(store) || ids.length > 500) {
    // The file changed after this process opened the store: take in the outside edits, but not over this write's own.
    if (existsSync(store.ledgerPath) && !ledgerInSync(store))
      importLedgerText(store, readFileSync(store.ledgerPath), new Set(ids));
    exportLedger(store);
    return;
  }
  const updates = new Map<string, string | undefined>();
  for (const id of ids) {
    const d = getDetails(store.db, id, { includeDeleted: true });
    updates.set(id, d && !d.ephemeral ? toLedgerLine(d) : undefined);
  }
  const path = store.ledgerPath;
  try {
    writeLedger(store, (fd) => patchFileInto(path, fd, updates));
  } catch (e) {
    if (!(e instanceof UnplacedLine)) throw e;
    exportLedger(store);
  }
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  problems: LedgerProblem[];
  /** Beads moved to the shelf because git removed their lines (only when the ledger changed under the store). */
  shelved?: number;
  /** Local beads a merge gave another id (two clones had created the same one), renamed here to follow. */
  moved?: Moved[];
}

/**
 * Bring ledger text into the database: each bead in the text replaces the stored one when they differ;
 * beads missing from the text are kept. Call inside a transaction.
 */
export function importLedgerText(
  store: Store,
  text: string | Uint8Array,
  keep: ReadonlySet<string> = new Set(),
): ImportResult {
  const { beads, problems, others } = parseLedger(text);
  keepOtherRecords(store.db, others, 'add');
  return {
    ...importBeads(
      store,
      beads.filter((b) => !keep.has(b.id)),
    ),
    problems,
  };
}

export function importBeads(store: Store, beads: readonly BeadDetails[]): Omit<ImportResult, 'problems'> {
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for (const b of beads) {
    const cur = getDetails(store.db, b.id, { includeDeleted: true });
    if (cur && !cur.ephemeral && toLedgerLine(cur) === toLedgerLine(b)) {
      unchanged++;
      continue;
    }
    upsertBead(store, b);
    store.event(b.id, cur ? BEAD_EVENTS.imported : BEAD_EVENTS.created, null, { source: 'ledger' });
    if (cur) updated++;
    else created++;
  }
  if (created + updated > 0) refreshAll(store.db);
  return { created, updated, unchanged };
}

/** Write a whole bead (row, labels, edges, comments) as given. */
export function upsertBead(store: Store, b: BeadDetails): void {
  writeBeadRows(store.db, b);
  store.db.run('DELETE FROM shelved WHERE id = ?', b.id);
  store.touch(b.id);
}

/** On open: if git (or a person) changed the ledger since our last write, import it, then rewrite it canonically. */
export function importLedgerIfChanged(store: Store): ImportResult | undefined {
  const path = store.ledgerPath;
  const exists = existsSync(path);
  if (exists && ledgerInSync(store)) return undefined;
  if (!exists) {
    const n = store.db.get<{ n: number }>('SELECT count(*) AS n FROM issues WHERE ephemeral = 0')?.n ?? 0;
    if (n === 0 && store.getMeta(STAT_KEY) === undefined) return undefined;
    store.db.tx(() => exportLedger(store));
    return undefined;
  }
  return store.db.tx(() => {
    if (ledgerInSync(store)) return undefined; // another process imported it while we waited for the lock
    const { beads, problems, others, moved } = readForImport(store, readFileSync(path));
    const r: ImportResult = { ...importBeads(store, beads), problems, ...(moved.length ? { moved } : {}) };
    keepOtherRecords(store.db, others, problems.length > 0 ? 'add' : 'replace');
    if (problems.length > 0) {
      store.setMeta(STAT_KEY, ledgerStat(path) ?? '');
      return r;
    }
    // Every stored bead was in the ledger we last wrote, so one missing now was removed by git (a checkout, a stash):
    // shelve it rather than write it back into this branch's ledger.
    r.shelved = shelveAbsent(store, new Set(beads.map((b) => b.id)));
    exportLedger(store);
    return r;
  });
}

/** Move beads that are not in `present` to the shelf (whole ledger line kept), out of every query. */
function shelveAbsent(store: Store, present: ReadonlySet<string>): number {
  const absent = store.db
    .all<{ id: string }>('SELECT id FROM issues WHERE ephemeral = 0')
    .map((r) => r.id)
    .filter((id) => !present.has(id));
  for (const id of absent) {
    const d = getDetails(store.db, id, { includeDeleted: true })!;
    store.db.run(
      'INSERT OR REPLACE INTO shelved (id, line, shelved_at) VALUES (?, ?, ?)',
      id,
      toLedgerLine(d),
      store.now(),
    );
    for (const sql of [
      'DELETE FROM labels WHERE issue_id = ?',
      'DELETE FROM deps WHERE issue_id = ?',
      'DELETE FROM comments WHERE issue_id = ?',
      'DELETE FROM issues WHERE id = ?',
    ]) {
      store.db.run(sql, id);
    }
    store.event(
      id,
      BEAD_EVENTS.shelved,
      null,
      'its line left the ledger (git checkout or stash); it returns when a ledger holding it does',
    );
  }
  if (absent.length > 0) refreshAll(store.db);
  return absent.length;
}
