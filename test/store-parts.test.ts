// Each town table belongs to the module of its concept (a schema part of its own); `bd init` makes only the issue
// tables; and a town or a plain store made by the code before schema parts (migrations 1–6, kept verbatim in
// test/fixtures/legacy-schema.ts) is taken over on first use without losing a row.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, bdJson, git } from './support/bd.ts';
import { gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';
import { applyLegacySchema } from './fixtures/legacy-schema.ts';

const ISSUE_TABLES = [
  'child_counters',
  'comments',
  'deps',
  'events',
  'issues',
  'labels',
  'ledger_others',
  'meta',
  'shelved',
];
const TOWN_PARTS = ['agents', 'mail', 'merge_requests', 'polecats', 'sling_queue', 'town_events', 'usage'];
const TOWN_TABLES = [
  'agents',
  'mail',
  'merge_requests',
  'polecats',
  'sling_queue',
  'town_events',
  'usage',
  'usage_sources',
];

function tables(dbPath: string): string[] {
  const d = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return (
      d
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((r) => r.name);
  } finally {
    d.close();
  }
}

/** The parts recorded in the database, with their versions. */
function parts(dbPath: string): Record<string, number> {
  const d = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return Object.fromEntries(
      (
        d.prepare('SELECT name, version FROM schema_parts ORDER BY name').all() as { name: string; version: number }[]
      ).map((r) => [r.name, r.version]),
    );
  } finally {
    d.close();
  }
}

function count(dbPath: string, table: string): number {
  const d = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return (d.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    d.close();
  }
}

describe('schema parts', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('bd init in a plain repository creates only the issue tables', () => {
    const t = tempDir('bd init tables');
    cleanup = t.cleanup;
    git(t.dir, ['init', '-q']);
    expect(bd(t.dir, ['init', '--prefix', 'pl']).code).toBe(0);
    expect(bdJson<{ id: string }>(t.dir, ['create', 'A bead']).id).toMatch(/^pl-/);
    expect(tables(join(t.dir, '.beads', 'beads.db'))).toEqual([...ISSUE_TABLES, 'schema_parts'].sort());
  });

  it('a plain store of the old numbering (schema 6, empty town tables) keeps working and is left its tables', () => {
    const t = tempDir('bd old store');
    cleanup = t.cleanup;
    git(t.dir, ['init', '-q']);
    expect(bd(t.dir, ['init', '--prefix', 'pl']).code).toBe(0);
    const id = bdJson<{ id: string }>(t.dir, ['create', 'Made before the upgrade']).id;
    // Rebuild the database as the old bd left it: its migrations 1–6 and the same rows.
    const dbPath = join(t.dir, '.beads', 'beads.db');
    const oldPath = join(t.dir, 'old.db');
    const old = new DatabaseSync(oldPath);
    applyLegacySchema(old);
    old.exec(`ATTACH '${dbPath}' AS cur`);
    for (const tb of ISSUE_TABLES) old.exec(`INSERT INTO main.${tb} SELECT * FROM cur.${tb}`);
    old.exec('DETACH cur');
    old.close();
    for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
    renameSync(oldPath, dbPath);
    expect(tables(dbPath)).toEqual([...ISSUE_TABLES, ...TOWN_TABLES, 'schema_version'].sort());

    expect(bdJson<{ title: string }[]>(t.dir, ['show', id])[0]!.title).toBe('Made before the upgrade');
    expect(bd(t.dir, ['create', 'After the upgrade']).code).toBe(0);
    expect(bdJson<{ id: string }[]>(t.dir, ['list']).length).toBe(2);
    expect(
      bdJson<{ checks: { name: string; ok: boolean }[] }>(t.dir, ['doctor']).checks.find((c) => c.name === 'schema')
        ?.ok,
    ).toBe(true);
    // The empty town tables of the old numbering stay: bd never drops a table it cannot prove is unused.
    expect(tables(dbPath)).toEqual([...ISSUE_TABLES, ...TOWN_TABLES, 'schema_parts', 'schema_version'].sort());
  });
});

