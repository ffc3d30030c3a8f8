// The tmux adapter: sessions, panes and keys on one private server, each operation one tmux call.
import { rmSync } from 'node:fs';
import { GtError, isGtError } from '../kernel/index.ts';
import { isProcessAlive, killTree } from '../proc/index.ts';
import { clientEnv, tmuxExec, tmuxRaw, type TmuxOptions } from './exec.ts';
import { execScript } from './shell.ts';
import {
  literalChunks,
  paneTarget,
  parseSessionLine,
  parseSnapshot,
  SESSION_FORMAT,
  SNAPSHOT_FORMAT,
  type PaneSnapshot,
  type SessionInfo,
} from './parse.ts';

export interface NewSessionSpec {
  name: string;
  cwd: string;
  /** The agent's argv; the pane runs `exec env … argv…`, so the agent is the pane's process. */
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Variables removed from the agent's environment (e.g. NODE_OPTIONS). */
  unsetEnv?: readonly string[];
  width?: number;
  height?: number;
  /**
   * Keep the pane, its last screen and its exit status when the program exits (remain-on-exit, set in the same tmux
   * call so even a program that exits at once is kept) until `setOption(name, 'remain-on-exit', 'off', { window: true })`
   * or the session is killed.
   */
  remainOnExit?: boolean;
}

export interface CaptureOptions {
  /** The last N lines of history plus screen, trailing blank lines dropped; default: the visible screen as is. */
  lines?: number;
}

export type TmuxClient = ReturnType<typeof createTmux>;

const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function checkSessionName(name: string): void {
  if (!SESSION_NAME.test(name)) {
    throw new GtError('TMUX_BAD_NAME', `tmux session name ${JSON.stringify(name)} is not valid`, {
      hint: 'session names use letters, digits, dash and underscore, starting with a letter or digit',
      kind: 'usage',
    });
  }
}

