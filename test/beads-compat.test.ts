// Beads compatibility (issue 19): a Go Beads ledger goes in and comes out field for field, Go's command forms work,
// and `--json` prints Beads' shapes. Ledgers are generated from Beads' documented record format, never copied.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, git, tempRepo, tempStore } from './support/bd.ts';
import { comparable, goLedger } from './support/beads-gen.ts';

type Rec = Record<string, unknown>;
const lines = (text: string): Rec[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

describe('Beads-compatible ledger', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('a generated Go Beads ledger of 3,000+ beads round-trips field for field through bd import -i → work → bd export -o', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const go = goLedger(3000);
    const src = join(t.dir, 'go-issues.jsonl');
    writeFileSync(src, go.text);
    const imp = bdJson<{ created: number; problems: unknown[] }>(t.dir, ['import', '-i', src]);
    expect(imp.problems).toEqual([]);
    const issues = go.records.filter((r) => !('_type' in r));
    expect(imp.created).toBe(issues.length);

    // Work on a few beads the way a script does, with Go's flags.
    const live = issues.filter((r) => r.status === 'open' && !r.defer_until);
    const [a, b, c, d] = live.map((r) => r.id as string);
    expect(bd(t.dir, ['update', a!, '--status', 'in_progress', '--assignee', 'zed']).code).toBe(0);
    expect(bd(t.dir, ['comments', 'add', b!, 'a new comment']).code).toBe(0);
    expect(bd(t.dir, ['label', 'add', c!, 'fresh']).code).toBe(0);
    expect(bd(t.dir, ['close', d!, '-r', 'finished']).code).toBe(0);

    // Ids in every Beads form are taken as they are: sequential, hash, hierarchical; new children keep counting.
    const seq = issues.find((r) => /^bd-\d{4}$/.test(r.id as string) && r.status !== 'tombstone')!.id as string;
    const grandchild = issues.find((r) => /\.1\.1$/.test(r.id as string))!.id as string;
    expect(bdJson<Rec[]>(t.dir, ['show', seq])[0]!.id).toBe(seq);
    expect(bdJson<Rec[]>(t.dir, ['show', grandchild])[0]).toMatchObject({
      id: grandchild,
      parent: grandchild.slice(0, -2),
    });
    const parentId = grandchild.slice(0, -4);
    const child = bdJson<Rec>(t.dir, ['create', 'A third child', '--parent', parentId]);
    expect(child.id).toBe(`${parentId}.3`);
    expect(bd(t.dir, ['delete', child.id as string]).code).toBe(0);
    const fresh = bdJson<Rec>(t.dir, ['create', 'New work keeps our id scheme']);
    expect(fresh.id).toMatch(/^bd-[0-9a-z]{3,8}$/);
    expect(bd(t.dir, ['delete', fresh.id as string]).code).toBe(0);

    const out = join(t.dir, 'out.jsonl');
    expect(bdJson<{ count: number }>(t.dir, ['export', '-o', out]).count).toBe(issues.length + 2);
    const back = lines(readFileSync(out, 'utf8'));
    // Records of another _type come first, unchanged.
    expect(back.slice(0, 2)).toEqual(go.records.filter((r) => '_type' in r));
    const byId = new Map(back.filter((r) => !('_type' in r)).map((r) => [r.id as string, r]));
    expect(byId.size).toBe(issues.length + 2);
    // The two beads made and deleted here travel as tombstones, as Beads' classic ledger writes them.
    expect(byId.get(child.id as string)).toMatchObject({
      status: 'tombstone',
      deleted_by: 'tester',
      original_type: 'task',
      original_status: 'open',
    });
    const touched = new Set([a, b, c, d]);
    for (const want of issues) {
      const got = byId.get(want.id as string)!;
      if (touched.has(want.id as string)) continue;
      expect(comparable(got)).toEqual(comparable(want));
    }
    // Each worked bead changed only where the work touched it.
    const only = (id: string, fields: string[]): void => {
      const want = comparable(issues.find((r) => r.id === id)!);
      const got = comparable(byId.get(id)!);
      for (const k of new Set([...Object.keys(want), ...Object.keys(got)]))
        if (!fields.includes(k) && k !== 'updated_at') expect([id, k, got[k]]).toEqual([id, k, want[k]]);
    };
    only(a!, ['status', 'assignee']);
    expect(byId.get(a!)).toMatchObject({ status: 'in_progress', assignee: 'zed' });
    only(b!, ['comments']);
    expect((byId.get(b!)!.comments as Rec[]).map((x) => x.text)).toContain('a new comment');
    only(c!, ['labels']);
    expect(byId.get(c!)!.labels).toContain('fresh');
    only(d!, ['status', 'closed_at', 'close_reason']);
    expect(byId.get(d!)).toMatchObject({ status: 'closed', close_reason: 'finished' });
    // The store's own ledger carries the same records.
    expect(lines(readFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'utf8'))).toEqual(back);
  }, 240_000);

  it('rewrites a ledger in the earlier shape (type, acceptance) in Beads shape on the first call, losing nothing', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const old = [
      {
        id: 'bd-a1',
        title: 'Old one',
        acceptance: 'must work',
        status: 'in_progress',
        priority: 1,
        type: 'bug',
        assignee: 'al',
        labels: ['x'],
        created_at: '2026-01-01T00:00:00.000Z',
        created_by: 'al',
        updated_at: '2026-01-02T00:00:00.000Z',
        dependencies: [
          { depends_on_id: 'bd-b2', type: 'blocks', created_at: '2026-01-01T00:00:00.000Z', created_by: 'al' },
        ],
        comments: [{ id: 'c1', author: 'al', text: 'hi', created_at: '2026-01-01T00:00:00.000Z' }],
      },
      {
        id: 'bd-b2',
        title: 'Deleted one',
        status: 'open',
        priority: 2,
        type: 'task',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-03T00:00:00.000Z',
        deleted_at: '2026-01-03T00:00:00.000Z',
        deleted_by: 'al',
      },
    ];
    const path = join(t.dir, '.beads', 'issues.jsonl');
    writeFileSync(path, `${old.map((x) => JSON.stringify(x)).join('\n')}\n`);
    expect(bd(t.dir, ['list']).code).toBe(0);
    const now = lines(readFileSync(path, 'utf8'));
    expect(now[0]).toEqual({
      id: 'bd-a1',
      title: 'Old one',
      description: '',
      acceptance_criteria: 'must work',
      status: 'in_progress',
      priority: 1,
      issue_type: 'bug',
      assignee: 'al',
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'al',
      updated_at: '2026-01-02T00:00:00.000Z',
      labels: ['x'],
      dependencies: [
        {
          issue_id: 'bd-a1',
          depends_on_id: 'bd-b2',
          type: 'blocks',
          created_at: '2026-01-01T00:00:00.000Z',
          created_by: 'al',
        },
      ],
      comments: [{ id: 'c1', issue_id: 'bd-a1', author: 'al', text: 'hi', created_at: '2026-01-01T00:00:00.000Z' }],
    });
    expect(now[1]).toMatchObject({
      id: 'bd-b2',
      status: 'tombstone',
      original_status: 'open',
      original_type: 'task',
      deleted_at: '2026-01-03T00:00:00.000Z',
    });
    expect(Object.keys(now[0]!)).not.toContain('type');
    // Read back, the tombstone is the same deleted bead with its status before deletion.
    expect(bd(t.dir, ['show', 'bd-b2']).code).toBe(1);
    expect(bdJson<Rec[]>(t.dir, ['show', 'bd-a1'])[0]).toMatchObject({
      issue_type: 'bug',
      acceptance_criteria: 'must work',
    });
  }, 60_000);

  it('upgrades a store of the earlier version (schema 5, old-shape ledger in sync) and rewrites its ledger in Beads shape', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const T = '2026-01-01T00:00:00.000Z';
    const a = {
      id: 'bd-up1',
      title: 'Before the upgrade',
      acceptance: 'kept',
      status: 'open',
      priority: 1,
      type: 'feature',
      labels: ['l'],
      created_at: T,
      created_by: 'al',
      updated_at: T,
      comments: [{ id: 'c-1', author: 'al', text: 'first', created_at: T }],
    };
    writeFileSync(path, `${JSON.stringify(a)}\n`);
    expect(bd(t.dir, ['list']).code).toBe(0);
    // Put the database back as the earlier version left it: schema 5, no new columns, and that bd's old-shape
    // ledger recorded as its own last write (so only the upgrade can make bd rewrite it).
    writeFileSync(path, `${JSON.stringify(a)}\n`);
    const db = new DatabaseSync(join(t.dir, '.beads', 'beads.db'));
    db.exec(`ALTER TABLE issues DROP COLUMN owner; ALTER TABLE issues DROP COLUMN extra; ALTER TABLE issues DROP COLUMN uid;
      ALTER TABLE deps DROP COLUMN extra; ALTER TABLE comments DROP COLUMN extra; DROP TABLE ledger_others; DROP TABLE schema_parts;
      CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL) STRICT;
      INSERT INTO schema_version VALUES (1, '${T}'), (2, '${T}'), (3, '${T}'), (4, '${T}'), (5, '${T}')`);
    const st = statSync(path, { bigint: true });
    db.prepare("UPDATE meta SET value = ? WHERE key = 'ledger_stat'").run(`${st.size}:${st.mtimeNs}:${st.ino}`);
    db.close();
    expect(bd(t.dir, ['list']).code).toBe(0);
    expect(lines(readFileSync(path, 'utf8'))).toEqual([
      {
        id: 'bd-up1',
        title: 'Before the upgrade',
        description: '',
        acceptance_criteria: 'kept',
        status: 'open',
        priority: 1,
        issue_type: 'feature',
        created_at: T,
        created_by: 'al',
        updated_at: T,
        labels: ['l'],
        comments: [{ id: 'c-1', issue_id: 'bd-up1', author: 'al', text: 'first', created_at: T }],
      },
    ]);
  }, 60_000);

  it('keeps unknown fields of a newer Beads through a write, and the committed ledger still has them (issue 12 §5)', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const rec = {
      id: 'bd-x1',
      title: 'From a newer Beads',
      description: '',
      status: 'open',
      priority: 2,
      issue_type: 'task',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      source_repo: '.',
      future_field: { nested: [1, 2] },
      estimated_minutes: 30,
    };
    writeFileSync(path, `${JSON.stringify(rec)}\n`);
    expect(bd(t.dir, ['update', 'bd-x1', '--priority', '1']).code).toBe(0);
    git(t.dir, ['add', '.beads/issues.jsonl']);
    const committed = JSON.parse(git(t.dir, ['show', ':.beads/issues.jsonl']).trim()) as Rec;
    expect(committed).toMatchObject({
      priority: 1,
      source_repo: '.',
      future_field: { nested: [1, 2] },
      estimated_minutes: 30,
    });
  }, 60_000);

  it('reports a ledger line that is not UTF-8 with its number and leaves the file as it is (issue 12 §5)', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const good = JSON.stringify({
      id: 'bd-ok1',
      title: 'fine',
      status: 'open',
      priority: 2,
      issue_type: 'task',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
    const bad = Buffer.concat([
      Buffer.from('{"id":"bd-ok2","title":"bro'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('ken","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z"}'),
    ]);
    const bytes = Buffer.concat([Buffer.from(`${good}\n`), bad, Buffer.from('\n')]);
    writeFileSync(path, bytes);
    const r = bd(t.dir, ['list', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/issues\.jsonl:2: not valid UTF-8 \(first bad byte at column 28\)/);
    expect((JSON.parse(r.stdout) as Rec[]).map((x) => x.id)).toEqual(['bd-ok1']);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  }, 60_000);
});

/** A Go Beads `.beads/` as each era left it: config.yaml, metadata.json, a Go-schema SQLite file or a Dolt folder. */
function goBeadsRepo(
  era: 'sqlite' | 'jsonl' | 'dolt',
  ledger: string | undefined,
): { dir: string; cleanup: () => void; beads: string } {
  const t = tempRepo('goproj');
  const beads = join(t.dir, '.beads');
  mkdirSync(beads);
  writeFileSync(join(beads, 'config.yaml'), '# Beads configuration\nissue-prefix: "bd"\nsync-branch: ""\n');
  writeFileSync(join(beads, 'metadata.json'), '{"database":"beads.db","jsonl_export":"issues.jsonl"}\n');
  writeFileSync(join(beads, '.gitignore'), '*.db\n*.db-journal\n*.db-wal\n*.db-shm\ndaemon.log\nbd.sock\n');
  if (ledger !== undefined) writeFileSync(join(beads, 'issues.jsonl'), ledger);
  if (era === 'sqlite') {
    const db = new DatabaseSync(join(beads, 'beads.db'));
    db.exec(
      "CREATE TABLE issues (id TEXT PRIMARY KEY, title TEXT, issue_type TEXT); CREATE TABLE dependencies (issue_id TEXT, depends_on_id TEXT, type TEXT); CREATE TABLE dirty_issues (issue_id TEXT); INSERT INTO issues VALUES ('bd-0001', 'go row', 'task');",
    );
    db.close();
  }
  if (era === 'dolt') mkdirSync(join(beads, 'dolt', 'beads', '.dolt'), { recursive: true });
  writeFileSync(join(t.dir, '.gitattributes'), '.beads/issues.jsonl merge=beads\n');
  git(t.dir, ['add', '-A']);
  git(t.dir, ['commit', '-qm', 'go beads']);
  return { ...t, beads };
}

/** Every file under `dir` with its bytes, to prove a refusal changed nothing. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = readFileSync(join(e.parentPath, e.name)).toString('base64');
  }
  return out;
}

describe('a repository Go Beads set up', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  for (const era of ['sqlite', 'jsonl'] as const) {
    it(`is picked up by the first bd call (${era} era): ledger imported, Go Beads' files kept, the user told`, () => {
      const go = goLedger(40, 7);
      const t = goBeadsRepo(era, go.text);
      cleanup = t.cleanup;
      const goDb = era === 'sqlite' ? readFileSync(join(t.beads, 'beads.db')) : undefined;
      const r = bd(t.dir, ['list', '--all', '-n', '0', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`found Go Beads' .beads/ (${era} era)`);
      const issues = go.records.filter((x) => !('_type' in x));
      expect(r.stderr).toContain(`imported ${issues.length} beads`);
      expect((JSON.parse(r.stdout) as Rec[]).length).toBe(issues.filter((x) => x.status !== 'tombstone').length);
      // Nothing of Go Beads is gone: its ledger as it was, its database byte for byte, its config untouched.
      expect(readFileSync(join(t.beads, 'go-beads', 'issues.jsonl'), 'utf8')).toBe(go.text);
      if (goDb) {
        expect(r.stderr).toContain("moved Go Beads' SQLite database");
        expect(readFileSync(join(t.beads, 'go-beads', 'beads.db')).equals(goDb)).toBe(true);
      }
      expect(readFileSync(join(t.beads, 'config.yaml'), 'utf8')).toContain('issue-prefix: "bd"');
      expect(existsSync(join(t.beads, 'metadata.json'))).toBe(true);
      // The live ledger carries every record field for field, and git sees no database or kept file to commit.
      const now = new Map(
        lines(readFileSync(join(t.beads, 'issues.jsonl'), 'utf8'))
          .filter((x) => !('_type' in x))
          .map((x) => [x.id, x]),
      );
      for (const want of issues) expect(comparable(now.get(want.id)!)).toEqual(comparable(want));
      expect(git(t.dir, ['status', '--porcelain', '--untracked-files=all'])).not.toMatch(/beads\.db|go-beads/);
      // bd doctor finds the ledger as the store would write it, and never takes an external edge for a dangling one.
      const doc = JSON.parse(bd(t.dir, ['doctor', '--json']).stdout) as {
        checks: { name: string; ok: boolean; detail: string }[];
      };
      expect(doc.checks.find((c) => c.name === 'ledger')).toMatchObject({ ok: true });
      expect(doc.checks.find((c) => c.name === 'dangling-edges')!.detail).not.toContain('external:');
      // A second call does not adopt again.
      const again = bd(t.dir, ['list']);
      expect(again.code).toBe(0);
      expect(again.stderr).not.toContain('Go Beads');
    }, 60_000);
  }

  it('a Dolt-era .beads without a JSONL export gets one line saying how to export it, and nothing changes', () => {
    const t = goBeadsRepo('dolt', undefined);
    cleanup = t.cleanup;
    const before = tree(t.beads);
    const r = bd(t.dir, ['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Go Beads data in a Dolt database but no issues\.jsonl/);
    expect(r.stderr).toContain('bd export -o .beads/issues.jsonl');
    expect(r.stderr).not.toMatch(/bd init|re-?init|delete|remove/i);
    expect(tree(t.beads)).toEqual(before);
  }, 60_000);
});

describe('Go Beads command forms and --json shapes', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('a shell script written for Go Beads runs unchanged', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const bin = join(t.dir, '..', 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'bd'), `#!/bin/sh\nexec "${process.execPath}" "${BD_BIN}" "$@"\n`);
    chmodSync(join(bin, 'bd'), 0o755);
    const script = `set -eu
j() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }
A=$(bd create "Parent epic" -t epic -p P1 --json | j 'v.id')
B=$(bd new "Fix the login" -t bug -p 0 -d "It times out" --acceptance "logs in" -l backend,auth --json | j 'v.id')
C=$(bd create "Write docs" --deps "discovered-from:$B" --silent)
bd dep add "$B" --blocked-by "$A" --json | j 'v.status'
bd dep add "$C" "$A" -t relates-to --json >/dev/null
bd dep rm "$C" "$A" --json >/dev/null
bd label add "$B" urgent --json | j 'v[0].status + " " + v[0].label'
bd update "$B" --claim --json | j 'v[0].status'
bd update "$B" --append-notes "found it" --json | j 'v[0].notes'
bd comments add "$B" "looks right" --json | j 'v.text'
bd comments "$B" --json | j 'v.length'
bd show "$B" --json | j 'v[0].issue_type + " " + v[0].acceptance_criteria + " " + v[0].dependencies[0].dependency_type'
bd view "$B" --json | j 'v[0].labels.join(",")'
bd list -s in_progress -n 0 --json | j 'v.map(x => x.id + ":" + x.dependency_count).join(",")'
bd ready -n 5 --json | j 'v.some(x => x.id === "'"$C"'")'
bd update "$C" --set-labels docs,p2 --json | j 'v[0].labels.join(",")'
bd list --no-assignee -n 0 --json | j 'v.length > 0 && v.every(x => !x.assignee)'
bd comments add "$B" "by bob" -a bob --json | j 'v.author'
bd close "$B" -r "fixed" --json | j 'v[0].close_reason'
bd done "$C" --json | j 'v[0].status'
bd stats --json | j 'v.summary.closed_issues'
bd status --json | j 'v.summary.total_issues'
bd export -o out.jsonl --json | j 'v.count'
bd import -i out.jsonl --json | j 'v.unchanged'
`;
    const r = spawnSync('bash', ['-c', script], {
      cwd: t.dir,
      env: { ...cleanEnv(), PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'added',
      'added urgent',
      'in_progress',
      'found it',
      'looks right',
      '1',
      'bug logs in blocks',
      'auth,backend,urgent',
      expect.stringMatching(/^bd-[0-9a-z]+:1$/),
      'true',
      'docs,p2',
      'true',
      'bob',
      'fixed',
      'closed',
      '2',
      '3',
      '3',
      '3',
    ]);
  }, 120_000);

  it('each --json output has the shape Go Beads documents (issue_type, acceptance_criteria, arrays, counts, summary)', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const issueKeys = ['id', 'title', 'description', 'status', 'priority', 'issue_type', 'created_at', 'updated_at'];
    const isIssue = (x: Rec): void => {
      for (const k of issueKeys) expect(x, k).toHaveProperty(k);
      for (const k of ['type', 'acceptance', 'ephemeral', 'deleted_at', 'extra']) expect(x, k).not.toHaveProperty(k);
      for (const [k, v] of Object.entries(x)) expect(v, `${k} is null`).not.toBeNull();
    };
    const a = bdJson<Rec>(t.dir, ['create', 'First', '--acceptance', 'ok', '-a', 'alice']);
    isIssue(a);
    expect(a).toMatchObject({
      acceptance_criteria: 'ok',
      assignee: 'alice',
      issue_type: 'task',
      priority: 2,
      status: 'open',
    });
    const b = bdJson<Rec>(t.dir, ['create', 'Second']);
    bdJson(t.dir, ['dep', 'add', b.id as string, a.id as string]);
    const [shown] = bdJson<Rec[]>(t.dir, ['show', b.id as string]);
    isIssue(shown!);
    expect(shown!.dependencies).toEqual([
      expect.objectContaining({
        id: a.id,
        title: 'First',
        dependency_type: 'blocks',
        issue_id: b.id,
        depends_on_id: a.id,
        type: 'blocks',
      }),
    ]);
    const list = bdJson<Rec[]>(t.dir, ['list']);
    list.forEach(isIssue);
    expect(list.find((x) => x.id === a.id)).toMatchObject({
      dependency_count: 0,
      dependent_count: 1,
      comment_count: 0,
    });
    bdJson<Rec[]>(t.dir, ['ready']).forEach(isIssue);
    const blocked = bdJson<Rec[]>(t.dir, ['blocked']);
    expect(blocked[0]).toMatchObject({ id: b.id, blocked_by_count: 1, blocked_by: [a.id] });
    bdJson<Rec[]>(t.dir, ['update', a.id as string, '-p', '1']).forEach(isIssue);
    expect(bdJson<Rec>(t.dir, ['comments', 'add', a.id as string, 'hi'])).toEqual({
      id: expect.any(String),
      issue_id: a.id,
      author: 'tester',
      text: 'hi',
      created_at: expect.any(String),
    });
    expect(bdJson<Rec>(t.dir, ['stats']).summary).toEqual(
      expect.objectContaining({
        total_issues: 2,
        open_issues: 2,
        in_progress_issues: 0,
        closed_issues: 0,
        blocked_issues: 1,
        ready_issues: 1,
      }),
    );
    const closed = bdJson<Rec[]>(t.dir, ['close', a.id as string, '-r', 'done']);
    closed.forEach(isIssue);
    expect(closed[0]).toMatchObject({ status: 'closed', close_reason: 'done', closed_at: expect.any(String) });
  }, 120_000);
});

describe('merging ledgers in the earlier and the new shape', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('a merge between a branch in the old shape and one in the new shape loses nothing', () => {
    const t = tempRepo('merge');
    cleanup = t.cleanup;
    const T = '2026-01-01T00:00:00.000Z';
    const old = (o: Rec): string =>
      JSON.stringify({ status: 'open', priority: 2, type: 'task', created_at: T, updated_at: T, ...o });
    const base = `${[old({ id: 'bd-a', title: 'A', acceptance: 'base acc' }), old({ id: 'bd-b', title: 'B' })].join('\n')}\n`;
    // Theirs: still an earlier bd (old shape): edits A's acceptance and adds C with a comment and an edge.
    const theirs = `${[
      old({ id: 'bd-a', title: 'A', acceptance: 'their acc', updated_at: '2026-01-02T00:00:00.000Z' }),
      old({ id: 'bd-b', title: 'B' }),
      old({
        id: 'bd-c',
        title: 'C',
        labels: ['x'],
        dependencies: [{ depends_on_id: 'bd-a', type: 'blocks', created_at: T, created_by: 'al' }],
        comments: [{ id: 'k1', author: 'al', text: 'hi', created_at: T }],
      }),
    ].join('\n')}\n`;
    // Ours: the new bd (Beads shape): A's title edited, B carries a field from a newer Beads, and a memory record.
    const neu = (o: Rec): string =>
      JSON.stringify({
        description: '',
        status: 'open',
        priority: 2,
        issue_type: 'task',
        created_at: T,
        updated_at: T,
        ...o,
      });
    const ours = `${[
      JSON.stringify({ _type: 'memory', key: 'k', value: 'v' }),
      neu({ id: 'bd-a', title: 'A renamed', acceptance_criteria: 'base acc', updated_at: '2026-01-03T00:00:00.000Z' }),
      neu({ id: 'bd-b', title: 'B', source_repo: '.', estimated_minutes: 5 }),
    ].join('\n')}\n`;
    const files = { base: join(t.dir, 'base'), ours: join(t.dir, 'ours'), theirs: join(t.dir, 'theirs') };
    writeFileSync(files.base, base);
    writeFileSync(files.ours, ours);
    writeFileSync(files.theirs, theirs);
    const r = bd(t.dir, ['merge-driver', files.base, files.ours, files.theirs]);
    expect(r.code, r.stderr).toBe(0);
    const merged = lines(readFileSync(files.ours, 'utf8'));
    expect(merged[0]).toEqual({ _type: 'memory', key: 'k', value: 'v' });
    const by = new Map(merged.slice(1).map((x) => [x.id, x]));
    expect(by.get('bd-a')).toMatchObject({ title: 'A renamed', acceptance_criteria: 'their acc', issue_type: 'task' });
    expect(by.get('bd-b')).toMatchObject({ source_repo: '.', estimated_minutes: 5 });
    expect(by.get('bd-c')).toMatchObject({
      labels: ['x'],
      dependencies: [{ issue_id: 'bd-c', depends_on_id: 'bd-a', type: 'blocks', created_at: T, created_by: 'al' }],
      comments: [{ id: 'k1', issue_id: 'bd-c', author: 'al', text: 'hi', created_at: T }],
    });
    for (const x of merged.slice(1)) {
      expect(x).not.toHaveProperty('type');
      expect(x).not.toHaveProperty('acceptance');
    }
  }, 60_000);
});

describe('text from the store on a terminal (issue 12 §5)', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('bd list, show and comments print ESC, CSI and OSC sequences as visible escapes; --json keeps them exact', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const title = 'Title \x1b]52;c;ZWNobyBwd25lZA==\x07 and \x1b]0;owned\x07 \x1b[8mhidden\x1b[0m';
    const desc = 'line one\n\x1b[2J\x1b[Hcleared \u202eevil';
    const a = bdJson<Rec>(t.dir, ['create', '--title', title, '-d', desc]);
    bd(t.dir, ['comments', 'add', a.id as string, 'note \x1b[31mred\x1b[0m']);
    bd(t.dir, ['update', a.id as string, '--notes', 'n \x9b31m c1']);
    for (const args of [
      ['list'],
      ['show', a.id as string],
      ['comments', a.id as string],
      ['ready'],
      ['search', 'Title'],
    ]) {
      const r = bd(t.dir, args);
      expect(r.code, args.join(' ')).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(r.stdout, args.join(' ')).not.toMatch(/[\x1b\x07\x9b\u202e]/u);
    }
    const shown = bd(t.dir, ['show', a.id as string]).stdout;
    expect(shown).toContain('\\e]52;c;ZWNobyBwd25lZA==\\x07');
    expect(shown).toContain('\\e[2J');
    expect(shown).toContain('line one\n');
    expect(bd(t.dir, ['comments', a.id as string]).stdout).toContain('note \\e[31mred\\e[0m');
    const [json] = bdJson<Rec[]>(t.dir, ['show', a.id as string]);
    expect(json).toMatchObject({ title, description: desc });
    // A holder's name comes from the store too: a lost claim names it without obeying its escapes.
    bd(t.dir, ['update', a.id as string, '--claim', '--actor', 'mal\x1b]0;x\x07lory']);
    const lost = bd(t.dir, ['update', a.id as string, '--claim', '--actor', 'bob']);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain('mal\\e]0;x\\x07lory');
    // eslint-disable-next-line no-control-regex
    expect(lost.stderr).not.toMatch(/[\x1b\x07]/);
  }, 60_000);
});
