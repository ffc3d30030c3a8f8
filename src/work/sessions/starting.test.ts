// Starts in progress: a second starter backs off while the first one's process lives; a dead starter's mark is taken over.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TownContext } from '../../town/index.ts';
import { markStarting, sessionsStarting } from './starting.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function town(): TownContext {
  const runtime = mkdtempSync(join(tmpdir(), 'gt-starting-'));
  dirs.push(runtime);
  return { paths: { runtime } } as unknown as TownContext;
}

describe('markStarting', () => {
  it('lets one process start a session at a time; the daemon sees it as starting until it is released', async () => {
    const t = town();
    const other = spawn('sleep', ['30']);
    try {
      const release = markStarting(t, 'app-nux')!;
      expect(release).toBeTypeOf('function');
      // This process's own start is not "another starter".
      expect(sessionsStarting(t).has('app-nux')).toBe(false);
      release();
      // Another live process holds it: a second starter backs off and the daemon leaves the session alone.
      writeFileSync(join(t.paths.runtime, 'starting', 'app-nux'), `${other.pid}\n`);
      expect(markStarting(t, 'app-nux')).toBeUndefined();
      expect([...sessionsStarting(t)]).toEqual(['app-nux']);
      // The holder dies: its mark is stale and the next starter takes it over.
      other.kill();
      await new Promise((r) => other.once('exit', r));
      expect(sessionsStarting(t).size).toBe(0);
      const again = markStarting(t, 'app-nux');
      expect(again).toBeTypeOf('function');
      again!();
    } finally {
      other.kill();
    }
  });
});
