// A GitHub for tests, on loopback: the REST endpoints the refinery uses (pulls, merge, check runs, combined status,
// reviews, review comments, issue comments, branch protection), GraphQL auto-merge and merge queue, ETag/304, rate
// limit headers and exhaustion, signed webhook payloads, and each repository as a real bare git repository served
// over smart HTTP by `git http-backend` (pushes land there; a PR's head and base are real refs; merging writes a
// real commit onto the base branch). Tests drive it through the same API a person would use (create a check run,
// submit a review, close a PR) plus a few /_fake/ control routes. Semantics: docs/testing.md ("the GitHub fake").
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

type Json = Record<string, unknown>;
type Method = 'merge' | 'squash' | 'rebase';

interface Protection {
  required_checks: string[];
  required_approvals: number;
  enforce_admins: boolean;
}

interface Pull {
  number: number;
  node_id: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  merged: boolean;
  merged_by: string | null;
  merge_commit_sha: string | null;
  head_repo: string;
  head_ref: string;
  base_ref: string;
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  auto_merge: { merge_method: Method; enabled_by: string } | null;
  queued: { by: string } | null;
  /** The head sha whose mergeability was last computed: a new head answers `mergeable: null` once, as GitHub does. */
  computed_for: string | null;
}

interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: Json;
  details_url: string | null;
  at: number;
  app: string;
  log: string | null;
}
interface Status {
  id: number;
  sha: string;
  context: string;
  state: string;
  description: string | null;
  target_url: string | null;
  at: number;
}
interface Review {
  id: number;
  pull: number;
  user: string;
  state: string;
  body: string;
  commit_id: string;
  submitted_at: string;
}
interface ReviewComment {
  id: number;
  pull: number;
  review: number;
  path: string;
  line: number | null;
  body: string;
  user: string;
  commit_id: string;
}
interface IssueComment {
  id: number;
  pull: number;
  body: string;
  user: string;
  created_at: string;
}

interface Repo {
  full_name: string;
  dir: string;
  default_branch: string;
  allowed_methods: Method[];
  allow_auto_merge: boolean;
  /** Branches whose changes must go through the merge queue. */
  merge_queue: string[];
  protection: Map<string, Protection>;
  pulls: Pull[];
  checks: CheckRun[];
  statuses: Status[];
  reviews: Review[];
  comments: ReviewComment[];
  issueComments: IssueComment[];
}

export interface Delivery {
  event: string;
  delivery: string;
  signature: string;
  body: string;
}
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  user: string | null;
  if_none_match: boolean;
  user_agent: string;
}

export interface FakeGitHubOptions {
  /** Where the bare repositories live: `<root>/<owner>/<name>.git`. */
  root: string;
  /** token → login. */
  tokens?: Record<string, string>;
  admins?: string[];
}

export interface FakeGitHub {
  url: string;
  port: number;
  root: string;
  server: Server;
  close(): Promise<void>;
}

let nextId = 1000;
const now = (): string => new Date().toISOString();

export class GitHubState {
  readonly repos = new Map<string, Repo>();
  readonly tokens: Map<string, string>;
  readonly admins: Set<string>;
  readonly log: LoggedRequest[] = [];
  readonly deliveries: Delivery[] = [];
  hookSecret: string | undefined;
  rate = { limit: 5000, used: 0, reset: 0 };
  /** The next N API requests answer 429 with `retry-after: 1` (a secondary rate limit). */
  secondary = 0;

  readonly root: string;

  constructor(root: string, tokens: Record<string, string>, admins: string[]) {
    this.root = root;
    this.tokens = new Map(Object.entries(tokens));
    this.admins = new Set(admins);
  }

