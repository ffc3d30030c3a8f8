// bd after git went wrong: a ledger left mid-merge, a stale merge driver, a path with a space, cycles across edge
// kinds, an unreadable database, and a delete by a piece of an id. Real git, the real bd CLI.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, git, tempRepo, tempStore } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  notes: string;
  uid: string;
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const SOURCE_DRIVER = `${shq(process.execPath)} ${shq(BD_BIN)} merge-driver %O %A %B`;
const tryGit = (cwd: string, args: readonly string[]): { code: number; out: string; err: string } => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv() });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};
const ledgerTitles = (dir: string): string[] =>
  readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as B).title)
    .sort();

/** A store with bead A on main, then bead L (and an edit of A) on branch left and bead R (and another edit) on main. */
function diverged(dir: string): { a: B } {
  git(dir, ['config', 'merge.beads.driver', SOURCE_DRIVER]);
  const a = bdJson<B>(dir, ['create', 'A']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'base']);
  git(dir, ['checkout', '-qb', 'left']);
  bdJson(dir, ['create', 'L']);
  bdJson(dir, ['update', a.id, '--title', 'A retitled on left']);
  git(dir, ['commit', '-qam', 'left']);
  git(dir, ['checkout', '-q', 'main']);
  bdJson(dir, ['create', 'R']);
  bdJson(dir, ['update', a.id, '--notes', 'noted on main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'main']);
  return { a };
}

describe('bd and a ledger git left mid-merge', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('a stale merge driver: bd re-registers it, refuses the conflicted ledger, bd doctor says so and --fix merges both sides', () => {
    const t = tempStore('st');
    cleanup = t.cleanup;
    const { a } = diverged(t.dir);
    git(t.dir, ['config', 'merge.beads.driver', `'/gone/node' '/gone/bin/bd.js' merge-driver %O %A %B`]);
    const merge = tryGit(t.dir, ['merge', '--no-edit', 'left']);
    expect(merge.code).not.toBe(0);
    expect(
      readFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'utf8'),
      'git kept our side, without markers',
    ).not.toContain('<<<<<<<');

    const listed = bd(t.dir, ['list']);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toContain(
      'the git merge driver for the ledger ran /gone/node and /gone/bin/bd.js, which no longer exist',
    );
    expect(listed.stderr).toMatch(/mid-merge: git stopped a merge on it/);
    expect(listed.stderr).toContain('bd doctor --fix');
    expect(git(t.dir, ['config', 'merge.beads.driver'])).not.toContain('/gone/');

    const doc = bd(t.dir, ['doctor']);
    expect(doc.code).toBe(1);
    expect(doc.stdout).toMatch(/✗ merge: issues.jsonl is mid-merge/);
    expect(doc.stdout).not.toContain('issues.jsonl matches the database');

    const fix = bd(t.dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(/✓ fixed merge: .*merged both sides bead by bead from git's index/);
    expect(ledgerTitles(t.dir)).toEqual(['A retitled on left', 'L', 'R']);
    git(t.dir, ['add', '.beads/issues.jsonl']);
    git(t.dir, ['commit', '-q', '--no-edit']);
    const all = bdJson<B[]>(t.dir, ['list']);
    expect(all.map((b) => b.title).sort()).toEqual(['A retitled on left', 'L', 'R']);
    expect(all.find((b) => b.id === a.id)!.notes).toBe('noted on main');
  });

  it('without the driver (git writes conflict markers): bd refuses, bd doctor --fix keeps both sides and no backup git would commit', () => {
    const t = tempStore('nd');
    cleanup = t.cleanup;
    diverged(t.dir);
    git(t.dir, ['config', '--remove-section', 'merge.beads']);
    expect(tryGit(t.dir, ['merge', '--no-edit', 'left']).code).not.toBe(0);
    expect(readFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'utf8')).toContain('<<<<<<<');
    const listed = bd(t.dir, ['list']);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toMatch(/mid-merge/);

    const fix = bd(t.dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(/✓ fixed merge/);
    expect(ledgerTitles(t.dir)).toEqual(['A retitled on left', 'L', 'R']);
    expect(
      git(t.dir, ['status', '--porcelain'])
        .split('\n')
        .filter((l) => l.startsWith('??')),
    ).toEqual([]);
  });

  it('the same, with the markers already committed (no merge in progress): the sides are read from the markers', () => {
    const t = tempStore('mk');
    cleanup = t.cleanup;
    diverged(t.dir);
    git(t.dir, ['config', '--remove-section', 'merge.beads']);
    tryGit(t.dir, ['merge', '--no-edit', 'left']);
    git(t.dir, ['commit', '-qam', 'committed with markers, by mistake']);
    expect(bd(t.dir, ['list']).code).not.toBe(0);
    const fix = bd(t.dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(/✓ fixed merge: .*from the conflict markers/);
    // No common ancestor in the file: A's two edits clash field by field and the later one wins; no bead is lost.
    expect(ledgerTitles(t.dir)).toEqual(['A', 'L', 'R']);
  });

  it('bd doctor --fix of unreadable ledger lines keeps its backup where git ignores it', () => {
    const t = tempStore('bk');
    cleanup = t.cleanup;
    bdJson(t.dir, ['create', 'kept']);
    git(t.dir, ['add', '-A']);
    git(t.dir, ['commit', '-qm', 'one']);
    appendFileSync(join(t.dir, '.beads', 'issues.jsonl'), 'not json\n');
    const fix = bd(t.dir, ['doctor', '--fix']);
    expect(readdirSync(join(t.dir, '.beads')).some((f) => f.includes('.bak-'))).toBe(true);
    expect(git(t.dir, ['status', '--porcelain', '--untracked-files=all'])).not.toContain('.bak-');
    expect(fix.stdout).toMatch(/✓ fixed ledger: .*saved as .*\.bak-\d+ \(git ignores it\)/);
  });

  it('a ledger git merged line by line with one id twice keeps both beads on the next bd call', () => {
    const t = tempStore('dup');
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'first']);
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const line = JSON.parse(readFileSync(path, 'utf8').trim()) as Record<string, unknown>;
    appendFileSync(
      path,
      `${JSON.stringify({ ...line, title: 'second, same id', uid: 'anotheruid123', created_at: '2026-01-01T00:00:00.000Z' })}\n`,
    );
    const listed = bdJson<B[]>(t.dir, ['list']);
    expect(listed.map((b) => b.title).sort()).toEqual(['first', 'second, same id']);
    expect(listed.find((b) => b.title === 'first')!.id).not.toBe(listed.find((b) => b.title === 'second, same id')!.id);
    expect(listed.some((b) => b.id === a.id)).toBe(true);
  });
});

