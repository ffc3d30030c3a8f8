// Pure helpers for the tmux adapter: targets, output formats and their parsers, literal-text chunking.

export interface SessionInfo {
  name: string;
  /** Process id of the session's active pane (the agent itself, since panes start it with `exec`). */
  panePid: number;
  /** The pane's foreground command name, as tmux reports it (e.g. `claude`, `node`). */
  currentCommand: string;
  /** Last output or input in the session. */
  activity: Date;
  created: Date;
  attached: boolean;
  paneDead: boolean;
  /** What the provider says of a session it runs elsewhere, when that needs saying (a pod waiting for room, evicted). */
  note?: string;
}

export interface PaneSnapshot {
  /** The visible screen, one entry per row (trailing spaces trimmed by tmux). */
  lines: string[];
  cursorX: number;
  cursorY: number;
  inMode: boolean;
  attached: boolean;
  width: number;
  height: number;
  /** The pane's process has exited (the session was kept with remain-on-exit), and its exit status if it did. */
  dead?: boolean;
  deadStatus?: number | null;
}

const SEP = '\t';

export const SESSION_FORMAT = [
  '#{session_name}',
  '#{pane_pid}',
  '#{pane_current_command}',
  '#{session_activity}',
  '#{session_created}',
  '#{session_attached}',
  '#{pane_dead}',
].join(SEP);

export const SNAPSHOT_FORMAT =
  '#{cursor_x},#{cursor_y},#{pane_in_mode},#{session_attached},#{pane_width},#{pane_height},#{pane_dead},#{pane_dead_status}';

/** The active pane of the session named exactly `name` (a bare name would also match by prefix). */
export function paneTarget(name: string): string {
  return `=${name}:`;
}

export function parseSessionLine(line: string): SessionInfo {
  const [name = '', pid = '', cmd = '', activity = '', created = '', attached = '', dead = ''] = line.split(SEP);
  return {
    name,
    panePid: Number(pid),
    currentCommand: cmd,
    activity: new Date(Number(activity) * 1000),
    created: new Date(Number(created) * 1000),
    attached: Number(attached) > 0,
    paneDead: dead === '1',
  };
}

/** Split `capture-pane -p ; display-message -p SNAPSHOT_FORMAT` output into the screen and its state. */
export function parseSnapshot(out: string): PaneSnapshot {
  const rows = out.replace(/\n$/, '').split('\n');
  const meta = rows.pop() ?? '';
  const [cx = '0', cy = '0', mode = '0', attached = '0', width = '0', height = '0', dead = '0', status = ''] =
    meta.split(',');
  return {
    lines: rows,
    cursorX: Number(cx),
    cursorY: Number(cy),
    inMode: mode === '1',
    attached: Number(attached) > 0,
    width: Number(width),
    height: Number(height),
    dead: dead === '1',
    deadStatus: dead === '1' && status !== '' ? Number(status) : null,
  };
}

const MAX_CHUNK_BYTES = 512;

/**
 * Cut text into `send-keys -l` arguments of at most 512 bytes, on character boundaries. tmux reads an argument
 * ending in `;` as the end of a command, so a trailing `;` is written `\;`, which tmux turns back into `;`.
 */
export function literalChunks(text: string): string[] {
  const chunks: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > MAX_CHUNK_BYTES && cur) {
      chunks.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  if (cur) chunks.push(cur);
  return chunks.map((c) => (c.endsWith(';') ? `${c.slice(0, -1)}\\;` : c));
}
