// A Kubernetes API server for tests, on loopback: the paths a pod provider uses, with the API's semantics (see
// resources.ts, watch.ts, exec.ts), behind a bearer token on every request (loopback is no trust boundary), an
// authorizer, and a throttle tests can arm. Pods are real local process trees (kubelet.ts). Test controls are
// methods of the handle and, for a server in another process (main.ts), routes under /_test/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import { execServer, parseExec, runExec } from './exec.ts';
import { Node } from './kubelet.ts';
import * as R from './resources.ts';
import { ApiError, badRequest, forbidden, methodNotAllowed, tooManyRequests, unauthorized } from './status.ts';
import { Store } from './store.ts';
import type { KubeApi, KubeApiOptions, KubeRequest, Pod } from './types.ts';

const VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-gastown-test',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-12-01T00:00:00Z',
  goVersion: 'go1.24',
  compiler: 'gc',
  platform: 'linux/amd64',
};
const USER = 'test';

type Route = { resource: string; ns?: string; name?: string; sub?: string };

/** /api/v1/namespaces/{ns}/pods/{name}/exec → {resource:'pods', ns, name, sub:'exec'} */
function parsePath(path: string): Route | undefined {
  const m = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(path);
  if (!m) return undefined;
  const [, ns, resource, name, sub] = m;
  if (resource === 'namespaces' && ns === undefined)
    return { resource, ...(name ? { name } : {}), ...(sub ? { sub } : {}) };
  return {
    resource: resource!,
    ...(ns ? { ns: decodeURIComponent(ns) } : {}),
    ...(name ? { name: decodeURIComponent(name) } : {}),
    ...(sub ? { sub } : {}),
  };
}

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', DELETE: 'delete', PUT: 'update', PATCH: 'patch' };