describe('a town made before schema parts', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('is taken over on first use: every row of every town table is still there and gt reads and writes them', () => {
    const t = tempDir('gt old town');
    cleanup = t.cleanup;
    const town = join(t.dir, 'town');
    const env = { GT_TMUX_SOCKET: `gt-parts-${process.pid}`, TMUX_TMPDIR: t.dir };
    gtJson(t.dir, ['install', town], { env });
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(t.dir, 'app src')], { env });
    const bead = bdJson<{ id: string }>(join(town, 'app'), ['create', 'Held by toast']).id;
    const queued = bdJson<{ id: string }>(join(town, 'app'), ['create', 'Waiting for a polecat']).id;

    // The database as the old code left it: migrations 1–6 verbatim, the same beads, and rows in every town table.
    const dbPath = join(town, '.beads', 'beads.db');
    const oldPath = join(t.dir, 'old.db');
    const T = '2026-01-02T03:04:05.000Z';
    const old = new DatabaseSync(oldPath);
    applyLegacySchema(old);
    old.exec(`ATTACH '${dbPath}' AS cur`);
    for (const tb of ISSUE_TABLES) old.exec(`INSERT INTO main.${tb} SELECT * FROM cur.${tb}`);
    old.exec('DETACH cur');
    const worktree = join(town, 'app', 'polecats', 'toast');
    old.exec(`
      INSERT INTO agents (address, role, rig, name, runtime, state, hooked_bead, started_at) VALUES
        ('mayor', 'mayor', NULL, 'mayor', 'claude', 'stopped', NULL, '${T}'),
        ('app/toast', 'polecat', 'app', 'toast', 'claude', 'stopped', '${bead}', '${T}');
      INSERT INTO mail (id, from_addr, to_addr, subject, body, created_at) VALUES
        ('hq-m0ld1', 'app/toast', 'mayor', 'Old news', 'from before the upgrade', '${T}'),
        ('hq-m0ld2', 'mayor', 'overseer', 'For you', '', '${T}');
      INSERT INTO polecats (rig, name, state, bead, branch, base, worktree, hook_state, created_at, updated_at) VALUES
        ('app', 'toast', 'working', '${bead}', 'polecat/toast/${bead}', 'main', '${worktree}', 'active', '${T}', '${T}');
      INSERT INTO merge_requests (id, rig, bead, polecat, branch, head, status, merge_commit, created_at, updated_at, finished_at) VALUES
        ('mr-0ld1', 'app', '${bead}', 'toast', 'polecat/toast/${bead}', 'abc123', 'merged', 'def456', '${T}', '${T}', '${T}');
      INSERT INTO sling_queue (bead, rig, created_at) VALUES ('${queued}', 'app', '${T}');
      INSERT INTO town_events (at, actor, kind, subject, reason) VALUES
        ('${T}', 'gt sling', 'sling.hooked', '${bead}', 'slung to app/toast'),
        ('${T}', 'daemon', 'refinery.merged', '${bead}', 'landed before the upgrade');
      INSERT INTO usage (id, session_id, address, rig, bead, model, input, output, at) VALUES
        ('msg_0ld1', 'sess-1', 'app/toast', 'app', '${bead}', 'claude-sonnet-4-5', 1000, 200, '${T}');
      INSERT INTO usage_sources (path, session_id, address, offset, size, mtime_ms, updated_at) VALUES
        ('/nowhere/sess-1.jsonl', 'sess-1', 'app/toast', 10, 10, 1, '${T}');`);
    old.close();
    for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
    renameSync(oldPath, dbPath);
    const before = Object.fromEntries(TOWN_TABLES.map((tb) => [tb, count(dbPath, tb)]));
    expect(Object.values(before).every((n) => n > 0)).toBe(true);

    // The town works on the old file: each concept's command shows the rows the old code wrote.
    const agents = gtJson<{ address: string; hooked_bead?: string | null }[]>(town, ['agents', '--all'], { env });
    expect(agents.map((a) => a.address).sort()).toEqual(['app/toast', 'mayor']);
    const inbox = gtJson<{ id: string; subject: string }[]>(town, ['mail', 'inbox', 'mayor'], { env });
    expect(inbox.map((m) => [m.id, m.subject])).toEqual([['hq-m0ld1', 'Old news']]);
    const mrs = gtJson<{ id: string; status: string }[]>(town, ['mq', 'list'], { env });
    expect(mrs.map((m) => [m.id, m.status])).toEqual([['mr-0ld1', 'merged']]);
    const polecats = gtJson<{ name: string; bead: string | null }[]>(town, ['polecat', 'list'], { env });
    expect(polecats.map((p) => [p.name, p.bead])).toEqual([['toast', bead]]);
    const feed = gt(town, ['feed', '-n', '10'], { env });
    expect(feed.stdout).toContain('landed before the upgrade');
    const costs = gt(town, ['costs', '--json'], { env });
    expect(costs.code, costs.stderr).toBe(0);
    expect(costs.stdout).toContain('app/toast');
    // The old queue entry is read too: unslinging the waiting bead takes it out of line.
    expect(gtJson<{ was: string }>(town, ['unsling', queued], { env }).was).toBe('queued');
    // ...and writes: new mail beside the old.
    expect(
      gt(town, ['mail', 'send', 'mayor', '-s', 'After the upgrade', '-m', 'new', '--from', 'overseer', '--no-notify'], {
        env,
      }).code,
    ).toBe(0);
    expect(
      gtJson<{ subject: string }[]>(town, ['mail', 'inbox', 'mayor'], { env })
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['After the upgrade', 'Old news']);

    // Not a row lost: every table holds what it held (mail one more, the queue one less, events perhaps more).
    const after = Object.fromEntries(TOWN_TABLES.map((tb) => [tb, count(dbPath, tb)]));
    expect(after).toMatchObject({
      ...before,
      mail: before.mail! + 1,
      sling_queue: before.sling_queue! - 1,
      town_events: after.town_events,
    });
    expect(after.town_events).toBeGreaterThanOrEqual(before.town_events!);
    expect(
      bdJson<{ id: string }[]>(town, ['list', '--all'])
        .map((b) => b.id)
        .sort(),
    ).toEqual([bead, queued].sort());
    // Each table is now recorded as its owner's part, adopted as the old code made it.
    expect(parts(dbPath)).toMatchObject({ beads: 6, ...Object.fromEntries(TOWN_PARTS.map((p) => [p, 1])) });
  });

  it('a new town has every town table, each recorded as the part of its owner', () => {
    const t = tempDir('gt new town');
    cleanup = t.cleanup;
    const town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    const dbPath = join(town, '.beads', 'beads.db');
    // The tables the old code had, and those added since (pull requests, API tokens), each its owner's part.
    const newer = ['api_tokens', 'pull_requests'];
    expect(tables(dbPath)).toEqual([...ISSUE_TABLES, ...TOWN_TABLES, ...newer, 'schema_parts'].sort());
    // pull_requests is at 2: it lists every request a PR carried (a reworked request keeps showing its PR).
    expect(parts(dbPath)).toEqual({
      beads: 6,
      ...Object.fromEntries([...TOWN_PARTS, ...newer].map((p) => [p, 1])),
      pull_requests: 2,
    });
  });
});
