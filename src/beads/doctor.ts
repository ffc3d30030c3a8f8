// Integrity checks of a store and their repairs: schema, dangling edges, blocked flags, cycles, the ledger, merges.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from './store.ts';
import { BEADS_PART, latestVersion } from './schema.ts';
import { allDetails, otherRecords } from './rows.ts';
import { parseLedger } from './ledger.ts';
import { toLedgerLine } from './record.ts';
import { exportLedger, importBeads, importLedgerIfChanged } from './ledger-sync.ts';
import { readForImport } from './import-ids.ts';
import { ledgerConflict } from './ledger-guard.ts';
import { mergeConflictedLedger } from './conflict-merge.ts';
import { configuredDriver, driverApplies, missingDriverPrograms, registerMergeDriver } from './init.ts';
import { repoRoot } from '../git/index.ts';
import { GtError, BEAD_EVENTS } from '../kernel/index.ts';
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
  const rows = store.db.all<{ id: string; b: number }>(
    'SELECT id, is_blocked AS b FROM issues WHERE deleted_at IS NULL',
  );
  const flags = computeAllBlocked(
    dbView(store.db),
    rows.map((r) => r.id),
  );
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

export interface DoctorOptions {
  /** The command that runs this bd's merge driver, to re-register it when the registered one no longer runs. */
  driverCommand?: string;
  /** The store was opened without reading a changed ledger: read it once the ledger is known not to be mid-merge. */
  importLedger?: boolean;
}

/** Run every check; with `fix`, repair what can be repaired without losing anything. */
export function runDoctor(store: Store, fix: boolean, opts: DoctorOptions = {}): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const merge = conflictCheck(store, fix);
  checks.push(merge);
  if (opts.importLedger && (merge.ok || merge.fixed)) store.ledgerImport = importLedgerIfChanged(store);
  const driver = driverCheck(store, fix, opts.driverCommand);
  if (driver) checks.push(driver);
  const version = store.db.schemaVersion();
  const expected = latestVersion(BEADS_PART);
  checks.push({ name: 'schema', ok: version === expected, detail: `schema version ${version} (expected ${expected})` });

  const dangling = danglingEdges(store);
  const c1: DoctorCheck = {
    name: 'dangling-edges',
    ok: dangling.length === 0,
    detail: dangling.length
      ? `${dangling.length} edge(s) point at missing beads: ${dangling
          .slice(0, 5)
          .map((d) => `${d.issue_id} → ${d.depends_on_id}`)
          .join(', ')}`
      : 'every edge points at a bead',
  };
  if (!c1.ok && fix) {
    store.write(() => {
      for (const d of dangling) {
        store.db.run('DELETE FROM deps WHERE issue_id = ? AND depends_on_id = ?', d.issue_id, d.depends_on_id);
        store.event(
          d.issue_id,
          BEAD_EVENTS.dependencyRemoved,
          { depends_on_id: d.depends_on_id, reason: 'doctor: target missing' },
          null,
        );
        store.touch(d.issue_id);
      }
    });
    c1.fixed = true;
  }
  checks.push(c1);

  const wrong = wrongFlags(store);
  const c2: DoctorCheck = {
    name: 'blocked-flags',
    ok: wrong.length === 0,
    detail: wrong.length
      ? `${wrong.length} bead(s) have a stale blocked flag: ${wrong.slice(0, 5).join(', ')}`
      : 'ready/blocked state is exact',
  };
  if (!c2.ok && fix) {
    store.db.tx(() => {
      for (const id of wrong) store.db.run('UPDATE issues SET is_blocked = 1 - is_blocked WHERE id = ?', id);
    });
    c2.fixed = true;
  }
  checks.push(c2);

  const cycles = findCycles(store);
  checks.push({
    name: 'cycles',
    ok: cycles.length === 0,
    detail: cycles.length
      ? `${cycles.length} cycle(s) among blocking edges (blocks, parent-child, waits-for); their beads can never be ready: ${cycles.map((c) => c.join(' → ')).join('; ')} (remove one edge of each with \`bd dep remove\`)`
      : 'no cycles',
  });
  checks.push(fusionCheck(store));

  const shelved = store.db.get<{ n: number }>('SELECT count(*) AS n FROM shelved')?.n ?? 0;
  checks.push({
    name: 'shelved',
    ok: true,
    detail: shelved
      ? `${shelved} bead(s) are shelved: git removed their lines (another branch or a stash); they return when a ledger holding them is checked out`
      : 'no shelved beads',
  });

  const led = ledgerDiff(store);
  const conflicted = !checks[0]!.ok && !checks[0]!.fixed;
  const c3: DoctorCheck = {
    name: 'ledger',
    ok: !conflicted && !led.differs && led.bad === 0,
    detail: conflicted
      ? 'not compared: the ledger is mid-merge (see above)'
      : led.text === undefined
        ? 'issues.jsonl is missing'
        : led.bad
          ? `issues.jsonl has ${led.bad} line(s) that are unreadable or repeat an id`
          : led.differs
            ? 'issues.jsonl differs from the database'
            : 'issues.jsonl matches the database',
  };
  if (!c3.ok && fix && !conflicted) {
    if (led.text !== undefined) {
      const backup = `${store.ledgerPath}.bak-${Date.now()}`;
      ignoreBackups(dirname(store.ledgerPath));
      copyFileSync(store.ledgerPath, backup);
      c3.detail += `; the old file was saved as ${backup} (git ignores it)`;
      // The file's beads come in (lines that repeat an id are healed, none dropped); beads only the database has stay.
      store.db.tx(() => importBeads(store, readForImport(store, led.text!).beads));
    }
    store.db.tx(() => exportLedger(store));
    c3.fixed = true;
  }
  checks.push(c3);
  return checks;
}

