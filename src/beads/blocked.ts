// Readiness rules as pure functions over a read-only view of the graph; the store materialises the result.
import { isDone, type Status } from './model.ts';

/** What the blocking rule needs to know about the graph. */
export interface BlockingView {
  /** Status of a live bead, or undefined when it does not exist (or was deleted). */
  status(id: string): Status | undefined;
  /** The materialised blocked flag as it currently stands. */
  isBlocked(id: string): boolean;
  /** Targets of `blocks` edges from `id`. */
  blockers(id: string): string[];
  /** The parent of `id` through its `parent-child` edge. */
  parent(id: string): string | undefined;
  /** Beads whose parent is `id`. */
  children(id: string): string[];
  /** Targets of `waits-for` edges from `id` (the spawners it waits on). */
  waitsFor(id: string): string[];
}

/**
 * A bead is blocked when it is not finished and one of these holds:
 * a `blocks` target is not finished; its parent is unfinished and blocked (by edges, or by status blocked or deferred);
 * a `waits-for` spawner still has an unfinished child.
 */
export function computeBlocked(v: BlockingView, id: string): boolean {
  const st = v.status(id);
  if (st === undefined || isDone(st)) return false;
  for (const t of v.blockers(id)) {
    const ts = v.status(t);
    if (ts !== undefined && !isDone(ts)) return true;
  }
  const p = v.parent(id);
  if (p !== undefined) {
    const ps = v.status(p);
    if (ps !== undefined && !isDone(ps) && (ps === 'blocked' || ps === 'deferred' || v.isBlocked(p))) return true;
  }
  for (const s of v.waitsFor(id)) {
    if (
      v.children(s).some((c) => {
        const cs = v.status(c);
        return cs !== undefined && !isDone(cs);
      })
    )
      return true;
  }
  return false;
}

/**
 * Beads whose blocked flag may change when `id` changes status (or appears, or is deleted):
 * itself, what it blocks, its children, and whatever waits on its parent.
 */
export function affectedByStatusChange(
  v: BlockingView & { dependentsVia(id: string, type: 'blocks' | 'waits-for'): string[] },
  id: string,
): string[] {
  const out = [id, ...v.dependentsVia(id, 'blocks'), ...v.children(id)];
  const p = v.parent(id);
  if (p !== undefined) out.push(...v.dependentsVia(p, 'waits-for'));
  return out;
}

/**
 * Recompute flags starting from `seeds`, following parent → children only when a flag changes.
 * `set` writes a new flag. Returns the ids whose flag changed.
 */
export function propagateBlocked(
  v: BlockingView,
  seeds: Iterable<string>,
  set: (id: string, blocked: boolean) => void,
): string[] {
  const queue = [...new Set(seeds)];
  const changed: string[] = [];
  const guard = new Map<string, number>();
  while (queue.length > 0) {
    const id = queue.shift()!;
    const visits = (guard.get(id) ?? 0) + 1;
    if (visits > 64) continue; // a parent cycle in imported data must not hang the store
    guard.set(id, visits);
    const now = computeBlocked(v, id);
    if (now !== v.isBlocked(id)) {
      set(id, now);
      changed.push(id);
      queue.push(...v.children(id));
    }
  }
  return changed;
}

/** Brute-force fixpoint over every bead: the reference the incremental path must agree with. */
export function computeAllBlocked(v: BlockingView, ids: readonly string[]): Set<string> {
  const flags = new Set<string>();
  const view: BlockingView = { ...bindView(v), isBlocked: (id) => flags.has(id) };
  for (let round = 0; round <= ids.length; round++) {
    let changed = false;
    for (const id of ids) {
      const b = computeBlocked(view, id);
      if (b !== flags.has(id)) {
        changed = true;
        if (b) flags.add(id);
        else flags.delete(id);
      }
    }
    if (!changed) break;
  }
  return flags;
}

function bindView(v: BlockingView): BlockingView {
  return {
    status: (id) => v.status(id),
    isBlocked: (id) => v.isBlocked(id),
    blockers: (id) => v.blockers(id),
    parent: (id) => v.parent(id),
    children: (id) => v.children(id),
    waitsFor: (id) => v.waitsFor(id),
  };
}
