import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, breakIfStale, lockPath, tryAcquire } from './session-lock.ts';

const DEAD_PID = 2 ** 22 + 4242; // above Linux's largest pid, so never alive
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-lock-'));
  path = lockPath(dir, 'nudge-hq-mayor');
  mkdirSync(join(path, '..'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('session lock', () => {
  it('is exclusive until released, and a release leaves no file', async () => {
    const a = await acquireLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    expect(tryAcquire(path)).toBeUndefined();
    a.release();
    expect(existsSync(path)).toBe(false);
    const b = tryAcquire(path);
    expect(b).toBeDefined();
    b!.release();
  });

  it('makes waiters queue behind the holder', async () => {
    const a = await acquireLock(path);
    const order: string[] = [];
    const waiter = acquireLock(path).then((h) => {
      order.push('waiter');
      h.release();
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push('holder done');
    a.release();
    await waiter;
    expect(order).toEqual(['holder done', 'waiter']);
  });

  it('times out with the holder named', async () => {
    const a = await acquireLock(path);
    await expect(acquireLock(path, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    a.release();
  });

  it('takes over a lock whose holder died, or whose record was never written', async () => {
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, at: Date.now() }));
    (await acquireLock(path, { timeoutMs: 2000 })).release();
    writeFileSync(path, '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    expect(breakIfStale(path, 600_000)).toBe(true);
  });

  it('does not release a lock someone else has taken since', async () => {
    const a = await acquireLock(path);
    writeFileSync(path, JSON.stringify({ pid: process.pid, at: 1 }));
    a.release();
    expect(existsSync(path)).toBe(true);
  });

  it('excludes other processes', async () => {
    const module = resolve(import.meta.dirname, 'session-lock.ts');
    const script = `const { acquireLock } = await import(${JSON.stringify(module)});
      const h = await acquireLock(${JSON.stringify(path)}); process.stdout.write('held\\n');
      setTimeout(() => { h.release(); process.stdout.write('released\\n'); }, 400);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const closed = new Promise((r) => child.on('close', r));
    let out = '';
    await new Promise<void>((r) =>
      child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('held') && r())),
    );
    const heldAt = Date.now();
    const h = await acquireLock(path, { timeoutMs: 20_000 });
    // The child holds the lock for 400 ms after saying so: we cannot have it sooner.
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(350);
    h.release();
    await closed;
    expect(out).toContain('released');
  });
});
