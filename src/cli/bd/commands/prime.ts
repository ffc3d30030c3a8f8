// bd prime: a compact guide to bd for agents (kept under 2 KB so hook previews never cut it).
import type { Command } from 'commander';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';

export const PRIME_TEXT = `# Beads (bd): the issue tracker of this repo
Track work in bd, not in TODO lists or markdown.
Find work:
  bd ready --json             open work with nothing blocking it
  bd ready --claim --json     take the first ready bead (atomic)
  bd show <id> --json         one bead in full
  bd list --status open       filters: -t type -a who -l label -p 0-4
Work on it:
  bd update <id> --claim      take it; fails if someone else holds it
  bd update <id> --notes "…"  append a note (never replaces)
  bd close <id> --reason "…"  when done
Record new work:
  bd create "Title" -t bug -p 1 -d "details"
  bd create "Found X" --deps discovered-from:<id>
  bd dep add <a> <b>          a waits for b (b blocks a)
Ids: any unique start of an id works (bd-a1 for bd-a1b2).
Every command takes --json. Exit 0 ok, 1 failed, 2 bad usage.
Never delete .beads/ or re-create the store: it holds everyone's work.
`;

export function registerPrime(program: Command, ctx: BdCtx): void {
  program
    .command('prime')
    .description('print a short guide to bd for AI agents')
    .action(() => emit(ctx.io, ctx.json(), { data: { text: PRIME_TEXT }, text: PRIME_TEXT }));
}
