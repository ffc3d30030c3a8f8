// The bead record as Go Beads writes it (reference/beads.md §2.7), for the JSONL ledger and every `--json` output:
// one place for the shape (docs/formats/beads-jsonl.md). Reads both this shape and the one earlier versions of this
// project wrote (`type`, `acceptance`, edges and comments without `issue_id`).
import type { Bead, BeadDetails, Comment, Dependency, DepType, IssueType } from './model.ts';
import { BEADS_DEP_TYPES, CUSTOM_KIND, DEP_TYPES, STATUSES } from './model.ts';

/**
 * Key order of a record: Go Beads' struct order (so a Go-written ledger keeps its look), then any other key in the
 * order it came. `original_status` is ours (a tombstone's status before deletion, which Beads does not keep).
 */
const RECORD_ORDER = [
  'id',
  'title',
  'description',
  'design',
  'acceptance_criteria',
  'notes',
  'spec_id',
  'status',
  'priority',
  'issue_type',
  'assignee',
  'owner',
  'estimated_minutes',
  'created_at',
  'created_by',
  'uid',
  'updated_at',
  'started_at',
  'closed_at',
  'close_reason',
  'closed_by_session',
  'due_at',
  'defer_until',
  'external_ref',
  'source_system',
  'metadata',
  'compaction_level',
  'compacted_at',
  'compacted_at_commit',
  'original_size',
  'labels',
  'dependencies',
  'comments',
  'deleted_at',
  'deleted_by',
  'delete_reason',
  'original_type',
  'original_status',
] as const;
const ORDER_INDEX = new Map<string, number>(RECORD_ORDER.map((k, i) => [k, i]));

/** Keys this project models; every other key of a record is kept in `extra` and written back as it came. */
const MODELLED = new Set([
  'id',
  'title',
  'description',
  'design',
  'acceptance_criteria',
  'notes',
  'status',
  'priority',
  'issue_type',
  'assignee',
  'owner',
  'created_at',
  'created_by',
  'uid',
  'updated_at',
  'closed_at',
  'close_reason',
  'external_ref',
  'defer_until',
  'metadata',
  'labels',
  'dependencies',
  'comments',
  'deleted_at',
  'deleted_by',
]);
const EDGE_KEYS = new Set(['issue_id', 'depends_on_id', 'type', 'created_at', 'created_by']);
const COMMENT_KEYS = new Set(['id', 'issue_id', 'author', 'text', 'created_at']);

/** The bead as a Beads record (keys in Beads' order, empty optional fields left out, unknown fields kept). */
export function toRecord(b: Bead & Partial<Pick<BeadDetails, 'dependencies' | 'comments'>>): Record<string, unknown> {
  const o: Record<string, unknown> = { id: b.id, title: b.title, description: b.description };
  if (b.design) o.design = b.design;
  if (b.acceptance) o.acceptance_criteria = b.acceptance;
  if (b.notes) o.notes = b.notes;
  o.status = b.deleted_at ? 'tombstone' : b.status;
  o.priority = b.priority;
  o.issue_type = b.type;
  if (b.assignee) o.assignee = b.assignee;
  if (b.owner) o.owner = b.owner;
  o.created_at = b.created_at;
  if (b.created_by) o.created_by = b.created_by;
  if (b.uid) o.uid = b.uid;
  o.updated_at = b.updated_at;
  if (b.closed_at) o.closed_at = b.closed_at;
  if (b.close_reason) o.close_reason = b.close_reason;
  if (b.defer_until) o.defer_until = b.defer_until;
  if (b.external_ref) o.external_ref = b.external_ref;
  if (b.metadata && Object.keys(b.metadata).length) o.metadata = sortKeys(b.metadata);
  if (b.labels.length) o.labels = [...b.labels].sort(cmp);
  if (b.dependencies?.length) {
    o.dependencies = [...b.dependencies]
      .sort((x, y) => cmp(x.depends_on_id, y.depends_on_id))
      .map((d) => ({
        issue_id: b.id,
        depends_on_id: d.depends_on_id,
        type: d.type,
        created_at: d.created_at,
        created_by: d.created_by,
        ...without(d.extra, EDGE_KEYS),
      }));
  }
  if (b.comments?.length) {
    o.comments = [...b.comments]
      .sort((x, y) => cmp(x.created_at, y.created_at) || cmp(x.id, y.id))
      .map((c) => ({
        id: /^\d+$/.test(c.id) ? Number(c.id) : c.id,
        issue_id: b.id,
        author: c.author,
        text: c.text,
        created_at: c.created_at,
        ...without(c.extra, COMMENT_KEYS),
      }));
  }
  if (b.deleted_at) {
    o.deleted_at = b.deleted_at;
    if (b.deleted_by) o.deleted_by = b.deleted_by;
    o.original_type = b.extra?.original_type ?? b.type;
    if (b.status !== 'closed') o.original_status = b.status;
  }
  if (!b.extra) return o; // keys were added in RECORD_ORDER already
  for (const [k, v] of Object.entries(b.extra)) if (!(k in o)) o[k] = v;
  return ordered(o);
}

