// Beads made in parallel clones all survive every merge: random interleavings of bd create, git pull (merge or rebase),
// cherry-pick and push across real clones, through the real bd CLI, with and without the merge driver configured.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, git } from './support/bd.ts';

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Line {
  id: string;
  uid?: string;
  title: string;
  dependencies?: { depends_on_id: string; type: string }[];
}

const tryGit = (cwd: string, args: readonly string[]): { code: number; out: string } => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv() });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};
const ledgerOf = (dir: string): Line[] =>
  readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/** An origin, a seed commit with an epic, and `n` clones of it (the last `plain` of them without the merge driver). */
function town(n: number, plain: number): { root: string; clones: string[]; epic: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'bd clones '));
  const origin = join(root, 'origin.git');
  git(root, ['init', '-q', '--bare', '-b', 'main', origin]);
  const seed = join(root, 'seed');
  git(root, ['clone', '-q', origin, seed]);
  const ident = (d: string): void => {
    git(d, ['config', 'user.name', 'Tester']);
    git(d, ['config', 'user.email', 't@example.com']);
  };
  ident(seed);
  expect(bd(seed, ['init', '--prefix', 'bd']).code).toBe(0);
  const epic = bdJson<{ id: string }>(seed, ['create', 'The epic', '-t', 'epic']).id;
  git(seed, ['add', '-A']);
  git(seed, ['commit', '-qm', 'seed']);
  git(seed, ['push', '-q', 'origin', 'main']);
  const clones = Array.from({ length: n }, (_, i) => {
    const d = join(root, `clone ${i}`);
    git(root, ['clone', '-q', origin, d]);
    ident(d);
    expect(bd(d, ['list']).code).toBe(0); // a fresh clone: bd builds its database and registers the driver
    // The driver bd registered runs the built bd; tests run bd from source, as test/merge-driver.test.ts does.
    if (i >= n - plain) git(d, ['config', '--remove-section', 'merge.beads']);
    else git(d, ['config', 'merge.beads.driver', `${shq(process.execPath)} ${shq(BD_BIN)} merge-driver %O %A %B`]);
    return d;
  });
  return { root, clones, epic, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Commit whatever bd changed. */
function commit(dir: string, msg: string): void {
  git(dir, ['add', '-A']);
  if (tryGit(dir, ['diff', '--cached', '--quiet']).code !== 0) git(dir, ['commit', '-qm', msg]);
}

/**
 * Finish a git operation that stopped on the ledger (only a clone without the driver may): bd must refuse to read the
 * conflicted ledger, and `bd doctor --fix` must merge both sides; then the operation continues.
 */
function settle(dir: string, op: 'merge' | 'rebase' | 'cherry-pick', out: string): void {
  const refused = bd(dir, ['list']);
  expect(refused.code, `bd read a conflicted ledger after: ${out}`).not.toBe(0);
  expect(refused.stderr).toContain('bd doctor --fix');
  const fixed = bd(dir, ['doctor', '--fix']);
  expect(fixed.stdout).toMatch(/✓ fixed merge/);
  git(dir, ['add', '.beads/issues.jsonl']);
  const env = ['-c', 'core.editor=true'];
  const r =
    op === 'merge' ? tryGit(dir, [...env, 'commit', '-q', '--no-edit']) : tryGit(dir, [...env, op, '--continue']);
  // A rebase or cherry-pick can stop again on the next commit: settle that one too.
  if (r.code !== 0 && /conflict/i.test(r.out)) settle(dir, op, r.out);
  else if (r.code !== 0 && !/nothing to commit|empty/i.test(r.out)) throw new Error(`git ${op} --continue: ${r.out}`);
  else if (r.code !== 0)
    tryGit(dir, [
      ...env,
      op === 'merge' ? 'commit' : op,
      ...(op === 'merge' ? ['-q', '--allow-empty', '--no-edit'] : ['--skip']),
    ]);
}

function sync(dir: string, mode: 'merge' | 'rebase' | 'cherry-pick', driver: boolean): void {
  if (mode === 'cherry-pick') {
    git(dir, ['fetch', '-q', 'origin']);
    for (const c of git(dir, ['rev-list', '--reverse', '--no-merges', 'HEAD..origin/main'])
      .split('\n')
      .filter(Boolean)) {
      const r = tryGit(dir, ['cherry-pick', '--allow-empty', '--keep-redundant-commits', c]);
      if (r.code !== 0) {
        expect(driver, `cherry-pick stopped with the driver configured: ${r.out}`).toBe(false);
        settle(dir, 'cherry-pick', r.out);
      }
    }
    // Then join origin's history, so the next push can go through.
  }
  const r = tryGit(dir, ['pull', '-q', mode === 'rebase' ? '--rebase' : '--no-rebase', '--no-edit', 'origin', 'main']);
  if (r.code !== 0) {
    expect(driver, `git pull stopped with the driver configured: ${r.out}`).toBe(false);
    settle(dir, mode === 'rebase' ? 'rebase' : 'merge', r.out);
  }
  tryGit(dir, ['push', '-q', 'origin', 'HEAD:main']);
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), clone: fc.nat(2), child: fc.boolean() }),
  fc.record({ kind: fc.constant('bulk' as const), clone: fc.nat(2), n: fc.integer({ min: 5, max: 40 }) }),
  fc.record({ kind: fc.constant('edit' as const), clone: fc.nat(2) }),
  fc.record({
    kind: fc.constant('sync' as const),
    clone: fc.nat(2),
    mode: fc.constantFrom('merge' as const, 'rebase' as const, 'cherry-pick' as const),
  }),
);

