// Formulas: TOML workflow templates, read from disk, checked, and cooked into ordered plans of steps.
export * from './types.ts';
export { parseFormula } from './parse.ts';
export { formulaError } from './errors.ts';
export { orderSteps, flattenSteps, checkStepGraph, type OrderNode, type Ordering } from './graph.ts';
export { parseVarArgs, resolveVars, substitute, evalCondition, isCondition, placeholdersOf } from './vars.ts';
export { cookFormula } from './cook.ts';
export {
  formulaDirs,
  listFormulas,
  loadFormula,
  readFormula,
  FORMULA_SUFFIX,
  type FormulaDir,
  type FormulaEntry,
} from './load.ts';
