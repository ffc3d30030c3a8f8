import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, run } from './run-async.ts';

describe('run (async)', () => {
  it('returns status and output', async () => {
    const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ status: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes input on stdin', async () => {
    const r = await run('cat', [], { input: 'hello' });
    expect(r.stdout).toBe('hello');
  });

  it('reports a missing program as PROC_NOT_FOUND', async () => {
    await expect(run('gt-no-such-program-xyz', [])).rejects.toMatchObject({ code: 'PROC_NOT_FOUND' });
  });

  it('kills the whole process tree on timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-run-'));
    try {
      const started = Date.now();
      // The shell starts a grandchild and records its pid; the timeout must take the grandchild down too.
      const p = run('sh', ['-c', `sleep 30 & echo $! > '${dir}/pid'; wait`], { timeoutMs: 500 });
      await expect(p).rejects.toMatchObject({ code: 'PROC_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5000);
      const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      const deadline = Date.now() + 5000;
      while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends at the timeout even when a process that left with setsid holds the output, and stops that process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-run-'));
    try {
      const started = Date.now();
      const p = run('sh', ['-c', `setsid sh -c 'echo $$ > "${dir}/pid"; exec sleep 45' & sleep 30`], {
        timeoutMs: 800,
        killGraceMs: 200,
        stopEscaped: true,
      });
      await expect(p).rejects.toMatchObject({ code: 'PROC_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(4000);
      const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      const deadline = Date.now() + 3000;
      while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns the status of a program that exited while a process it left behind holds its output', async () => {
    const started = Date.now();
    const r = await run('sh', ['-c', 'setsid sleep 45 & echo done; exit 4'], {
      timeoutMs: 30_000,
      drainMs: 300,
      stopEscaped: true,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toMatch(/left running kept its output open/);
  });

  it('probes process liveness', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
  });
});
