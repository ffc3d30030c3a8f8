// A small GitHub client over fetch: REST v3 and one GraphQL call, the token from the environment or `gh`, GitHub
// Enterprise base URLs, waits on rate limits using GitHub's reset headers, and conditional GETs (ETag → 304) when polling.
import { GtError } from '../kernel/index.ts';
import { runSync } from '../proc/index.ts';

export const DEFAULT_API_URL = 'https://api.github.com';

/** What a cached GET needs to ask "changed since?" (`If-None-Match`) and to answer a 304 without a body. */
export interface EtagCache {
  get(url: string): { etag: string; body: unknown } | undefined;
  set(url: string, etag: string, body: unknown): void;
}

export function memoryEtagCache(): EtagCache & { size(): number } {
  const m = new Map<string, { etag: string; body: unknown }>();
  return { get: (u) => m.get(u), set: (u, etag, body) => void m.set(u, { etag, body }), size: () => m.size };
}

export interface GitHubOptions {
  token: string;
  /** REST base: `https://api.github.com`, or GitHub Enterprise Server's `https://<host>/api/v3`. */
  apiUrl?: string;
  etags?: EtagCache;
  /** A wait longer than this (rate limit) fails the call with the reset time instead of sleeping (default 60 s). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told of every wait, for the event log. */
  onWait?: (ms: number, why: string) => void;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  /** True when the server answered 304 and `data` came from the ETag cache. */
  cached: boolean;
}

export interface PullRequest {
  number: number;
  html_url: string;
  node_id: string;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha: string | null;
  mergeable: boolean | null;
  mergeable_state: string;
  title: string;
  body: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  closed_at: string | null;
  merged_at: string | null;
  auto_merge: unknown;
}

export interface CheckRun {
  id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  html_url?: string;
  details_url?: string;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
  /** The app that reported it; `github-actions` runs are jobs whose log can be downloaded. */
  app?: { slug?: string } | null;
}

export interface CommitStatus {
  context: string;
  state: 'success' | 'failure' | 'error' | 'pending';
  description: string | null;
  target_url: string | null;
}

export interface Review {
  id: number;
  user: { login: string } | null;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body: string | null;
  commit_id: string;
  submitted_at: string;
}

export interface ReviewComment {
  id: number;
  pull_request_review_id: number | null;
  path: string;
  line: number | null;
  original_line: number | null;
  body: string;
  user: { login: string } | null;
}

export interface IssueComment {
  id: number;
  body: string;
  user: { login: string } | null;
  created_at: string;
}

/** GraphQL lives beside REST: `/graphql` on github.com, `/api/graphql` on Enterprise Server (`/api/v3` REST). */
export function graphqlUrlOf(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/api\/v3$/, '/api/graphql') : `${base}/graphql`;
}

/**
 * The token for GitHub: `GITHUB_TOKEN`, then `GH_TOKEN`, then what `gh auth token` prints (for the API's host when
 * it is not github.com). Undefined when none is set up.
 */
export function resolveToken(env: NodeJS.ProcessEnv, apiUrl = DEFAULT_API_URL): { token: string; source: string } | undefined {
  for (const k of ['GITHUB_TOKEN', 'GH_TOKEN'] as const) {
    const v = env[k]?.trim();
    if (v) return { token: v, source: k };
  }
  const host = new URL(apiUrl).host;
  const args = ['auth', 'token', ...(host === 'api.github.com' ? [] : ['--hostname', host])];
  try {
    const r = runSync('gh', args, { env, timeoutMs: 15_000 });
    const t = r.stdout.trim();
    if (r.status === 0 && t) return { token: t, source: 'gh auth token' };
  } catch {
    // gh not installed: no token from it
  }
  return undefined;
}

export class GitHubError extends GtError {
  readonly status: number;
  constructor(status: number, message: string, hint?: string) {
    super(status === 0 ? 'GH_UNREACHABLE' : 'GH_API', message, hint ? { hint } : {});
    this.status = status;
  }
}

export class GitHub {
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  private readonly token: string;
  private readonly etags: EtagCache;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly onWait: ((ms: number, why: string) => void) | undefined;
  /** Requests sent, and how many of them were answered 304 (a poll that cost no rate limit). */
  readonly stats = { requests: 0, notModified: 0, waits: 0 };

