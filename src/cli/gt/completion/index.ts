// Shell completion for gt: the command tree walked from commander, rendered for bash, zsh and fish.
import type { Command } from 'commander';
import { bashScript } from './bash.ts';
import { fishScript } from './fish.ts';
import { zshScript } from './zsh.ts';
import { commandSpecs } from './tree.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, program: Command): string {
  const specs = commandSpecs(program);
  return shell === 'bash' ? bashScript(specs) : shell === 'zsh' ? zshScript(specs) : fishScript(specs);
}

export { commandSpecs, valueSpec, type CommandSpec } from './tree.ts';
export { completionValues, VALUE_KINDS } from './values.ts';
