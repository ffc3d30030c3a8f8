// Field-level 3-way merge of ledger texts, the core of the git merge driver (docs/formats/beads-merge.md).
import type { BeadDetails, Comment, Dependency } from './model.ts';
import { cmp, parseLedger, toLedgerLine } from './ledger.ts';

export type LedgerSide = 'base' | 'ours' | 'theirs';

/** A line that is not a bead: the merge refuses rather than guess, so git leaves the file to a person. */
export interface MergeConflict {
  side: LedgerSide;
  line: number;
  message: string;
}

export interface MergeResult {
  /** The merged ledger (canonical). When `conflicts` is not empty it is `ours` unchanged and must not be used. */
  text: string;
  conflicts: MergeConflict[];
  /** Decisions a person may want to know about (both sides edited a field, a deletion lost to a newer edit…). */
  notes: string[];
}

/** Merge `ours` and `theirs`, both descended from `base`. Pure: the same inputs always give the same text. */
export function mergeLedgers(base: string, ours: string, theirs: string): MergeResult {
  const sides = { base: parseLedger(base), ours: parseLedger(ours), theirs: parseLedger(theirs) };
  const conflicts = (['base', 'ours', 'theirs'] as const).flatMap((side) => sides[side].problems.map((p) => ({ side, ...p })));
  if (conflicts.length) return { text: ours, conflicts, notes: [] };
  const [b, o, t] = [byId(sides.base.beads), byId(sides.ours.beads), byId(sides.theirs.beads)];
  const notes: string[] = [];
  const lines = mergeOthers(sides.base.others, sides.ours.others, sides.theirs.others);
  for (const id of [...new Set([...b.keys(), ...o.keys(), ...t.keys()])].sort(cmp)) {
    const m = mergeBead(b.get(id), o.get(id), t.get(id), notes);
    if (m) lines.push(toLedgerLine(m));
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', conflicts: [], notes };
}

/** Records of another `_type` (kept whole, first in the file): in either side unless one side removed a base one. */
function mergeOthers(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  const [b, o, t] = [new Set(base), new Set(ours), new Set(theirs)];
  return [...new Set([...ours, ...theirs])].filter((l) => !b.has(l) || (o.has(l) && t.has(l)));
}

function byId(beads: readonly BeadDetails[]): Map<string, BeadDetails> {
  return new Map(beads.map((x) => [x.id, x]));
}

const sameBead = (x: BeadDetails | undefined, y: BeadDetails | undefined): boolean =>
  x && y ? toLedgerLine(x) === toLedgerLine(y) : x === y;

/** Merge one bead; undefined when it is gone from the result (its line removed and not edited since). */
function mergeBead(base: BeadDetails | undefined, ours: BeadDetails | undefined, theirs: BeadDetails | undefined, notes: string[]): BeadDetails | undefined {
  if (sameBead(ours, theirs)) return ours;
  if (base && sameBead(base, theirs)) return ours;
  if (base && sameBead(base, ours)) return theirs;
  if (!ours || !theirs) {
    const kept = (ours ?? theirs)!;
    if (base) notes.push(`${kept.id}: kept; its line was removed on ${ours ? 'theirs' : 'ours'} but edited on ${ours ? 'ours' : 'theirs'}`);
    return kept;
  }
  return mergeEdited(base, ours, theirs, notes);
}

/** Compare ISO timestamps as instants when both parse, as text otherwise. */
export function compareTime(a: string, b: string): number {
  const [x, y] = [Date.parse(a), Date.parse(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? cmp(a, b) : Math.sign(x - y);
}

/** The later of two timestamps; of two spellings of one instant, the greater text (so argument order never matters). */
function laterTime(a: string, b: string): string {
  return (compareTime(a, b) || cmp(a, b)) >= 0 ? a : b;
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => cmp(p, q)))
      : x);
}

const eq = (x: unknown, y: unknown): boolean => stable(x) === stable(y);

/** Pick between two edits of one value: a change on one side wins; changed on both, `ours` when `oursLater`. */
function pick3<T>(hasBase: boolean, b: T | undefined, o: T, t: T, oursLater: boolean): { value: T; clash: boolean } {
  if (eq(o, t)) return { value: o, clash: false };
  if (hasBase && eq(b, o)) return { value: t, clash: false };
  if (hasBase && eq(b, t)) return { value: o, clash: false };
  return { value: oursLater ? o : t, clash: true };
}

const SCALARS = [
  'title', 'description', 'design', 'acceptance', 'priority', 'type', 'assignee', 'created_by', 'external_ref',
  'defer_until', 'metadata', 'owner', 'extra', 'uid',
] as const;

