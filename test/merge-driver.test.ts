// The ledger merge driver under real git: parallel branches merge without conflict markers, bad input is refused.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, git, tempStore } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  status: string;
  notes: string;
  labels: string[];
  close_reason: string | null;
}
interface Shown extends B {
  comments: { text: string }[];
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const line = (o: Record<string, unknown>): string =>
  JSON.stringify({
    title: 'T',
    status: 'open',
    priority: 2,
    type: 'task',
    created_at: '2025-01-01T00:00:00.000Z',
    ...o,
  });

describe('bd merge-driver', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('merges two branches that changed the same beads, and bd imports the result', () => {
    const t = tempStore('demo');
    cleanup = t.cleanup;
    const dir = t.dir;
    expect(readFileSync(join(dir, '.gitattributes'), 'utf8')).toContain('.beads/issues.jsonl merge=beads');
    git(dir, ['config', 'merge.beads.driver', `${shq(process.execPath)} ${shq(BD_BIN)} merge-driver %O %A %B`]);
    const a = bdJson<B>(dir, ['create', 'Bead A']);
    const b = bdJson<B>(dir, ['create', 'Bead B']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'base']);

    git(dir, ['checkout', '-qb', 'left']);
    bdJson(dir, ['close', a.id, '--reason', 'fixed upstream']);
    bdJson(dir, ['label', 'add', 'urgent', b.id]);
    git(dir, ['commit', '-qam', 'left: close A, label B']);

    git(dir, ['checkout', '-q', 'main']);
    git(dir, ['checkout', '-qb', 'right']);
    bdJson(dir, ['update', a.id, '--notes', 'root cause found']);
    const c = bdJson<B>(dir, ['create', 'Bead C']);
    bdJson(dir, ['comments', 'add', b.id, 'looks good']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'right: notes on A, add C, comment on B']);

    git(dir, ['merge', '--no-edit', 'left']);
    const text = readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8');
    expect(text).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    const merged = new Map(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Shown)
        .map((x) => [x.id, x]),
    );
    expect([...merged.keys()]).toEqual([a.id, b.id, c.id].sort());
    expect(merged.get(a.id)).toMatchObject({
      status: 'closed',
      close_reason: 'fixed upstream',
      notes: 'root cause found',
    });
    expect(merged.get(b.id)).toMatchObject({ labels: ['urgent'], comments: [{ text: 'looks good' }] });
    expect(git(dir, ['status', '--porcelain'])).toBe('');

    const listed = new Map(bdJson<B[]>(dir, ['list', '--all']).map((x) => [x.id, x]));
    expect(listed.get(a.id)).toMatchObject({ status: 'closed', notes: 'root cause found' });
    expect(listed.get(b.id)).toMatchObject({ labels: ['urgent'] });
    expect(listed.get(c.id)).toMatchObject({ title: 'Bead C', status: 'open' });
    expect(bdJson<Shown[]>(dir, ['show', b.id])[0]!.comments.map((x) => x.text)).toEqual(['looks good']);
    expect(git(dir, ['status', '--porcelain']), 'the merged ledger is already canonical').toBe('');
  });

  describe('run directly, outside any store', () => {
    let files: Record<'base' | 'ours' | 'theirs', string>;
    let work = '';
    const setup = (base: string, ours: string, theirs: string): void => {
      work = mkdtempSync(join(tmpdir(), 'bd merge '));
      files = { base: join(work, 'base'), ours: join(work, 'ours'), theirs: join(work, 'theirs') };
      writeFileSync(files.base, base);
      writeFileSync(files.ours, ours);
      writeFileSync(files.theirs, theirs);
      cleanup = () => rmSync(work, { recursive: true, force: true });
    };
    const run = (...args: string[]): ReturnType<typeof bd> => bd(work, ['merge-driver', ...args]);

    it('writes the merge to <ours> and exits 0 without creating a store', () => {
      setup(
        `${line({ id: 'x-1' })}\n`,
        `${line({ id: 'x-1', title: 'Ours' })}\n`,
        `${line({ id: 'x-1' })}\n${line({ id: 'x-2' })}\n`,
      );
      const r = run(files.base, files.ours, files.theirs);
      expect(r.code, r.stderr).toBe(0);
      expect(
        readFileSync(files.ours, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).title),
      ).toEqual(['Ours', 'T']);
      expect(existsSync(join(work, '.beads'))).toBe(false);
    });

    it('refuses conflict markers: exits 1, names the lines, leaves <ours> untouched', () => {
      const ours = `${line({ id: 'x-1' })}\n<<<<<<< HEAD\n${line({ id: 'x-2' })}\n=======\n>>>>>>> other\n`;
      setup('', ours, `${line({ id: 'x-3' })}\n`);
      const r = run(files.base, files.ours, files.theirs);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('3 line(s) are not beads');
      expect(r.stderr).toMatch(/ours line 2: git conflict marker/);
      expect(r.stderr).toMatch(/ours line 5: git conflict marker/);
      expect(readFileSync(files.ours, 'utf8')).toBe(ours);
    });

    it('exits 1 with a clear message when an input cannot be read, leaving <ours> untouched', () => {
      setup('', `${line({ id: 'x-1' })}\n`, '');
      const missing = resolve(work, 'gone');
      const r = run(files.base, files.ours, missing);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot read the theirs version of the ledger (${missing})`);
      expect(readFileSync(files.ours, 'utf8')).toBe(`${line({ id: 'x-1' })}\n`);
    });
  });
});
