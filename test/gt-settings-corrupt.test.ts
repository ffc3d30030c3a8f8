// A corrupt settings file, as users meet it through the built CLI: every command says so in one line with where
// (and changes nothing); a running daemon reports it once (one log line, one event), keeps the last good settings
// and ticks on, and reports once more when the file is fixed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, tempDir, type RunOut } from './support/gt.ts';

const SOCKET = `gt-test-settings-${process.pid}`;
const GT_BUILT = resolve(import.meta.dirname, '../bin/gt.js');

function gtBuilt(cwd: string, args: readonly string[]): RunOut {
  const r = spawnSync(process.execPath, [GT_BUILT, ...args], {
    cwd,
    env: cleanEnv({ GT_TMUX_SOCKET: SOCKET }),
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a corrupt settings file', () => {
  let town = '';
  let cleanup = (): void => {};
  let good = '';
  const path = (): string => join(town, 'settings', 'config.json');
  const daemonLog = (): string =>
    existsSync(join(town, '.runtime', 'daemon.log')) ? readFileSync(join(town, '.runtime', 'daemon.log'), 'utf8') : '';
  const ticks = (): number =>
    (JSON.parse(readFileSync(join(town, '.runtime', 'daemon.json'), 'utf8')) as { ticks: number }).ticks;

  beforeAll(() => {
    const t = tempDir('gt settings');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    expect(gtBuilt(t.dir, ['install', town]).code).toBe(0);
    const s = JSON.parse(readFileSync(path(), 'utf8')) as Record<string, unknown>;
    s.daemon = { tick_seconds: 1 };
    good = JSON.stringify(s, null, 2);
    writeFileSync(path(), good);
  });
  afterAll(async () => {
    writeFileSync(path(), good);
    gtBuilt(town, ['daemon', 'stop']);
    await createTmux({ socket: SOCKET }).killServer();
    cleanup();
  });

  it('the daemon reports it once, keeps ticking on the last good settings, and says when it is fixed (built CLI)', async () => {
    const start = gtBuilt(town, ['daemon', 'start']);
    expect(start.code, start.stderr).toBe(0);
    for (let i = 0; i < 100 && !existsSync(join(town, '.runtime', 'daemon.json')); i++) await sleep(100);
    const broken = '{ "version": 1, "daemon": { "tick_seconds": 1 },\n';
    writeFileSync(path(), broken);
    const before = ticks();
    for (let i = 0; i < 150 && ticks() < before + 5; i++) await sleep(100);
    expect(ticks()).toBeGreaterThanOrEqual(before + 5);
    // Five ticks on a broken file: one report, not one per tick.
    expect(daemonLog().match(/settings unreadable/g)).toHaveLength(1);

    // Any command: one line naming the file and the place, one hint, and the file untouched.
    const status = gtBuilt(town, ['status']);
    expectFailure(status, 1, /settings\/config\.json: not valid JSON \(.*line 2 column 1\)/);
    expect(status.stderr).toMatch(/^Hint: fix the JSON by hand/m);
    expect(readFileSync(path(), 'utf8')).toBe(broken);

    writeFileSync(path(), good);
    const fixed = ticks();
    for (let i = 0; i < 100 && ticks() < fixed + 2; i++) await sleep(100);
    const feed = JSON.parse(gtBuilt(town, ['feed', '--kind', 'daemon.settings', '--json']).stdout) as {
      kind: string;
      reason: string;
    }[];
    expect(feed.map((e) => e.kind)).toEqual(['daemon.settings-unreadable', 'daemon.settings-readable']);
    expect(feed[0]!.reason).toMatch(/config\.json: not valid JSON .*keeps the last good settings/);
    expect(gtBuilt(town, ['daemon', 'stop']).code).toBe(0);
  });

  it('an empty file (a full disk, an editor crash) says the file is empty', () => {
    writeFileSync(path(), '');
    expectFailure(gtBuilt(town, ['config', 'show']), 1, /settings\/config\.json: the file is empty/);
    writeFileSync(path(), good);
  });
});
