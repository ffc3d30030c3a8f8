// Integrity checks of a store and their repairs: schema, dangling edges, blocked flags, cycles, the ledger.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import type { Store } from './store.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { allDetails, otherRecords } from './rows.ts';
import { parseLedger, toLedgerLine } from './ledger.ts';
import { exportLedger, importLedgerText } from './ledger-sync.ts';
import { findCycles } from './deps.ts';
import { dbView } from './graph.ts';
import { computeAllBlocked } from './blocked.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fixed?: boolean;
}

function danglingEdges(store: Store): { issue_id: string; depends_on_id: string }[] {
  return store.db.all(
    `SELECT d.issue_id, d.depends_on_id FROM deps d LEFT JOIN issues t ON t.id = d.depends_on_id
     WHERE (t.id IS NULL OR t.deleted_at IS NOT NULL) AND d.depends_on_id NOT LIKE 'external:%' ORDER BY d.issue_id, d.depends_on_id`,
  );
}

function wrongFlags(store: Store): string[] {
  const rows = store.db.all<{ id: string; b: number }>('SELECT id, is_blocked AS b FROM issues WHERE deleted_at IS NULL');
  const flags = computeAllBlocked(dbView(store.db), rows.map((r) => r.id));
  return rows.filter((r) => (r.b === 1) !== flags.has(r.id)).map((r) => r.id);
}

function ledgerDiff(store: Store): { bad: number; differs: boolean; text: string | undefined } {
  if (!existsSync(store.ledgerPath)) return { bad: 0, differs: true, text: undefined };
  const text = readFileSync(store.ledgerPath, 'utf8');
  const expected = [...otherRecords(store.db), ...allDetails(store.db).map(toLedgerLine)];
  const { problems } = parseLedger(text);
  const actual = text.split('\n').filter((l) => l !== '');
  const differs = expected.length !== actual.length || expected.some((l, i) => l !== actual[i]);
  return { bad: problems.length, differs, text };
}

/** Run every check; with `fix`, repair what can be repaired without losing anything. */
export function runDoctor(store: Store, fix: boolean): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const version = store.db.schemaVersion();
  checks.push({ name: 'schema', ok: version === SCHEMA_VERSION, detail: `schema version ${version} (expected ${SCHEMA_VERSION})` });

  const dangling = danglingEdges(store);
  const c1: DoctorCheck = { name: 'dangling-edges', ok: dangling.length === 0, detail: dangling.length ? `${dangling.length} edge(s) point at missing beads: ${dangling.slice(0, 5).map((d) => `${d.issue_id} → ${d.depends_on_id}`).join(', ')}` : 'every edge points at a bead' };
  if (!c1.ok && fix) {
    store.write(() => {
      for (const d of dangling) {
        store.db.run('DELETE FROM deps WHERE issue_id = ? AND depends_on_id = ?', d.issue_id, d.depends_on_id);
        store.event(d.issue_id, 'dependency_removed', { depends_on_id: d.depends_on_id, reason: 'doctor: target missing' }, null);
        store.touch(d.issue_id);
      }
    });
    c1.fixed = true;
  }
  checks.push(c1);

  const wrong = wrongFlags(store);
  const c2: DoctorCheck = { name: 'blocked-flags', ok: wrong.length === 0, detail: wrong.length ? `${wrong.length} bead(s) have a stale blocked flag: ${wrong.slice(0, 5).join(', ')}` : 'ready/blocked state is exact' };
  if (!c2.ok && fix) {
    store.db.tx(() => {
      for (const id of wrong) store.db.run('UPDATE issues SET is_blocked = 1 - is_blocked WHERE id = ?', id);
    });
    c2.fixed = true;
  }
  checks.push(c2);

  const cycles = findCycles(store);
  checks.push({ name: 'cycles', ok: cycles.length === 0, detail: cycles.length ? `${cycles.length} cycle(s) among blocks edges: ${cycles.map((c) => c.join(' → ')).join('; ')} (remove one edge of each with \`bd dep remove\`)` : 'no cycles' });

  const shelved = store.db.get<{ n: number }>('SELECT count(*) AS n FROM shelved')?.n ?? 0;
  checks.push({
    name: 'shelved',
    ok: true,
    detail: shelved ? `${shelved} bead(s) are shelved: git removed their lines (another branch or a stash); they return when a ledger holding them is checked out` : 'no shelved beads',
  });

  const led = ledgerDiff(store);
  const c3: DoctorCheck = {
    name: 'ledger',
    ok: !led.differs && led.bad === 0,
    detail: led.text === undefined ? 'issues.jsonl is missing' : led.bad ? `issues.jsonl has ${led.bad} unreadable line(s)` : led.differs ? 'issues.jsonl differs from the database' : 'issues.jsonl matches the database',
  };
  if (!c3.ok && fix) {
    if (led.text !== undefined) {
      const backup = `${store.ledgerPath}.bak-${Date.now()}`;
      copyFileSync(store.ledgerPath, backup);
      c3.detail += `; the old file was saved as ${backup}`;
      store.db.tx(() => importLedgerText(store, led.text!));
    }
    store.db.tx(() => exportLedger(store));
    c3.fixed = true;
  }
  checks.push(c3);
  return checks;
}
