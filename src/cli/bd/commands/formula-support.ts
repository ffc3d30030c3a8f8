// What the formula and molecule commands share: the formula search path, cooking from `--var` arguments, short paths.
import { isAbsolute, relative } from 'node:path';
import { cookFormula, findBeadsDir, formulaDirs, loadFormula, parseVarArgs, type FormulaDir, type Plan } from '../../../beads/index.ts';
import type { CliIo } from '../../shared/runtime.ts';

/** The formula search path for the current directory (the store need not be opened). */
export function searchPath(io: CliIo): FormulaDir[] {
  return formulaDirs(findBeadsDir(io.cwd, io.env)?.dir, io.env);
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
