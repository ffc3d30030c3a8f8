// Changing beads: field edits (notes append by default), claims as compare-and-set, close, reopen and delete.
import { GtError, BEAD_EVENTS } from '../kernel/index.ts';
import type { Store } from './store.ts';
import {
  metadataText,
  validateLabel,
  validateText,
  validateTitle,
  type Bead,
  type IssueType,
  type Status,
} from './model.ts';
import { getBead } from './rows.ts';
import { refreshAfterStatusChange } from './graph.ts';
import { addDependency, removeDependency } from './deps.ts';
import { resolveId } from './resolve.ts';

export interface UpdateInput {
  title?: string;
  description?: string;
  design?: string;
  acceptance?: string;
  /** Appended to the notes on a new line, keeping what was there. */
  appendNotes?: string;
  /** Replaces the notes entirely. */
  notes?: string;
  status?: Status;
  priority?: number;
  type?: IssueType;
  assignee?: string | null;
  externalRef?: string | null;
  deferUntil?: string | null;
  metadata?: Record<string, unknown> | null;
  addLabels?: string[];
  removeLabels?: string[];
  /** New parent (null removes the parent edge). */
  parent?: string | null;
}

const COLUMNS: Record<string, string> = {
  title: 'title',
  description: 'description',
  design: 'design',
  acceptance: 'acceptance',
  notes: 'notes',
  status: 'status',
  priority: 'priority',
  type: 'type',
  assignee: 'assignee',
  externalRef: 'external_ref',
  deferUntil: 'defer_until',
  metadata: 'metadata',
};

function mustGet(store: Store, id: string): Bead {
  const b = getBead(store.db, id);
  if (!b) throw new GtError('BD_NOT_FOUND', `no bead ${id}`, { hint: 'check the id with `bd list`' });
  return b;
}

/** Apply an edit inside the current write; each changed field is logged as an event. */
export function applyUpdate(store: Store, id: string, input: UpdateInput): Bead {
  const before = mustGet(store, id);
  const set: Record<string, unknown> = {};
  if (input.title !== undefined) set.title = validateTitle(input.title);
  for (const k of ['description', 'design', 'acceptance', 'notes'] as const) {
    const v = input[k];
    if (v !== undefined) set[k] = validateText(k, v);
  }
  if (input.appendNotes !== undefined && input.appendNotes !== '') {
    validateText('notes', input.appendNotes);
    const base = (set.notes as string | undefined) ?? before.notes;
    set.notes = base ? `${base}\n${input.appendNotes}` : input.appendNotes;
  }
  for (const k of ['status', 'priority', 'type', 'assignee', 'externalRef', 'deferUntil'] as const) {
    if (input[k] !== undefined) set[k] = input[k] === '' ? null : input[k];
  }
  if (input.metadata !== undefined) set.metadata = metadataText(input.metadata);
  const changes: [string, unknown, unknown][] = [];
  const prev = before as unknown as Record<string, unknown>;
  const prevOf = (k: string): unknown =>
    k === 'externalRef'
      ? before.external_ref
      : k === 'deferUntil'
        ? before.defer_until
        : k === 'metadata'
          ? before.metadata
            ? JSON.stringify(before.metadata)
            : null
          : prev[k];
  for (const [k, v] of Object.entries(set)) if (prevOf(k) !== v) changes.push([k, prevOf(k), v]);
  const now = store.now();
  for (const [k, , v] of changes)
    store.db.run(`UPDATE issues SET ${COLUMNS[k]} = ? WHERE id = ?`, v as string | number | null, id);
  const statusChange = changes.find(([k]) => k === 'status');
  if (statusChange) {
    const closed = statusChange[2] === 'closed';
    store.db.run(
      'UPDATE issues SET closed_at = ?, close_reason = CASE WHEN ? THEN close_reason ELSE NULL END WHERE id = ?',
      closed ? now : null,
      closed ? 1 : 0,
      id,
    );
  }
  for (const l of input.addLabels ?? []) {
    const label = validateLabel(l);
    if (store.db.run('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)', id, label))
      changes.push([BEAD_EVENTS.labelAdded, null, label]);
  }
  for (const l of input.removeLabels ?? []) {
    if (store.db.run('DELETE FROM labels WHERE issue_id = ? AND label = ?', id, l.trim()))
      changes.push([BEAD_EVENTS.labelRemoved, l.trim(), null]);
  }
  if (input.parent !== undefined) changes.push(...reparent(store, id, input.parent));
  if (changes.length > 0) {
    store.db.run('UPDATE issues SET updated_at = ? WHERE id = ?', now, id);
    for (const [k, o, v] of changes) {
      const type =
        k === 'status'
          ? BEAD_EVENTS.statusChanged
          : k === BEAD_EVENTS.labelAdded || k === BEAD_EVENTS.labelRemoved || k === BEAD_EVENTS.parentChanged
            ? k
            : BEAD_EVENTS.updated;
      store.event(
        id,
        type,
        k === 'status' || type !== BEAD_EVENTS.updated ? o : { [k]: o },
        k === 'status' || type !== BEAD_EVENTS.updated ? v : { [k]: v },
      );
    }
    store.touch(id);
  }
  if (statusChange) refreshAfterStatusChange(store.db, [id]);
  return mustGet(store, id);
}

