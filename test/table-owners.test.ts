// Each table has one owner (docs/architecture.md "Data and its owners"): SQL that reads or writes a table is written
// in its owner's files only, so a change to a table is a change to one module. Beads' tables belong to src/beads.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** Table → the files (or folder, ending in /) that may hold SQL naming it. */
const OWNERS: Record<string, string> = {
  issues: 'src/beads/',
  deps: 'src/beads/',
  labels: 'src/beads/',
  comments: 'src/beads/',
  events: 'src/beads/',
  child_counters: 'src/beads/',
  meta: 'src/beads/',
  shelved: 'src/beads/',
  ledger_others: 'src/beads/',
  schema_parts: 'src/beads/',
  agents: 'src/agents/table.ts',
  mail: 'src/work/mail/mailbox.ts',
  polecats: 'src/work/polecats/table.ts',
  merge_requests: 'src/work/merge-requests.ts',
  sling_queue: 'src/work/sling/queue.ts',
  town_events: 'src/town/events.ts',
  usage: 'src/costs/usage-store.ts',
  usage_sources: 'src/costs/usage-store.ts',
  pull_requests: 'src/refinery/pr-store.ts',
  api_tokens: 'src/server/tokens.ts',
  agent_hosts: 'src/providers/placements.ts',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `file:line table` for each SQL reference to a table outside its owner. */
function strayStatements(): string[] {
  const tables = Object.keys(OWNERS).join('|');
  const sql = new RegExp(String.raw`\b(?:FROM|INTO|UPDATE|JOIN|TABLE(?: IF NOT EXISTS)?)\s+(${tables})\b`, 'g');
  return sources(join(root, 'src')).flatMap((path) => {
    const file = relative(root, path);
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(sql)].filter((m) => !file.startsWith(OWNERS[m[1]!]!)).map((m) => `${file}:${i + 1} ${m[1]}`),
      );
  });
}

describe('table owners', () => {
  it("no file outside a table's owner has SQL on that table", () => {
    expect(strayStatements()).toEqual([]);
  });
});
