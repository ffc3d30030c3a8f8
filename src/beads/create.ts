// Creating beads: validation, id allocation (hash ids, children `<parent>.<n>`), edges, the created event.
import { GtError, BEAD_EVENTS } from '../kernel/index.ts';
import type { Store } from './store.ts';
import {
  metadataText,
  validateLabel,
  validateText,
  validateTitle,
  type Bead,
  type DepType,
  type IssueType,
  type Status,
} from './model.ts';
import { childId, hashId, idLengthFor, newUid, validatePrefix } from './ids.ts';
import { addDependency } from './deps.ts';
import { resolveId } from './resolve.ts';
import { refreshAfterStatusChange } from './graph.ts';
import { getBead } from './rows.ts';

export interface CreateInput {
  title: string;
  description?: string;
  design?: string;
  acceptance?: string;
  notes?: string;
  priority?: number;
  type?: IssueType;
  status?: Status;
  assignee?: string | null;
  labels?: string[];
  /** Parent bead (any accepted spelling of its id); the new bead gets id `<parent>.<n>`. */
  parent?: string;
  /** Edges from the new bead: `{ type: 'blocks', id }` means the new bead waits for `id`. */
  deps?: { type: DepType; id: string }[];
  externalRef?: string | null;
  metadata?: Record<string, unknown> | null;
  ephemeral?: boolean;
  /** Prefix of the new id instead of the store's (a rig's beads in the town store). */
  prefix?: string;
  /** An explicit id (used by molecules and imports of foreign data); must be free. */
  id?: string;
}

function nextChildId(store: Store, parent: string): string {
  const counter =
    store.db.get<{ n: number }>('SELECT last_child AS n FROM child_counters WHERE parent_id = ?', parent)?.n ?? 0;
  let max = counter;
  for (const r of store.db.all<{ id: string }>(
    'SELECT id FROM issues WHERE id >= ? AND id < ?',
    `${parent}.`,
    `${parent}.\uffff`,
  )) {
    const rest = r.id.slice(parent.length + 1);
    if (/^\d+$/.test(rest)) max = Math.max(max, Number(rest));
  }
  const n = max + 1;
  store.db.run(
    'INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON CONFLICT(parent_id) DO UPDATE SET last_child = excluded.last_child',
    parent,
    n,
  );
  return childId(parent, n);
}

function newTopLevelId(store: Store, input: CreateInput): string {
  const prefix = input.prefix !== undefined ? validatePrefix(input.prefix) : store.prefix;
  const count =
    store.db.get<{ n: number }>(
      "SELECT count(*) AS n FROM issues WHERE id >= ? AND id < ? AND instr(id, '.') = 0",
      `${prefix}-`,
      `${prefix}-\uffff`,
    )?.n ?? 0;
  const base = idLengthFor(count);
  const ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  for (let len = base; len <= 8; len++) {
    for (let nonce = 0; nonce < 10; nonce++) {
      const id = `${prefix}-${hashId({ title: input.title, description: input.description ?? '', creator: store.actor(), createdAtNs: ns, nonce }, len)}`;
      if (!store.db.get('SELECT 1 AS x FROM issues WHERE id = ? UNION ALL SELECT 1 FROM shelved WHERE id = ?', id, id))
        return id;
    }
  }
  throw new GtError('BD_ID_EXHAUSTED', 'could not find a free id after 60 tries', {
    hint: 'try again; this is very unlikely to repeat',
  });
}

/** Create one bead inside the current write (call through `store.write`). */
export function insertBead(store: Store, input: CreateInput): Bead {
  const title = validateTitle(input.title);
  for (const [k, v] of [
    ['description', input.description],
    ['design', input.design],
    ['acceptance', input.acceptance],
    ['notes', input.notes],
  ] as const) {
    if (v !== undefined) validateText(k, v);
  }
  const labels = [...new Set((input.labels ?? []).map(validateLabel))];
  const parent = input.parent !== undefined ? resolveId(store, input.parent) : undefined;
  const deps = (input.deps ?? []).map((d) => ({ type: d.type, id: resolveId(store, d.id) }));
  let id: string;
  if (input.id !== undefined) {
    id = input.id;
    if (store.db.get('SELECT 1 AS x FROM issues WHERE id = ?', id))
      throw new GtError('BD_ID_TAKEN', `id ${id} is already used`);
  } else id = parent ? nextChildId(store, parent) : newTopLevelId(store, input);
  const now = store.now();
  const status = input.status ?? 'open';
  const uid = newUid();
  store.db.run(
    `INSERT INTO issues (id, title, description, design, acceptance, notes, status, priority, type, assignee, created_at, created_by,
       updated_at, closed_at, external_ref, metadata, ephemeral, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    title,
    input.description ?? '',
    input.design ?? '',
    input.acceptance ?? '',
    input.notes ?? '',
    status,
    input.priority ?? 2,
    input.type ?? 'task',
    input.assignee || null,
    now,
    store.actor(),
    now,
    status === 'closed' ? now : null,
    input.externalRef || null,
    metadataText(input.metadata),
    input.ephemeral ? 1 : 0,
    uid,
  );
  for (const l of labels) store.db.run('INSERT INTO labels (issue_id, label) VALUES (?, ?)', id, l);
  store.event(id, BEAD_EVENTS.created, null, { title, status, uid });
  store.touch(id);
  if (parent) addDependency(store, id, parent, 'parent-child');
  for (const d of deps) addDependency(store, id, d.id, d.type);
  refreshAfterStatusChange(store.db, [id]);
  return getBead(store.db, id)!;
}

/** Create one bead in its own transaction. */
export function createBead(store: Store, input: CreateInput): Bead {
  return store.write(() => insertBead(store, input));
}

/** Create many beads in one transaction: all or none. */
export function createBeads(store: Store, inputs: readonly CreateInput[]): Bead[] {
  return store.write(() => inputs.map((i) => insertBead(store, i)));
}
