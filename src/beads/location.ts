// Where the store lives: BEADS_DIR, GT_ROOT, the enclosing town, or the nearest standalone `.beads/`.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface BeadsLocation {
  /** The `.beads` directory holding the database, ledger and config. */
  dir: string;
  /** The directory the `.beads` folder belongs to (a town or a repository). */
  root: string;
  kind: 'env' | 'town' | 'standalone';
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Resolve the store for `cwd`; undefined when there is none (the caller says how to create one). */
export function findBeadsDir(cwd: string, env: NodeJS.ProcessEnv): BeadsLocation | undefined {
  if (env.BEADS_DIR) {
    const dir = resolve(cwd, env.BEADS_DIR);
    return { dir, root: dirname(dir), kind: 'env' };
  }
  if (env.GT_ROOT) {
    const root = resolve(cwd, env.GT_ROOT);
    return { dir: join(root, '.beads'), root, kind: 'town' };
  }
  let standalone: BeadsLocation | undefined;
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, 'town.json'))) return { dir: join(d, '.beads'), root: d, kind: 'town' };
    if (!standalone && isDir(join(d, '.beads')) && isStoreDir(join(d, '.beads'))) {
      standalone = { dir: join(d, '.beads'), root: d, kind: 'standalone' };
    }
    if (dirname(d) === d) break;
  }
  return standalone;
}

function isStoreDir(dir: string): boolean {
  return existsSync(join(dir, 'config.toml')) || existsSync(join(dir, 'beads.db')) || existsSync(join(dir, 'issues.jsonl'));
}
