// What the prompt hook shows an agent: its unread mail and the nudges queued for its session (drained: shown once).
import { drainQueue, type QueuedNudge } from '../../agents/index.ts';
import { sessionNameOf, type AgentAddress, type TownContext } from '../../town/index.ts';
import { unreadFor } from './mailbox.ts';
import type { Mail } from './model.ts';
import { formatInjectBlock } from './render.ts';

export interface MailCheck {
  address: string;
  unread: Mail[];
  /** Nudges taken from the session's queue (only when draining). */
  nudges: QueuedNudge[];
}

/** Unread mail of `address`; with `drain`, also take the queued nudges of its session. */
export function checkMail(
  town: TownContext,
  address: AgentAddress,
  text: string,
  opts: { drain?: boolean } = {},
): MailCheck {
  const unread = unreadFor(town, text);
  const session = opts.drain ? sessionNameOf(town, address) : undefined;
  const nudges = session ? drainQueue(town.paths.runtime, session) : [];
  return { address: text, unread, nudges };
}

export function injectText(c: MailCheck): string {
  return formatInjectBlock(c.unread, c.nudges);
}
