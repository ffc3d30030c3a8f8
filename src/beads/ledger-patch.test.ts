// The byte-level ledger patch agrees with rebuilding the sorted line list from scratch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmp } from './record.ts';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchFileInto, patchLines, UnplacedLine } from './ledger-patch.ts';

const line = (id: string, v: string): string => JSON.stringify({ id, title: v });

describe('patchLines', () => {
  it('replaces, inserts and removes lines in order', () => {
    const text = `${line('bd-a', 'A')}\n${line('bd-c', 'C')}\n${line('bd-e', 'E')}\n`;
    const out = patchLines(
      Buffer.from(text),
      new Map([
        ['bd-c', line('bd-c', 'C2')],
        ['bd-b', line('bd-b', 'B')],
        ['bd-e', undefined],
        ['bd-z', line('bd-z', 'Z')],
      ]),
    );
    expect(out.toString()).toBe(
      `${line('bd-a', 'A')}\n${line('bd-b', 'B')}\n${line('bd-c', 'C2')}\n${line('bd-z', 'Z')}\n`,
    );
  });

  it('keeps records of another type (no id) first, and refuses a ledger whose lines do not start with their id', () => {
    const other = JSON.stringify({ _type: 'memory', key: 'k' });
    const withOther = `${other}\n${line('bd-a', 'A')}\n`;
    expect(patchLines(Buffer.from(withOther), new Map([['bd-0', line('bd-0', 'Z')]])).toString()).toBe(
      `${other}\n${line('bd-0', 'Z')}\n${line('bd-a', 'A')}\n`,
    );
    const text = `${JSON.stringify({ title: 'A', id: 'bd-a' })}\n${JSON.stringify({ title: 'C', id: 'bd-c' })}\n`;
    expect(() => patchLines(Buffer.from(text), new Map([['bd-b', line('bd-b', 'B')]]))).toThrow(UnplacedLine);
  });

  it('handles an empty file and a file without a final newline', () => {
    expect(patchLines(Buffer.alloc(0), new Map([['bd-a', line('bd-a', 'é')]])).toString()).toBe(
      `${line('bd-a', 'é')}\n`,
    );
    expect(patchLines(Buffer.from(line('bd-a', 'A')), new Map([['bd-b', line('bd-b', 'B')]])).toString()).toBe(
      `${line('bd-a', 'A')}\n${line('bd-b', 'B')}\n`,
    );
  });

  it('matches a from-scratch rebuild for random ledgers and updates', () => {
    const id = fc.stringMatching(/^bd-[a-z0-9]{1,3}(\.[0-9]{1,2})?$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { maxLength: 40 }),
        fc.array(fc.tuple(id, fc.option(fc.string({ maxLength: 12 }))), { maxLength: 15 }),
        (ids, ups) => {
          const base = new Map(ids.map((i) => [i, line(i, `v-${i}`)]));
          const updates = new Map(ups.map(([i, v]) => [i, v === null ? undefined : line(i, v)]));
          const expected = new Map(base);
          for (const [i, l] of updates) {
            if (l === undefined) expected.delete(i);
            else expected.set(i, l);
          }
          const render = (m: Map<string, string>): string =>
            [...m.keys()]
              .sort(cmp)
              .map((k) => `${m.get(k)}\n`)
              .join('');
          expect(patchLines(Buffer.from(render(base)), updates).toString()).toBe(render(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('patches a file the same way, reading it in small windows (long lines, no final newline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-patch '));
    try {
      const id = fc.stringMatching(/^bd-[a-z0-9]{1,3}$/);
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.tuple(id, fc.nat(9000)), { maxLength: 30, selector: ([i]) => i }),
          fc.array(fc.tuple(id, fc.option(fc.nat(9000))), { maxLength: 8 }),
          fc.boolean(),
          (rows, ups, finalNl) => {
            const big = (i: string, n: number): string => line(i, 'x'.repeat(n));
            const text = rows
              .map(([i]) => i)
              .sort(cmp)
              .map((i) => big(i, rows.find((r) => r[0] === i)![1]))
              .join('\n');
            const input = Buffer.from(text && finalNl ? `${text}\n` : text);
            const updates = new Map(ups.map(([i, n]) => [i, n === null ? undefined : big(i, n)]));
            writeFileSync(join(dir, 'in'), input);
            const fd = openSync(join(dir, 'out'), 'w');
            patchFileInto(join(dir, 'in'), fd, updates);
            closeSync(fd);
            expect(readFileSync(join(dir, 'out')).equals(patchLines(input, updates))).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
