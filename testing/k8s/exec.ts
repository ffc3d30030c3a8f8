// pods/{name}/exec over WebSocket with the channel protocol (v5.channel.k8s.io, v4.channel.k8s.io): each binary
// message is one channel byte then data; 0 stdin, 1 stdout, 2 stderr, 3 the final metav1.Status (Success, or
// Failure with reason NonZeroExitCode and the exit code as an ExitCode cause), 4 terminal resize; v5 adds 255 =
// close a stream (the client closing stdin). The command runs inside the pod (container.ts execIn); with a TTY,
// resizes set the size of the terminal `script` made.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { execIn, type Running } from './container.ts';

/** The little of the `ws` package used here (it ships no types; @types/ws is not installed). */
export interface Ws {
  protocol: string;
  readyState: number;
  send(data: Buffer): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', f: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', f: () => void): void;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: Ws) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (o: { noServer: true; handleProtocols: (p: Set<string>) => string | false }) => WsServer;
};

export const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export function execServer(): WsServer {
  return new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const flag = (v: string | null): boolean => v === 'true' || v === '1';

export function parseExec(url: URL): ExecRequest {
  return {
    command: url.searchParams.getAll('command'),
    stdin: flag(url.searchParams.get('stdin')),
    stdout: flag(url.searchParams.get('stdout')),
    stderr: flag(url.searchParams.get('stderr')),
    tty: flag(url.searchParams.get('tty')),
  };
}

/** The terminal `script` made for a TTY exec: the first /dev/pts/N a descendant of `pid` has as its stdin. */
function ptyOf(pid: number): string | undefined {
  const kids = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  for (const k of kids(pid)) {
    try {
      const tty = readlinkSync(`/proc/${k}/fd/0`);
      if (/^\/dev\/pts\/\d+$/.test(tty)) return tty;
    } catch {
      // gone
    }
    const deeper = ptyOf(k);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Channel 4: {"Width","Height"} (any case) sets the exec's terminal size, retried until the terminal exists. */
function resize(pid: number | undefined, json: string): void {
  let size: Record<string, number>;
  try {
    size = Object.fromEntries(
      Object.entries(JSON.parse(json) as Record<string, number>).map(([k, v]) => [k.toLowerCase(), v]),
    );
  } catch {
    return;
  }
  if (!pid || !size.width || !size.height) return;
  let tries = 0;
  const apply = () => {
    const tty = ptyOf(pid);
    if (tty) spawnSync('stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)]);
    else if (++tries < 30) setTimeout(apply, 50);
  };
  apply();
}

const frame = (channel: number, data: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]);

/** Runs one exec session on an open WebSocket; resolves when it is over. */
export function runExec(ws: Ws, running: Running, req: ExecRequest, sessions: Set<() => void>): Promise<void> {
  const child = execIn(running, req.command, req.tty);
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === 1) ws.send(frame(channel, data));
  };
  child.stdout!.on('data', (d: Buffer) => req.stdout && send(1, d));
  // With a TTY stderr is merged into the terminal (the stdout channel), as the API does.
  child.stderr!.on('data', (d: Buffer) => (req.tty ? req.stdout && send(1, d) : req.stderr && send(2, d)));
  child.stdin!.on('error', () => undefined);
  if (!req.stdin) child.stdin!.end();
  ws.on('message', (data) => {
    const channel = data[0];
    const body = data.subarray(1);
    if (channel === 0 && req.stdin && !child.stdin!.writableEnded) child.stdin!.write(body);
    else if (channel === 255 && v5 && body[0] === 0) child.stdin!.end();
    else if (channel === 4 && req.tty) resize(child.pid, body.toString());
  });
  ws.on('close', () => {
    if (!child.stdin!.writableEnded) child.stdin!.end();
  });
  return new Promise((done) => {
    const end = () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      ws.terminate();
    };
    sessions.add(end);
    child.on('close', (code, signal) => {
      sessions.delete(end);
      const exit = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
      const status =
        exit === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: error executing command [${req.command.join(' ')}], exit code ${exit}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
            };
      send(3, JSON.stringify(status));
      if (ws.readyState === 1) ws.close(1000);
      done();
    });
  });
}
