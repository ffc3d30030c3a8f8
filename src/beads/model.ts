// The bead data model: fields, statuses, types and dependency kinds, with their validation.
import { GtError, usageError } from '../kernel/index.ts';

export const STATUSES = ['open', 'in_progress', 'hooked', 'blocked', 'deferred', 'pinned', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const ISSUE_TYPES = [
  'task',
  'bug',
  'feature',
  'epic',
  'chore',
  'decision',
  'message',
  'molecule',
  'convoy',
  'merge-request',
  'spike',
  'story',
  'milestone',
  'gate',
  'agent',
  'event',
] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];

/** Types that are bookkeeping, not work: never offered by `bd ready` unless asked for by `--type`. */
export const NON_WORK_TYPES: readonly IssueType[] = [
  'message',
  'molecule',
  'convoy',
  'merge-request',
  'gate',
  'agent',
  'event',
];

export const DEP_TYPES = ['blocks', 'parent-child', 'related', 'discovered-from', 'tracks', 'waits-for'] as const;
export type DepType = (typeof DEP_TYPES)[number];

/**
 * Edge kinds Go Beads knows beyond ours (reference/beads.md §2.2). They are kept, shown and written back, and
 * `bd dep add -t` accepts them, but none of them holds work back here (docs/formats/beads-jsonl.md says why).
 */
export const BEADS_DEP_TYPES = [
  'conditional-blocks',
  'relates-to',
  'replies-to',
  'duplicates',
  'supersedes',
  'authored-by',
  'assigned-to',
  'approved-by',
  'attests',
  'until',
  'caused-by',
  'validates',
  'delegated-from',
] as const;

/** Any other edge kind a ledger carries (Beads accepts custom kinds up to 50 characters). */
export const CUSTOM_KIND = /^[a-z][a-z0-9_:-]{0,49}$/;

/** Dependency kinds that can hold work back. */
export const BLOCKING_DEP_TYPES: readonly DepType[] = ['blocks', 'parent-child', 'waits-for'];

export interface Dependency {
  /** The dependent bead ("from"). */
  issue_id: string;
  /** The bead it depends on ("to"); for blocks: the blocker. */
  depends_on_id: string;
  type: DepType;
  created_at: string;
  created_by: string;
  /** Fields of the ledger's edge record this project does not model (`metadata`, `thread_id`…), kept as they came. */
  extra?: Record<string, unknown> | null;
}

export interface Comment {
  id: string;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
  /** Fields of the ledger's comment record this project does not model, kept as they came. */
  extra?: Record<string, unknown> | null;
}

export interface Bead {
  id: string;
  title: string;
  description: string;
  design: string;
  acceptance: string;
  notes: string;
  status: Status;
  priority: number;
  type: IssueType;
  assignee: string | null;
  /** The human owner (Beads: the creator's git e-mail); kept from the ledger, not set by this project. */
  owner?: string | null;
  /** A creation nonce set once by `bd create` and never changed (docs/formats/beads-jsonl.md): identity across clones. */
  uid?: string | null;
  labels: string[];
  created_at: string;
  created_by: string;
  updated_at: string;
  closed_at: string | null;
  close_reason: string | null;
  external_ref: string | null;
  defer_until: string | null;
  metadata: Record<string, unknown> | null;
  ephemeral: boolean;
  /** Set when the bead was deleted; the row stays as a tombstone so the deletion travels through git. */
  deleted_at: string | null;
  deleted_by: string | null;
  /**
   * Fields of the ledger record this project does not model (a newer Beads' `source_repo`, `estimated_minutes`,
   * `pinned`…), in the order they came; written back unchanged (docs/formats/beads-jsonl.md).
   */
  extra?: Record<string, unknown> | null;
}

/** A bead with its edges and comments, as `bd show` and the ledger carry it. */
export interface BeadDetails extends Bead {
  dependencies: Dependency[];
  comments: Comment[];
}

export const MAX_TITLE = 500;
export const MAX_TEXT = 4 * 1024 * 1024;

const TYPE_ALIASES: Record<string, IssueType> = {
  enhancement: 'feature',
  feat: 'feature',
  adr: 'decision',
  dec: 'decision',
  mr: 'merge-request',
  investigation: 'spike',
  timebox: 'spike',
  'user-story': 'story',
  ms: 'milestone',
};

export function parseStatus(s: string): Status {
  const v = s.trim().toLowerCase().replace('-', '_');
  if ((STATUSES as readonly string[]).includes(v)) return v as Status;
  throw usageError('BD_BAD_STATUS', `invalid status "${s}"`, `use one of: ${STATUSES.join(', ')}`);
}

export function parseType(s: string): IssueType {
  const v = s.trim().toLowerCase();
  const t = TYPE_ALIASES[v] ?? v;
  if ((ISSUE_TYPES as readonly string[]).includes(t)) return t as IssueType;
  throw usageError('BD_BAD_TYPE', `invalid type "${s}"`, `use one of: ${ISSUE_TYPES.join(', ')}`);
}

/** Priority 0–4, written as `2` or `P2`. */
export function parsePriority(s: string | number): number {
  const str = String(s).trim();
  const m = /^[pP]?([0-4])$/.exec(str);
  if (!m) throw usageError('BD_BAD_PRIORITY', `invalid priority "${str}"`, 'use 0 (critical) to 4 (backlog), or P0–P4');
  return Number(m[1]);
}

export function parseDepType(s: string): DepType {
  const v = s.trim().toLowerCase();
  if ((DEP_TYPES as readonly string[]).includes(v) || (BEADS_DEP_TYPES as readonly string[]).includes(v))
    return v as DepType;
  throw usageError(
    'BD_BAD_DEP_TYPE',
    `invalid dependency type "${s}"`,
    `use one of: ${[...DEP_TYPES, ...BEADS_DEP_TYPES].join(', ')}`,
  );
}

export function validateTitle(title: string): string {
  const t = title.trim();
  if (!t)
    throw usageError(
      'BD_EMPTY_TITLE',
      'title is empty',
      'give the bead a short title, e.g. bd create "Fix login timeout"',
    );
  if (t.length > MAX_TITLE) {
    throw usageError(
      'BD_TITLE_TOO_LONG',
      `title is ${t.length} characters; the limit is ${MAX_TITLE}`,
      'put the detail in --description',
    );
  }
  if (/[\r\n]/.test(t))
    throw usageError('BD_BAD_TITLE', 'title contains a line break', 'put multi-line text in --description');
  return t;
}

export function validateText(field: string, text: string): string {
  if (Buffer.byteLength(text) > MAX_TEXT) {
    throw new GtError('BD_TEXT_TOO_LONG', `${field} is larger than ${MAX_TEXT / 1024 / 1024} MB`, { kind: 'usage' });
  }
  return text;
}

export function validateLabel(label: string): string {
  const l = label.trim();
  if (!l || /[\s,]/.test(l) || l.length > 100) {
    throw usageError(
      'BD_BAD_LABEL',
      `invalid label "${label}"`,
      'labels are single words without spaces or commas, e.g. backend or area:ui',
    );
  }
  return l;
}

/** Metadata as stored: JSON text, or null when there is none (an empty object is none, as the ledger leaves it out). */
export function metadataText(m: Record<string, unknown> | null | undefined): string | null {
  return m && Object.keys(m).length > 0 ? JSON.stringify(m) : null;
}

/** Statuses that count as finished for blocking purposes. */
export function isDone(status: Status): boolean {
  return status === 'closed' || status === 'pinned';
}
