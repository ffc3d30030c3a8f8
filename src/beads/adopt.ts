// Taking over a repository that Go Beads set up (docs/formats/beads-jsonl.md, "Coming from Go Beads"): its
// `.beads/issues.jsonl` is imported on the first bd call, nothing of Go Beads' `.beads/` is deleted, and the user is
// told what happened. A Dolt-era `.beads/` without a JSONL export gets one line saying how to export it first.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { configPath } from './config.ts';
import { prefixFromName, validatePrefix } from './ids.ts';
import { initStore } from './init.ts';
import { parseLedger } from './ledger.ts';

/** Where Go Beads' own files are put when they would be in our way (kept, never deleted). */
export const GO_BEADS_KEEP = 'go-beads';

const GO_MARKERS = [
  'config.yaml',
  'metadata.json',
  'dolt',
  'embeddeddolt',
  'deletions.jsonl',
  'interactions.jsonl',
  'bd.sock',
  'daemon.log',
];
const OUR_IGNORES = ['beads.db', 'beads.db-*', '*.tmp', `${GO_BEADS_KEEP}/`];

const exists = (p: string): boolean => existsSync(p);
const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** A `.beads/` that Go Beads made and this bd has not taken over yet (no config.toml of ours). */
export function isGoBeadsDir(dir: string): boolean {
  return isDir(dir) && !exists(configPath(dir)) && GO_MARKERS.some((m) => exists(join(dir, m)));
}

/** The nearest Go Beads `.beads/` above `cwd`, for the message when no store of ours is found. */
export function findGoBeadsDir(cwd: string): string | undefined {
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (isGoBeadsDir(join(d, '.beads'))) return join(d, '.beads');
    if (dirname(d) === d) return undefined;
  }
}

export interface Adoption {
  prefix: string;
  beads: number;
  era: 'sqlite' | 'jsonl' | 'dolt';
  /** What was kept where, and anything the user should know, one line each. */
  lines: string[];
}

/** The most common id prefix of a ledger that is a valid prefix here. */
function ledgerPrefix(ids: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const p = id.slice(0, id.indexOf('-'));
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  for (const [p] of [...counts].sort((a, b) => b[1] - a[1])) {
    try {
      return validatePrefix(p);
    } catch {
      // not a prefix this project can mint ids with: try the next one
    }
  }
  return undefined;
}

function yamlPrefix(dir: string): string | undefined {
  try {
    const m = /^\s*issue[-_]prefix\s*:\s*["']?([A-Za-z0-9]+)["']?\s*$/m.exec(
      readFileSync(join(dir, 'config.yaml'), 'utf8'),
    );
    return m ? validatePrefix(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Take over a Go Beads `.beads/`: keep a copy of its ledger and move its SQLite database (which would sit where ours
 * goes) to `.beads/go-beads/`, then create our store from the ledger. Refuses, changing nothing, when there is no
 * ledger to import (a Dolt-era repository that never exported).
 */
export function adoptGoBeads(dir: string, opts: { driverCommand?: string } = {}): Adoption {
  const root = dirname(dir);
  const ledger = join(dir, 'issues.jsonl');
  const dolt = isDir(join(dir, 'dolt')) || isDir(join(dir, 'embeddeddolt'));
  const goDb = join(dir, 'beads.db');
  const era = dolt ? 'dolt' : exists(goDb) ? 'sqlite' : 'jsonl';
  if (!exists(ledger)) {
    throw new GtError(
      'BD_GO_BEADS_NO_LEDGER',
      `${dir} holds Go Beads data${dolt ? ' in a Dolt database' : ''} but no issues.jsonl to import`,
      {
        hint: "export it with Go Beads first (`bd export -o .beads/issues.jsonl` with Go's bd), then run this bd again; nothing was changed",
      },
    );
  }
  const bytes = readFileSync(ledger);
  const parsed = parseLedger(bytes);
  const prefix = ledgerPrefix(parsed.beads.map((b) => b.id)) ?? yamlPrefix(dir) ?? prefixFromName(basename(root));
  const keep = join(dir, GO_BEADS_KEEP);
  mkdirSync(keep, { recursive: true });
  copyFileSync(ledger, join(keep, 'issues.jsonl'));
  const lines = [`kept Go Beads' ledger as it was in ${join(keep, 'issues.jsonl')}`];
  if (exists(goDb)) {
    const newer = statSync(goDb).mtimeMs > statSync(ledger).mtimeMs + 10_000;
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      if (exists(goDb + suffix)) renameSync(goDb + suffix, join(keep, `beads.db${suffix}`));
    }
    lines.push(
      `moved Go Beads' SQLite database to ${join(keep, 'beads.db')} (this bd keeps its own database at .beads/beads.db)`,
    );
    if (newer)
      lines.push(
        `Go Beads' database was written after its ledger: changes it had not flushed are only there (export them with Go's bd from a copy of that file)`,
      );
  }
  initStore(root, { prefix, ...(opts.driverCommand ? { driverCommand: opts.driverCommand } : {}) });
  // Go Beads' .gitignore (or the one init just wrote) must also hide our database and the kept files.
  const gitignore = join(dir, '.gitignore');
  const have = new Set((exists(gitignore) ? readFileSync(gitignore, 'utf8') : '').split('\n').map((l) => l.trim()));
  const missing = OUR_IGNORES.filter((l) => !have.has(l));
  if (missing.length)
    appendFileSync(
      gitignore,
      `\n# bd (TypeScript): its local database and Go Beads' kept files\n${missing.join('\n')}\n`,
    );
  if (parsed.problems.length)
    lines.push(
      `${parsed.problems.length} ledger line(s) could not be read and were left in the file; run \`bd doctor\``,
    );
  lines.push(
    `config.yaml and Go Beads' other files are untouched; this bd's settings are in ${configPath(dir)} (prefix "${prefix}")`,
  );
  return { prefix, beads: parsed.beads.length, era, lines };
}
