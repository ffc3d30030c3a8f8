// tmux layer: a typed client over the tmux CLI, always on a private socket (-L), never the user's own server.
export { createTmux, checkSessionName, type TmuxClient, type NewSessionSpec, type CaptureOptions } from './tmux.ts';
export { type TmuxOptions } from './exec.ts';
export { type SessionInfo, type PaneSnapshot, paneTarget, parseSnapshot, SNAPSHOT_FORMAT } from './parse.ts';
export { shellQuote, execScript } from './shell.ts';
