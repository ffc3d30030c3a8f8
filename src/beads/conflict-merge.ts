// Finishing a ledger merge git stopped on: both sides merged bead by bead, as the merge driver would have.
import { readFileSync } from 'node:fs';
import { GtError, writeFileAtomic } from '../kernel/index.ts';
import { conflictStage } from '../git/index.ts';
import type { Store } from './store.ts';
import { mergeLedgers, type MergeResult } from './merge.ts';
import { ledgerUnmerged, markerLines } from './ledger-guard.ts';
import { exportLedger, importBeads } from './ledger-sync.ts';
import { readForImport } from './import-ids.ts';

export interface ConflictMerge {
  /** Where the sides came from: git's index (stages 1–3) or the conflict markers in the file. */
  from: 'index' | 'markers';
  beads: number;
  notes: string[];
}

/** The three versions inside a file with conflict markers (diff3 base sections when present; else only common lines). */
export function splitConflict(text: string): { base: string; ours: string; theirs: string } {
  const out = { base: [] as string[], ours: [] as string[], theirs: [] as string[] };
  let state: 'common' | 'ours' | 'base' | 'theirs' = 'common';
  for (const line of text.split('\n')) {
    if (line.startsWith('<<<<<<<')) state = 'ours';
    else if (line.startsWith('|||||||') && state === 'ours') state = 'base';
    else if (line.startsWith('=======') && (state === 'ours' || state === 'base')) state = 'theirs';
    else if (line.startsWith('>>>>>>>') && state === 'theirs') state = 'common';
    else if (state === 'common') for (const l of Object.values(out)) l.push(line);
    else out[state].push(line);
  }
  return { base: out.base.join('\n'), ours: out.ours.join('\n'), theirs: out.theirs.join('\n') };
}

/**
 * Merge a conflicted ledger: from git's unmerged stages when git still has them (our side is the file itself when it
 * holds no markers, so a hand edit counts), else from the markers in the file. Writes the result, brings it into the
 * database, and returns what happened; refuses (BD_MERGE_CONFLICT) when a side holds lines that are not beads.
 * Undefined when the ledger is not conflicted.
 */
export function mergeConflictedLedger(store: Store): ConflictMerge | undefined {
  const file = readFileSync(store.ledgerPath, 'utf8');
  let sides: { base: string; ours: string; theirs: string };
  let from: ConflictMerge['from'];
  if (ledgerUnmerged(store)) {
    const stage = (n: 1 | 2 | 3): string => conflictStage(store.loc.dir, 'issues.jsonl', n);
    sides = { base: stage(1), ours: markerLines(file).length ? stage(2) : file, theirs: stage(3) };
    from = 'index';
  } else if (markerLines(file).length) {
    sides = splitConflict(file);
    from = 'markers';
  } else return undefined;
  const r: MergeResult = mergeLedgers(sides.base, sides.ours, sides.theirs);
  if (r.conflicts.length) {
    throw new GtError(
      'BD_MERGE_CONFLICT',
      `cannot merge the two sides of the ledger: ${r.conflicts.length} line(s) are not beads: ${r.conflicts
        .slice(0, 5)
        .map((c) => `${c.side} line ${c.line}: ${c.message}`)
        .join('; ')}`,
      {
        hint: 'nothing was changed; fix those lines by hand (both sides are in the file or in `git show :2:.beads/issues.jsonl` and `:3:`), then run `bd doctor --fix` again',
      },
    );
  }
  writeFileAtomic(store.ledgerPath, r.text);
  store.db.tx(() => {
    const { beads } = readForImport(store, r.text);
    importBeads(store, beads);
    exportLedger(store);
  });
  return { from, beads: r.text ? r.text.split('\n').length - 1 : 0, notes: r.notes };
}
