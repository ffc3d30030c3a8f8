// Where an agent's Gas Town-owned runtime files live, and the gt its hooks and prime run.
import { join } from 'node:path';
import { installRoot } from '../../kernel/index.ts';
import type { TownContext } from '../../town/index.ts';
import type { AgentIdentity } from './identity.ts';

/** Where an agent's Gas Town-owned runtime files live: under the town's runtime directory, never in the repo. */
export function agentRuntimeDir(town: TownContext, id: AgentIdentity): string {
  return join(town.paths.runtime, 'agents', id.session);
}

/** The command hooks use to run this installation's gt. */
export function gtArgv(): string[] {
  return [process.execPath, join(installRoot(), 'bin', 'gt.js')];
}
