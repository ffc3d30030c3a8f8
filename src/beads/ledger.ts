// The JSONL ledger format: one bead per line, keys in a fixed order, sorted by id (docs/formats/beads-jsonl.md).
import type { BeadDetails, Comment, Dependency } from './model.ts';
import { ISSUE_TYPES, STATUSES, DEP_TYPES } from './model.ts';

/** Serialise one bead as a ledger line (no trailing newline). Empty optional fields are left out. */
export function toLedgerLine(b: BeadDetails): string {
  const o: Record<string, unknown> = { id: b.id, title: b.title };
  if (b.description) o.description = b.description;
  if (b.design) o.design = b.design;
  if (b.acceptance) o.acceptance = b.acceptance;
  if (b.notes) o.notes = b.notes;
  o.status = b.status;
  o.priority = b.priority;
  o.type = b.type;
  if (b.assignee) o.assignee = b.assignee;
  if (b.labels.length) o.labels = [...b.labels].sort();
  o.created_at = b.created_at;
  if (b.created_by) o.created_by = b.created_by;
  o.updated_at = b.updated_at;
  if (b.closed_at) o.closed_at = b.closed_at;
  if (b.close_reason) o.close_reason = b.close_reason;
  if (b.external_ref) o.external_ref = b.external_ref;
  if (b.defer_until) o.defer_until = b.defer_until;
  if (b.metadata && Object.keys(b.metadata).length) o.metadata = sortKeys(b.metadata);
  if (b.dependencies.length) {
    o.dependencies = [...b.dependencies]
      .sort((x, y) => cmp(x.depends_on_id, y.depends_on_id))
      .map((d) => ({ depends_on_id: d.depends_on_id, type: d.type, created_at: d.created_at, created_by: d.created_by }));
  }
  if (b.comments.length) {
    o.comments = [...b.comments]
      .sort((x, y) => cmp(x.created_at, y.created_at) || cmp(x.id, y.id))
      .map((c) => ({ id: c.id, author: c.author, text: c.text, created_at: c.created_at }));
  }
  if (b.deleted_at) {
    o.deleted_at = b.deleted_at;
    if (b.deleted_by) o.deleted_by = b.deleted_by;
  }
  return JSON.stringify(o);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys in sorted order; fromEntries defines own properties, so a key named "__proto__" is kept, not applied. */
function sortKeys(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
}

export interface LedgerProblem {
  line: number;
  message: string;
}

export interface ParsedLedger {
  beads: BeadDetails[];
  problems: LedgerProblem[];
}

/** Parse ledger text; bad lines are reported with their 1-based number and skipped, the rest is kept. */
export function parseLedger(text: string): ParsedLedger {
  const beads: BeadDetails[] = [];
  const problems: LedgerProblem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const n = i + 1;
    if (/^(<{7}|={7}|>{7}|\|{7})/.test(raw)) {
      problems.push({ line: n, message: 'git conflict marker; resolve the merge (both sides are kept in the file)' });
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      problems.push({ line: n, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    const r = beadFromRecord(obj);
    if (typeof r === 'string') {
      problems.push({ line: n, message: r });
      continue;
    }
    const prev = seen.get(r.id);
    if (prev !== undefined) {
      problems.push({ line: n, message: `duplicate id ${r.id} (also on line ${prev + 1}); the later line wins` });
      beads[prev] = r;
      continue;
    }
    seen.set(r.id, beads.length);
    beads.push(r);
  }
  return { beads, problems };
}

const str = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Validate one decoded record; returns the bead or a message saying what is wrong. */
export function beadFromRecord(obj: unknown): BeadDetails | string {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return 'not a JSON object';
  const o = obj as Record<string, unknown>;
  if (!str(o.id) || !/^[a-z][a-z0-9]*-[a-z0-9.-]+$/.test(o.id)) return `missing or invalid "id"`;
  if (!str(o.title) || !o.title.trim()) return `${o.id}: missing "title"`;
  const status = o.status ?? 'open';
  if (!str(status) || !(STATUSES as readonly string[]).includes(status)) return `${o.id}: invalid status ${JSON.stringify(o.status)}`;
  const type = o.type ?? o.issue_type ?? 'task';
  if (!str(type) || !(ISSUE_TYPES as readonly string[]).includes(type)) return `${o.id}: invalid type ${JSON.stringify(type)}`;
  const priority = o.priority ?? 2;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 4) return `${o.id}: invalid priority ${JSON.stringify(o.priority)}`;
  if (!str(o.created_at) || !str(o.updated_at ?? o.created_at)) return `${o.id}: missing "created_at"`;
  const labels = o.labels ?? [];
  if (!Array.isArray(labels) || !labels.every(str)) return `${o.id}: "labels" must be a list of strings`;
  const deps: Dependency[] = [];
  for (const d of (o.dependencies ?? []) as unknown[]) {
    const dd = d as Record<string, unknown>;
    if (!dd || !str(dd.depends_on_id) || !str(dd.type) || !(DEP_TYPES as readonly string[]).includes(dd.type)) {
      return `${o.id}: invalid dependency ${JSON.stringify(d)}`;
    }
    deps.push({
      issue_id: o.id, depends_on_id: dd.depends_on_id, type: dd.type as Dependency['type'],
      created_at: str(dd.created_at) ? dd.created_at : o.created_at, created_by: str(dd.created_by) ? dd.created_by : '',
    });
  }
  const comments: Comment[] = [];
  for (const c of (o.comments ?? []) as unknown[]) {
    const cc = c as Record<string, unknown>;
    if (!cc || !str(cc.text)) return `${o.id}: invalid comment ${JSON.stringify(c)}`;
    comments.push({
      id: str(cc.id) ? cc.id : String(cc.id ?? `${o.id}-c${comments.length + 1}`), issue_id: o.id,
      author: str(cc.author) ? cc.author : '', text: cc.text, created_at: str(cc.created_at) ? cc.created_at : o.created_at,
    });
  }
  const metadata = o.metadata;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) return `${o.id}: "metadata" must be an object`;
  return {
    id: o.id,
    title: o.title,
    description: str(o.description) ? o.description : '',
    design: str(o.design) ? o.design : '',
    acceptance: str(o.acceptance) ? o.acceptance : str(o.acceptance_criteria) ? o.acceptance_criteria : '',
    notes: str(o.notes) ? o.notes : '',
    status: status as BeadDetails['status'],
    priority,
    type: type as BeadDetails['type'],
    assignee: optStr(o.assignee),
    labels: [...new Set(labels as string[])].sort(),
    created_at: o.created_at,
    created_by: str(o.created_by) ? o.created_by : '',
    updated_at: str(o.updated_at) ? o.updated_at : o.created_at,
    closed_at: optStr(o.closed_at),
    close_reason: optStr(o.close_reason),
    external_ref: optStr(o.external_ref),
    defer_until: optStr(o.defer_until),
    metadata: (metadata as Record<string, unknown> | undefined) ?? null,
    ephemeral: false,
    deleted_at: optStr(o.deleted_at),
    deleted_by: optStr(o.deleted_by),
    dependencies: deps,
    comments,
  };
}
