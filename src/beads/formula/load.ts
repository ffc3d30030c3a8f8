// Finding formulas on disk: in a town, the rig's repository's `.beads/formulas/` first; then the store's `formulas/`
// folder, then `~/.beads/formulas` (earlier folders shadow later).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { GtError, isGtError, messageOf } from '../../kernel/index.ts';
import type { Formula } from './types.ts';
import { parseFormula } from './parse.ts';

export const FORMULA_SUFFIX = '.formula.toml';

export interface FormulaDir {
  dir: string;
  /** rig: a rig repository's own `.beads/formulas` (a town's rig); project: the store's; user: `~/.beads/formulas`. */
  source: 'rig' | 'project' | 'user';
}

/** A formula file found on the search path: parsed, or the one-line reason it could not be. */
export interface FormulaEntry {
  name: string;
  path: string;
  source: FormulaDir['source'];
  formula?: Formula;
  error?: string;
}

/**
 * Where formulas are looked for, in order; `beadsDir` is the store's `.beads` folder when there is one, `rigTree` a
 * work tree of a town's rig repository (its `.beads/formulas` comes first, as Gas Town searches the project first).
 */
export function formulaDirs(beadsDir: string | undefined, env: NodeJS.ProcessEnv, rigTree?: string): FormulaDir[] {
  const dirs: FormulaDir[] = [];
  if (rigTree) dirs.push({ dir: join(rigTree, '.beads', 'formulas'), source: 'rig' });
  if (beadsDir) dirs.push({ dir: join(beadsDir, 'formulas'), source: 'project' });
  if (env.HOME) dirs.push({ dir: join(env.HOME, '.beads', 'formulas'), source: 'user' });
  return dirs.filter((d, i) => dirs.findIndex((e) => resolve(e.dir) === resolve(d.dir)) === i);
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(FORMULA_SUFFIX))
      .sort();
  } catch {
    return [];
  }
}

/** Read and parse one formula file. */
export function readFormula(path: string): Formula {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GtError('BD_FORMULA_UNREADABLE', `cannot read ${path}: ${messageOf(e)}`);
  }
  return parseFormula(text, path, basename(path).slice(0, -FORMULA_SUFFIX.length));
}

/** Every formula on the search path, by name; a name found in an earlier folder hides the same name later. */
export function listFormulas(dirs: readonly FormulaDir[]): FormulaEntry[] {
  const seen = new Set<string>();
  const out: FormulaEntry[] = [];
  for (const d of dirs) {
    for (const file of filesIn(d.dir)) {
      const name = file.slice(0, -FORMULA_SUFFIX.length);
      if (seen.has(name)) continue;
      seen.add(name);
      const path = join(d.dir, file);
      try {
        out.push({ name, path, source: d.source, formula: readFormula(path) });
      } catch (e) {
        if (!isGtError(e)) throw e;
        out.push({ name, path, source: d.source, error: e.message });
      }
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A formula by name (or by path, when `ref` ends in `.formula.toml`); unknown names list what exists. */
export function loadFormula(dirs: readonly FormulaDir[], ref: string, cwd: string): Formula {
  if (ref.endsWith(FORMULA_SUFFIX)) return readFormula(resolve(cwd, ref));
  for (const d of dirs) {
    if (filesIn(d.dir).includes(`${ref}${FORMULA_SUFFIX}`)) return readFormula(join(d.dir, `${ref}${FORMULA_SUFFIX}`));
  }
  const names = [...new Set(dirs.flatMap((d) => filesIn(d.dir).map((f) => f.slice(0, -FORMULA_SUFFIX.length))))].sort();
  const where = dirs.map((d) => d.dir).join(', ') || '(no folders: no store and no HOME)';
  throw new GtError(
    'BD_FORMULA_NOT_FOUND',
    `no formula "${ref}"; ${names.length ? `available: ${names.join(', ')}` : 'none are installed'}`,
    {
      hint: `formulas are <name>${FORMULA_SUFFIX} files in ${where}`,
    },
  );
}
