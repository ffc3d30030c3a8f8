// The git layer owns git (docs/architecture.md, src/git): code outside src/git calls its typed operations, not
// git(...) / gitTry(...) with raw arguments, so an operation's meaning, its outcomes and its test live in one place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** Files still calling git directly, each with how many calls it may keep (to move, not to grow): none left. */
const NOT_YET_MOVED: Record<string, number> = {};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Raw git calls per file outside src/git. */
function rawCalls(): Record<string, number> {
  const call = /\b(?:git|gitTry|runGit)\(/g;
  const out: Record<string, number> = {};
  for (const path of sources(join(root, 'src'))) {
    const file = relative(root, path);
    if (file.startsWith('src/git/')) continue;
    const n = [...readFileSync(path, 'utf8').matchAll(call)].length;
    if (n > 0) out[file] = n;
  }
  return out;
}

describe('the git layer', () => {
  it('no file outside src/git calls git directly, except the few listed, and those no more than now', () => {
    const over = Object.entries(rawCalls())
      .filter(([file, n]) => n > (NOT_YET_MOVED[file] ?? 0))
      .map(([file, n]) => `${file}: ${n} raw git call(s)`);
    expect(over).toEqual([]);
  });
});
