// Writes that hit a file-size limit or a full disk at any byte: each one either fully happens and says so, or fully
// does not happen and says why in one line with a safe hint; the next read shows exactly that, and a retry never
// duplicates anything.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, git, tempStore, type RunOut } from './support/bd.ts';

const RELEASE = resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml');

interface Snapshot {
  ledger: string;
  db: string;
}
interface Bead {
  id: string;
  title: string;
  status: string;
  assignee?: string | null;
}

/** What git sees (the ledger file) and what the database holds (`bd export`, read with no limit). */
function snapshot(dir: string): Snapshot {
  const exp = bd(dir, ['export']);
  expect(exp.code, exp.stderr).toBe(0);
  expect(exp.stderr).toBe('');
  return { ledger: readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8'), db: exp.stdout };
}

/** bd under RLIMIT_FSIZE (`prlimit --fsize`): no file of the process may grow past `bytes`. */
function bdLimited(dir: string, args: readonly string[], bytes: number): RunOut & { signal: string | null } {
  const r = spawnSync('prlimit', [`--fsize=${bytes}`, '--', process.execPath, BD_BIN, ...args], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** A failed write's whole report: the cause in one line, then a hint that steers nobody into destroying data. */
function expectFailureReport(r: RunOut, cause: RegExp, where: string): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, `${where}: ${r.stderr}`).toHaveLength(2);
  expect(lines[0], where).toMatch(cause);
  expect(lines[0], where).toMatch(/not saved|nothing was changed/);
  expect(lines[1], where).toMatch(/^Hint: /);
  expect(lines[1], where).not.toMatch(/init|--force|delete|remove|rm /i);
}

/** The write commands of the sweep, in rotation; each gets fresh targets from `pool`. */
function writeCommands(dir: string, pool: string[]): ((i: number) => string[])[] {
  const take = (): string => pool.shift()!;
  const file = join(dir, 'more.jsonl');
  return [
    (i) => ['create', `limited create ${i}`, '-d', `grows the ledger ${'x'.repeat(i * 7)}`],
    () => ['update', take(), '--claim'],
    (i) => ['close', take(), '--reason', `done ${i}`],
    () => ['dep', 'add', take(), take()],
    (i) => ['label', 'add', `l${i}`, take()],
    (i) => ['comments', 'add', take(), `comment ${i} ${'c'.repeat(300)}`],
    (i) => {
      writeFileSync(
        file,
        [0, 1]
          .map((k) =>
            JSON.stringify({
              id: `fd-imp${i}x${k}`,
              title: `imported ${i}.${k}`,
              status: 'open',
              priority: 2,
              type: 'task',
              created_at: '2026-01-01T00:00:00.000Z',
              updated_at: '2026-01-01T00:00:00.000Z',
            }),
          )
          .join('\n'),
      );
      return ['import', file];
    },
    (i) => ['mol', 'pour', 'release', '--var', `version=1.${i}.0`],
    () => ['delete', take(), '--reason', 'limited delete'],
    (i) => ['update', take(), '-d', `a longer description ${'d'.repeat(200 + i)}`],
  ];
}

function seed(dir: string, n: number): string[] {
  const file = join(dir, 'seed.jsonl');
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `fd-s${i.toString(36).padStart(3, '0')}`,
      title: `seed ${i}`,
      description: `about ${i}: ${'s'.repeat(400)}`,
      status: 'open',
      priority: 2,
      type: 'task',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    }),
  );
  writeFileSync(file, lines.join('\n'));
  expect(bd(dir, ['import', file]).code).toBe(0);
  mkdirSync(join(dir, '.beads', 'formulas'), { recursive: true });
  copyFileSync(RELEASE, join(dir, '.beads', 'formulas', 'release.formula.toml'));
  return bdJson<Bead[]>(dir, ['list', '-n', '0'])
    .map((b) => b.id)
    .sort();
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('a write that hits a file-size limit', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it(
    'at any byte either fully happens or leaves exactly the old state, and its retry does not duplicate',
    { timeout: 900_000 },
    () => {
      const t = tempStore('fd');
      cleanup = t.cleanup;
      const pool = seed(t.dir, 150);
      const commands = writeCommands(t.dir, pool);
      const random = rng(7);
      let state = snapshot(t.dir);
      const seen = { failed: 0, succeeded: 0, causes: new Set<string>() };
      const steps = Number(process.env.FULL_DISK_STEPS ?? 60);
      for (let i = 0; i < steps; i++) {
        const args = commands[i % commands.length]!(i);
        const size = (f: string): number =>
          existsSync(join(t.dir, '.beads', f)) ? statSync(join(t.dir, '.beads', f)).size : 0;
        const ledgerSize = size('issues.jsonl');
        const dbSize = size('beads.db');
        // The WAL stays between commands (src/beads/sqlite.ts): a write appends to it where the last one stopped.
        const walSize = size('beads.db-wal');
        // Sweep the phases of a write: opening (the WAL index), the new ledger file, the WAL, the checkpoint.
        const phase = i % 4;
        const limit = Math.floor(
          phase === 0
            ? random() * 48_000
            : phase === 1
              ? ledgerSize - 1500 + random() * 3000
              : phase === 2
                ? walSize + random() * 64_000
                : Math.max(ledgerSize, walSize) + random() * (dbSize + 64_000),
        );
        const where = `step ${i}: bd ${args.join(' ').slice(0, 60)} under a ${limit}-byte limit`;
        const r = bdLimited(t.dir, args, limit);
        expect(r.signal, `${where}: killed by a signal (SIGXFSZ?)`).toBeNull();
        const after = snapshot(t.dir);
        expect(after.ledger, `${where}: ledger and database agree`).toBe(after.db);
        if (r.code === 0) {
          seen.succeeded++;
          expect(after.db, `${where}: said it worked, so it is there`).not.toBe(state.db);
          state = after;
          continue;
        }
        seen.failed++;
        seen.causes.add(/^Error: ([^:]+)/.exec(r.stderr)?.[1] ?? r.stderr);
        expectFailureReport(r, /^Error: file too large: /, where);
        expect(after, `${where}: said it failed, so nothing changed`).toEqual(state);
        const retry = bd(t.dir, args);
        expect(retry.code, `${where}: the retry: ${retry.stderr}`).toBe(0);
        state = snapshot(t.dir);
        expect(state.ledger).toBe(state.db);
      }
      // Every create landed exactly once, whether it first failed or not.
      for (let i = 0; i < steps; i += commands.length) expect(state.db.split(`"limited create ${i}"`)).toHaveLength(2);
      const doctor = bdJson<{ checks: { name: string; ok: boolean }[] }>(t.dir, ['doctor']);
      expect(doctor.checks.filter((c) => !c.ok)).toEqual([]);
      console.log(
        `${steps} limited writes: ${seen.failed} failed cleanly, ${seen.succeeded} succeeded (${[...seen.causes].join(', ')})`,
      );
      expect(seen.failed).toBeGreaterThan(steps / 3);
      expect(seen.succeeded).toBeGreaterThan(0);
    },
  );
});

