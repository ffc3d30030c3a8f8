// A user who may read a store but not write its folder (another account on a shared machine) can run the read
// commands; writes are refused with a clear reason, and nothing in the store is touched.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, tempStore, type RunOut } from './support/bd.ts';

interface B {
  id: string;
  title: string;
}

/** bd as uid/gid 65534 (nobody), with no supplementary groups. */
function bdAsNobody(dir: string, args: readonly string[]): RunOut {
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: '/nonexistent' };
  delete env.NODE_COMPILE_CACHE; // the cache folder belongs to the tester
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BD_BIN, ...args],
    { cwd: dir, env, encoding: 'utf8' },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Every file of the store with its bytes, to show nothing was written. Not the WAL index (`beads.db-shm`): it is
 * shared memory every reader marks, and the owner's own reads between the checks mark it.
 */
function storeFiles(dir: string): Record<string, string> {
  const d = join(dir, '.beads');
  return Object.fromEntries(
    readdirSync(d)
      .filter((f) => f !== 'beads.db-shm')
      .sort()
      .map((f) => [f, readFileSync(join(d, f)).toString('base64')]),
  );
}

describe.skipIf(process.getuid?.() !== 0)('a read-only user', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  function sharedStore(): { dir: string; a: B; b: B } {
    const t = tempStore('ro');
    cleanup = t.cleanup;
    chmodSync(dirname(t.dir), 0o755); // the temp folder is private by default; others may read this one
    const a = bdJson<B>(t.dir, ['create', 'Readable work', '-p', '1']);
    const b = bdJson<B>(t.dir, ['create', 'Blocked work']);
    bdJson(t.dir, ['dep', 'add', b.id, a.id]);
    return { dir: t.dir, a, b };
  }

  it('runs list, show, ready and search, seeing what the owner sees', () => {
    const { dir, a, b } = sharedStore();
    const before = storeFiles(dir);
    for (const args of [
      ['list', '--json'],
      ['show', b.id, '--json'],
      ['ready', '--json'],
      ['search', 'work', '--json'],
      ['list'],
    ]) {
      const mine = bdAsNobody(dir, args);
      expect(mine.code, `bd ${args.join(' ')}: ${mine.stderr}`).toBe(0);
      expect(mine.stderr).toBe('');
      expect(mine.stdout).toBe(bd(dir, args).stdout);
    }
    expect(JSON.parse(bdAsNobody(dir, ['ready', '--json']).stdout).map((x: B) => x.id)).toEqual([a.id]);
    expect(storeFiles(dir)).toEqual(before);
  });

  it('sees a ledger that git changed without bringing it into the database, and is refused a write', () => {
    const { dir } = sharedStore();
    appendFileSync(
      join(dir, '.beads', 'issues.jsonl'),
      `${JSON.stringify({ id: 'ro-pulled', title: 'Arrived by git pull', status: 'open', priority: 2, type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })}\n`,
    );
    const before = storeFiles(dir);
    const list = bdAsNobody(dir, ['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((x: B) => x.title)).toContain('Arrived by git pull');

    const w = bdAsNobody(dir, ['create', 'Not allowed']);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(
      /^Error: cannot change the beads store in .*: this user may read it but not write there; nothing was changed\nHint: /,
    );
    expect(w.stderr).not.toMatch(/init|--force/);
    expect(storeFiles(dir)).toEqual(before);
    // The owner's next call brings the pulled bead in as usual.
    expect(bdJson<B[]>(dir, ['list']).map((x) => x.title)).toContain('Arrived by git pull');
  });
});