  constructor(o: GitHubOptions) {
    this.apiUrl = (o.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.graphqlUrl = graphqlUrlOf(this.apiUrl);
    this.token = o.token;
    this.etags = o.etags ?? memoryEtagCache();
    this.maxWaitMs = o.maxWaitMs ?? 60_000;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
    this.onWait = o.onWait;
  }

  /** One REST call. GETs are conditional when the cache has the URL's ETag; a 304 returns the cached body. */
  async rest<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const url = path.startsWith('http') ? path : `${this.apiUrl}${path}`;
    return this.send<T>(method, url, body, method === 'GET');
  }

  /** A GraphQL call; errors in the answer are thrown with GitHub's message. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const r = await this.send<{ data?: T; errors?: { message: string; type?: string }[] }>('POST', this.graphqlUrl, { query, variables }, false);
    if (r.data.errors?.length) throw new GitHubError(r.status, `GitHub GraphQL: ${r.data.errors.map((e) => e.message).join('; ')}`);
    return r.data.data as T;
  }

  private async send<T>(method: string, url: string, body: unknown, conditional: boolean): Promise<ApiResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'gastown-refinery',
      };
      const cached = conditional ? this.etags.get(url) : undefined;
      if (cached) headers['if-none-match'] = cached.etag;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      this.stats.requests++;
      try {
        res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(60_000) });
      } catch (e) {
        throw new GitHubError(0, `cannot reach GitHub at ${new URL(url).origin}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`, 'check the network and the rig\'s pr.api_url');
      }
      if (res.status === 304 && cached) {
        this.stats.notModified++;
        await res.arrayBuffer();
        return { status: 304, data: cached.body as T, cached: true };
      }
      const text = await res.text();
      const data = text ? safeJson(text) : undefined;
      if ((res.status === 403 || res.status === 429) && attempt < 3) {
        const wait = rateLimitWait(res.headers, this.now());
        if (wait !== undefined) {
          if (wait > this.maxWaitMs) {
            const at = new Date(this.now() + wait).toISOString();
            throw new GitHubError(res.status, `GitHub rate limit reached (${method} ${new URL(url).pathname}); it resets at ${at}`, 'the refinery tries again after the reset; nothing is lost meanwhile');
          }
          this.stats.waits++;
          this.onWait?.(wait, `rate limited (${res.status})`);
          await this.sleep(wait);
          continue;
        }
      }
      if (res.status >= 400) {
        const msg = (data as { message?: string } | undefined)?.message ?? text.slice(0, 200);
        throw new GitHubError(res.status, `GitHub ${method} ${new URL(url).pathname} answered ${res.status}: ${msg}`, hintFor(res.status));
      }
      const etag = res.headers.get('etag');
      if (conditional && etag) this.etags.set(url, etag, data);
      return { status: res.status, data: data as T, cached: false };
    }
  }

  // --- the calls the refinery makes ---

  async createPull(repo: string, p: { title: string; head: string; base: string; body: string; draft?: boolean }): Promise<PullRequest> {
    return (await this.rest<PullRequest>('POST', `/repos/${repo}/pulls`, p)).data;
  }

  /** Open pull requests whose head is `owner:branch` (one at most on GitHub). */
  async findOpenPull(repo: string, headOwner: string, branch: string, base: string): Promise<PullRequest | undefined> {
    const q = new URLSearchParams({ head: `${headOwner}:${branch}`, base, state: 'open' });
    return (await this.rest<PullRequest[]>('GET', `/repos/${repo}/pulls?${q}`)).data[0];
  }

  async getPull(repo: string, n: number): Promise<ApiResponse<PullRequest>> {
    return this.rest<PullRequest>('GET', `/repos/${repo}/pulls/${n}`);
  }