/** A ledger git stopped a merge on: reported, and with --fix merged bead by bead from both sides. */
function conflictCheck(store: Store, fix: boolean): DoctorCheck {
  const why = existsSync(store.ledgerPath) ? ledgerConflict(store, { always: true }) : undefined;
  if (why === undefined) return { name: 'merge', ok: true, detail: 'the ledger is not mid-merge' };
  const c: DoctorCheck = {
    name: 'merge',
    ok: false,
    detail: `issues.jsonl is mid-merge: ${why}; \`bd doctor --fix\` merges both sides`,
  };
  if (!fix) return c;
  try {
    const m = mergeConflictedLedger(store);
    if (m) {
      c.fixed = true;
      c.detail = `issues.jsonl was mid-merge (${why}); merged both sides bead by bead from ${m.from === 'index' ? "git's index" : 'the conflict markers'}: ${m.beads} bead(s)${m.notes.length ? `; ${m.notes.join('; ')}` : ''}. Now run \`git add .beads/issues.jsonl\` and finish the merge`;
    }
  } catch (e) {
    if (!(e instanceof GtError)) throw e;
    c.detail = `${e.message} (${e.hint ?? ''})`;
  }
  return c;
}

/** The registered merge driver: still runnable, and what git applies to the ledger. Undefined outside git. */
function driverCheck(store: Store, fix: boolean, command: string | undefined): DoctorCheck | undefined {
  const top = repoRoot(store.loc.root);
  if (!top) return undefined;
  const registered = configuredDriver(store.loc.root);
  const missing = registered === undefined ? [] : missingDriverPrograms(registered);
  const applies = driverApplies(top, store.ledgerPath);
  const problem =
    registered === undefined
      ? 'no merge driver is registered for the ledger (git merges it line by line)'
      : missing.length
        ? `the registered merge driver runs ${missing.join(' and ')}, which no longer exist${missing.length > 1 ? '' : 's'} (git would keep our side of every ledger merge)`
        : !applies
          ? '.gitattributes does not map issues.jsonl to the merge driver'
          : undefined;
  if (problem === undefined)
    return { name: 'merge-driver', ok: true, detail: 'git merges issues.jsonl with bd merge-driver' };
  const c: DoctorCheck = { name: 'merge-driver', ok: false, detail: problem };
  if (fix && command) {
    c.fixed = registerMergeDriver(store.loc.root, command);
    c.detail += c.fixed
      ? '; registered it again'
      : '; could not register it (see `git check-attr merge -- .beads/issues.jsonl`)';
  }
  return c;
}

/**
 * Beads created here whose id now holds another bead: a merge without identities (an older bd, a hand resolution)
 * fused or replaced them. Their content is in git history; the check names the search that finds it.
 */
function fusionCheck(store: Store): DoctorCheck {
  const rows = store.db.all<{ id: string; v: string; uid: string | null }>(
    `SELECT e.issue_id AS id, e.new_value AS v, i.uid AS uid FROM events e JOIN issues i ON i.id = e.issue_id
     WHERE e.type = 'created' AND e.new_value LIKE '%"uid"%' ORDER BY e.issue_id`,
  );
  const fused: string[] = [];
  for (const r of rows) {
    let was: unknown;
    try {
      was = (JSON.parse(r.v) as { uid?: unknown }).uid;
    } catch {
      continue;
    }
    if (typeof was === 'string' && was !== r.uid)
      fused.push(
        `${r.id} (created here as uid ${was}; find it with \`git log -p -S'"uid":"${was}"' -- .beads/issues.jsonl\`)`,
      );
  }
  return {
    name: 'fusion',
    ok: fused.length === 0,
    detail: fused.length
      ? `${fused.length} bead(s) created here now hold another bead under their id: ${fused.slice(0, 5).join('; ')}`
      : 'every bead created here is still itself',
  };
}

/** Make sure `.beads/.gitignore` ignores ledger backups, so a backup is never committed as a second ledger. */
function ignoreBackups(dir: string): void {
  const p = join(dir, '.gitignore');
  const text = existsSync(p) ? readFileSync(p, 'utf8') : '';
  if (!text.split('\n').includes('*.bak-*'))
    writeFileSync(p, `${text}${text && !text.endsWith('\n') ? '\n' : ''}*.bak-*\n`);
}