/** Both sides changed (or both added) the bead: merge field by field. */
function mergeEdited(base: BeadDetails | undefined, ours: BeadDetails, theirs: BeadDetails, notes: string[]): BeadDetails {
  const id = ours.id;
  // The later edit wins a clash; equal times fall back to comparing the lines, so the result never depends on sides.
  const oursLater = (compareTime(ours.updated_at, theirs.updated_at) || cmp(toLedgerLine(ours), toLedgerLine(theirs))) > 0;
  const later = oursLater ? 'ours' : 'theirs';
  const clashes: string[] = [];
  const pick = <T>(field: string, get: (x: BeadDetails) => T): T => {
    const r = pick3(base !== undefined, base ? get(base) : undefined, get(ours), get(theirs), oursLater);
    if (r.clash) clashes.push(field);
    return r.value;
  };
  const out: Record<string, unknown> = {};
  for (const f of SCALARS) out[f] = pick(f, (x) => x[f]);

  const closing = (x: BeadDetails): [string, string | null, string | null] => [x.status, x.closed_at, x.close_reason];
  const closedNow = (x: BeadDetails): boolean => x.status === 'closed' && base?.status !== 'closed';
  const [status, closedAt, closeReason] = closedNow(ours) !== closedNow(theirs)
    ? closing(closedNow(ours) ? ours : theirs)
    : pick('status', closing);

  const deleting = (x: BeadDetails): [string | null, string | null] => [x.deleted_at, x.deleted_by];
  const deletedNow = (x: BeadDetails): boolean => x.deleted_at !== null && !base?.deleted_at;
  let deleted: [string | null, string | null];
  if (deletedNow(ours) !== deletedNow(theirs)) {
    const [gone, live, goneSide, liveSide] = deletedNow(ours) ? [ours, theirs, 'ours', 'theirs'] : [theirs, ours, 'theirs', 'ours'];
    if (compareTime(live.updated_at, gone.deleted_at!) > 0) {
      deleted = [null, null];
      notes.push(`${id}: kept alive; deleted on ${goneSide} but edited later on ${liveSide}`);
    } else deleted = deleting(gone);
  } else deleted = pick('deleted_at', deleting);

  if (clashes.length) notes.push(`${id}: ${clashes.join(', ')} changed on both sides; kept the later edit (${later})`);
  return {
    ...(out as Pick<BeadDetails, (typeof SCALARS)[number]>),
    id,
    notes: mergeNotes(base?.notes, ours.notes, theirs.notes, oursLater),
    status: status as BeadDetails['status'],
    closed_at: closedAt,
    close_reason: closeReason,
    deleted_at: deleted[0],
    deleted_by: deleted[1],
    created_at: laterTime(ours.created_at, theirs.created_at) === ours.created_at ? theirs.created_at : ours.created_at,
    updated_at: laterTime(ours.updated_at, theirs.updated_at),
    ephemeral: false,
    labels: mergeKeyed(base?.labels, ours.labels, theirs.labels, (l) => l, oursLater, false).sort(cmp),
    dependencies: mergeKeyed(base?.dependencies, ours.dependencies, theirs.dependencies, (d: Dependency) => d.depends_on_id, oursLater, false)
      .map((d) => ({ ...d, issue_id: id })),
    comments: mergeKeyed(base?.comments, ours.comments, theirs.comments, (c: Comment) => c.id, oursLater, true)
      .map((c) => ({ ...c, issue_id: id }))
      .sort((x, y) => cmp(x.created_at, y.created_at) || cmp(x.id, y.id)),
  };
}

/**
 * Notes edited on both sides: the lines both sides start with, then the earlier side's added lines, then the later
 * side's added lines that are not already there. Nothing either side wrote is lost.
 */
export function mergeNotes(base: string | undefined, ours: string, theirs: string, oursLater: boolean): string {
  const r = pick3(base !== undefined, base, ours, theirs, oursLater);
  if (!r.clash) return r.value;
  const [first, second] = (oursLater ? [theirs, ours] : [ours, theirs]).map((s) => (s ? s.split('\n') : []));
  let k = 0;
  while (k < first!.length && k < second!.length && first![k] === second![k]) k++;
  const have = new Set(first);
  return [...first!, ...second!.slice(k).filter((l) => l.trim() === '' || !have.has(l))].join('\n');
}

/**
 * 3-way merge of keyed items: added on either side → present; present in base and removed on a side → removed
 * (unless `union`, which never removes); on both sides → the changed value, or the later side's when both changed.
 */
function mergeKeyed<T>(base: readonly T[] | undefined, ours: readonly T[], theirs: readonly T[], key: (x: T) => string, oursLater: boolean, union: boolean): T[] {
  const [b, o, t] = [new Map((base ?? []).map((x) => [key(x), x])), new Map(ours.map((x) => [key(x), x])), new Map(theirs.map((x) => [key(x), x]))];
  const out: T[] = [];
  for (const k of [...new Set([...o.keys(), ...t.keys()])].sort(cmp)) {
    const [ov, tv] = [o.get(k), t.get(k)];
    if (ov !== undefined && tv !== undefined) out.push(pick3(b.has(k), b.get(k), ov, tv, oursLater).value);
    else if (union || !b.has(k)) out.push((ov ?? tv)!);
  }
  return out;
}
