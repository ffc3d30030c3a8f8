// The client of the town API (docs/town-api.md): with GT_TOWN_URL and a token set, gt and bd send a command to the
// town, where it runs as the agent the token names; its stdout, stderr and exit code come back unchanged. Only kernel
// imports (and node's http): bd, which may run standalone, loads this too.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { GtError, messageOf } from '../kernel/index.ts';

export interface TownClient {
  url: string;
  token: string;
}

export interface RunReply {
  stdout: string;
  stderr: string;
  code: number;
}

/** The first word of argv that is not an option: the command's name. */
export function commandOf(argv: readonly string[]): string | undefined {
  return argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--actor');
}

/** GT_TOWN_URL and the token (GT_TOWN_TOKEN, else the file GT_TOWN_TOKEN_FILE names). */
export function townClient(env: NodeJS.ProcessEnv): TownClient {
  const url = (env.GT_TOWN_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new GtError('GT_TOWN_URL', `GT_TOWN_URL is "${env.GT_TOWN_URL ?? ''}", which is not an http(s) address`, {
      hint: 'set it to the address gt serve printed, e.g. http://127.0.0.1:7717',
    });
  }
  let token = env.GT_TOWN_TOKEN?.trim();
  if (!token && env.GT_TOWN_TOKEN_FILE) {
    try {
      token = readFileSync(env.GT_TOWN_TOKEN_FILE, 'utf8').trim();
    } catch (e) {
      throw new GtError('GT_TOWN_TOKEN', `cannot read the token file ${env.GT_TOWN_TOKEN_FILE}: ${messageOf(e)}`, {
        hint: 'point GT_TOWN_TOKEN_FILE at the file gt token issue wrote',
      });
    }
  }
  if (!token)
    throw new GtError('GT_TOWN_TOKEN', 'GT_TOWN_URL is set but no token is', {
      hint: "set GT_TOWN_TOKEN, or GT_TOWN_TOKEN_FILE to the agent's token file",
    });
  return { url, token };
}

/** POST a JSON body to the town and read the JSON reply; transport failures are GT_TOWN_UNREACHABLE. */
export async function callTown(c: TownClient, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const data = Buffer.from(JSON.stringify(body));
  const target = new URL(`${c.url}${path}`);
  // Loaded on use: every bd call loads this module, and only clients talk to a town (https alone costs ms to load).
  const send =
    target.protocol === 'https:' ? (await import('node:https')).request : (await import('node:http')).request;
  return new Promise((res, rej) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          authorization: `Bearer ${c.token}`,
        },
      },
      (r: IncomingMessage) => {
        const chunks: Buffer[] = [];
        r.on('data', (d: Buffer) => chunks.push(d));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            res({ status: r.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            rej(
              new GtError(
                'GT_TOWN_BAD_REPLY',
                `the town at ${c.url} answered ${r.statusCode} with something that is not the town API`,
                { hint: 'check that GT_TOWN_URL is the address gt serve printed' },
              ),
            );
          }
        });
        r.on('error', (e) => rej(unreachable(c, e)));
      },
    );
    req.on('error', (e) => rej(unreachable(c, e)));
    req.end(data);
  });
}

function unreachable(c: TownClient, e: unknown): GtError {
  return new GtError('GT_TOWN_UNREACHABLE', `cannot reach the town at ${c.url}: ${messageOf(e)}`, {
    hint: 'check that gt serve is running in the town and that GT_TOWN_URL is its address',
  });
}

/** Run one command in the town; an error reply (bad token, a body refused) becomes a GtError here. */
export async function runInTown(
  c: TownClient,
  program: 'gt' | 'bd',
  argv: readonly string[],
  stdin?: string,
): Promise<RunReply> {
  const r = await callTown(c, '/api/v1/run', { program, argv, ...(stdin !== undefined ? { stdin } : {}) });
  const j = r.json as Partial<RunReply> & { error?: { code?: string; message?: string; hint?: string } };
  if (r.status !== 200 || j.error || typeof j.code !== 'number') {
    const e = j.error ?? {};
    throw new GtError(
      e.code ?? 'GT_TOWN_REFUSED',
      e.message ?? `the town answered ${r.status}`,
      e.hint ? { hint: e.hint } : {},
    );
  }
  return { stdout: String(j.stdout ?? ''), stderr: String(j.stderr ?? ''), code: j.code };
}

/** Hooks of an agent runtime never fail a session: a town out of reach is one stderr line and exit 0. */
export function isHookCall(program: 'gt' | 'bd', argv: readonly string[]): boolean {
  if (program !== 'gt') return false;
  const cmd = commandOf(argv);
  return (
    (cmd === 'prime' && argv.includes('--hook')) ||
    (cmd === 'mail' && argv.includes('--inject')) ||
    (cmd === 'costs' && argv.includes('record'))
  );
}

/**
 * What to send as standard input, and argv with local files turned into "-": `--body-file <path>`, `--file <path>`
 * and `-f <path>` are read here (the town cannot read the caller's files). Standard input itself is read only when
 * an argument asks for it ("-", or a hook's `--hook` / `costs record`), so a command never waits on a terminal.
 */
export function stdinFor(
  program: 'gt' | 'bd',
  argv: readonly string[],
  io: { cwd: string; stdin(): string },
): { argv: string[]; stdin?: string } {
  const out = [...argv];
  let stdin: string | undefined;
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    const eq = /^(--body-file|--file)=(.*)$/s.exec(a);
    const flag = a === '--body-file' || a === '--file' || (a === '-f' && program === 'bd');
    const path = eq ? eq[2]! : flag ? out[i + 1] : undefined;
    if (path === undefined || path === '-') continue;
    stdin = readFileSync(resolve(io.cwd, path), 'utf8');
    if (eq) out[i] = `${eq[1]}=-`;
    else out[i + 1] = '-';
  }
  if (stdin !== undefined) return { argv: out, stdin };
  const cmd = commandOf(argv);
  const wants =
    out.includes('-') ||
    out.includes('--hook') ||
    (cmd === 'costs' && out.includes('record') && !out.some((a) => a.startsWith('--transcript')));
  return wants ? { argv: out, stdin: io.stdin() } : { argv: out };
}
