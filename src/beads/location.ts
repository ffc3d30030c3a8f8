// Where the store lives: BEADS_DIR, GT_ROOT, the enclosing town, or the nearest standalone `.beads/`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface BeadsLocation {
  /** The `.beads` directory holding the database, ledger and config. */
  dir: string;
  /** The directory the `.beads` folder belongs to (a town or a repository). */
  root: string;
  kind: 'env' | 'town' | 'standalone';
  /** In a town, inside a rig's directory: that rig's prefix, the default for beads created there. */
  rigPrefix?: string;
  /** In a town, inside a rig's directory (or GT_RIG naming one): the rig's name. */
  rig?: string;
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
    return townLocation(root, cwd, env);
  }
  let standalone: BeadsLocation | undefined;
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, 'town.json'))) return townLocation(d, cwd, env);
    if (!standalone && isDir(join(d, '.beads')) && isStoreDir(join(d, '.beads'))) {
      standalone = { dir: join(d, '.beads'), root: d, kind: 'standalone' };
    }
    if (dirname(d) === d) break;
  }
  return standalone;
}

function isStoreDir(dir: string): boolean {
  return (
    existsSync(join(dir, 'config.toml')) || existsSync(join(dir, 'beads.db')) || existsSync(join(dir, 'issues.jsonl'))
  );
}

/** The town's store; its default prefix for new beads is the rig's when `cwd` (or GT_RIG) names a rig. */
function townLocation(root: string, cwd: string, env: NodeJS.ProcessEnv): BeadsLocation {
  const rel = relative(root, resolve(cwd));
  const top = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep)[0] : undefined;
  const here = rigPrefixOf(root, top);
  const rig = here ? top : rigPrefixOf(root, env.GT_RIG) ? env.GT_RIG : undefined;
  const rigPrefix = here ?? rigPrefixOf(root, env.GT_RIG);
  return {
    dir: join(root, '.beads'),
    root,
    kind: 'town',
    ...(rigPrefix ? { rigPrefix } : {}),
    ...(rig ? { rig } : {}),
  };
}

/** The id prefix of rig `rig` of the town at `root` (its rig.json), or undefined when there is no such rig. */
export function rigPrefixOf(root: string, rig: string | undefined): string | undefined {
  if (!rig || rig.startsWith('.') || rig.includes('/')) return undefined;
  try {
    const cfg = JSON.parse(readFileSync(join(root, rig, 'rig.json'), 'utf8')) as { prefix?: unknown };
    return typeof cfg.prefix === 'string' && /^[a-z][a-z0-9]{0,15}$/.test(cfg.prefix) ? cfg.prefix : undefined;
  } catch {
    return undefined;
  }
}
