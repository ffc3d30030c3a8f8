// Field-level 3-way merge of ledger texts, the core of the git merge driver (docs/formats/beads-merge.md).
import type { BeadDetails, Comment, Dependency } from './model.ts';
import type { LedgerProblem } from './ledger.ts';
import { beadFromRecord, cmp, isOtherRecord, toLedgerLine } from './record.ts';
import { identityOf } from './ids.ts';
import { assignIds, renameNote, type Placed, type Rename } from './merge-ids.ts';

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
  /** Beads that got a new id because another bead had theirs (or their parent moved). */
  renames: Rename[];
}

/** Merge `ours` and `theirs`, both descended from `base`. Pure: the same inputs always give the same text. */
export function mergeLedgers(base: string, ours: string, theirs: string): MergeResult {
  const sides = { base: parseSide(base), ours: parseSide(ours), theirs: parseSide(theirs) };
  const conflicts = (['base', 'ours', 'theirs'] as const).flatMap((side) =>
    sides[side].problems.map((p) => ({ side, ...p })),
  );
  if (conflicts.length) return { text: ours, conflicts, notes: [], renames: [] };
  return mergeSides(sides.base, sides.ours, sides.theirs);
}

/**
 * One ledger text whose ids repeat (git merged it line by line, without our driver): every line is kept; lines of one
 * bead are merged, beads that only share an id are told apart and one is renamed, as a merge would.
 */
export function healLedger(text: string): MergeResult {
  const side = parseSide(text);
  if (side.problems.length)
    return { text, conflicts: side.problems.map((p) => ({ side: 'ours', ...p })), notes: [], renames: [] };
  return mergeSides(side, side, side);
}

/** The beads of one side, keyed by identity, with the identity each id named on that side (for rewriting references). */
interface Side {
  beads: Map<string, BeadDetails>;
  /** Records of another `_type` (Beads' memories, …), kept whole. */
  others: string[];
  /** id → identity, for ids that name exactly one bead on this side. */
  named: Map<string, string>;
  ids: Set<string>;
  problems: LedgerProblem[];
  notes: string[];
}

const MARKER = /^(<{7}|={7}|>{7}|\|{7})/;