/** A tmux client bound to one socket. Every target is an exact session match (`=name`), never a prefix. */
export function createTmux(opts: TmuxOptions) {
  const exec = (args: readonly string[]) => tmuxExec(opts, args);
  const pane = (name: string) => {
    checkSessionName(name);
    return paneTarget(name);
  };

  return {
    socket: opts.socket,

    async version(): Promise<string> {
      const r = await tmuxRaw(opts, ['-V']);
      return r.stdout.trim();
    },

    async newSession(spec: NewSessionSpec): Promise<void> {
      checkSessionName(spec.name);
      const script = execScript(spec.argv, spec.env ?? {}, spec.unsetEnv ?? []);
      const size = ['-x', String(spec.width ?? 200), '-y', String(spec.height ?? 50)];
      try {
        const keep = spec.remainOnExit
          ? [';', 'set-option', '-w', '-t', paneTarget(spec.name), 'remain-on-exit', 'on']
          : [];
        await exec([
          'new-session',
          '-d',
          '-s',
          spec.name,
          '-c',
          spec.cwd,
          ...size,
          '--',
          '/bin/sh',
          '-c',
          script,
          ...keep,
        ]);
      } catch (e) {
        if (isGtError(e) && e.code === 'TMUX_SESSION_EXISTS') {
          throw new GtError(
            'TMUX_SESSION_EXISTS',
            `tmux session ${spec.name} already exists on socket ${opts.socket}`,
            {
              hint: `attach to it or stop it first (tmux -L ${opts.socket} attach -t ${spec.name})`,
            },
          );
        }
        throw e;
      }
    },

    async hasSession(name: string): Promise<boolean> {
      checkSessionName(name);
      const r = await tmuxRaw(opts, ['has-session', '-t', `=${name}`]);
      return r.status === 0;
    },

    /** Kill a session; false when there was none. */
    async killSession(name: string): Promise<boolean> {
      checkSessionName(name);
      const r = await tmuxRaw(opts, ['kill-session', '-t', `=${name}`]);
      return r.status === 0;
    },

    /** Every session on this server (empty when no server runs), with its first pane's process. */
    async listSessions(): Promise<SessionInfo[]> {
      try {
        const out = await exec(['list-sessions', '-F', SESSION_FORMAT]);
        return out.split('\n').filter(Boolean).map(parseSessionLine);
      } catch (e) {
        if (isGtError(e) && e.code === 'TMUX_NO_SERVER') return [];
        throw e;
      }
    },

    async capturePane(name: string, o: CaptureOptions = {}): Promise<string[]> {
      if (o.lines === undefined) {
        const out = await exec(['capture-pane', '-p', '-t', pane(name)]);
        return out.replace(/\n$/, '').split('\n');
      }
      const out = await exec(['capture-pane', '-p', '-J', '-S', String(-Math.max(1, o.lines)), '-t', pane(name)]);
      const lines = out.replace(/\s+$/, '').split('\n');
      return lines.slice(-o.lines);
    },

    /** The visible screen plus cursor, copy-mode and attachment state, in one call. */
    async snapshot(name: string): Promise<PaneSnapshot> {
      const t = pane(name);
      const out = await exec(['capture-pane', '-p', '-t', t, ';', 'display-message', '-p', '-t', t, SNAPSHOT_FORMAT]);
      return parseSnapshot(out);
    },

    /**
     * Snapshots of many sessions in one tmux call (a listing of 50 agents would otherwise start 50 tmux clients).
     * A session that vanished meanwhile makes tmux fail the batch; then each is read on its own and the missing
     * ones are left out.
     */
    async snapshotMany(names: readonly string[]): Promise<Map<string, PaneSnapshot>> {
      const out = new Map<string, PaneSnapshot>();
      if (names.length === 0) return out;
      const nonce = Math.random().toString(36).slice(2, 10);
      const args: string[] = [];
      names.forEach((name, i) => {
        const t = pane(name);
        if (i > 0) args.push(';');
        args.push(
          'display-message',
          '-p',
          `@@gt-snapshot:${i}:${nonce}@@`,
          ';',
          'capture-pane',
          '-p',
          '-t',
          t,
          ';',
          'display-message',
          '-p',
          '-t',
          t,
          SNAPSHOT_FORMAT,
        );
      });
      try {
        const text = await exec(args);
        for (const [i, part] of splitBatch(text, nonce, names.length)) out.set(names[i]!, parseSnapshot(part));
        return out;
      } catch (e) {
        if (!isGtError(e) || e.code !== 'TMUX_NO_SESSION') throw e;
      }
      for (const name of names) {
        try {
          out.set(
            name,
            parseSnapshot(
              await exec([
                'capture-pane',
                '-p',
                '-t',
                pane(name),
                ';',
                'display-message',
                '-p',
                '-t',
                pane(name),
                SNAPSHOT_FORMAT,
              ]),
            ),
          );
        } catch (e) {
          if (!isGtError(e) || e.code !== 'TMUX_NO_SESSION') throw e;
        }
      }
      return out;
    },

    /** Type text literally (`send-keys -l`): key names such as `Enter` or `C-c` inside it stay plain text. */
    async sendText(name: string, text: string): Promise<void> {
      const t = pane(name);
      for (const chunk of literalChunks(text)) await exec(['send-keys', '-l', '-t', t, '--', chunk]);
    },

    /** Press keys by name (`Enter`, `Escape`, `C-c`), each its own key press. */
    async sendKeys(name: string, ...keys: string[]): Promise<void> {
      if (keys.length > 0) await exec(['send-keys', '-t', pane(name), ...keys]);
    },

    /** Leave copy or view mode if the pane is in one, so typed text reaches the program. */
    async exitCopyMode(name: string): Promise<void> {
      const t = pane(name);
      const inMode = (await exec(['display-message', '-p', '-t', t, '#{pane_in_mode}'])).trim() === '1';
      if (inMode) await exec(['send-keys', '-X', '-t', t, 'cancel']);
    },

    /**
     * Wake a program that does not read input while detached: change the window width by one column and back, so
     * the program gets SIGWINCH and redraws, then let the window follow its clients' size again.
     */
    async wake(name: string): Promise<void> {
      const t = pane(name);
      const width = Number((await exec(['display-message', '-p', '-t', t, '#{window_width}'])).trim());
      if (!Number.isFinite(width) || width < 2) return;
      await exec([
        'resize-window',
        '-t',
        t,
        '-x',
        String(width - 1),
        ';',
        'resize-window',
        '-t',
        t,
        '-x',
        String(width),
      ]);
      await exec(['set-option', '-w', '-u', '-t', t, 'window-size']);
    },

    /** Detach every client attached to the session; the number detached. */
    async detachClients(name: string): Promise<number> {
      checkSessionName(name);
      const clients = (await exec(['list-clients', '-t', `=${name}`, '-F', '#{client_name}']))
        .split('\n')
        .filter(Boolean);
      for (const c of clients) await exec(['detach-client', '-t', c]);
      return clients.length;
    },

    /** The tmux command line that attaches a terminal to the session (run it with the terminal inherited). */
    attachCommand(name: string): { bin: string; args: string[]; env: NodeJS.ProcessEnv } {
      checkSessionName(name);
      const argv = [
        opts.bin ?? 'tmux',
        '-L',
        opts.socket,
        '-f',
        opts.configFile ?? '/dev/null',
        'attach-session',
        '-t',
        `=${name}`,
      ];
      const how = opts.wrap ? opts.wrap(argv) : { bin: argv[0]!, args: argv.slice(1) };
      return { ...how, env: clientEnv(opts.env) };
    },

    async setOption(name: string, option: string, value: string, o: { window?: boolean } = {}): Promise<void> {
      await exec([
        'set-option',
        ...(o.window ? ['-w'] : []),
        '-t',
        o.window ? pane(name) : `=${checked(name)}`,
        option,
        value,
      ]);
    },

    async setEnvironment(name: string, key: string, value: string): Promise<void> {
      await exec(['set-environment', '-t', `=${checked(name)}`, key, value]);
    },

    /**
     * Stop this socket's server and every session on it (tests, `gt down --all`), and remove the socket file tmux
     * leaves behind. The agents (the panes' processes) get SIGHUP with the server; any still alive after
     * `graceMs` are killed, so nothing this server started outlives it. False when no server was running.
     */
    async killServer(graceMs = 3000): Promise<boolean> {
      const where = await tmuxRaw(opts, ['display-message', '-p', '#{socket_path}']);
      const pids = where.status === 0 ? (await this.listSessions()).map((s) => s.panePid).filter((p) => p > 0) : [];
      const r = await tmuxRaw(opts, ['kill-server']);
      // The socket file stays behind when the server has exited on its own (its last session ended): remove it too.
      const path = where.status === 0 ? where.stdout.trim() : defaultSocketPath(opts);
      if (path.endsWith(`/${opts.socket}`)) rmSync(path, { force: true });
      const deadline = Date.now() + graceMs;
      while (pids.some(isProcessAlive) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      for (const pid of pids.filter(isProcessAlive)) killTree(pid, 'SIGKILL');
      return r.status === 0;
    },
  };
}

function checked(name: string): string {
  checkSessionName(name);
  return name;
}

/** The parts of a batched snapshot output, by index, cut at the marker lines. */
function splitBatch(text: string, nonce: string, count: number): [number, string][] {
  const marker = new RegExp(`^@@gt-snapshot:(\\d+):${nonce}@@$`);
  const parts: [number, string[]][] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const m = marker.exec(line);
    if (m) parts.push([Number(m[1]), []]);
    else parts[parts.length - 1]?.[1].push(line);
  }
  return parts.filter(([i]) => i < count).map(([i, lines]) => [i, lines.join('\n')]);
}

/** Where tmux puts a named socket: `$TMUX_TMPDIR/tmux-<uid>/<name>` (TMUX_TMPDIR defaults to /tmp). */
function defaultSocketPath(opts: TmuxOptions): string {
  const dir = (opts.env ?? process.env).TMUX_TMPDIR || '/tmp';
  return `${dir.replace(/\/$/, '')}/tmux-${process.getuid?.() ?? 0}/${opts.socket}`;
}