function reparent(store: Store, id: string, parent: string | null): [string, unknown, unknown][] {
  const cur =
    store.db.get<{ id: string }>(
      "SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'parent-child'",
      id,
    )?.id ?? null;
  const next = parent === null ? null : resolveId(store, parent);
  if (cur === next) return [];
  if (cur) removeDependency(store, id, cur);
  if (next) addDependency(store, id, next, 'parent-child');
  return [[BEAD_EVENTS.parentChanged, cur, next]];
}

export function updateBead(store: Store, id: string, input: UpdateInput): Bead {
  return store.write(() => applyUpdate(store, resolveId(store, id), input));
}

export type ClaimOutcome =
  { ok: true; bead: Bead } | { ok: false; id: string; holder: string | null; status: Status; reason: string };

/**
 * Compare-and-set claim: succeeds only if nobody else holds the bead and it is not finished.
 * Runs inside the caller's write so two racing claimers cannot both win.
 */
export function claimInTx(store: Store, id: string, actor: string): ClaimOutcome {
  const b = mustGet(store, id);
  if (b.status === 'closed') return { ok: false, id, holder: b.assignee, status: b.status, reason: `${id} is closed` };
  if (b.assignee && b.assignee !== actor) {
    return { ok: false, id, holder: b.assignee, status: b.status, reason: `${id} is already claimed by ${b.assignee}` };
  }
  const n = store.db.run(
    "UPDATE issues SET assignee = ?, status = CASE WHEN status IN ('open', 'blocked', 'deferred') THEN 'in_progress' ELSE status END, updated_at = ? WHERE id = ? AND (assignee IS NULL OR assignee = '' OR assignee = ?)",
    actor,
    store.now(),
    id,
    actor,
  );
  if (n !== 1) return { ok: false, id, holder: b.assignee, status: b.status, reason: `${id} is already claimed` };
  store.event(id, BEAD_EVENTS.claimed, { assignee: b.assignee, status: b.status }, { assignee: actor });
  store.touch(id);
  const after = mustGet(store, id);
  if (after.status !== b.status) refreshAfterStatusChange(store.db, [id]);
  return { ok: true, bead: after };
}

export function claimBead(store: Store, id: string, actor = store.actor()): ClaimOutcome {
  return store.write(() => claimInTx(store, resolveId(store, id), actor));
}

/** Close beads (all in one transaction); already-closed ones are left as they are. */
export function closeBeads(store: Store, ids: readonly string[], reason?: string): Bead[] {
  return store.write(() =>
    ids.map((raw) => {
      const id = resolveId(store, raw);
      const b = mustGet(store, id);
      if (b.status === 'closed') return b;
      const now = store.now();
      store.db.run(
        "UPDATE issues SET status = 'closed', closed_at = ?, close_reason = ?, updated_at = ? WHERE id = ?",
        now,
        reason || null,
        now,
        id,
      );
      store.event(id, BEAD_EVENTS.closed, b.status, reason ?? null);
      store.touch(id);
      refreshAfterStatusChange(store.db, [id]);
      return mustGet(store, id);
    }),
  );
}

export function reopenBeads(store: Store, ids: readonly string[], reason?: string): Bead[] {
  return store.write(() =>
    ids.map((raw) => {
      const id = resolveId(store, raw);
      const b = mustGet(store, id);
      if (b.status !== 'closed') return b;
      store.db.run(
        "UPDATE issues SET status = 'open', closed_at = NULL, close_reason = NULL, updated_at = ? WHERE id = ?",
        store.now(),
        id,
      );
      store.event(id, BEAD_EVENTS.reopened, 'closed', reason ?? null);
      store.touch(id);
      refreshAfterStatusChange(store.db, [id]);
      return mustGet(store, id);
    }),
  );
}

/** Delete inside the current write: the bead becomes a tombstone and edges to it are removed. */
export function deleteInTx(store: Store, id: string, reason?: string): void {
  const now = store.now();
  const dependents = store.db
    .all<{ id: string }>('SELECT issue_id AS id FROM deps WHERE depends_on_id = ?', id)
    .map((r) => r.id);
  store.db.run('DELETE FROM deps WHERE depends_on_id = ?', id);
  store.db.run(
    'UPDATE issues SET deleted_at = ?, deleted_by = ?, updated_at = ?, is_blocked = 0 WHERE id = ?',
    now,
    store.actor(),
    now,
    id,
  );
  store.event(id, BEAD_EVENTS.deleted, null, reason ?? null);
  store.touch(id);
  for (const d of dependents) {
    store.db.run('UPDATE issues SET updated_at = ? WHERE id = ?', now, d);
    store.touch(d);
  }
  refreshAfterStatusChange(store.db, [id, ...dependents]);
}

export function deleteBeads(store: Store, ids: readonly string[], reason?: string): string[] {
  return store.write(() =>
    ids.map((raw) => {
      // Deleting is the one place a unique start of an id is not enough: a typo must not pick a bead for removal.
      const id = resolveId(store, raw, { exact: true });
      deleteInTx(store, id, reason);
      return id;
    }),
  );
}
