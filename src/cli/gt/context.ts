// The gt command context: I/O, global flags, and the town resolved once on first use (read-only afterwards).
import type { Command } from 'commander';
import { resolveTown, type TownContext } from '../../town/index.ts';
import type { CliIo } from '../shared/runtime.ts';

export interface GtCtx {
  io: CliIo;
  json(): boolean;
  /** The town around the working directory (or GT_ROOT); resolved on first call, then the same object. */
  town(): TownContext;
}

export function createGtCtx(io: CliIo, program: Command): GtCtx {
  let town: TownContext | undefined;
  return {
    io,
    json: () => Boolean((program.opts() as { json?: boolean }).json),
    town: () => (town ??= resolveTown(io.cwd, io.env)),
  };
}
