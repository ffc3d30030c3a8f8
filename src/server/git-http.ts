// Git over the wire: a rig's bare repository served by `git http-backend` (smart HTTP only) behind the caller's token.
// Anyone with a token of the town may fetch; what it may push is fixed here from its identity and enforced by a
// pre-receive hook the server owns (given to git through the environment, so the rig's repository is not touched):
// a polecat only its own branch (and its snapshot refs), never the default branch, never a deletion.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { writeFileAtomic } from '../kernel/index.ts';
import { spawnStreaming } from '../proc/index.ts';
import type { Store } from '../beads/index.ts';
import { loadRig, rigNames, type TownContext } from '../town/index.ts';
import type { Principal } from './auth.ts';
import { getPolecat } from '../work/polecats/table.ts';

const ENDPOINTS = new Set(['info/refs', 'git-upload-pack', 'git-receive-pack']);
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);
/** Largest push or fetch request accepted (bytes). */
export const GIT_BODY_LIMIT = 1024 * 1024 * 1024;

const PRE_RECEIVE = `#!/bin/sh
# Written by gt serve: refuses ref updates the pushing token may not make (docs/town-api.md).
zero=0000000000000000000000000000000000000000
while read old new ref; do
  if [ "$new" = "$zero" ]; then echo "gt: $GT_PUSHER may not delete $ref" >&2; exit 1; fi
  if [ -n "$GT_PUSH_DENY" ] && [ "$ref" = "$GT_PUSH_DENY" ]; then echo "gt: $ref is landed by the town's refinery, never pushed" >&2; exit 1; fi
  ok=
  for allowed in $GT_PUSH_ALLOWED; do [ "$ref" = "$allowed" ] && ok=1; done
  if [ -z "$ok" ] && [ -n "$GT_PUSH_PREFIXES" ]; then
    for p in $GT_PUSH_PREFIXES; do case "$ref" in "$p"*) ok=1;; esac; done
  fi
  if [ -z "$ok" ]; then echo "gt: $GT_PUSHER may push only $GT_PUSH_ALLOWED $GT_PUSH_PREFIXES; not $ref" >&2; exit 1; fi
done
exit 0
`;

/** Write the server's git hooks directory (once per start); returns it. */
export function writeGitHooks(town: TownContext): string {
  const dir = join(town.paths.runtime, 'git-hooks');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileAtomic(join(dir, 'pre-receive'), PRE_RECEIVE, { mode: 0o700 });
  return dir;
}

export interface PushRules {
  allowed: string[];
  prefixes: string[];
  deny: string;
}

/** What `p` may push to the rig: undefined when nothing (no token may move the default branch). */
export function pushRules(town: TownContext, store: Store, p: Principal, rig: string): PushRules | undefined {
  const deny = `refs/heads/${loadRig(town, rig).default_branch}`;
  if (p.kind === 'owner' || p.agent.kind === 'mayor' || (p.agent.kind === 'crew' && p.agent.rig === rig))
    return { allowed: [], prefixes: ['refs/heads/'], deny };
  if (p.agent.kind !== 'polecat' || p.agent.rig !== rig) return undefined;
  const row = getPolecat(store, rig, p.agent.name);
  if (!row?.branch || /\s/.test(row.branch)) return undefined;
  return { allowed: [`refs/heads/${row.branch}`], prefixes: [`refs/gt/hooks/${p.agent.name}/`], deny };
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/** Parse a CGI program's output: its header block, then the body streamed as it comes. */
async function cgiResponse(out: Readable): Promise<Response> {
  const it = out[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let end = -1;
  let sep = 4;
  while (end === -1) {
    const n = await it.next();
    if (n.done) break;
    head = Buffer.concat([head, n.value]);
    end = head.indexOf('\r\n\r\n');
    if (end === -1) {
      end = head.indexOf('\n\n');
      sep = 2;
    } else sep = 4;
    if (head.length > 65536 && end === -1) break;
  }
  if (end === -1) return plain(502, 'git http-backend gave no answer');
  const headers = new Headers();
  let status = 200;
  for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10) || 502;
    else headers.append(k, v);
  }
  const rest = head.subarray(end + sep);
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      if (rest.length) ctl.enqueue(new Uint8Array(rest));
    },
    async pull(ctl) {
      const n = await it.next();
      if (n.done) ctl.close();
      else ctl.enqueue(new Uint8Array(n.value));
    },
    cancel() {
      out.destroy();
    },
  });
  return new Response(status === 204 || status === 304 ? null : body, { status, headers });
}

