// Ids after a merge: one id per bead, decided the same way by every clone (docs/formats/beads-merge.md "Two beads, one id").
import type { BeadDetails } from './model.ts';
import { cmp } from './record.ts';
import { hash64, idLengthFor } from './ids.ts';

/** A merged bead before its final id: `proposed` is the id the sides gave it, `parentKey` the identity its id's parent part named. */
export interface Placed {
  key: string;
  bead: BeadDetails;
  proposed: string;
  /** The id it had in the common ancestor, if any. */
  baseId: string | undefined;
  /** Identity of the bead named by the part of `proposed` before its last dot, as the sides that gave the id saw it. */
  parentKey: string | undefined;
}

export interface Rename {
  from: string;
  to: string;
  key: string;
  title: string;
  /** Why: another bead kept the id, or the bead's parent was renamed. */
  reason: 'collision' | 'parent';
  /** The bead that kept the id (collision only). */
  keptBy?: { title: string; created_by: string; created_at: string };
}

const depth = (id: string): number => id.split('.').length - 1;
const parentPart = (id: string): string | undefined =>
  id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : undefined;

/**
 * Give every bead its final id. Ids are settled parent level first: a bead whose parent was renamed follows it
 * (`bd-a.1` → `bd-q.1`); beads left with one id keep it for the one the common ancestor had under it, else the
 * earliest created; the others get a fresh id that no input used. Pure and symmetric in the sides.
 */
export function assignIds(
  placed: readonly Placed[],
  inputIds: ReadonlySet<string>,
): { finalOf: Map<string, string>; renames: Rename[] } {
  const finalOf = new Map<string, string>();
  const renames: Rename[] = [];
  const reserved = new Set(inputIds);
  const levels = new Map<number, Placed[]>();
  for (const p of placed) {
    const l = levels.get(depth(p.proposed));
    if (l) l.push(p);
    else levels.set(depth(p.proposed), [p]);
  }
  for (const d of [...levels.keys()].sort((a, b) => a - b)) {
    const groups = new Map<string, { p: Placed; followed: boolean }[]>();
    for (const p of levels.get(d)!) {
      let cand = p.proposed;
      const parent = parentPart(p.proposed);
      const moved = parent !== undefined && p.parentKey !== undefined ? finalOf.get(p.parentKey) : undefined;
      if (parent !== undefined && moved !== undefined && moved !== parent)
        cand = moved + p.proposed.slice(parent.length);
      reserved.add(cand);
      const g = groups.get(cand);
      const item = { p, followed: cand !== p.proposed };
      if (g) g.push(item);
      else groups.set(cand, [item]);
    }
    for (const cand of [...groups.keys()].sort(cmp)) {
      const members = groups
        .get(cand)!
        .sort(
          (x, y) =>
            Number(x.p.baseId !== cand) - Number(y.p.baseId !== cand) ||
            cmp(x.p.bead.created_at, y.p.bead.created_at) ||
            cmp(x.p.key, y.p.key),
        );
      const [keeper, ...rest] = members;
      finalOf.set(keeper!.p.key, cand);
      if (keeper!.followed)
        renames.push({
          from: keeper!.p.proposed,
          to: cand,
          key: keeper!.p.key,
          title: keeper!.p.bead.title,
          reason: 'parent',
        });
      for (const m of rest) {
        const to = freshId(cand, m.p.key, reserved);
        reserved.add(to);
        finalOf.set(m.p.key, to);
        const k = keeper!.p.bead;
        renames.push({
          from: m.p.proposed,
          to,
          key: m.p.key,
          title: m.p.bead.title,
          reason: 'collision',
          keptBy: { title: k.title, created_by: k.created_by, created_at: k.created_at },
        });
      }
    }
  }
  return { finalOf, renames };
}

/** A free id near `taken`: the next child number under the same parent, or a new hash of the bead's identity. */
function freshId(taken: string, key: string, reserved: ReadonlySet<string>): string {
  const parent = parentPart(taken);
  const last = parent !== undefined ? taken.slice(parent.length + 1) : undefined;
  if (parent !== undefined && /^\d+$/.test(last!)) {
    let max = 0;
    for (const id of reserved) {
      if (id.startsWith(`${parent}.`) && /^\d+$/.test(id.slice(parent.length + 1)))
        max = Math.max(max, Number(id.slice(parent.length + 1)));
    }
    return `${parent}.${max + 1}`;
  }
  if (parent !== undefined) {
    for (let k = 2; ; k++) if (!reserved.has(`${taken}-${k}`)) return `${taken}-${k}`;
  }
  const dash = taken.lastIndexOf('-');
  const prefix = taken.slice(0, dash + 1);
  const tops = [...reserved].filter((id) => id.startsWith(prefix) && !id.includes('.')).length;
  let len = Math.max(taken.length - prefix.length + 1, idLengthFor(tops), 4);
  for (let nonce = 0; ; nonce++) {
    if (nonce > 0 && nonce % 10 === 0) len++;
    const s = hash64(`${key}|${nonce}`).toString(36).padStart(13, '0');
    const id = `${prefix}${s.slice(s.length - Math.min(len, 13))}`;
    if (!reserved.has(id)) return id;
  }
}

/** What a person reads about a rename (the driver prints it; bd repeats it on the next call). */
export function renameNote(r: Rename): string {
  if (r.reason === 'parent') return `${r.from} is now ${r.to} ("${r.title}"): its parent was renamed`;
  const k = r.keptBy!;
  return `${r.from} is now ${r.to} ("${r.title}"): two clones created ${r.from}; ${r.from} stays "${k.title}" (created by ${k.created_by || 'unknown'} at ${k.created_at})`;
}
