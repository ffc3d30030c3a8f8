// The town's tmux client: the private socket named from the town (never the user's own server).
import { createTmux, type TmuxClient } from '../tmux/index.ts';
import { townSocket } from './addresses.ts';
import type { TownContext } from './context.ts';

export function townTmux(town: TownContext): TmuxClient {
  return createTmux({ socket: townSocket(town), env: town.env });
}