/** Serialise one bead as a ledger line (no trailing newline). */
export function toLedgerLine(b: BeadDetails): string {
  return JSON.stringify(toRecord(b));
}

/** Documented keys in RECORD_ORDER, then the others in the order they came (fromEntries: "__proto__" stays a key). */
function ordered(o: Record<string, unknown>): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const k of RECORD_ORDER) if (Object.hasOwn(o, k)) entries.push([k, o[k]]);
  for (const k of Object.keys(o)) if (!ORDER_INDEX.has(k)) entries.push([k, o[k]]);
  return Object.fromEntries(entries);
}

function without(
  extra: Record<string, unknown> | null | undefined,
  known: ReadonlySet<string>,
): Record<string, unknown> {
  return extra ? (rest(extra, (k) => known.has(k)) ?? {}) : {};
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys in sorted order; fromEntries defines own properties, so a key named "__proto__" is kept, not applied. */
function sortKeys(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, v[k]]),
  );
}

/** A record of another kind than an issue (`"_type": "memory"`, …): preserved, never read as a bead. */
export function isOtherRecord(obj: unknown): boolean {
  return (
    !!obj &&
    typeof obj === 'object' &&
    !Array.isArray(obj) &&
    '_type' in obj &&
    (obj as { _type: unknown })._type !== 'issue'
  );
}

const str = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Ids as Beads and this project write them: `bd-a1b`, `bd-0088`, `bd-cif2h`, `bd-a3f8e9.1`, `my_app-x.2.1`. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_]*-[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ISSUE_TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,49}$/;

function edgeKind(v: unknown): DepType | undefined {
  if (!str(v)) return undefined;
  if (
    (DEP_TYPES as readonly string[]).includes(v) ||
    (BEADS_DEP_TYPES as readonly string[]).includes(v) ||
    CUSTOM_KIND.test(v)
  )
    return v as DepType;
  return undefined;
}

/**
 * Validate one decoded record, in Beads' shape or the one earlier versions of this project wrote; returns the bead
 * or a message saying what is wrong. Keys this project does not model go to `extra` unchanged.
 */