  git(dir: string, args: string[], env: Record<string, string> = {}): { status: number; out: string; err: string } {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status ?? -1, out: r.stdout.trim(), err: r.stderr.trim() };
  }

  addRepo(o: {
    full_name: string;
    default_branch?: string;
    allowed_methods?: Method[];
    allow_auto_merge?: boolean;
    merge_queue?: string[];
  }): Repo {
    const dir = join(this.root, `${o.full_name}.git`);
    mkdirSync(dir, { recursive: true });
    this.git(dir, ['init', '-q', '--bare', '-b', o.default_branch ?? 'main']);
    this.git(dir, ['config', 'http.receivepack', 'true']);
    // Branch protection at the git level: a push to a protected branch is declined, as GitHub does.
    const hook = join(dir, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      `#!/bin/sh\nwhile read old new ref; do\n  if [ -z "$GH_FAKE_BYPASS" ] && grep -qx "$ref" "${join(dir, 'protected-refs')}" 2>/dev/null; then\n    echo "remote: error: GH006: Protected branch update failed for $ref." >&2\n    echo "remote: error: Changes must be made through a pull request." >&2\n    exit 1\n  fi\ndone\n`,
    );
    chmodSync(hook, 0o755);
    const repo: Repo = {
      full_name: o.full_name,
      dir,
      default_branch: o.default_branch ?? 'main',
      allowed_methods: o.allowed_methods ?? ['merge', 'squash', 'rebase'],
      allow_auto_merge: o.allow_auto_merge ?? true,
      merge_queue: o.merge_queue ?? [],
      protection: new Map(),
      pulls: [],
      checks: [],
      statuses: [],
      reviews: [],
      comments: [],
      issueComments: [],
    };
    this.repos.set(o.full_name, repo);
    return repo;
  }

  writeProtected(r: Repo): void {
    writeFileSync(join(r.dir, 'protected-refs'), [...r.protection.keys()].map((b) => `refs/heads/${b}\n`).join(''));
  }

  sha(r: Repo, ref: string): string | null {
    const x = this.git(r.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return x.status === 0 ? x.out : null;
  }

  /** Keep `refs/pull/N/head` at the head branch's tip (fetched from a fork when the head is in another repository). */
  headSha(r: Repo, p: Pull): string | null {
    if (p.state === 'closed') return this.sha(r, `refs/pull/${p.number}/head`);
    const src = this.repos.get(p.head_repo);
    const tip = src ? this.sha(src, `refs/heads/${p.head_ref}`) : null;
    if (!tip) return this.sha(r, `refs/pull/${p.number}/head`);
    if (src !== r) this.git(r.dir, ['fetch', '-q', src!.dir, `+refs/heads/${p.head_ref}:refs/pull/${p.number}/head`]);
    else this.git(r.dir, ['update-ref', `refs/pull/${p.number}/head`, tip]);
    return tip;
  }

  conflicts(r: Repo, base: string, head: string): boolean {
    return this.git(r.dir, ['merge-tree', '--write-tree', '--no-messages', base, head]).status !== 0;
  }

  /** Latest check run per name on `sha`. */
  checksOn(r: Repo, sha: string): CheckRun[] {
    const by = new Map<string, CheckRun>();
    for (const c of r.checks.filter((c) => c.head_sha === sha).sort((a, b) => a.at - b.at)) by.set(c.name, c);
    return [...by.values()];
  }

  statusesOn(r: Repo, sha: string): Status[] {
    const by = new Map<string, Status>();
    for (const s of r.statuses.filter((s) => s.sha === sha).sort((a, b) => a.at - b.at)) by.set(s.context, s);
    return [...by.values()];
  }

  /** Latest review state per reviewer (COMMENTED does not replace an approval or a change request). */
  verdicts(r: Repo, p: Pull): Map<string, string> {
    const m = new Map<string, string>();
    for (const rv of r.reviews.filter((x) => x.pull === p.number)) {
      if (rv.state === 'COMMENTED') continue;
      m.set(rv.user, rv.state);
    }
    return m;
  }

  /** Why branch protection refuses merging `p` now (GitHub's 405 texts), or undefined. */
  protectionBlock(r: Repo, p: Pull, head: string): string | undefined {
    const prot = r.protection.get(p.base_ref);
    if (!prot) return undefined;
    for (const name of prot.required_checks) {
      const c = this.checksOn(r, head).find((x) => x.name === name);
      const s = this.statusesOn(r, head).find((x) => x.context === name);
      const ok =
        (c && c.status === 'completed' && ['success', 'neutral', 'skipped'].includes(c.conclusion ?? '')) ||
        s?.state === 'success';
      if (!ok) return `Required status check "${name}" is ${c || s ? 'failing or pending' : 'expected'}.`;
    }
    const v = [...this.verdicts(r, p).values()];
    if (v.includes('CHANGES_REQUESTED')) return 'Changes were requested by a reviewer with write access.';
    const approvals = v.filter((x) => x === 'APPROVED').length;
    if (approvals < prot.required_approvals)
      return `At least ${prot.required_approvals} approving review${prot.required_approvals > 1 ? 's are' : ' is'} required by reviewers with write access.`;
    return undefined;
  }

  pullJson(r: Repo, p: Pull, full: boolean): Json {
    const head = this.headSha(r, p);
    const baseSha = this.sha(r, `refs/heads/${p.base_ref}`);
    let mergeable: boolean | null = null;
    let mergeable_state = 'unknown';
    if (full && p.state === 'open' && head && baseSha) {
      if (p.computed_for !== head) {
        p.computed_for = head; // computing in the background: this answer says null, the next one knows
      } else {
        mergeable = !this.conflicts(r, baseSha, head);
        mergeable_state = !mergeable ? 'dirty' : this.protectionBlock(r, p, head) ? 'blocked' : 'clean';
      }
    }
    const [owner] = p.head_repo.split('/');
    return {
      url: `/repos/${r.full_name}/pulls/${p.number}`,
      html_url: `https://github.test/${r.full_name}/pull/${p.number}`,
      number: p.number,
      node_id: p.node_id,
      state: p.state,
      title: p.title,
      body: p.body,
      user: { login: p.user },
      created_at: p.created_at,
      updated_at: p.updated_at,
      closed_at: p.closed_at,
      merged_at: p.merged_at,
      merge_commit_sha: p.merge_commit_sha,
      draft: false,
      head: { label: `${owner}:${p.head_ref}`, ref: p.head_ref, sha: head, repo: { full_name: p.head_repo } },
      base: {
        label: `${r.full_name.split('/')[0]}:${p.base_ref}`,
        ref: p.base_ref,
        sha: baseSha,
        repo: { full_name: r.full_name },
      },
      auto_merge: p.auto_merge
        ? { merge_method: p.auto_merge.merge_method, enabled_by: { login: p.auto_merge.enabled_by } }
        : null,
      ...(full
        ? { merged: p.merged, mergeable, mergeable_state, merged_by: p.merged_by ? { login: p.merged_by } : null }
        : {}),
    };
  }

  /** Merge `p` into its base as a real commit; returns the new base tip. */
  performMerge(r: Repo, p: Pull, method: Method, by: string, title?: string, message?: string): string {
    const head = this.headSha(r, p)!;
    const base = this.sha(r, `refs/heads/${p.base_ref}`)!;
    const env = {
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.test',
      GIT_AUTHOR_NAME: by,
      GIT_AUTHOR_EMAIL: `${by}@users.noreply.github.test`,
    };
    let tip = base;
    if (method === 'rebase') {
      const revs = this.git(r.dir, ['rev-list', '--reverse', '--no-merges', `${base}..${head}`])
        .out.split('\n')
        .filter(Boolean);
      for (const c of revs) {
        // Cherry-pick c onto tip in a scratch index (a 3-way read-tree: git 2.39 has no merge-tree --merge-base).
        const idx = { GIT_INDEX_FILE: join(r.dir, `fake-rebase-index-${process.pid}`) };
        this.git(r.dir, ['read-tree', '-i', '--aggressive', '-m', `${c}^`, tip, c], idx);
        const tree = this.git(r.dir, ['write-tree'], idx).out;
        rmSync(idx.GIT_INDEX_FILE, { force: true });
        const info = this.git(r.dir, ['log', '-1', '--format=%an%x00%ae%x00%ad%x00%B', c]).out.split('\x00');
        tip = this.git(r.dir, ['commit-tree', tree, '-p', tip, '-m', info.slice(3).join('\x00') || 'commit'], {
          ...env,
          GIT_AUTHOR_NAME: info[0]!,
          GIT_AUTHOR_EMAIL: info[1]!,
          GIT_AUTHOR_DATE: info[2]!,
        }).out;
      }
    } else {
      const tree = this.git(r.dir, ['merge-tree', '--write-tree', '--no-messages', base, head]).out.split('\n')[0]!;
      const [owner] = p.head_repo.split('/');
      const msg =
        method === 'squash'
          ? `${title ?? `${p.title} (#${p.number})`}\n\n${message ?? ''}`
          : `${title ?? `Merge pull request #${p.number} from ${owner}/${p.head_ref}`}\n\n${message ?? p.title}`;
      tip = this.git(
        r.dir,
        ['commit-tree', tree, '-p', base, ...(method === 'merge' ? ['-p', head] : []), '-m', msg],
        env,
      ).out;
    }
    this.git(r.dir, ['update-ref', `refs/heads/${p.base_ref}`, tip, base]);
    Object.assign(p, {
      state: 'closed',
      merged: true,
      merged_by: by,
      merge_commit_sha: tip,
      merged_at: now(),
      closed_at: now(),
      updated_at: now(),
      auto_merge: null,
      queued: null,
    });
    this.deliver('pull_request', {
      action: 'closed',
      number: p.number,
      pull_request: this.pullJson(r, p, true),
      repository: { full_name: r.full_name },
    });
    return tip;
  }

  /** Auto-merge and the merge queue: merge every PR that asked for it and now meets the requirements. */
  settle(r: Repo): void {
    for (const p of r.pulls) {
      if (p.state !== 'open' || (!p.auto_merge && !p.queued)) continue;
      const head = this.headSha(r, p);
      const base = this.sha(r, `refs/heads/${p.base_ref}`);
      if (!head || !base || this.conflicts(r, base, head) || this.protectionBlock(r, p, head)) continue;
      if (p.queued && this.checksOn(r, head).some((c) => c.status !== 'completed')) continue;
      this.performMerge(
        r,
        p,
        p.auto_merge?.merge_method ?? r.allowed_methods[0]!,
        p.auto_merge?.enabled_by ?? p.queued!.by,
      );
    }
  }

  deliver(event: string, payload: Json): void {
    if (!this.hookSecret) return;
    const body = JSON.stringify(payload);
    this.deliveries.push({
      event,
      delivery: `d-${nextId++}`,
      body,
      signature: `sha256=${createHmac('sha256', this.hookSecret).update(body).digest('hex')}`,
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Smart HTTP through `git http-backend` (CGI): clone, fetch and push. */
async function gitHttp(st: GitHubState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const body = await readBody(req);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GIT_PROJECT_ROOT: st.root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
    CONTENT_LENGTH: String(body.length),
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: 'pusher',
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  // http-backend may answer (and exit) before reading the whole body: EPIPE on its stdin is not the fake's death.
  child.stdin.on('error', () => {});
  child.stdin.end(body);
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.resume();
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  const all = Buffer.concat(out);
  let split = all.indexOf('\r\n\r\n');
  let sep = 4;
  if (split < 0) {
    split = all.indexOf('\n\n');
    sep = 2;
  }
  const head = all.subarray(0, Math.max(0, split)).toString('utf8');
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
    else headers[k] = v;
  }
  res.writeHead(status, headers);
  res.end(split < 0 ? all : all.subarray(split + sep));
}

export async function startFakeGitHub(o: FakeGitHubOptions): Promise<FakeGitHub & { state: GitHubState }> {
  const st = new GitHubState(o.root, o.tokens ?? {}, o.admins ?? []);
  const server = createServer((req, res) => {
    handle(st, req, res).catch((e: unknown) => send(res, 500, { message: String(e) }));
  });
  // Idle keep-alive sockets stay open longer than clients keep them, so a client never reuses one the server just closed.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root: o.root,
    server,
    state: st,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(st: GitHubState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (/^\/[^/]+\/[^/]+\.git\//.test(url.pathname)) return gitHttp(st, req, res, url);
  const raw = await readBody(req);
  let body: Json;
  try {
    body = raw.length ? (JSON.parse(raw.toString('utf8')) as Json) : {};
  } catch {
    return send(res, 400, { message: 'Problems parsing JSON' });
  }
  if (url.pathname.startsWith('/_fake/')) return control(st, url, req.method ?? 'GET', body, res);
  // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql.
  const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '').replace(/^\/api\/graphql$/, '/graphql');
  const auth = /^(?:Bearer|token) (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  const user = auth ? (st.tokens.get(auth) ?? null) : null;
  const entry: LoggedRequest = {
    method: req.method ?? 'GET',
    path: `${path}${url.search}`,
    status: 0,
    user,
    if_none_match: !!req.headers['if-none-match'],
    user_agent: String(req.headers['user-agent'] ?? ''),
  };
  st.log.push(entry);
  const reply = (status: number, data: unknown, extra: Record<string, string> = {}): void => {
    entry.status = status;
    send(res, status, data, { ...rateHeaders(st), ...extra });
  };
  if (!user) return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  const t = Date.now() / 1000;
  if (st.rate.reset && t >= st.rate.reset) st.rate = { limit: st.rate.limit, used: 0, reset: 0 };
  if (st.secondary > 0) {
    st.secondary--;
    return reply(
      429,
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      { 'retry-after': '1' },
    );
  }
  if (st.rate.used >= st.rate.limit) return reply(403, { message: `API rate limit exceeded for user ID 1.` });
  const r = route(st, req.method ?? 'GET', path, url.searchParams, body, user);
  if (r.location) {
    entry.status = r.status;
    res.writeHead(r.status, { location: r.location, ...rateHeaders(st) });
    return void res.end();
  }
  // A conditional GET that matches answers 304 with no body and does not count against the limit (GitHub's rule).
  if ((req.method ?? 'GET') === 'GET' && r.status === 200) {
    const etag = `W/"${createHash('sha1').update(JSON.stringify(r.data)).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      entry.status = 304;
      res.writeHead(304, { etag, ...rateHeaders(st) });
      return void res.end();
    }
    st.rate.used++;
    if (!st.rate.reset) st.rate.reset = Math.ceil(t) + 3600;
    return reply(200, r.data, { etag });
  }
  st.rate.used++;
  if (!st.rate.reset) st.rate.reset = Math.ceil(t) + 3600;
  reply(r.status, r.data);
}

function rateHeaders(st: GitHubState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(st.rate.limit),
    'x-ratelimit-remaining': String(Math.max(0, st.rate.limit - st.rate.used)),
    'x-ratelimit-used': String(st.rate.used),
    'x-ratelimit-reset': String(st.rate.reset || Math.ceil(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

function control(st: GitHubState, url: URL, method: string, body: Json, res: ServerResponse): void {
  const p = url.pathname;
  if (p === '/_fake/repos' && method === 'POST') {
    const r = st.addRepo(body as Parameters<GitHubState['addRepo']>[0]);
    return send(res, 201, { full_name: r.full_name, dir: r.dir });
  }
  if (p === '/_fake/tokens' && method === 'POST') {
    for (const [k, v] of Object.entries(body)) st.tokens.set(k, String(v));
    return send(res, 204, undefined);
  }
  if (p === '/_fake/admins' && method === 'POST') {
    for (const a of (body.logins as string[]) ?? []) st.admins.add(a);
    return send(res, 204, undefined);
  }
  if (p === '/_fake/rate-limit' && method === 'POST') {
    if (typeof body.remaining === 'number') st.rate.used = st.rate.limit - body.remaining;
    if (typeof body.reset_in_s === 'number') st.rate.reset = Math.ceil(Date.now() / 1000 + body.reset_in_s);
    if (typeof body.secondary === 'number') st.secondary = body.secondary;
    return send(res, 204, undefined);
  }
  if (p === '/_fake/hooks' && method === 'POST') {
    st.hookSecret = String(body.secret);
    return send(res, 204, undefined);
  }
  if (p === '/_fake/deliveries') return send(res, 200, st.deliveries);
  const logm = /^\/_fake\/job-logs\/([^/]+\/[^/]+)\/(\d+)$/.exec(p);
  if (logm) {
    const c = st.repos.get(logm[1]!)?.checks.find((y) => y.id === Number(logm[2]));
    res.writeHead(c?.log != null ? 200 : 404, { 'content-type': 'text/plain' });
    return void res.end(c?.log ?? 'Not Found');
  }
  if (p === '/_fake/log') return send(res, 200, st.log);
  if (p === '/_fake/settle' && method === 'POST') {
    for (const r of st.repos.values()) st.settle(r);
    return send(res, 204, undefined);
  }
  const m = /^\/_fake\/repos\/([^/]+\/[^/]+)$/.exec(p);
  if (m && method === 'PATCH') {
    const r = st.repos.get(m[1]!);
    if (!r) return send(res, 404, { message: 'Not Found' });
    if (Array.isArray(body.merge_queue)) r.merge_queue = body.merge_queue as string[];
    if (typeof body.allow_auto_merge === 'boolean') r.allow_auto_merge = body.allow_auto_merge;
    if (Array.isArray(body.allowed_methods)) r.allowed_methods = body.allowed_methods as Method[];
    return send(res, 200, { full_name: r.full_name });
  }
  send(res, 404, { message: `no control route ${method} ${p}` });
}

type Result = { status: number; data: unknown; location?: string };
const notFound: Result = {
  status: 404,
  data: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
};
const invalid = (message: string, errors?: Json[]): Result => ({
  status: 422,
  data: { message, ...(errors ? { errors } : {}) },
});

function route(st: GitHubState, method: string, path: string, q: URLSearchParams, b: Json, user: string): Result {
  if (path === '/graphql' && method === 'POST') return graphql(st, b, user);
  if (path === '/rate_limit')
    return {
      status: 200,
      data: {
        resources: {
          core: {
            limit: st.rate.limit,
            used: st.rate.used,
            remaining: st.rate.limit - st.rate.used,
            reset: st.rate.reset,
          },
        },
      },
    };
  const m = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(path);
  if (!m) return notFound;
  const r = st.repos.get(m[1]!);
  if (!r) return notFound;
  const rest = m[2] ?? '';
  let x: RegExpExecArray | null;
  if (rest === '' && method === 'GET')
    return {
      status: 200,
      data: {
        full_name: r.full_name,
        default_branch: r.default_branch,
        allow_auto_merge: r.allow_auto_merge,
        allow_squash_merge: r.allowed_methods.includes('squash'),
        allow_merge_commit: r.allowed_methods.includes('merge'),
        allow_rebase_merge: r.allowed_methods.includes('rebase'),
      },
    };
  if (rest === '/pulls' && method === 'POST') return createPull(st, r, b, user);
  if (rest === '/pulls' && method === 'GET') {
    const state = q.get('state') ?? 'open';
    const head = q.get('head');
    const base = q.get('base');
    const list = r.pulls.filter(
      (p) =>
        (state === 'all' || p.state === state) &&
        (!head || `${p.head_repo.split('/')[0]}:${p.head_ref}` === head) &&
        (!base || p.base_ref === base),
    );
    return { status: 200, data: list.map((p) => st.pullJson(r, p, false)) };
  }
  if ((x = /^\/pulls\/(\d+)$/.exec(rest))) {
    const p = r.pulls.find((y) => y.number === Number(x![1]));
    if (!p) return notFound;
    if (method === 'GET') return { status: 200, data: st.pullJson(r, p, true) };
    if (method === 'PATCH') {
      if (typeof b.title === 'string') p.title = b.title;
      if (typeof b.body === 'string') p.body = b.body;
      if (b.state === 'closed' && p.state === 'open') {
        st.headSha(r, p);
        Object.assign(p, { state: 'closed', closed_at: now(), auto_merge: null, queued: null });
        st.deliver('pull_request', {
          action: 'closed',
          number: p.number,
          pull_request: st.pullJson(r, p, true),
          repository: { full_name: r.full_name },
          sender: { login: user },
        });
      } else if (b.state === 'open' && p.state === 'closed' && !p.merged)
        Object.assign(p, { state: 'open', closed_at: null });
      p.updated_at = now();
      return { status: 200, data: st.pullJson(r, p, true) };
    }
  }
  if ((x = /^\/pulls\/(\d+)\/merge$/.exec(rest))) {
    const p = r.pulls.find((y) => y.number === Number(x![1]));
    if (!p) return notFound;
    if (method === 'GET') return p.merged ? { status: 204, data: undefined } : notFound;
    if (method === 'PUT') return mergePull(st, r, p, b, user);
  }
  if ((x = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
    const p = r.pulls.find((y) => y.number === Number(x![1]));
    if (!p) return notFound;
    if (method === 'GET')
      return { status: 200, data: r.reviews.filter((v) => v.pull === p.number).map((v) => reviewJson(v)) };
    if (method === 'POST') {
      const ev = String(b.event ?? '');
      const state = (
        { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as Record<string, string>
      )[ev];
      if (!state) return invalid('Unprocessable Entity: event must be APPROVE, REQUEST_CHANGES or COMMENT');
      if (p.user === user && state !== 'COMMENTED')
        return invalid(
          `Unprocessable Entity: Can not ${ev === 'APPROVE' ? 'approve' : 'request changes on'} your own pull request`,
        );
      if (state !== 'APPROVED' && !b.body && !(Array.isArray(b.comments) && b.comments.length))
        return invalid('Unprocessable Entity: body is required for this event');
      const head = st.headSha(r, p)!;
      const rv: Review = {
        id: nextId++,
        pull: p.number,
        user,
        state,
        body: String(b.body ?? ''),
        commit_id: String(b.commit_id ?? head),
        submitted_at: now(),
      };
      r.reviews.push(rv);
      for (const c of (b.comments as Json[] | undefined) ?? []) {
        r.comments.push({
          id: nextId++,
          pull: p.number,
          review: rv.id,
          path: String(c.path),
          line: typeof c.line === 'number' ? c.line : null,
          body: String(c.body),
          user,
          commit_id: rv.commit_id,
        });
      }
      st.deliver('pull_request_review', {
        action: 'submitted',
        review: reviewJson(rv),
        pull_request: st.pullJson(r, p, false),
        repository: { full_name: r.full_name },
      });
      st.settle(r);
      return { status: 200, data: reviewJson(rv) };
    }
  }
  if ((x = /^\/pulls\/(\d+)\/comments$/.exec(rest)) && method === 'GET') {
    return {
      status: 200,
      data: r.comments
        .filter((c) => c.pull === Number(x![1]))
        .map((c) => ({
          id: c.id,
          pull_request_review_id: c.review,
          path: c.path,
          line: c.line,
          original_line: c.line,
          body: c.body,
          user: { login: c.user },
          commit_id: c.commit_id,
        })),
    };
  }
  if ((x = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
    const n = Number(x[1]);
    if (method === 'GET')
      return {
        status: 200,
        data: r.issueComments
          .filter((c) => c.pull === n)
          .map((c) => ({ id: c.id, body: c.body, user: { login: c.user }, created_at: c.created_at })),
      };
    if (method === 'POST') {
      const c: IssueComment = { id: nextId++, pull: n, body: String(b.body ?? ''), user, created_at: now() };
      r.issueComments.push(c);
      return { status: 201, data: { id: c.id, body: c.body, user: { login: user } } };
    }
  }
  if (rest === '/check-runs' && method === 'POST') {
    if (!b.name || !b.head_sha) return invalid('Invalid request.', [{ resource: 'CheckRun', code: 'missing_field' }]);
    // A check run made by a token of the user `github-actions` stands for an Actions job; `log` (not a GitHub field)
    // is the job's log the fake then serves at /actions/jobs/:id/logs.
    const c: CheckRun = {
      id: nextId++,
      name: String(b.name),
      head_sha: String(b.head_sha),
      status: String(b.status ?? (b.conclusion ? 'completed' : 'queued')),
      conclusion: (b.conclusion as string) ?? null,
      output: (b.output as Json) ?? {},
      details_url: (b.details_url as string) ?? null,
      at: nextId,
      app: user === 'github-actions' ? 'github-actions' : 'fake-ci',
      log: typeof b.log === 'string' ? b.log : null,
    };
    r.checks.push(c);
    st.deliver('check_run', {
      action: c.status === 'completed' ? 'completed' : 'created',
      check_run: {
        ...checkJson(c),
        pull_requests: r.pulls
          .filter((p) => p.state === 'open' && st.headSha(r, p) === c.head_sha)
          .map((p) => ({ number: p.number })),
      },
      repository: { full_name: r.full_name },
    });
    st.settle(r);
    return { status: 201, data: checkJson(c) };
  }
  if ((x = /^\/actions\/jobs\/(\d+)\/logs$/.exec(rest)) && method === 'GET') {
    const c = r.checks.find((y) => y.id === Number(x![1]) && y.app === 'github-actions');
    if (!c || c.log === null) return notFound;
    return { status: 302, data: undefined, location: `/_fake/job-logs/${r.full_name}/${c.id}` };
  }
  if ((x = /^\/check-runs\/(\d+)$/.exec(rest)) && method === 'PATCH') {
    const c = r.checks.find((y) => y.id === Number(x![1]));
    if (!c) return notFound;
    if (b.status) c.status = String(b.status);
    if (b.conclusion) Object.assign(c, { conclusion: String(b.conclusion), status: 'completed' });
    if (b.output) c.output = b.output as Json;
    c.at = nextId++;
    st.settle(r);
    return { status: 200, data: checkJson(c) };
  }
  if ((x = /^\/statuses\/([0-9a-f]{40})$/.exec(rest)) && method === 'POST') {
    if (!['error', 'failure', 'pending', 'success'].includes(String(b.state)))
      return invalid('Validation Failed', [{ resource: 'Status', field: 'state', code: 'custom' }]);
    const s: Status = {
      id: nextId++,
      sha: x[1]!,
      context: String(b.context ?? 'default'),
      state: String(b.state),
      description: (b.description as string) ?? null,
      target_url: (b.target_url as string) ?? null,
      at: nextId,
    };
    r.statuses.push(s);
    st.settle(r);
    return { status: 201, data: s };
  }
  if ((x = /^\/commits\/([^/]+)\/check-runs$/.exec(rest)) && method === 'GET') {
    const sha = st.sha(r, x[1]!) ?? x[1]!;
    const runs = st.checksOn(r, sha).map(checkJson);
    return { status: 200, data: { total_count: runs.length, check_runs: runs } };
  }
  if ((x = /^\/commits\/([^/]+)\/status$/.exec(rest)) && method === 'GET') {
    const sha = st.sha(r, x[1]!) ?? x[1]!;
    const list = st.statusesOn(r, sha);
    const state = list.some((s) => s.state === 'failure' || s.state === 'error')
      ? 'failure'
      : list.length === 0 || list.some((s) => s.state === 'pending')
        ? 'pending'
        : 'success';
    return {
      status: 200,
      data: {
        state,
        sha,
        total_count: list.length,
        statuses: list.map((s) => ({
          context: s.context,
          state: s.state,
          description: s.description,
          target_url: s.target_url,
        })),
      },
    };
  }
  if ((x = /^\/branches\/([^/]+)\/protection$/.exec(rest))) {
    if (!st.admins.has(user)) return notFound;
    if (method === 'PUT') {
      const rsc = b.required_status_checks as { contexts?: string[]; checks?: { context: string }[] } | null;
      const rpr = b.required_pull_request_reviews as { required_approving_review_count?: number } | null;
      r.protection.set(x[1]!, {
        required_checks: rsc ? [...(rsc.contexts ?? []), ...(rsc.checks ?? []).map((c) => c.context)] : [],
        required_approvals: rpr ? (rpr.required_approving_review_count ?? 1) : 0,
        enforce_admins: !!b.enforce_admins,
      });
      st.writeProtected(r);
      return { status: 200, data: { url: path } };
    }
    const prot = r.protection.get(x[1]!);
    if (method === 'GET')
      return prot ? { status: 200, data: prot } : { status: 404, data: { message: 'Branch not protected' } };
  }
  return notFound;
}

function createPull(st: GitHubState, r: Repo, b: Json, user: string): Result {
  const title = typeof b.title === 'string' ? b.title : '';
  const headSpec = String(b.head ?? '');
  const base = String(b.base ?? '');
  if (!title) return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
  const [headOwner, headRef] = headSpec.includes(':')
    ? (headSpec.split(':', 2) as [string, string])
    : [r.full_name.split('/')[0]!, headSpec];
  const headRepo = headOwner === r.full_name.split('/')[0] ? r.full_name : `${headOwner}/${r.full_name.split('/')[1]}`;
  const src = st.repos.get(headRepo);
  if (!src || !st.sha(src, `refs/heads/${headRef}`))
    return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  if (!st.sha(r, `refs/heads/${base}`))
    return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  if (
    r.pulls.some((p) => p.state === 'open' && p.head_repo === headRepo && p.head_ref === headRef && p.base_ref === base)
  ) {
    return invalid('Validation Failed', [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${headOwner}:${headRef}.`,
      },
    ]);
  }
  const n = r.pulls.length + 1;
  const p: Pull = {
    number: n,
    node_id: `PR_fake${r.full_name.replace('/', '_')}_${n}`,
    title,
    body: (b.body as string) ?? null,
    state: 'open',
    merged: false,
    merged_by: null,
    merge_commit_sha: null,
    head_repo: headRepo,
    head_ref: headRef,
    base_ref: base,
    user,
    created_at: now(),
    updated_at: now(),
    closed_at: null,
    merged_at: null,
    auto_merge: null,
    queued: null,
    computed_for: null,
  };
  r.pulls.push(p);
  st.headSha(r, p);
  st.deliver('pull_request', {
    action: 'opened',
    number: n,
    pull_request: st.pullJson(r, p, false),
    repository: { full_name: r.full_name },
  });
  return { status: 201, data: st.pullJson(r, p, true) };
}

function mergePull(st: GitHubState, r: Repo, p: Pull, b: Json, user: string): Result {
  const method = (b.merge_method as Method | undefined) ?? 'merge';
  if (p.state !== 'open') return { status: 405, data: { message: 'Pull Request is not mergeable' } };
  if (!['merge', 'squash', 'rebase'].includes(method))
    return invalid('Validation Failed', [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }]);
  if (!r.allowed_methods.includes(method))
    return {
      status: 405,
      data: {
        message: `${method === 'merge' ? 'Merge commits' : method === 'squash' ? 'Squash merges' : 'Rebase merges'} are not allowed on this repository.`,
      },
    };
  const head = st.headSha(r, p)!;
  if (b.sha && b.sha !== head)
    return { status: 409, data: { message: 'Head branch was modified. Review and try the merge again.' } };
  if (r.merge_queue.includes(p.base_ref))
    return { status: 405, data: { message: 'Changes must be made through the merge queue' } };
  const base = st.sha(r, `refs/heads/${p.base_ref}`)!;
  if (st.conflicts(r, base, head)) return { status: 405, data: { message: 'Pull Request is not mergeable' } };
  const block = st.protectionBlock(r, p, head);
  const prot = r.protection.get(p.base_ref);
  // An administrator may merge past branch protection unless it is enforced for admins (what `gh pr merge --admin` uses).
  if (block && !(st.admins.has(user) && prot && !prot.enforce_admins)) return { status: 405, data: { message: block } };
  const sha = st.performMerge(
    r,
    p,
    method,
    user,
    b.commit_title as string | undefined,
    b.commit_message as string | undefined,
  );
  return { status: 200, data: { sha, merged: true, message: 'Pull Request successfully merged' } };
}

function graphql(st: GitHubState, b: Json, user: string): Result {
  const query = String(b.query ?? '');
  const vars = (b.variables ?? {}) as Json;
  const find = (): { r: Repo; p: Pull } | undefined => {
    for (const r of st.repos.values()) {
      const p = r.pulls.find((x) => x.node_id === vars.id);
      if (p) return { r, p };
    }
    return undefined;
  };
  const err = (message: string, type = 'UNPROCESSABLE'): Result => ({
    status: 200,
    data: { data: null, errors: [{ type, message }] },
  });
  const hit = find();
  if (!hit) return err(`Could not resolve to a node with the global id of '${String(vars.id)}'`, 'NOT_FOUND');
  const { r, p } = hit;
  if (vars.oid && vars.oid !== st.headSha(r, p)) return err("Head sha didn't match expected head sha");
  if (/enablePullRequestAutoMerge/.test(query)) {
    if (!r.allow_auto_merge) return err('Pull request Auto merge is not allowed for this repository');
    if (p.state !== 'open') return err('Pull request is closed');
    const m = String(vars.m ?? 'MERGE').toLowerCase() as Method;
    const h = st.headSha(r, p)!;
    if (!st.conflicts(r, st.sha(r, `refs/heads/${p.base_ref}`)!, h) && !st.protectionBlock(r, p, h))
      return err('Pull request is in clean status');
    p.auto_merge = { merge_method: m, enabled_by: user };
    st.settle(r);
    return { status: 200, data: { data: { enablePullRequestAutoMerge: { pullRequest: { number: p.number } } } } };
  }
  if (/enqueuePullRequest/.test(query)) {
    if (!r.merge_queue.includes(p.base_ref)) return err('Pull request is not in a merge queue enabled branch');
    p.queued = { by: user };
    const position = r.pulls.filter((x) => x.queued && x.state === 'open').indexOf(p) + 1;
    st.settle(r);
    return { status: 200, data: { data: { enqueuePullRequest: { mergeQueueEntry: { position } } } } };
  }
  return err('unsupported query in the fake');
}

function reviewJson(v: Review): Json {
  return {
    id: v.id,
    user: { login: v.user },
    state: v.state,
    body: v.body,
    commit_id: v.commit_id,
    submitted_at: v.submitted_at,
  };
}

function checkJson(c: CheckRun): Json {
  return {
    id: c.id,
    name: c.name,
    head_sha: c.head_sha,
    status: c.status,
    conclusion: c.conclusion,
    output: { title: null, summary: null, text: null, ...c.output },
    details_url: c.details_url,
    html_url: `https://github.test/runs/${c.id}`,
    app: { slug: c.app },
  };
}