function parseSide(text: string): Side {
  const side: Side = { beads: new Map(), others: [], named: new Map(), ids: new Set(), problems: [], notes: [] };
  const owners = new Map<string, Set<string>>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    if (MARKER.test(raw)) {
      side.problems.push({
        line: i + 1,
        message: 'git conflict marker; resolve the merge (both sides are kept in the file)',
      });
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      side.problems.push({ line: i + 1, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (isOtherRecord(obj)) {
      side.others.push(raw);
      continue;
    }
    const b = beadFromRecord(obj);
    if (typeof b === 'string') {
      side.problems.push({ line: i + 1, message: b });
      continue;
    }
    const key = identityOf(b);
    const prev = side.beads.get(key);
    // Two lines of one bead (git kept both edits): merge them as two sides with no common ancestor.
    side.beads.set(key, prev ? mergeBead(undefined, prev, { ...b, id: prev.id }, side.notes)! : b);
    side.ids.add(b.id);
    const o = owners.get(b.id);
    if (o) o.add(key);
    else owners.set(b.id, new Set([key]));
  }
  for (const [id, keys] of owners) if (keys.size === 1) side.named.set(id, [...keys][0]!);
  return side;
}

const REF = '\u0000#';

/** Edges and id-valued metadata of a bead as identities, so they follow a renamed target. */
function toRefs(b: BeadDetails, side: Side, known: ReadonlyMap<string, string>): BeadDetails {
  const key = (id: string): string | undefined => side.named.get(id) ?? known.get(id);
  const ref = (id: string): string => {
    const k = key(id);
    return k === undefined ? id : `${REF}${k}`;
  };
  const metadata = b.metadata
    ? Object.fromEntries(
        Object.entries(b.metadata).map(([k, v]) => [k, typeof v === 'string' && key(v) !== undefined ? ref(v) : v]),
      )
    : null;
  return { ...b, metadata, dependencies: b.dependencies.map((d) => ({ ...d, depends_on_id: ref(d.depends_on_id) })) };
}

/** Of the ids the sides gave one bead: the one both agree on, else the one a side changed it to, else the smaller. */
function chooseId(b: string | undefined, o: string | undefined, t: string | undefined): string {
  if (o !== undefined && t !== undefined) {
    if (o === t) return o;
    if (b === o) return t;
    if (b === t) return o;
    return cmp(o, t) <= 0 ? o : t;
  }
  return (o ?? t ?? b)!;
}

function mergeSides(bs: Side, os: Side, ts: Side): MergeResult {
  const notes = [...new Set([...bs.notes, ...os.notes, ...ts.notes])];
  const placed: Placed[] = [];
  const rawOf = new Map<string, string>();
  for (const s of [bs, os, ts]) for (const [id, k] of s.named) if (!rawOf.has(k)) rawOf.set(k, id);
  // What an id names where a side does not have it (a dangling edge): the base's bead, else the one both sides agree on.
  const known = new Map(bs.named);
  for (const [id, k] of os.named) if (!known.has(id) && (ts.named.get(id) ?? k) === k) known.set(id, k);
  for (const [id, k] of ts.named) if (!known.has(id) && !os.named.has(id)) known.set(id, k);
  for (const key of [...new Set([...bs.beads.keys(), ...os.beads.keys(), ...ts.beads.keys()])].sort(cmp)) {
    const [b, o, t] = [bs.beads.get(key), os.beads.get(key), ts.beads.get(key)];
    const proposed = chooseId(b?.id, o?.id, t?.id);
    const at = (x: BeadDetails | undefined, s: Side): BeadDetails | undefined =>
      x ? { ...toRefs(x, s, known), id: proposed } : undefined;
    const m = mergeBead(at(b, bs), at(o, os), at(t, ts), notes);
    if (!m) continue;
    const parent = proposed.includes('.') ? proposed.slice(0, proposed.lastIndexOf('.')) : undefined;
    const parentKeys =
      parent === undefined
        ? []
        : [
            [o, os],
            [t, ts],
            [b, bs],
          ]
            .filter(([x]) => (x as BeadDetails | undefined)?.id === proposed)
            .map(([, s]) => (s as Side).named.get(parent))
            .filter((k): k is string => k !== undefined);
    placed.push({ key, bead: m, proposed, baseId: b?.id, parentKey: parentKeys.sort(cmp)[0] });
  }
  const { finalOf, renames } = assignIds(placed, new Set([...bs.ids, ...os.ids, ...ts.ids]));
  const deref = (v: string): string =>
    v.startsWith(REF) ? (finalOf.get(v.slice(REF.length)) ?? rawOf.get(v.slice(REF.length)) ?? v) : v;
  const out = placed
    .map(({ key, bead }) => {
      const id = finalOf.get(key)!;
      const seen = new Set<string>();
      const m: BeadDetails = {
        ...bead,
        id,
        metadata: bead.metadata
          ? Object.fromEntries(Object.entries(bead.metadata).map(([k, v]) => [k, typeof v === 'string' ? deref(v) : v]))
          : null,
        dependencies: bead.dependencies
          .map((d) => ({ ...d, issue_id: id, depends_on_id: deref(d.depends_on_id) }))
          .filter((d) => d.depends_on_id !== id && !seen.has(d.depends_on_id) && seen.add(d.depends_on_id)),
        comments: bead.comments.map((c) => ({ ...c, issue_id: id })),
      };
      // A bead without a uid is known by its id: one that moved carries its old identity along from now on.
      if (!m.uid && identityOf(m) !== key) m.uid = key;
      return m;
    })
    .sort((x, y) => cmp(x.id, y.id));
  notes.push(...renames.map(renameNote));
  const lines = [...mergeOthers(bs.others, os.others, ts.others), ...out.map(toLedgerLine)];
  return { text: lines.length ? `${lines.join('\n')}\n` : '', conflicts: [], notes, renames };
}

/** Records of another `_type` (kept whole, first in the file): in either side unless one side removed a base one. */
function mergeOthers(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  const [b, o, t] = [new Set(base), new Set(ours), new Set(theirs)];
  return [...new Set([...ours, ...theirs])].filter((l) => !b.has(l) || (o.has(l) && t.has(l)));
}

const sameBead = (x: BeadDetails | undefined, y: BeadDetails | undefined): boolean =>
  x && y ? toLedgerLine(x) === toLedgerLine(y) : x === y;

/** Merge one bead; undefined when it is gone from the result (its line removed and not edited since). */
function mergeBead(
  base: BeadDetails | undefined,
  ours: BeadDetails | undefined,
  theirs: BeadDetails | undefined,
  notes: string[],
): BeadDetails | undefined {
  if (sameBead(ours, theirs)) return ours;
  if (base && sameBead(base, theirs)) return ours;
  if (base && sameBead(base, ours)) return theirs;
  if (!ours || !theirs) {
    const kept = (ours ?? theirs)!;
    if (base)
      notes.push(
        `${kept.id}: kept; its line was removed on ${ours ? 'theirs' : 'ours'} but edited on ${ours ? 'ours' : 'theirs'}`,
      );
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
      : x,
  );
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
  'title',
  'description',
  'design',
  'acceptance',
  'priority',
  'type',
  'assignee',
  'created_by',
  'external_ref',
  'defer_until',
  'metadata',
  'owner',
  'extra',
  'uid',
] as const;

/** Both sides changed (or both added) the bead: merge field by field. */
function mergeEdited(
  base: BeadDetails | undefined,
  ours: BeadDetails,
  theirs: BeadDetails,
  notes: string[],
): BeadDetails {
  const id = ours.id;
  // The later edit wins a clash; equal times fall back to comparing the lines, so the result never depends on sides.
  const oursLater =
    (compareTime(ours.updated_at, theirs.updated_at) || cmp(toLedgerLine(ours), toLedgerLine(theirs))) > 0;
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
  const [status, closedAt, closeReason] =
    closedNow(ours) !== closedNow(theirs) ? closing(closedNow(ours) ? ours : theirs) : pick('status', closing);

  const deleting = (x: BeadDetails): [string | null, string | null] => [x.deleted_at, x.deleted_by];
  const deletedNow = (x: BeadDetails): boolean => x.deleted_at !== null && !base?.deleted_at;
  let deleted: [string | null, string | null];
  if (deletedNow(ours) !== deletedNow(theirs)) {
    const [gone, live, goneSide, liveSide] = deletedNow(ours)
      ? [ours, theirs, 'ours', 'theirs']
      : [theirs, ours, 'theirs', 'ours'];
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
    ...(ours.uid || theirs.uid ? { uid: ours.uid || theirs.uid } : {}),
    created_at: laterTime(ours.created_at, theirs.created_at) === ours.created_at ? theirs.created_at : ours.created_at,
    updated_at: laterTime(ours.updated_at, theirs.updated_at),
    ephemeral: false,
    labels: mergeKeyed(base?.labels, ours.labels, theirs.labels, (l) => l, oursLater, false).sort(cmp),
    dependencies: mergeKeyed(
      base?.dependencies,
      ours.dependencies,
      theirs.dependencies,
      (d: Dependency) => d.depends_on_id,
      oursLater,
      false,
    ).map((d) => ({ ...d, issue_id: id })),
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
function mergeKeyed<T>(
  base: readonly T[] | undefined,
  ours: readonly T[],
  theirs: readonly T[],
  key: (x: T) => string,
  oursLater: boolean,
  union: boolean,
): T[] {
  const [b, o, t] = [
    new Map((base ?? []).map((x) => [key(x), x])),
    new Map(ours.map((x) => [key(x), x])),
    new Map(theirs.map((x) => [key(x), x])),
  ];
  const out: T[] = [];
  for (const k of [...new Set([...o.keys(), ...t.keys()])].sort(cmp)) {
    const [ov, tv] = [o.get(k), t.get(k)];
    if (ov !== undefined && tv !== undefined) out.push(pick3(b.has(k), b.get(k), ov, tv, oursLater).value);
    else if (union || !b.has(k)) out.push((ov ?? tv)!);
  }
  return out;
}