export function beadFromRecord(obj: unknown): BeadDetails | string {
  if (!isObject(obj)) return 'not a JSON object';
  const o = obj;
  if (!str(o.id) || !ID_PATTERN.test(o.id)) return `missing or invalid "id"`;
  if (!str(o.title) || !o.title.trim()) return `${o.id}: missing "title"`;
  // The earlier shape: `type` and `acceptance` where Beads has `issue_type` and `acceptance_criteria`.
  const oldType = !('issue_type' in o) && 'type' in o;
  const oldAcceptance = !('acceptance_criteria' in o) && 'acceptance' in o;
  const tombstone = o.status === 'tombstone';
  const status = tombstone ? (o.original_status ?? 'closed') : (o.status ?? 'open');
  if (!str(status) || !(STATUSES as readonly string[]).includes(status))
    return `${o.id}: invalid status ${JSON.stringify(o.status)}`;
  const type = (oldType ? o.type : o.issue_type) ?? (tombstone && str(o.original_type) ? o.original_type : 'task');
  if (!str(type) || !ISSUE_TYPE_PATTERN.test(type)) return `${o.id}: invalid issue_type ${JSON.stringify(type)}`;
  const priority = o.priority ?? 2;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 4)
    return `${o.id}: invalid priority ${JSON.stringify(o.priority)}`;
  if (!str(o.created_at)) return `${o.id}: missing "created_at"`;
  const labels = o.labels ?? [];
  if (!Array.isArray(labels) || !labels.every(str)) return `${o.id}: "labels" must be a list of strings`;
  const rawDeps = o.dependencies ?? [];
  if (!Array.isArray(rawDeps)) return `${o.id}: "dependencies" must be a list`;
  const deps: Dependency[] = [];
  for (const d of rawDeps as unknown[]) {
    const kind = isObject(d) ? edgeKind(d.type) : undefined;
    if (!isObject(d) || !str(d.depends_on_id) || !d.depends_on_id || !kind)
      return `${o.id}: invalid dependency ${JSON.stringify(d)}`;
    if (d.issue_id !== undefined && d.issue_id !== o.id)
      return `${o.id}: dependency of another bead ${JSON.stringify(d.issue_id)}`;
    const extra = rest(d, (k) => EDGE_KEYS.has(k));
    deps.push({
      issue_id: o.id,
      depends_on_id: d.depends_on_id,
      type: kind,
      created_at: str(d.created_at) ? d.created_at : o.created_at,
      created_by: str(d.created_by) ? d.created_by : '',
      ...(extra ? { extra } : {}),
    });
  }
  const rawComments = o.comments ?? [];
  if (!Array.isArray(rawComments)) return `${o.id}: "comments" must be a list`;
  const comments: Comment[] = [];
  for (const c of rawComments as unknown[]) {
    if (!isObject(c) || !str(c.text)) return `${o.id}: invalid comment ${JSON.stringify(c)}`;
    const id =
      str(c.id) && c.id
        ? c.id
        : typeof c.id === 'number' && Number.isSafeInteger(c.id) && c.id >= 0
          ? String(c.id)
          : undefined;
    const extra = rest(c, (k) => COMMENT_KEYS.has(k) && (k !== 'id' || id !== undefined));
    comments.push({
      id: id ?? `${o.id}-c${comments.length + 1}`,
      issue_id: o.id,
      author: str(c.author) ? c.author : '',
      text: c.text,
      created_at: str(c.created_at) ? c.created_at : o.created_at,
      ...(extra ? { extra } : {}),
    });
  }
  const metadata = isObject(o.metadata) ? o.metadata : null;
  const oddMetadata = o.metadata !== undefined && o.metadata !== null && !metadata; // not an object: kept as it came
  const extra = rest(o, (k) => {
    if (MODELLED.has(k)) return k !== 'metadata' || !oddMetadata;
    if (k === 'type') return oldType;
    if (k === 'acceptance') return oldAcceptance;
    if (k === 'original_status') return tombstone;
    return k === 'original_type' && tombstone && o.original_type === type;
  });
  return {
    id: o.id,
    title: o.title,
    description: str(o.description) ? o.description : '',
    design: str(o.design) ? o.design : '',
    acceptance: oldAcceptance
      ? str(o.acceptance)
        ? o.acceptance
        : ''
      : str(o.acceptance_criteria)
        ? o.acceptance_criteria
        : '',
    notes: str(o.notes) ? o.notes : '',
    status: status as BeadDetails['status'],
    priority,
    type: type as IssueType,
    assignee: optStr(o.assignee),
    owner: optStr(o.owner),
    labels: [...new Set(labels as string[])].sort(cmp),
    created_at: o.created_at,
    created_by: str(o.created_by) ? o.created_by : '',
    ...(optStr(o.uid) ? { uid: o.uid as string } : {}),
    updated_at: str(o.updated_at) ? o.updated_at : o.created_at,
    closed_at: optStr(o.closed_at),
    close_reason: optStr(o.close_reason),
    external_ref: optStr(o.external_ref),
    defer_until: optStr(o.defer_until),
    metadata,
    ephemeral: false,
    deleted_at: optStr(o.deleted_at) ?? (tombstone ? (str(o.updated_at) ? o.updated_at : o.created_at) : null),
    deleted_by: optStr(o.deleted_by),
    extra,
    dependencies: deps,
    comments,
  };
}

/** The keys of `o` that are not `known`, in their order; null when there are none. */
function rest(o: Record<string, unknown>, known: (key: string) => boolean): Record<string, unknown> | null {
  let entries: [string, unknown][] | undefined;
  for (const k of Object.keys(o)) if (!known(k)) (entries ??= []).push([k, o[k]]);
  return entries ? Object.fromEntries(entries) : null;
}

/** Extra fields as stored in the database: JSON text or null. */
export function extraText(extra: Record<string, unknown> | null | undefined): string | null {
  return extra && Object.keys(extra).length ? JSON.stringify(extra) : null;
}

export function extraFrom(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string' || !text) return null;
  const v = JSON.parse(text) as unknown;
  return isObject(v) ? v : null;
}
