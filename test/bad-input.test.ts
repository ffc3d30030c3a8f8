// Bad input: each mistake gets a one-line error naming it, the right exit code, safe advice, and the store unchanged.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, tempRepo, tempStore, type RunOut } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: number;
}

/** Advice an agent must never be given as a casual fix. */
const UNSAFE = [/--force/i, /init --force/i, /\brm /, /delete the/i, /re-?init/i];

function expectSafe(r: RunOut): void {
  const text = `${r.stderr}\n${r.code !== 0 ? r.stdout : ''}`;
  for (const re of UNSAFE) expect(text, `unsafe advice ${re} in: ${text}`).not.toMatch(re);
}

/** bd, with every answer checked for unsafe advice. */
function run(
  cwd: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): RunOut {
  const r = bd(cwd, args, opts);
  expectSafe(r);
  return r;
}

/** A failed command: the exit code, one `Error:` line naming the problem, at most a `Hint:` line, nothing else. */
function expectError(r: RunOut, code: 1 | 2, names: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(names);
  expect(
    lines.slice(1).every((l) => l.startsWith('Hint: ')),
    r.stderr,
  ).toBe(true);
  expect(lines.length).toBeLessThanOrEqual(2);
}

/** Same as expectError, and with --json the error object on stdout. */
function expectJsonError(r: RunOut, code: 1 | 2, errCode: string, names: RegExp): void {
  expectError(r, code, names);
  const e = (JSON.parse(r.stdout) as { error: { code: string; message: string; hint?: string } }).error;
  expect(e.code).toBe(errCode);
  expect(e.message).toMatch(names);
}

