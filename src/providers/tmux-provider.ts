// A provider whose sessions are tmux sessions on one private server: this machine's (the local provider), or a
// host's reached over ssh (the same client with its command lines run through ssh, see ssh.ts).
import { nudge } from '../agents/index.ts';
import { createTmux, type TmuxOptions } from '../tmux/index.ts';
import type { RuntimeProvider } from './types.ts';

export interface TmuxProviderOptions {
  name: string;
  host: string | null;
  tmux: TmuxOptions;
  /** The town's runtime directory: nudge locks, queues and receipts are kept in the town, wherever the agent runs. */
  runtimeDir: string;
  max: number | null;
}

export function tmuxProvider(o: TmuxProviderOptions): RuntimeProvider {
  const tmux = createTmux(o.tmux);
  return {
    name: o.name,
    host: o.host,
    tmux,
    start: (spec) => tmux.newSession(spec),
    stop: (session) => tmux.killSession(session),
    alive: async (session) => (await tmux.listSessions()).some((s) => s.name === session && !s.paneDead),
    list: () => tmux.listSessions(),
    peek: (session, lines) => tmux.capturePane(session, lines === undefined ? {} : { lines }),
    nudge: (session, message, n = {}) =>
      nudge(
        tmux,
        { runtimeDir: o.runtimeDir },
        { session, message, mode: n.mode ?? 'wait-idle', ...(n.from ? { from: n.from } : {}) },
      ),
    attachCommand: (session) => tmux.attachCommand(session),
    capacity: async () => ({ max: o.max, running: (await tmux.listSessions()).filter((s) => !s.paneDead).length }),
  };
}

/** This machine's tmux on the town's private socket. */
export function localProvider(o: { socket: string; env: NodeJS.ProcessEnv; runtimeDir: string }): RuntimeProvider {
  return tmuxProvider({
    name: 'local',
    host: null,
    tmux: { socket: o.socket, env: o.env },
    runtimeDir: o.runtimeDir,
    max: null,
  });
}