/** A small tmpfs mounted for the test (needs root); undefined where mounting is not allowed. */
function mountTmpfs(bytes: number): { dir: string; unmount: () => void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'bd full disk '));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const canMount = ((): boolean => {
  if (process.getuid?.() !== 0) return false;
  const m = mountTmpfs(64 * 1024);
  m?.unmount();
  return m !== undefined;
})();

describe('a write on a full disk', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it.skipIf(!canMount)(
    'with 0 bytes to a little more than a write needs free, either fully happens or leaves exactly the old state',
    { timeout: 900_000 },
    () => {
      const m = mountTmpfs(4 * 1024 * 1024)!;
      cleanup = m.unmount;
      const dir = join(m.dir, 'repo');
      mkdirSync(dir);
      git(dir, ['init', '-q', '-b', 'main']);
      expect(bd(dir, ['init', '--prefix', 'fd']).code).toBe(0);
      const pool = seed(dir, 150);
      const commands = writeCommands(dir, pool);
      const filler = join(m.dir, 'filler');
      const fill = (free: number): void => {
        rmSync(filler, { force: true });
        const s = spawnSync('df', ['-B1', '--output=avail', m.dir], { encoding: 'utf8' });
        const avail = Number(s.stdout.trim().split('\n').pop());
        writeFileSync(filler, Buffer.alloc(Math.max(0, avail - free)));
      };
      let state = snapshot(dir);
      let failed = 0;
      const random = rng(11);
      const steps = Number(process.env.FULL_DISK_STEPS ?? 30);
      for (let i = 0; i < steps; i++) {
        const args = commands[i % commands.length]!(i);
        // From nothing free to room for a new ledger file and the WAL's growth.
        const free = Math.floor(random() * (statSync(join(dir, '.beads', 'issues.jsonl')).size + 160_000));
        fill(free);
        const r = bd(dir, args);
        rmSync(filler, { force: true });
        const where = `step ${i}: bd ${args.join(' ').slice(0, 60)} with ${free} bytes free`;
        const after = snapshot(dir);
        expect(after.ledger, `${where}: ledger and database agree`).toBe(after.db);
        if (r.code === 0) {
          expect(after.db, `${where}: said it worked, so it is there`).not.toBe(state.db);
          state = after;
          continue;
        }
        failed++;
        expectFailureReport(r, /^Error: no space left on the device holding /, where);
        expect(after, `${where}: said it failed, so nothing changed`).toEqual(state);
        const retry = bd(dir, args);
        expect(retry.code, `${where}: the retry: ${retry.stderr}`).toBe(0);
        state = snapshot(dir);
      }
      for (let i = 0; i < steps; i += commands.length) expect(state.db.split(`"limited create ${i}"`)).toHaveLength(2);
      console.log(`${steps} writes on a nearly full disk: ${failed} failed cleanly, ${steps - failed} succeeded`);
      expect(failed).toBeGreaterThan(0);
      expect(failed).toBeLessThan(steps);
    },
  );
});