describe('bd doctor and a fused bead', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('reports a bead created here whose id a merge without identities gave to another bead, and how to find the lost one', () => {
    const t = tempStore('fu');
    cleanup = t.cleanup;
    const mine = bdJson<B>(t.dir, ['create', 'made here']);
    git(t.dir, ['add', '-A']);
    git(t.dir, ['commit', '-qm', 'mine']);
    // What an older driver (or `git checkout --theirs`) left: the other clone's bead on my bead's line.
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const line = JSON.parse(readFileSync(path, 'utf8').trim()) as Record<string, unknown>;
    writeFileSync(
      path,
      `${JSON.stringify({ ...line, title: 'made in the other clone', uid: 'othercloneuid', created_by: 'someone' })}\n`,
    );
    git(t.dir, ['commit', '-qam', 'a merge that fused them']);
    expect(bdJson<B[]>(t.dir, ['list']).map((b) => b.title)).toEqual(['made in the other clone']);
    const doc = bd(t.dir, ['doctor']);
    expect(doc.code).toBe(1);
    expect(doc.stdout).toContain(
      `✗ fusion: 1 bead(s) created here now hold another bead under their id: ${mine.id} (created here as uid ${mine.uid}`,
    );
    const search = tryGit(t.dir, ['log', '--format=%s', `-S"uid":"${mine.uid}"`, '--', '.beads/issues.jsonl']);
    expect(search.out.split('\n').filter(Boolean)).toEqual(['a merge that fused them', 'mine']);
  });
});

describe('bd init where the path has a space', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('writes a .gitattributes line git parses, and says the driver is registered only when git applies it', () => {
    const t = tempRepo();
    cleanup = t.cleanup;
    const sub = join(t.dir, 'my project');
    mkdirSync(sub);
    // What bd wrote before: git splits it at the space and warns on every command.
    writeFileSync(join(t.dir, '.gitattributes'), 'my project/.beads/issues.jsonl merge=beads\n');
    const init = bd(sub, ['init', '--prefix', 'sp']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Registered the git merge driver');
    expect(readFileSync(join(t.dir, '.gitattributes'), 'utf8')).toBe('"my project/.beads/issues.jsonl" merge=beads\n');
    const attr = tryGit(t.dir, ['check-attr', 'merge', '--', 'my project/.beads/issues.jsonl']);
    expect(attr.out.trim()).toBe('my project/.beads/issues.jsonl: merge: beads');
    expect(attr.err).toBe('');

    git(t.dir, ['config', 'merge.beads.driver', SOURCE_DRIVER]);
    bdJson(sub, ['create', 'base']);
    git(t.dir, ['add', '-A']);
    git(t.dir, ['commit', '-qm', 'base']);
    git(t.dir, ['checkout', '-qb', 'side']);
    bdJson(sub, ['create', 'side bead']);
    git(t.dir, ['commit', '-qam', 'side']);
    git(t.dir, ['checkout', '-q', 'main']);
    bdJson(sub, ['create', 'main bead']);
    git(t.dir, ['commit', '-qam', 'main']);
    const m = tryGit(t.dir, ['merge', '--no-edit', 'side']);
    expect(m.code, m.err).toBe(0);
    expect(
      bdJson<B[]>(sub, ['list'])
        .map((b) => b.title)
        .sort(),
    ).toEqual(['base', 'main bead', 'side bead']);
  });
});

