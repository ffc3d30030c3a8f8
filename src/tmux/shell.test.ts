import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execScript, shellQuote } from './shell.ts';

const sh = (script: string, env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) =>
  spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env });

describe('execScript', () => {
  it('runs argv exactly, with env set and unset, through /bin/sh', () => {
    const script = execScript(
      ['sh', '-c', 'printf "%s|%s|%s" "$1" "$GT_X" "${DROP-none}"', 'arg0', `it's "$HOME" \`x\` \\ ;`],
      { GT_X: 'a b$c' },
      ['DROP'],
    );
    expect(script.startsWith('exec env -u DROP ')).toBe(true);
    const r = sh(script, { PATH: process.env.PATH, DROP: 'present' });
    expect(r.stdout).toBe(`it's "$HOME" \`x\` \\ ;|a b$c|none`);
  });

  it('refuses bad variable names and a program named like an assignment', () => {
    expect(() => execScript(['x'], { 'A B': '1' })).toThrow();
    expect(() => execScript(['x'], {}, ['A;B'])).toThrow();
    expect(() => execScript(['A=1'])).toThrow();
    expect(() => execScript([])).toThrow();
  });

  it('quotes any word so the shell passes it back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\0/g, '')),
          { maxLength: 5 },
        ),
        (words) => {
          const r = sh(`printf '%s\\0' ${words.map(shellQuote).join(' ')}`);
          expect(words.length === 0 ? [] : r.stdout.split('\0').slice(0, -1)).toEqual(words.length === 0 ? [] : words);
        },
      ),
      { numRuns: 40 },
    );
  });
});
