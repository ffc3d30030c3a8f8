// Before a rig or a crew clone is deleted: what work in its directories exists nowhere else.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeHeldWork, heldWork, holdsWork } from '../git/index.ts';

export interface HeldWorkReport {
  /** "polecat furiosa", "crew alice". */
  who: string;
  path: string;
  /** What it holds, in words. */
  holds: string;
}

/**
 * Inspect one work tree. A polecat's work counts until it is on `base` (the rig's default branch); a crew clone's
 * until it is on a remote. A directory that is not a work tree but has files counts too.
 */
export function inspectWorkTree(who: string, path: string, base?: string): HeldWorkReport | undefined {
  if (!existsSync(join(path, '.git'))) {
    const files = readdirSync(path);
    return files.length > 0 ? { who, path, holds: `${files.length} file(s) outside git` } : undefined;
  }
  const w = heldWork(path, base);
  return holdsWork(w) ? { who, path, holds: describeHeldWork(w, base) } : undefined;
}

/** One line naming every holder and what it holds. */
export function describeHolders(reports: readonly HeldWorkReport[]): string {
  return reports.map((r) => `${r.who} holds ${r.holds}`).join('; ');
}