/** What must survive a refused command: the ledger bytes and every bead as bd lists it. */
function snapshot(dir: string): { ledger: string; beads: string } {
  const list = bd(dir, ['list', '--all', '-n', '0', '--json']);
  expect(list.code, list.stderr).toBe(0);
  return { ledger: readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8'), beads: list.stdout };
}

function created(r: RunOut): B {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as B;
}

const ledgerLine = (id: string, title: string): string =>
  JSON.stringify({
    id,
    title,
    status: 'open',
    priority: 2,
    type: 'task',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  });

describe('bd with bad input', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('an unknown id or an ambiguous id prefix is refused, naming the id (and the candidates), and nothing changes', () => {
    const t = tempStore('amb');
    cleanup = t.cleanup;
    // Two ids sharing the prefix "abc", brought in the way a git pull would: through the ledger file.
    writeFileSync(
      join(t.dir, '.beads', 'issues.jsonl'),
      `${ledgerLine('amb-abc1', 'first')}\n${ledgerLine('amb-abc2', 'second')}\n`,
    );
    expect(run(t.dir, ['list', '--json']).code).toBe(0);
    const before = snapshot(t.dir);

    expectJsonError(run(t.dir, ['show', 'amb-zzzz', '--json']), 1, 'BD_NOT_FOUND', /amb-zzzz/);
    expectError(run(t.dir, ['update', 'zzzz', '--status', 'closed']), 1, /zzzz/);
    expectError(run(t.dir, ['close', 'amb-zzzz']), 1, /amb-zzzz/);
    expectError(run(t.dir, ['dep', 'add', 'amb-abc1', 'amb-zzzz']), 1, /amb-zzzz/);

    const amb = run(t.dir, ['show', 'abc', '--json']);
    expectJsonError(amb, 1, 'BD_AMBIGUOUS_ID', /"abc" matches more than one bead: amb-abc1, amb-abc2/);
    expectError(run(t.dir, ['close', 'amb-abc']), 1, /amb-abc1, amb-abc2/);
    expectError(run(t.dir, ['update', 'abc', '--claim', '--actor', 'agent-1']), 1, /amb-abc1, amb-abc2/);
    expect(snapshot(t.dir)).toEqual(before);
    expect(run(t.dir, ['show', 'abc2', '--json']).stdout).toContain('"title": "second"');
  });

  it('the id of a deleted bead is refused as deleted, never taken as the prefix of its child', () => {
    const t = tempStore('del');
    cleanup = t.cleanup;
    const parent = created(run(t.dir, ['create', 'Parent', '--json']));
    const child = created(run(t.dir, ['create', 'Child', '--parent', parent.id, '--json']));
    expect(run(t.dir, ['delete', parent.id]).code).toBe(0);
    const before = snapshot(t.dir);
    expectJsonError(
      run(t.dir, ['close', parent.id, '--json']),
      1,
      'BD_NOT_FOUND',
      new RegExp(`${parent.id} was deleted`),
    );
    expectError(run(t.dir, ['update', parent.id, '--claim', '--actor', 'agent-1']), 1, /was deleted/);
    expect(snapshot(t.dir)).toEqual(before);
    const [shownChild] = JSON.parse(run(t.dir, ['show', child.id, '--json']).stdout) as Record<string, unknown>[];
    expect(shownChild).toMatchObject({ status: 'open' });
    expect(shownChild).not.toHaveProperty('assignee');
  });

  it('a title that looks like a flag is a usage error pointing at "--"; after "--" or with --title it works', () => {
    const t = tempStore('fl');
    cleanup = t.cleanup;
    const before = snapshot(t.dir);
    const r = run(t.dir, ['create', '-x', '--json']);
    expectJsonError(r, 2, 'USAGE', /unknown option '-x'/);
    expect(r.stderr).toMatch(/^Hint: .*"--"/m);
    expect(snapshot(t.dir)).toEqual(before);

    expect(created(run(t.dir, ['--json', 'create', '--', '-x is broken'])).title).toBe('-x is broken');
    expect(created(run(t.dir, ['create', '--title', '-x', '--json'])).title).toBe('-x');
  });

  it('an empty title, a bad priority and a bad status are usage errors (exit 2) and change nothing', () => {
    const t = tempStore('us');
    cleanup = t.cleanup;
    const a = created(run(t.dir, ['create', 'Keep me', '--json']));
    const before = snapshot(t.dir);
    expectJsonError(run(t.dir, ['create', '', '--json']), 2, 'BD_EMPTY_TITLE', /title is empty/);
    expectError(run(t.dir, ['create', '   ']), 2, /title is empty/);
    expectError(run(t.dir, ['create', '--title', '']), 2, /title is empty/);
    expectJsonError(run(t.dir, ['create', 'P7', '-p', '7', '--json']), 2, 'BD_BAD_PRIORITY', /invalid priority "7"/);
    expectError(run(t.dir, ['create', 'High', '-p', 'high']), 2, /invalid priority "high"/);
    expectError(run(t.dir, ['update', a.id, '-p', '-1']), 2, /-1/);
    expectJsonError(
      run(t.dir, ['update', a.id, '--status', 'finished', '--json']),
      2,
      'BD_BAD_STATUS',
      /invalid status "finished"/,
    );
    expectError(run(t.dir, ['list', '--status', 'finished']), 2, /invalid status "finished"/);
    expect(snapshot(t.dir)).toEqual(before);
  });

  it('a 1 MB description is accepted whole; a 5 MB one is refused naming the field and the limit', () => {
    const t = tempStore('big');
    cleanup = t.cleanup;
    const mb = 'é'.repeat(256 * 1024) + 'line\n'.repeat(100_000) + '"quoted" \\ end';
    expect(Buffer.byteLength(mb)).toBeGreaterThan(1_000_000);
    const a = created(run(t.dir, ['create', 'Big one', '-d', '-', '--json'], { input: mb }));
    const [shown] = JSON.parse(run(t.dir, ['show', a.id, '--json']).stdout) as B[];
    expect(shown!.description).toBe(mb);

    const before = snapshot(t.dir);
    expectJsonError(
      run(t.dir, ['create', 'Too big', '-d', '-', '--json'], { input: 'x'.repeat(5 * 1024 * 1024) }),
      2,
      'BD_TEXT_TOO_LONG',
      /description .*4 MB/,
    );
    expectError(
      run(t.dir, ['update', a.id, '-d', '-'], { input: 'y'.repeat(5 * 1024 * 1024) }),
      2,
      /description .*4 MB/,
    );
    expect(snapshot(t.dir)).toEqual(before);
  });

  it('a malformed ledger line is reported with its line number, the rest is imported, and the line stays in the file', () => {
    const t = tempStore('ml');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const bad = '{"id":"ml-bad","title": oops';
    writeFileSync(path, [ledgerLine('ml-a1', 'alpha'), bad, ledgerLine('ml-c3', 'gamma')].join('\n') + '\n');

    const r = run(t.dir, ['list', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/issues\.jsonl:2: not valid JSON/);
    expect((JSON.parse(r.stdout) as B[]).map((b) => b.id).sort()).toEqual(['ml-a1', 'ml-c3']);
    expect(readFileSync(path, 'utf8')).toContain(bad);
    // A later write rewrites lines of the beads it touched, never the line it could not read.
    created(run(t.dir, ['create', 'delta', '--json']));
    expect(readFileSync(path, 'utf8')).toContain(bad);
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    ).toHaveLength(4);
  });

  it('a conflict-marked ledger is refused, naming its marker lines, until bd doctor --fix merges both sides', () => {
    const t = tempStore('cm');
    cleanup = t.cleanup;
    const path = join(t.dir, '.beads', 'issues.jsonl');
    const text =
      [
        ledgerLine('cm-a1', 'alpha'),
        '<<<<<<< HEAD',
        ledgerLine('cm-b2', 'ours'),
        '=======',
        ledgerLine('cm-b2', 'theirs'),
        '>>>>>>> feature',
        ledgerLine('cm-c3', 'gamma'),
      ].join('\n') + '\n';
    writeFileSync(path, text);

    // Reading one side as the ledger would drop the other side's edits: reads and writes are refused (issue 12 §5).
    expectJsonError(
      run(t.dir, ['list', '--json']),
      1,
      'BD_LEDGER_CONFLICT',
      /issues\.jsonl is mid-merge: it holds git conflict markers \(line 2, 4, 6\)/,
    );
    expectError(run(t.dir, ['create', 'delta']), 1, /mid-merge/);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(run(t.dir, ['doctor', '--fix']).stdout).toMatch(/✓ fixed merge: .*from the conflict markers: 3 bead/);
    expect((JSON.parse(run(t.dir, ['list', '--json']).stdout) as B[]).map((b) => b.id).sort()).toEqual([
      'cm-a1',
      'cm-b2',
      'cm-c3',
    ]);
    expect(readFileSync(path, 'utf8')).not.toMatch(/^(<{7}|={7}|>{7})/m);
  });

  it('outside any store bd says so and suggests `bd init` (exit 1)', () => {
    const base = mkdtempSync(join(tmpdir(), 'bd no store '));
    cleanup = () => rmSync(base, { recursive: true, force: true });
    const r = run(base, ['list', '--json']);
    expectJsonError(r, 1, 'BD_NO_STORE', /no beads store found in .*bd no store/);
    expect(r.stderr).toMatch(/^Hint: .*`bd init`/m);
    expectError(run(base, ['create', 'Nowhere']), 1, /no beads store/);
  });

  it('paths with spaces work for the store, --from-file, export and import', () => {
    const t = tempStore('sp');
    cleanup = t.cleanup;
    expect(t.dir).toContain(' ');
    const sub = join(t.dir, 'my files');
    mkdirSync(sub);
    writeFileSync(join(sub, 'new beads.jsonl'), `${JSON.stringify({ title: 'from a spaced path' })}\n`);
    expect(run(sub, ['create', '--from-file', 'new beads.jsonl', '--json']).code).toBe(0);
    expect(run(sub, ['export', '-o', 'out file.jsonl']).code).toBe(0);
    expect(readFileSync(join(sub, 'out file.jsonl'), 'utf8')).toContain('from a spaced path');
    const r = run(sub, ['import', 'out file.jsonl', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 0, unchanged: 1 });
  });

  it('without git on PATH, bd init and writes still work (no merge driver), and a missing file is a clear error', () => {
    const t = tempRepo('no git');
    cleanup = t.cleanup;
    const empty = join(t.dir, '..', 'empty bin');
    mkdirSync(empty);
    const env = { PATH: empty, BD_ACTOR: '' };
    const init = run(t.dir, ['init', '--prefix', 'ng', '--json'], { env });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ prefix: 'ng', created: true, mergeDriver: false });
    expect(created(run(t.dir, ['create', 'Works without git', '--json'], { env })).title).toBe('Works without git');
    expectError(
      run(t.dir, ['create', '--from-file', 'missing file.jsonl'], { env }),
      1,
      /cannot read .*missing file\.jsonl/,
    );
  });
});
