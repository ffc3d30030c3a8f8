// gt feed: the last N town events (text and --json), a kind filter, refusals, and --follow printing new events
// as they are recorded until the process is interrupted.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TownEventKind } from '../src/kernel/index.ts';
import { loadTown, openTownStore, recordTownEvent, type TownContext } from '../src/town/index.ts';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, GT_BIN, gt, gtJson, tempDir } from './support/gt.ts';

describe('gt feed', () => {
  let root = '';
  let town: TownContext;
  let cleanup = (): void => {};
  const record = (
    kind: 'sling.refused' | 'refinery.sling-failed' | 'convoy.closed',
    subject: string,
    reason: string,
  ): void => {
    const s = openTownStore(town, { actor: 'tester' });
    try {
      recordTownEvent(s, { kind, subject, reason });
    } finally {
      s.close();
    }
  };

  beforeAll(() => {
    const t = tempDir('gt feed');
    cleanup = t.cleanup;
    root = join(t.dir, 'town');
    gtJson(t.dir, ['install', root]);
    town = loadTown(root, { PATH: process.env.PATH ?? '' });
    for (let i = 1; i <= 5; i++) record(i % 2 ? 'sling.refused' : 'refinery.sling-failed', `hq-${i}`, `step ${i}`);
  });
  afterAll(() => cleanup());

  it('prints the last N events oldest first, as text or JSON, narrowed by kind', () => {
    const text = gt(root, ['feed', '-n', '3']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d tester\s+sling\.refused\s+hq-3: step 3$/);
    expect(lines[2]).toMatch(/sling\.refused\s+hq-5: step 5$/);
    const json = gtJson<{ id: number; kind: string; subject: string; reason: string; actor: string }[]>(root, [
      'feed',
      '-n',
      '10',
    ]);
    expect(json.map((e) => e.subject).slice(-5)).toEqual(['hq-1', 'hq-2', 'hq-3', 'hq-4', 'hq-5']);
    expect(json.at(-1)).toMatchObject({ kind: 'sling.refused', reason: 'step 5', actor: 'tester' });
    const merged = gtJson<{ kind: string }[]>(root, ['feed', '--kind', 'refinery.']);
    expect(merged.map((e) => e.kind)).toEqual(['refinery.sling-failed', 'refinery.sling-failed']);
  });

  it('refuses a bad -n', () => {
    expectFailure(gt(root, ['feed', '-n', 'lots']), 2, /-n must be a whole number/);
  });

  it('refuses a --kind no event kind starts with (a typo would print nothing), naming the domains', () => {
    const r = gt(root, ['feed', '--kind', 'refinary.']);
    expectFailure(r, 2, /no event kind starts with "refinary\."/);
    expect(r.stderr).toMatch(/kinds start with sling, done, hook, .*refinery, daemon, costs/);
    const kinds: TownEventKind[] = ['sling.refused', 'refinery.sling-failed'];
    for (const k of kinds) expect(gt(root, ['feed', '--kind', k]).code).toBe(0);
  });

  it('--follow prints events recorded after it started, within a second, until interrupted', async () => {
    const child = spawn(process.execPath, [GT_BIN, 'feed', '--follow', '--json', '-n', '1'], {
      cwd: root,
      env: cleanEnv({}),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    const waitFor = async (re: RegExp, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in ${ms} ms; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(/"subject":"hq-5"/, 10_000);
      const t0 = Date.now();
      record('convoy.closed', 'hq-c1', 'all merged');
      await waitFor(/"subject":"hq-c1"/, 1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      const lines = out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { subject: string; kind: string });
      expect(lines.map((l) => l.subject)).toEqual(['hq-5', 'hq-c1']);
      expect(lines[1]!.kind).toBe('convoy.closed');
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
