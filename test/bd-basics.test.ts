// bd as a user runs it: create, show, list, update, close, ready and blocked through real processes.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, git, tempStore } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  status: string;
  priority: number;
  assignee: string | null;
  labels: string[];
  notes: string;
}

describe('bd basics', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('creates, shows, lists and closes beads; ready and blocked follow the blocks edge', () => {
    const t = tempStore('demo');
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'Set up the database', '-p', '1', '-l', 'backend,db']);
    expect(a.id).toMatch(/^demo-[0-9a-z]{3}$/);
    expect(a.labels).toEqual(['backend', 'db']);
    const b = bdJson<B>(t.dir, ['create', 'Write the API', '--deps', `blocks:${a.id}`]);
    expect(bdJson<B[]>(t.dir, ['ready']).map((x) => x.id)).toEqual([a.id]);
    expect(bdJson<{ id: string; blocked_by: string[] }[]>(t.dir, ['blocked'])).toMatchObject([
      { id: b.id, blocked_by: [a.id] },
    ]);
    bdJson(t.dir, ['close', a.id, '--reason', 'done']);
    expect(bdJson<B[]>(t.dir, ['ready']).map((x) => x.id)).toEqual([b.id]);
    const [shown] = bdJson<(B & { close_reason: string })[]>(t.dir, ['show', a.id.slice(0, 7)]);
    expect(shown).toMatchObject({ id: a.id, status: 'closed', close_reason: 'done' });
    const ledger = readFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(ledger.map((l) => JSON.parse(l).id)).toEqual([a.id, b.id].sort());
  });

  it("keeps the store's write-ahead log short over many writes, each in its own process (every call reads it all)", () => {
    const t = tempStore('wal');
    cleanup = t.cleanup;
    const wal = join(t.dir, '.beads', 'beads.db-wal');
    const body = 'A long description. '.repeat(400);
    let most = 0;
    for (let i = 0; i < 30; i++) {
      expect(bd(t.dir, ['create', `Bead ${i}`, '-d', body]).code).toBe(0);
      most = Math.max(most, statSync(wal).size);
    }
    // Folded back into the database once past 1 MB (src/beads/sqlite.ts); 30 such writes left almost 2 MB before.
    expect(most).toBeLessThan(1.25 * 1024 * 1024);
    const all = bdJson<B[]>(t.dir, ['list', '-n', '0']);
    expect(all.map((b) => b.title).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `Bead ${i}`).sort());
  });

  it('appends notes with --notes and replaces them only with --notes-replace', () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'Investigate']);
    bdJson(t.dir, ['update', a.id, '--notes', 'first finding']);
    expect(bdJson<B[]>(t.dir, ['update', a.id, '--notes', 'second finding'])[0]!.notes).toBe(
      'first finding\nsecond finding',
    );
    expect(bdJson<B[]>(t.dir, ['update', a.id, '--notes-replace', 'summary'])[0]!.notes).toBe('summary');
  });

  it('refuses a claim held by someone else and names the holder', () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'Contested']);
    expect(bdJson<B[]>(t.dir, ['update', a.id, '--claim', '--actor', 'alice'])[0]!).toMatchObject({
      assignee: 'alice',
      status: 'in_progress',
    });
    const r = bd(t.dir, ['update', a.id, '--claim', '--actor', 'bob']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already claimed by alice');
  });

  it('records the git user as the actor when no --actor or BD_ACTOR is given, and notices a change of name', () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const noActor = { env: { BD_ACTOR: '' } };
    expect(bdJson<{ created_by: string }>(t.dir, ['create', 'One'], noActor).created_by).toBe('Test User');
    git(t.dir, ['config', 'user.name', 'Ada Lovelace']);
    expect(bdJson<{ created_by: string }>(t.dir, ['create', 'Two'], noActor).created_by).toBe('Ada Lovelace');
    expect(bdJson<{ created_by: string }>(t.dir, ['create', 'Three', '--actor', 'agent-7']).created_by).toBe('agent-7');
  });

  it('a reader that stops early (bd list | head) is no error: the built bd exits 0, says nothing, and its write stands', async () => {
    const t = tempStore('pipe');
    cleanup = t.cleanup;
    bdJson(t.dir, ['import', '-'], {
      input: Array.from({ length: 400 }, (_, i) =>
        JSON.stringify({
          id: `pipe-${i.toString(36).padStart(3, '0')}`,
          title: `bead ${i} ${'x'.repeat(80)}`,
          status: 'open',
          priority: 2,
          issue_type: 'task',
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
        }),
      ).join('\n'),
    });
    // The reader takes one chunk and closes its end, as head does; bd still has most of 400 rows to write.
    const run = (args: string[]): Promise<{ code: number | null; stderr: string; got: number }> =>
      new Promise((res) => {
        const p = spawn(process.execPath, [BD_BIN, ...args], {
          cwd: t.dir,
          env: cleanEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        let got = 0;
        p.stdout.once('data', (d: Buffer) => {
          got = d.length;
          p.stdout.destroy();
        });
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => res({ code, stderr, got }));
      });
    const list = await run(['list', '--limit', '0']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.got).toBeGreaterThan(0);
    const created = await run(['create', 'Written while nobody reads', '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(bdJson<B[]>(t.dir, ['list', '--limit', '0']).some((b) => b.title === 'Written while nobody reads')).toBe(
      true,
    );
  });
});