export async function startKubeApi(o: KubeApiOptions): Promise<KubeApi> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the test Kubernetes API server runs pods in their own mount and PID namespaces, which needs root (run the suite as root, as CI does)',
    );
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true });
  const token = o.token ?? randomBytes(16).toString('hex');
  const store = new Store();
  let port = 0;
  const node = new Node(store, {
    dir,
    images: o.images ?? {},
    maxPods: o.maxPods ?? 110,
    probeSecondMs: o.probeSecondMs ?? 1000,
    port: () => port,
  });
  const ctx: R.Ctx = { store, node, access: o.access ?? [], dir, watches: new Set() };
  for (const ns of new Set(['default', 'kube-system', ...(o.namespaces ?? [])])) R.createNamespace(ctx, ns);
  const log: KubeRequest[] = [];
  let throttle = { n: 0, seconds: 1 };
  const sessions = new Set<() => void>();
  const wss = execServer();

  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): Promise<void> => {
    const path = url.pathname;
    const q = url.searchParams;
    if (path === '/version') return answer(res, 200, VERSION);
    if (['/readyz', '/livez', '/healthz'].includes(path)) return answer(res, 200, 'ok');
    if (path === '/api')
      return answer(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
      });
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '');
      return answer(res, ...R.accessReview(ctx, body));
    }
    const r = parsePath(path);
    if (!r || !['pods', 'secrets', 'namespaces'].includes(r.resource))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const watching = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb = r.name
      ? VERBS[req.method ?? '']
      : req.method === 'GET'
        ? watching
          ? 'watch'
          : 'list'
        : VERBS[req.method ?? ''];
    if (verb && !R.allowed(ctx.access, verb, r.resource, r.sub, r.ns))
      throw forbidden(USER, verb, r.sub ? `${r.resource}/${r.sub}` : r.resource, r.ns, r.name);
    if (r.resource === 'namespaces') {
      if (req.method !== 'GET' || r.sub) throw methodNotAllowed(req.method ?? '');
      return r.name
        ? answer(res, ...R.getOne(ctx, 'namespaces', '', r.name))
        : answer(res, ...(R.getCollection(ctx, 'namespaces', undefined, q, res) as R.Answer));
    }
    if (!r.name) {
      if (req.method === 'GET') {
        const a = R.getCollection(ctx, r.resource, r.ns, q, res);
        return a === 'streamed' ? undefined : answer(res, ...a);
      }
      if (req.method === 'POST' && r.ns)
        return answer(
          res,
          ...(r.resource === 'pods' ? R.createPod(ctx, r.ns, body, q) : R.createSecret(ctx, r.ns, body, q)),
        );
      throw methodNotAllowed(req.method ?? '');
    }
    if (!r.ns) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (r.sub === 'log' && r.resource === 'pods' && req.method === 'GET')
      return answer(res, ...R.podLog(ctx, r.ns, r.name, q));
    if (r.sub === 'exec' && r.resource === 'pods') throw badRequest('Upgrade request required');
    if (r.sub === 'status' && req.method === 'GET') return answer(res, ...R.getOne(ctx, r.resource, r.ns, r.name));
    if (r.sub) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (req.method === 'GET') return answer(res, ...R.getOne(ctx, r.resource, r.ns, r.name));
    if (req.method === 'DELETE')
      return answer(
        res,
        ...(r.resource === 'pods' ? R.deletePod(ctx, r.ns, r.name, body, q) : R.deleteSecret(ctx, r.ns, r.name)),
      );
    throw methodNotAllowed(req.method ?? '');
  };

  const controls = async (path: string, body: Record<string, unknown>): Promise<unknown> => {
    const s = (k: string) => String(body[k] ?? '');
    switch (path) {
      case '/_test/requests':
        return log;
      case '/_test/evict':
        return api.evict(s('ns'), s('pod'));
      case '/_test/oom-kill':
        return api.oomKill(s('ns'), s('pod'));
      case '/_test/lose-node':
        return body.pod ? node.loseNode(s('ns'), s('pod')) : api.loseNode();
      case '/_test/restore-node':
        return api.restoreNode();
      case '/_test/capacity':
        return api.setCapacity(Number(body.n));
      case '/_test/fail-image':
        return api.failImage(s('name'), body.failing !== false);
      case '/_test/throttle':
        return api.throttleNext(Number(body.n), body.seconds === undefined ? 1 : Number(body.seconds));
      case '/_test/compact':
        return api.compact();
      case '/_test/pod-pid':
        return { pid: node.podPid(s('ns'), s('pod')) ?? null };
      default:
        throw new ApiError(404, 'NotFound', `no test control ${path}`);
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const entry: KubeRequest = {
        method: req.method ?? '',
        path: `${url.pathname}${url.search}`,
        status: 0,
        at: Date.now(),
      };
      const done = (status: number) => (entry.status = status);
      void (async () => {
        try {
          if (!authorized(req)) throw unauthorized();
          let body: unknown;
          try {
            body = raw ? JSON.parse(raw) : undefined;
          } catch {
            throw badRequest(`the body of the request could not be decoded as JSON: ${raw.slice(0, 60)}`);
          }
          if (url.pathname.startsWith('/_test/'))
            return answer(res, 200, (await controls(url.pathname, (body ?? {}) as Record<string, unknown>)) ?? {});
          log.push(entry);
          if (req.method === 'POST' && /\/(pods|secrets)$/.test(url.pathname)) entry.body = body;
          if (throttle.n > 0) {
            throttle.n--;
            throw tooManyRequests(throttle.seconds);
          }
          await handle(req, res, url, body);
          done(res.statusCode);
        } catch (e) {
          if (!url.pathname.startsWith('/_test/') && !log.includes(entry)) log.push(entry);
          const err =
            e instanceof ApiError
              ? e
              : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
          done(err.code);
          if (!res.headersSent) answer(res, err.code, err.body(), err.headers);
          else res.end();
        }
      })();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entry: KubeRequest = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      status: 101,
      at: Date.now(),
    };
    log.push(entry);
    const refuse = (err: ApiError) => {
      entry.status = err.code;
      const text = JSON.stringify(err.body());
      socket.end(
        `HTTP/1.1 ${err.code} ${err.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
    };
    try {
      if (!authorized(req)) throw unauthorized();
      if (throttle.n > 0) {
        throttle.n--;
        throw tooManyRequests(throttle.seconds);
      }
      const r = parsePath(url.pathname);
      if (!r || r.resource !== 'pods' || r.sub !== 'exec' || !r.ns || !r.name)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      if (!R.allowed(ctx.access, 'create', 'pods', 'exec', r.ns))
        throw forbidden(USER, 'create', 'pods/exec', r.ns, r.name);
      const [, pod] = R.getOne(ctx, 'pods', r.ns, r.name) as [number, Pod];
      const exec = parseExec(url);
      const container = url.searchParams.get('container') || pod.spec.containers[0]!.name;
      if (!pod.spec.containers.some((c) => c.name === container))
        throw badRequest(`container ${container} is not valid for pod ${r.name}`);
      if (exec.command.length === 0) throw badRequest('you must specify at least 1 command');
      if (!exec.stdin && !exec.stdout && !exec.stderr)
        throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
      const phase = (pod.status as { phase?: string }).phase;
      if (phase === 'Succeeded' || phase === 'Failed')
        throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
      const running = node.running(r.ns, r.name);
      if (!running || running.plan.spec.name !== container)
        throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
      wss.handleUpgrade(req, socket, head, (ws) => void runExec(ws, running, exec, sessions));
    } catch (e) {
      refuse(e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message));
    }
  });

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig(url, token), { mode: 0o600 });
  const killAll = () => {
    for (const pid of node.allPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.on('exit', killAll);

  const api: KubeApi = {
    url,
    token,
    kubeconfigPath,
    dir,
    requests: async () => [...log],
    evict: (ns, pod) => node.evict(ns, pod),
    oomKill: (ns, pod) => node.oomKill(ns, pod),
    loseNode: () => node.loseNode(),
    restoreNode: async () => node.restoreNode(),
    setCapacity: async (n) => node.setCapacity(n),
    failImage: async (name, failing = true) => node.failImage(name, failing),
    throttleNext: async (n, seconds = 1) => void (throttle = { n, seconds }),
    compact: async () => store.compact(),
    podPid: async (ns, pod) => node.podPid(ns, pod),
    stop: async () => {
      for (const close of [...ctx.watches]) close();
      for (const end of [...sessions]) end();
      await node.stop();
      wss.close();
      process.off('exit', killAll);
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
  return api;
}

export function kubeconfig(url: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${url}`,
    // Plain HTTP on loopback: @kubernetes/client-node 2.x accepts an http:// server only with this set.
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: test',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: test',
    '  context:',
    '    cluster: test',
    '    user: test',
    '    namespace: default',
    'current-context: test',
    '',
  ].join('\n');
}