  async updatePull(repo: string, n: number, fields: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequest> {
    return (await this.rest<PullRequest>('PATCH', `/repos/${repo}/pulls/${n}`, fields)).data;
  }

  async mergePull(repo: string, n: number, o: { merge_method: 'merge' | 'squash' | 'rebase'; sha: string; commit_title?: string }): Promise<{ sha: string; merged: boolean; message: string }> {
    return (await this.rest<{ sha: string; merged: boolean; message: string }>('PUT', `/repos/${repo}/pulls/${n}/merge`, o)).data;
  }

  async checkRuns(repo: string, ref: string): Promise<CheckRun[]> {
    return (await this.rest<{ check_runs: CheckRun[] }>('GET', `/repos/${repo}/commits/${ref}/check-runs?per_page=100`)).data.check_runs;
  }

  /**
   * The log of a GitHub Actions job (a check run reported by `github-actions` has the job's id). GitHub answers 302
   * to a short-lived download URL; fetch follows it (dropping our token on the way to another host).
   */
  async jobLog(repo: string, jobId: number): Promise<string> {
    const url = `${this.apiUrl}/repos/${repo}/actions/jobs/${jobId}/logs`;
    this.stats.requests++;
    const res = await fetch(url, { headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${this.token}`, 'x-github-api-version': '2022-11-28', 'user-agent': 'gastown-refinery' }, redirect: 'follow', signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    if (!res.ok) throw new GitHubError(res.status, `GitHub GET /repos/${repo}/actions/jobs/${jobId}/logs answered ${res.status}`);
    return text;
  }

  async combinedStatus(repo: string, ref: string): Promise<{ state: string; statuses: CommitStatus[] }> {
    return (await this.rest<{ state: string; statuses: CommitStatus[] }>('GET', `/repos/${repo}/commits/${ref}/status?per_page=100`)).data;
  }

  async reviews(repo: string, n: number): Promise<Review[]> {
    return (await this.rest<Review[]>('GET', `/repos/${repo}/pulls/${n}/reviews?per_page=100`)).data;
  }

  async reviewComments(repo: string, n: number): Promise<ReviewComment[]> {
    return (await this.rest<ReviewComment[]>('GET', `/repos/${repo}/pulls/${n}/comments?per_page=100`)).data;
  }

  async issueComments(repo: string, n: number): Promise<IssueComment[]> {
    return (await this.rest<IssueComment[]>('GET', `/repos/${repo}/issues/${n}/comments?per_page=100`)).data;
  }

  async comment(repo: string, n: number, body: string): Promise<void> {
    await this.rest('POST', `/repos/${repo}/issues/${n}/comments`, { body });
  }

  /** GitHub merges the PR itself once its requirements are met (GraphQL; there is no REST call for it). */
  async enableAutoMerge(nodeId: string, method: 'merge' | 'squash' | 'rebase', expectedHeadOid: string): Promise<void> {
    await this.graphql(
      'mutation($id: ID!, $m: PullRequestMergeMethod!, $oid: GitObjectID) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $m, expectedHeadOid: $oid}) { pullRequest { number } } }',
      { id: nodeId, m: method.toUpperCase(), oid: expectedHeadOid },
    );
  }

  /** Put the PR in the base branch's merge queue (GraphQL). */
  async enqueue(nodeId: string, expectedHeadOid: string): Promise<{ position: number | null }> {
    const r = await this.graphql<{ enqueuePullRequest: { mergeQueueEntry: { position: number | null } | null } }>(
      'mutation($id: ID!, $oid: GitObjectID) { enqueuePullRequest(input: {pullRequestId: $id, expectedHeadOid: $oid}) { mergeQueueEntry { position } } }',
      { id: nodeId, oid: expectedHeadOid },
    );
    return { position: r.enqueuePullRequest.mergeQueueEntry?.position ?? null };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * How long GitHub asks us to wait, from its headers: `retry-after` (seconds; secondary limits), else an exhausted
 * primary limit (`x-ratelimit-remaining: 0`) until `x-ratelimit-reset` (epoch seconds). Undefined: not a rate limit
 * (a plain 403 is a permission problem and is not retried).
 */
export function rateLimitWait(h: Headers, now: number): number | undefined {
  const after = h.get('retry-after');
  if (after && /^\d+$/.test(after)) return Number(after) * 1000;
  if (h.get('x-ratelimit-remaining') === '0') {
    const reset = Number(h.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now + 1000);
    return 60_000;
  }
  return undefined;
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'the token was refused: set GITHUB_TOKEN or GH_TOKEN, or log in with gh auth login';
  if (status === 403) return 'the token lacks a permission for this repository (pull requests: write, contents: write, checks: read)';
  if (status === 404) return 'check the rig\'s pr.repo (owner/name) and that the token can see the repository';
  return undefined;
}

/** `owner/name` from a remote URL on a GitHub host (https, ssh or scp-like), else undefined. */
export function repoFromUrl(url: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[/:](?:.*\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}
