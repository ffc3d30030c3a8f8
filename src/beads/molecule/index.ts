// Molecules: formulas poured into beads (a molecule bead with one child per step), read, run, squashed and burned.
export { pourPlan, type PourResult, type PouredStep } from './pour.ts';
export {
  moleculeSteps,
  listMolecules,
  summarize,
  requireMolecule,
  descendantIds,
  compareIds,
  type MolStep,
  type StepState,
  type MoleculeSummary,
} from './read.ts';
export { squashMolecule, burnMolecule, digestText, type SquashResult } from './squash.ts';
export {
  runMolecule,
  systemShell,
  type Shell,
  type StepRun,
  type RunOutcome,
  type RunReport,
  type RunOptions as MolRunOptions,
} from './run.ts';