describe('beads made in parallel clones', () => {
  it('are never lost or fused, whatever the order of creates, pulls, rebases, cherry-picks and pushes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 6, maxLength: 12 }), (ops) => {
        const t = town(3, 1);
        try {
          const made = new Map<string, string>(); // uid → title
          const driver = (i: number): boolean => i < 2;
          ops.forEach((o, k) => {
            const dir = t.clones[o.clone]!;
            if (o.kind === 'create') {
              const b = bdJson<{ id: string; uid: string; title: string }>(dir, [
                'create',
                `bead ${k}`,
                ...(o.child ? ['--parent', t.epic] : []),
              ]);
              expect(b.uid).toMatch(/^[0-9a-z]{13}$/);
              made.set(b.uid, b.title);
              commit(dir, `create ${b.id}`);
            } else if (o.kind === 'bulk') {
              const file = join(t.root, `bulk ${k}.jsonl`);
              writeFileSync(
                file,
                Array.from({ length: o.n }, (_, i) => JSON.stringify({ title: `bulk ${k}.${i}` })).join('\n'),
              );
              for (const b of bdJson<{ uid: string; title: string }[]>(dir, ['create', '--from-file', file]))
                made.set(b.uid, b.title);
              commit(dir, `bulk ${k}`);
            } else if (o.kind === 'edit') {
              const mine = ledgerOf(dir).filter((l) => l.uid && made.has(l.uid));
              if (!mine.length) return;
              bdJson(dir, ['update', mine[k % mine.length]!.id, '--notes', `edit ${k}`]);
              commit(dir, `edit ${k}`);
            } else sync(dir, o.mode, driver(o.clone));
          });
          // Everyone syncs twice (merge), so every clone ends on one history.
          for (let round = 0; round < 2; round++) t.clones.forEach((d, i) => sync(d, 'merge', driver(i)));
          const ledgers = t.clones.map(ledgerOf);
          for (const [i, l] of ledgers.entries()) {
            expect(JSON.stringify(l), `clone ${i} differs from clone 0`).toBe(JSON.stringify(ledgers[0]));
          }
          const final = ledgers[0]!;
          const uids = final.map((l) => l.uid).filter((u): u is string => u !== undefined && made.has(u));
          expect(uids.length, 'a bead appears twice').toBe(new Set(uids).size);
          expect(
            [...made.keys()].filter((u) => !uids.includes(u)).map((u) => made.get(u)),
            'beads lost',
          ).toEqual([]);
          expect(new Set(final.map((l) => l.id)).size).toBe(final.length);
          const ids = new Set(final.map((l) => l.id));
          for (const l of final)
            for (const d of l.dependencies ?? [])
              expect(ids.has(d.depends_on_id), `${l.id} → ${d.depends_on_id}`).toBe(true);
          for (const l of final.filter((x) => x.dependencies?.some((d) => d.type === 'parent-child')))
            expect(l.id.startsWith(`${t.epic}.`)).toBe(true);
          for (const [i, d] of t.clones.entries()) {
            const listed = bdJson<{ id: string }[]>(d, ['list', '--all', '--limit', '0']);
            expect(listed.length).toBe(final.length);
            const doc = JSON.parse(bd(d, ['doctor', '--json']).stdout) as {
              checks: { name: string; ok: boolean; detail: string }[];
            };
            const bad = doc.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
            // The clone without a driver has one until a `bd doctor --fix` (settling a conflict) registers it.
            expect(
              bad.filter((b) => driver(i) || !b.startsWith('merge-driver: no merge driver is registered')),
            ).toEqual([]);
          }
        } finally {
          t.cleanup();
        }
      }),
      { numRuns: 3, endOnFailure: true },
    ); // each run is real clones and ~40 processes: print the failing case, do not shrink
  }, 900_000);

  it('a child numbered alike in two clones is renamed to the next number, and both git and bd say so', () => {
    const t = town(2, 0);
    try {
      const [c0, c1] = t.clones as [string, string];
      const first = bdJson<{ id: string }>(c0, ['create', 'child in clone 0', '--parent', t.epic]);
      const mine = bdJson<{ id: string; uid: string }>(c1, ['create', 'child in clone 1', '--parent', t.epic]);
      expect(mine.id).toBe(first.id);
      bdJson(c1, ['label', 'add', 'mine', mine.id]);
      bdJson(c1, ['comments', 'add', mine.id, 'written before the pull']);
      commit(c0, 'child 0');
      commit(c1, 'child 1');
      sync(c0, 'merge', true);
      const pull = tryGit(c1, ['pull', '--no-rebase', '--no-edit', 'origin', 'main']);
      expect(pull.code, pull.out).toBe(0);
      const moved = `${t.epic}.2`;
      expect(pull.out).toContain(
        `bd merge-driver: ${first.id} is now ${moved} ("child in clone 1"): two clones created ${first.id}`,
      );
      const listed = bd(c1, ['list', '--json']);
      expect(listed.stderr).toContain(`Note: ${first.id} is now ${moved} ("child in clone 1")`);
      type Shown = {
        uid: string;
        title: string;
        labels: string[];
        comments: { text: string }[];
        dependencies: { depends_on_id: string; type: string }[];
      };
      const [shown] = bdJson<Shown[]>(c1, ['show', moved]);
      expect(shown).toMatchObject({
        uid: mine.uid,
        title: 'child in clone 1',
        labels: ['mine'],
        comments: [{ text: 'written before the pull' }],
      });
      expect(shown!.dependencies).toEqual([expect.objectContaining({ depends_on_id: t.epic, type: 'parent-child' })]);
      expect(bdJson<{ title: string }[]>(c1, ['show', first.id])[0]!.title).toBe('child in clone 0');
      expect(bdJson<{ id: string }>(c1, ['create', 'a third child', '--parent', t.epic]).id).toBe(`${t.epic}.3`);
    } finally {
      t.cleanup();
    }
  }, 300_000);

  it('150 + 150 beads made in two clones (3-character ids, so some collide) are 300 after the merge', () => {
    for (let run = 0; run < 3; run++) {
      const t = town(2, 0);
      try {
        const made: string[] = [];
        t.clones.forEach((dir, c) => {
          const file = join(t.root, `many ${c}.jsonl`);
          writeFileSync(
            file,
            Array.from({ length: 150 }, (_, i) => JSON.stringify({ title: `clone ${c} bead ${i}` })).join('\n'),
          );
          made.push(...bdJson<{ uid: string }[]>(dir, ['create', '--from-file', file]).map((b) => b.uid));
          commit(dir, `150 in clone ${c}`);
        });
        expect(new Set(made).size).toBe(300);
        sync(t.clones[0]!, 'merge', true);
        const pull = tryGit(t.clones[1]!, ['pull', '--no-rebase', '--no-edit', 'origin', 'main']);
        expect(pull.code, pull.out).toBe(0);
        const final = ledgerOf(t.clones[1]!);
        expect(
          final
            .map((l) => l.uid)
            .filter((u) => u && made.includes(u))
            .sort(),
        ).toEqual([...made].sort());
        expect(new Set(final.map((l) => l.id)).size).toBe(301);
        const listed = bd(t.clones[1]!, ['list', '--all', '--limit', '0', '--json']);
        expect(JSON.parse(listed.stdout)).toHaveLength(301);
      } finally {
        t.cleanup();
      }
    }
  }, 600_000);
});
