// What the formula and molecule commands share: the formula search path (a town rig's own formulas first), cooking from `--var` arguments, short paths.
import { isAbsolute, join, relative } from 'node:path';
import { repoRoot } from '../../../git/index.ts';
import {
  cookFormula,
  findBeadsDir,
  formulaDirs,
  loadFormula,
  parseVarArgs,
  type FormulaDir,
  type Plan,
} from '../../../beads/index.ts';
import type { CliIo } from '../../shared/runtime.ts';

/**
 * The formula search path for the current directory (the store need not be opened). Inside a town's rig, the rig
 * repository's own formulas come first: those of the work tree here (a crew clone, a polecat worktree), else those
 * of the rig's default branch (its refinery worktree).
 */
export function searchPath(io: CliIo): FormulaDir[] {
  const loc = findBeadsDir(io.cwd, io.env);
  return formulaDirs(
    loc?.dir,
    io.env,
    loc?.kind === 'town' && loc.rig ? rigTree(loc.root, loc.rig, io.cwd) : undefined,
  );
}

/** The work tree of the rig's repository to read formulas from: the one around `cwd` if it is the rig's, else the refinery's. */
function rigTree(root: string, rig: string, cwd: string): string {
  const rigDir = join(root, rig);
  const top = repoRoot(cwd);
  const inside =
    top !== undefined &&
    !relative(rigDir, top).startsWith('..') &&
    !isAbsolute(relative(rigDir, top)) &&
    relative(rigDir, top) !== '';
  return inside ? top : join(rigDir, 'refinery');
}

/** A path as a person in `cwd` would type it. */
export function shortPath(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** Load and cook `ref` with `--var` arguments: shared by cook, mol pour and mol wisp. */
export function cookFromArgs(io: CliIo, ref: string, varArgs: readonly string[] | undefined): Plan {
  const vars = parseVarArgs(varArgs ?? []);
  return cookFormula(loadFormula(searchPath(io), ref, io.cwd), vars);
}