export interface GitRequest {
  method: string;
  rig: string;
  endpoint: string;
  query: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  remoteAddr: string;
}

/** Serve one smart-HTTP request for `p`. */
export async function serveGit(
  town: TownContext,
  store: Store,
  p: Principal,
  hooksDir: string,
  r: GitRequest,
): Promise<Response> {
  if (!r.rig.endsWith('.git') || !rigNames(town).includes(r.rig.slice(0, -4)))
    return plain(404, 'no such repository: the address is <town>/git/<rig>.git');
  const rig = r.rig.slice(0, -4);
  if (!ENDPOINTS.has(r.endpoint))
    return plain(404, 'only git smart HTTP is served here (info/refs, git-upload-pack, git-receive-pack)');
  const service = r.endpoint === 'info/refs' ? (new URLSearchParams(r.query).get('service') ?? '') : r.endpoint;
  if (!SERVICES.has(service))
    return plain(403, 'only git smart HTTP is served here: use git 2.x (service=git-upload-pack or git-receive-pack)');
  if ((r.endpoint === 'info/refs') !== (r.method === 'GET'))
    return plain(405, `${r.method} is not how git asks for ${r.endpoint}`);
  const length = r.headers.get('content-length');
  if (length !== null && Number(length) > GIT_BODY_LIMIT)
    return plain(413, `request of ${length} bytes is over the limit of ${GIT_BODY_LIMIT}`);
  const env: NodeJS.ProcessEnv = {
    PATH: town.env.PATH ?? '/usr/bin:/bin',
    HOME: town.env.HOME ?? town.root,
    GIT_PROJECT_ROOT: dirname(town.paths.repo(rig)),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${town.paths.repo(rig).split('/').pop()}/${r.endpoint}`,
    REQUEST_METHOD: r.method,
    QUERY_STRING: r.query,
    REMOTE_ADDR: r.remoteAddr,
    REMOTE_USER: p.address,
    CONTENT_TYPE: r.headers.get('content-type') ?? '',
    ...(length !== null ? { CONTENT_LENGTH: length } : {}),
    ...(r.headers.get('content-encoding') ? { HTTP_CONTENT_ENCODING: r.headers.get('content-encoding')! } : {}),
    ...(r.headers.get('git-protocol') ? { GIT_PROTOCOL: r.headers.get('git-protocol')! } : {}),
  };
  if (service === 'git-receive-pack') {
    const rules = pushRules(town, store, p, rig);
    if (!rules)
      return plain(403, `${p.address} may not push to ${rig}: a polecat pushes only its own branch, in its own rig`);
    Object.assign(env, {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: hooksDir,
      GIT_CONFIG_KEY_1: 'http.receivepack',
      GIT_CONFIG_VALUE_1: 'true',
      GT_PUSHER: p.address,
      GT_PUSH_ALLOWED: rules.allowed.join(' '),
      GT_PUSH_PREFIXES: rules.prefixes.join(' '),
      GT_PUSH_DENY: rules.deny,
    });
  } else {
    Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.receivepack', GIT_CONFIG_VALUE_0: 'false' });
  }
  const child = spawnStreaming('git', ['http-backend'], { env, timeoutMs: 600_000 });
  void pump(r.body, child.stdin, child.kill, child.exited);
  return cgiResponse(child.stdout);
}

/** Copy the request body into the CGI's input, at most GIT_BODY_LIMIT bytes (more kills the run). */
async function pump(
  body: ReadableStream<Uint8Array> | null,
  to: NodeJS.WritableStream,
  kill: () => void,
  exited: Promise<number>,
): Promise<void> {
  if (!body) {
    to.end();
    return;
  }
  let n = 0;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      n += chunk.length;
      if (n > GIT_BODY_LIMIT) {
        kill();
        return;
      }
      if (
        !to.write(chunk) &&
        (await Promise.race([
          new Promise<boolean>((res) => to.once('drain', () => res(true))),
          exited.then(() => false),
        ])) === false
      )
        return;
    }
    to.end();
  } catch {
    kill();
  }
}