describe('cycles across blocking edge kinds', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('refuses blocks against parent-child and waits-for, and reports one that arrives through the ledger', () => {
    const t = tempStore('cy');
    cleanup = t.cleanup;
    const [a, b] = [bdJson<B>(t.dir, ['create', 'A']), bdJson<B>(t.dir, ['create', 'B'])];
    expect(bd(t.dir, ['dep', 'add', a.id, b.id, '-t', 'parent-child']).code).toBe(0);
    const back = bd(t.dir, ['dep', 'add', b.id, a.id]);
    expect(back.code).not.toBe(0);
    expect(back.stderr).toContain('would create a cycle');
    expect(bdJson<B[]>(t.dir, ['ready']).map((x) => x.id)).toContain(b.id);

    const s = bdJson<B>(t.dir, ['create', 'spawner']);
    const c = bdJson<B>(t.dir, ['create', 'child', '--parent', s.id]);
    const w = bdJson<B>(t.dir, ['create', 'waiter']);
    expect(bd(t.dir, ['dep', 'add', w.id, s.id, '-t', 'waits-for']).code).toBe(0);
    expect(bd(t.dir, ['dep', 'add', c.id, w.id]).stderr).toContain('would create a cycle');

    // The same edge written into the ledger (as a merge could): bd dep cycles and bd doctor name it.
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown> & { id: string });
    const bl = lines.find((l) => l.id === b.id)!;
    bl.dependencies = [
      { depends_on_id: a.id, type: 'blocks', created_at: '2026-01-01T00:00:00.000Z', created_by: 'x' },
    ];
    writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    expect(bd(t.dir, ['dep', 'cycles']).stdout).toContain(`cycle: ${[a.id, b.id].sort().join(' → ')}`);
    const doc = bd(t.dir, ['doctor']);
    expect(doc.stdout).toMatch(/✗ cycles: 1 cycle\(s\) among blocking edges/);
  });
});

describe('an unreadable beads.db', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  for (const first of [['list'], ['doctor', '--fix']]) {
    it(`is moved aside and rebuilt from the ledger by bd ${first.join(' ')}`, () => {
      const t = tempStore('db');
      cleanup = t.cleanup;
      bdJson(t.dir, ['create', 'one']);
      bdJson(t.dir, ['create', 'two']);
      git(t.dir, ['add', '-A']);
      git(t.dir, ['commit', '-qm', 'two beads']);
      const dbPath = join(t.dir, '.beads', 'beads.db');
      for (const s of ['-wal', '-shm']) if (existsSync(dbPath + s)) writeFileSync(dbPath + s, '');
      writeFileSync(dbPath, 'this is not a database, it was overwritten '.repeat(200));
      const r = bd(t.dir, first);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /the database could not be read \(.*not a database.*\); it was moved to .*beads\.db-corrupt-.* and rebuilt from issues\.jsonl/,
      );
      expect(
        bdJson<B[]>(t.dir, ['list'])
          .map((b) => b.title)
          .sort(),
      ).toEqual(['one', 'two']);
      // One database moved aside, with its WAL files (the WAL outlives a command: src/beads/sqlite.ts).
      const moved = readdirSync(join(t.dir, '.beads')).filter((f) => f.startsWith('beads.db-corrupt-'));
      expect(moved.filter((f) => !/-(wal|shm)$/.test(f))).toHaveLength(1);
      expect(git(t.dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    });
  }
});

describe('bd delete', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('asks for the whole id when given only its start, and deletes by the whole id', () => {
    const t = tempStore('del');
    cleanup = t.cleanup;
    const b = bdJson<B>(t.dir, ['create', 'keep me unless asked exactly']);
    const part = b.id.slice(0, -1);
    const r = bd(t.dir, ['delete', part]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`"${part}" is only the start of the id ${b.id}`);
    expect(bdJson<B[]>(t.dir, ['list']).map((x) => x.id)).toEqual([b.id]);
    expect(bd(t.dir, ['delete', b.id.slice('del-'.length)]).code).toBe(0);
    expect(bdJson<B[]>(t.dir, ['list'])).toEqual([]);
  });
});
