// Starting a session on an SSH host in one ssh call: the host's preparation (token, shims, workspace), the tmux
// session, and a wait on the host itself until the agent's screen shows its ready prompt (or dies, or settles), then
// that screen. Polling the screen from the town cost one ssh round trip per look; here the host polls its own tmux.
import { randomBytes } from 'node:crypto';
import { GtError } from '../kernel/index.ts';
import {
  checkSessionName,
  execScript,
  paneTarget,
  parseSnapshot,
  shellQuote,
  SNAPSHOT_FORMAT,
  type NewSessionSpec,
  type PaneSnapshot,
} from '../tmux/index.ts';
import type { HostConfig } from './hosts.ts';
import { sshFailure, sshRun, type SshPaths } from './ssh.ts';

export interface HostStart {
  /** Shell lines run first, under `set -e` (the agent's preparation); their output is not read. */
  prepare: string;
  /** Standard input for `prepare` (a token: never on a command line). */
  input?: string;
  session: NewSessionSpec;
  /** The runtime's ready prompt (a JavaScript pattern), tried with `grep -E` on the host: best effort. */
  readyPattern?: string;
  /** How long the host waits for it (default 15 s). */
  waitMs?: number;
}

/**
 * exists: a live session of that name runs there (nothing was started). created: started; `snapshot` is the screen
 * when the host stopped waiting, `readySeen` whether the ready prompt matched there (remain-on-exit is then off).
 */
export type HostStartOutcome =
  { status: 'exists' } | { status: 'created'; snapshot: PaneSnapshot | undefined; readySeen: boolean };

/** Polls of the screen on the host, and how many unchanged looks at a non-empty screen count as settled. */
const POLL_S = '0.05';
const SETTLED_LOOKS = 20;

export async function sshStartSession(
  h: HostConfig,
  paths: SshPaths,
  socket: string,
  spec: HostStart,
): Promise<HostStartOutcome> {
  const s = spec.session;
  checkSessionName(s.name);
  const q = shellQuote;
  const nonce = randomBytes(6).toString('hex');
  const mark = (what: string): string => `@@gt-start:${nonce}:${what}@@`;
  const pane = q(paneTarget(s.name));
  const looks = Math.ceil((spec.waitMs ?? 15_000) / 50);
  const script = [
    'set -e',
    spec.prepare,
    `export TMUX_TMPDIR=${q(`${h.dir}/tmux`)}`,
    'mkdir -p "$TMUX_TMPDIR"',
    `t() { tmux -u -L ${q(socket)} -f /dev/null "$@"; }`,
    `if t has-session -t ${q(`=${s.name}`)} 2>/dev/null; then`,
    `  if [ "$(t display-message -p -t ${pane} '#{pane_dead}')" = 1 ]; then t kill-session -t ${q(`=${s.name}`)};`,
    `  else echo ${q(mark('exists'))}; exit 0; fi`,
    'fi',
    [
      't new-session -d -s',
      q(s.name),
      '-c',
      q(s.cwd),
      '-x',
      String(s.width ?? 200),
      '-y',
      String(s.height ?? 50),
      '-- /bin/sh -c',
      q(execScript(s.argv, s.env ?? {}, s.unsetEnv ?? [])),
      ...(s.remainOnExit ? ["';'", 'set-option -w -t', pane, 'remain-on-exit on'] : []),
    ].join(' '),
    'set +e',
    'i=0; same=0; last=; how=waited',
    `while [ $i -lt ${looks} ]; do`,
    `  scr=$(t capture-pane -p -t ${pane} 2>/dev/null) || { how=gone; break; }`,
    `  [ "$(t display-message -p -t ${pane} '#{pane_dead}' 2>/dev/null)" = 1 ] && { how=dead; break; }`,
    ...(spec.readyPattern
      ? [
          `  if printf '%s\\n' "$scr" | grep -Eq -- ${q(spec.readyPattern)} 2>/dev/null; then`,
          `    t set-option -w -t ${pane} remain-on-exit off; how=ready; break`,
          '  fi',
        ]
      : []),
    `  if [ -n "$(printf %s "$scr" | tr -d ' \\n')" ] && [ "$scr" = "$last" ]; then same=$((same+1)); else same=0; fi`,
    `  [ $same -ge ${SETTLED_LOOKS} ] && { how=settled; break; }`,
    `  last=$scr; sleep ${POLL_S}; i=$((i+1))`,
    'done',
    `echo "@@gt-start:${nonce}:$how@@"`,
    `t capture-pane -p -t ${pane} ';' display-message -p -t ${pane} ${q(SNAPSHOT_FORMAT)} 2>/dev/null || true`,
  ].join('\n');
  const r = await sshRun(h, paths, script, {
    ...(spec.input !== undefined ? { input: spec.input } : {}),
    timeoutMs: 300_000 + (spec.waitMs ?? 15_000),
  });
  if (r.status === 255) throw sshFailure(h, r.stderr);
  const at = r.stdout.lastIndexOf(`@@gt-start:${nonce}:`);
  if (r.status !== 0 || at === -1) {
    throw new GtError(
      'GT_HOST_COMMAND',
      `on host ${h.name}: ${(r.stderr.trim() || r.stdout.trim() || `exit ${r.status}`).split('\n').slice(-2).join(' ')}`,
      { hint: `gt host check ${h.name} checks ssh, git, tmux and node there` },
    );
  }
  const rest = r.stdout.slice(at);
  const how = /^@@gt-start:[0-9a-f]+:(\w+)@@\n?/.exec(rest)!;
  if (how[1] === 'exists') return { status: 'exists' };
  const screen = rest.slice(how[0].length);
  return {
    status: 'created',
    snapshot: screen.trim() === '' ? undefined : parseSnapshot(screen),
    readySeen: how[1] === 'ready',
  };
}
