// kill -9 in the middle of a write: the next bd call works, the ledger is whole and in step, no temp file is left.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BD_BIN, bd, bdJson, cleanEnv, tempStore } from './support/bd.ts';

interface Doctor {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** Run bd and SIGKILL it after `delayMs` (if still running). Resolves with how it ended and how long it ran. */
function runAndKill(
  cwd: string,
  args: readonly string[],
  delayMs: number,
): Promise<{ killed: boolean; code: number | null; ms: number }> {
  return new Promise((res) => {
    const started = performance.now();
    const p = spawn(process.execPath, [BD_BIN, ...args], { cwd, env: cleanEnv(), stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      res({ killed: signal === 'SIGKILL', code, ms: performance.now() - started });
    });
  });
}

function ledgerLines(dir: string): string[] {
  return readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

function leftoverTemps(dir: string): string[] {
  return readdirSync(join(dir, '.beads')).filter((f) => /^\.issues\.jsonl\..*\.tmp$/.test(f));
}

describe('bd killed mid-write', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it(
    '30 kill -9 rounds during `bd create --from-file`: the store stays readable, in sync and whole',
    { timeout: 300_000 },
    async () => {
      const t = tempStore('kx');
      cleanup = t.cleanup;
      const file = join(t.dir, 'batch.jsonl');
      const records = Array.from({ length: 300 }, (_, i) =>
        JSON.stringify({
          title: `batch bead ${i}`,
          description: `line one\nline "two" ${'x'.repeat(800)}`,
          labels: ['crash', `n${i % 7}`],
        }),
      );
      writeFileSync(file, records.join('\n'));
      const args = ['create', '--from-file', file, '--silent'];

      // Calibrate: how long an unhindered batch takes here, so the kills sweep its whole life, start to rename.
      await runAndKill(t.dir, args, 60_000);
      const full = await runAndKill(t.dir, args, 60_000);
      expect(full.code).toBe(0);
      const span = Math.max(150, full.ms * 1.6);

      // 30 rounds sweep the batch's life; more rounds (up to 90) while no kill has yet landed inside the write itself
      // (between the temp ledger file and its rename), which is what this test is for.
      const sweep = 30;
      const temps: string[][] = [];
      let completed = 0;
      let landedDespiteKill = 0;
      let before = 600;
      const newTemps = () => temps.filter((x, i) => x.some((f) => !(temps[i - 1] ?? []).includes(f))).length;
      let rounds = 0;
      for (let i = 0; i < 90 && (i < sweep || newTemps() + landedDespiteKill === 0); i++, rounds++) {
        const delay = 5 + ((span - 5) * (i % sweep)) / (sweep - 1) + Math.random() * 10;
        const r = await runAndKill(t.dir, args, delay);
        if (!r.killed) completed++;
        temps.push(leftoverTemps(t.dir));

        const list = bd(t.dir, ['list', '--all', '-n', '0', '--json']);
        expect(list.code, `round ${i} (killed after ${delay.toFixed(0)} ms): ${list.stderr}`).toBe(0);
        expect(list.stderr).toBe('');
        const listed = (JSON.parse(list.stdout) as unknown[]).length;
        expect(listed % 300, `round ${i}: a batch is all or nothing`).toBe(0);
        if (r.killed && listed > before) landedDespiteKill++;
        before = listed;

        const doc = bdJson<Doctor>(t.dir, ['doctor']);
        expect(
          doc.checks.filter((c) => !c.ok),
          `round ${i}`,
        ).toEqual([]);
        const lines = ledgerLines(t.dir);
        for (const l of lines) expect(() => JSON.parse(l), `round ${i}: half-written ledger line`).not.toThrow();
        expect(lines).toHaveLength(listed);
      }
      const leftBehind = newTemps();
      console.log(
        `${rounds} rounds over ${span.toFixed(0)} ms: ${rounds - completed} killed, ${completed} finished first, ${landedDespiteKill} killed after their batch landed; ` +
          `kills that left a new temp ledger file: ${leftBehind}`,
      );
      // The kills must have hit bd at work: most rounds killed, and some inside the write (a temp ledger left behind, or
      // killed after its batch landed in the store).
      expect(rounds - completed, 'rounds where bd was killed').toBeGreaterThanOrEqual(rounds / 3);
      expect(leftBehind + landedDespiteKill, 'kills that landed inside the write').toBeGreaterThan(0);
    },
  );

  it('a temp ledger file left behind by a killed writer is removed by the next write', () => {
    const t = tempStore('kt');
    cleanup = t.cleanup;
    // What `kill -9` between writing the temp file and the rename leaves (the crash rounds above hit this window).
    const stale = join(t.dir, '.beads', '.issues.jsonl.4194303.1.tmp');
    writeFileSync(stale, '{"id":"kt-half","title":"half writ');
    expect(bd(t.dir, ['create', 'next write']).code).toBe(0);
    // The write holds the store's write lock, so no live writer can own such a file.
    expect(leftoverTemps(t.dir)).toEqual([]);
    expect(ledgerLines(t.dir)).toHaveLength(1);
  });
});
