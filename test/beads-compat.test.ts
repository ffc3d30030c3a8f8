// Beads compatibility (issue 19): a Go Beads ledger goes in and comes out field for field, Go's command forms work,
// and `--json` prints Beads' shapes. Ledgers are generated from Beads' documented record format, never copied.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, bdJson, git, tempStore } from './support/bd.ts';
import { comparable, goLedger } from './support/beads-gen.ts';

type Rec = Record<string, unknown>;
const lines = (text: string): Rec[] => text.trim().split('\n').map((l) => JSON.parse(l) as Rec);

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

    const out = join(t.dir, 'out.jsonl');
    expect(bdJson<{ count: number }>(t.dir, ['export', '-o', out]).count).toBe(issues.length);
    const back = lines(readFileSync(out, 'utf8'));
    // Records of another _type come first, unchanged.
    expect(back.slice(0, 2)).toEqual(go.records.filter((r) => '_type' in r));
    const byId = new Map(back.filter((r) => !('_type' in r)).map((r) => [r.id as string, r]));
    expect(byId.size).toBe(issues.length);
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
      for (const k of new Set([...Object.keys(want), ...Object.keys(got)])) if (!fields.includes(k) && k !== 'updated_at') expect([id, k, got[k]]).toEqual([id, k, want[k]]);
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
      { id: 'bd-a1', title: 'Old one', acceptance: 'must work', status: 'in_progress', priority: 1, type: 'bug', assignee: 'al', labels: ['x'], created_at: '2026-01-01T00:00:00.000Z', created_by: 'al', updated_at: '2026-01-02T00:00:00.000Z', dependencies: [{ depends_on_id: 'bd-b2', type: 'blocks', created_at: '2026-01-01T00:00:00.000Z', created_by: 'al' }], comments: [{ id: 'c1', author: 'al', text: 'hi', created_at: '2026-01-01T00:00:00.000Z' }] },
      { id: 'bd-b2', title: 'Deleted one', status: 'open', priority: 2, type: 'task', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-03T00:00:00.000Z', deleted_at: '2026-01-03T00:00:00.000Z', deleted_by: 'al' },
    ];
    const path = join(t.dir, '.beads', 'issues.jsonl');
    writeFileSync(path, `${old.map((x) => JSON.stringify(x)).join('\n')}\n`);
    expect(bd(t.dir, ['list']).code).toBe(0);
    const now = lines(readFileSync(path, 'utf8'));
    expect(now[0]).toEqual({
      id: 'bd-a1', title: 'Old one', description: '', acceptance_criteria: 'must work', status: 'in_progress', priority: 1, issue_type: 'bug',
      assignee: 'al', created_at: '2026-01-01T00:00:00.000Z', created_by: 'al', updated_at: '2026-01-02T00:00:00.000Z', labels: ['x'],
      dependencies: [{ issue_id: 'bd-a1', depends_on_id: 'bd-b2', type: 'blocks', created_at: '2026-01-01T00:00:00.000Z', created_by: 'al' }],
      comments: [{ id: 'c1', issue_id: 'bd-a1', author: 'al', text: 'hi', created_at: '2026-01-01T00:00:00.000Z' }],
    });
    expect(now[1]).toMatchObject({ id: 'bd-b2', status: 'tombstone', original_status: 'open', original_type: 'task', deleted_at: '2026-01-03T00:00:00.000Z' });
    expect(Object.keys(now[0]!)).not.toContain('type');
    // Read back, the tombstone is the same deleted bead with its status before deletion.
    expect(bd(t.dir, ['show', 'bd-b2']).code).toBe(1);
    expect(bdJson<Rec[]>(t.dir, ['show', 'bd-a1'])[0]).toMatchObject({ issue_type: 'bug', acceptance_criteria: 'must work' });
  }, 60_000);

  it('keeps unknown fields of a newer Beads through a write, and the committed ledger still has them (issue 12 §5)', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const rec = { id: 'bd-x1', title: 'From a newer Beads', description: '', status: 'open', priority: 2, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', source_repo: '.', future_field: { nested: [1, 2] }, estimated_minutes: 30 };
    writeFileSync(path, `${JSON.stringify(rec)}\n`);
    expect(bd(t.dir, ['update', 'bd-x1', '--priority', '1']).code).toBe(0);
    git(t.dir, ['add', '.beads/issues.jsonl']);
    const committed = JSON.parse(git(t.dir, ['show', ':.beads/issues.jsonl']).trim()) as Rec;
    expect(committed).toMatchObject({ priority: 1, source_repo: '.', future_field: { nested: [1, 2] }, estimated_minutes: 30 });
  }, 60_000);

  it('reports a ledger line that is not UTF-8 with its number and leaves the file as it is (issue 12 §5)', () => {
    const t = tempStore('bd');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const good = JSON.stringify({ id: 'bd-ok1', title: 'fine', status: 'open', priority: 2, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' });
    const bad = Buffer.concat([Buffer.from('{"id":"bd-ok2","title":"bro'), Buffer.from([0xff, 0xfe]), Buffer.from('ken","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z"}')]);
    const bytes = Buffer.concat([Buffer.from(`${good}\n`), bad, Buffer.from('\n')]);
    writeFileSync(path, bytes);
    const r = bd(t.dir, ['list', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/issues\.jsonl:2: not valid UTF-8 \(first bad byte at column 28\)/);
    expect((JSON.parse(r.stdout) as Rec[]).map((x) => x.id)).toEqual(['bd-ok1']);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  }, 60_000);
});
