// Vitest global set-up: the suites run gt and bd as users do, through bin/*.js over the bundles in dist/. A bundle
// older than any source file is rebuilt first (`npm test` has just built; a single file run after an edit has not).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory()
        ? newestSource(join(dir, e.name))
        : e.name.endsWith('.ts')
          ? statSync(join(dir, e.name)).mtimeMs
          : 0,
    ),
  );
}

export function bundlesStale(): boolean {
  const bundles = ['gt.cjs', 'bd.cjs'].map((f) => join(root, 'dist', f));
  if (!bundles.every((b) => existsSync(b))) return true;
  return newestSource(join(root, 'src')) > Math.min(...bundles.map((b) => statSync(b).mtimeMs));
}

export default function setup(): void {
  if (!bundlesStale()) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed before the tests:\n${r.stderr}`);
}
