// Stopping an agent's session: the tmux session is killed (the agent is its process) and the table says stopped.
import { isoNow } from '../../kernel/index.ts';
import type { TownContext } from '../../town/index.ts';
import { setAgentState } from '../../agents/table.ts';
import type { AgentIdentity } from './identity.ts';
import { withStore } from './start.ts';
import { townTmux } from '../../town/index.ts';

export interface StopResult {
  address: string;
  session: string;
  /** False when no session was running. */
  stopped: boolean;
}

export async function stopAgent(town: TownContext, id: AgentIdentity): Promise<StopResult> {
  const stopped = await townTmux(town).killSession(id.session);
  withStore(town, (s) => setAgentState(s, id.address, 'stopped', isoNow()));
  return { address: id.address, session: id.session, stopped };
}
