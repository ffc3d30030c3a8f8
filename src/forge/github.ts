// The refinery's GitHub client: Octokit (`@octokit/rest`) for REST and GraphQL, with Octokit's own plugins for what
// they do well: `@octokit/plugin-throttling` spaces requests as GitHub asks and waits out primary and secondary rate
// limits (using its reset headers), `@octokit/plugin-retry` retries 5xx answers and dropped connections a bounded
// number of times. Around them, hooks of ours add what no plugin does: conditional GETs (ETag → If-None-Match → 304
// answered from the cache) when polling, a timeout per attempt, and errors that name their cause.
// The token comes from the environment or `gh`; the base URL may be GitHub Enterprise Server's (or the GitHub fake's).
import type { Octokit } from '@octokit/rest';
import {
  DEFAULT_API_URL,
  GitHubError,
  graphqlUrlOf,
  hintFor,
  finalNetworkFailure,
  isHttpError,
  rateLimitWait,
  type ApiResponse,
  type HookResponse,
  type OctokitHttpError,
  type CheckRun,
  type CommitStatus,
  type IssueComment,
  type PullRequest,
  type Review,
  type ReviewComment,
} from './github-model.ts';

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
  /**
   * How many milliseconds one second of a wait lasts: the seconds GitHub asks for (`retry-after`, the rate limit's
   * reset) and the retry plugin's back-off (1 s, then 4 s). 1000, unless a test makes time pass faster.
   */
  secondMs?: number;
  /** Told of every rate-limit wait (in GitHub's milliseconds) before it starts, for the event log. */
  onWait?: (ms: number, why: string) => void;
}

/** Times a 5xx answer or a dropped connection is retried (after 1 s, then 4 s): the refinery polls again anyway. */
export const RETRIES = 2;
/** Times a rate-limited request is waited out and sent again before the call fails with the reset time. */
const RATE_LIMIT_RETRIES = 3;
/** One attempt's limit: a request GitHub has not answered by then fails as "cannot reach GitHub", without retries. */
const ATTEMPT_TIMEOUT_MS = 60_000;
/**
 * Answers the retry plugin leaves alone: every 4xx is GitHub's verdict on the request (a 403/429 rate limit is the
 * throttling plugin's to wait out, with GitHub's own timing); only 5xx answers and dropped connections are retried.
 */
const DO_NOT_RETRY = Array.from({ length: 100 }, (_, i) => 400 + i);

/** What Octokit's request hook is handed and returns (the parts used here). */
interface HookOptions {
  method: string;
  url: string;
  headers: Record<string, string | number | undefined>;
  request?: Record<string, unknown>;
  [k: string]: unknown;
}
type SendRequest = (o: HookOptions) => Promise<HookResponse>;
/** Requests Octokit is told to make quietly: its request log would print every 404 and 304 on stderr. */
const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export class GitHub {
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  /**
   * The Octokit instance every call goes through (`octokit.rest.*`, `octokit.graphql`). Loaded (with its plugins)
   * when a client is made, not when gt starts: most gt commands never talk to GitHub and should not pay for it.
   */
  private readonly octokitP: Promise<Octokit>;
  private readonly etags: EtagCache;
  private readonly maxWaitMs: number;
  private readonly onWait: ((ms: number, why: string) => void) | undefined;
  /** Attempts sent (retries included), calls answered 304 (a poll that cost no rate limit), rate-limit waits. */
  readonly stats = { requests: 0, notModified: 0, waits: 0 };

  constructor(o: GitHubOptions) {
    this.apiUrl = (o.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.graphqlUrl = graphqlUrlOf(this.apiUrl);
    this.etags = o.etags ?? memoryEtagCache();
    this.maxWaitMs = o.maxWaitMs ?? 60_000;
    this.onWait = o.onWait;
    const secondMs = o.secondMs ?? 1000;
    this.octokitP = Promise.all([
      import('@octokit/rest'),
      import('@octokit/plugin-retry'),
      import('@octokit/plugin-throttling'),
    ]).then(([{ Octokit }, { retry }, { throttling }]) => {
      // Plugins wrap the request in the order given, the first innermost: each attempt (ours), then the retries of a
      // 5xx or a dropped connection, then throttling (spacing, rate limits).
      const Client = Octokit.plugin(
        (octokit) =>
          void octokit.hook.wrap(
            'request',
            (request, options) =>
              this.attempt(request as unknown as SendRequest, options as unknown as HookOptions) as never,
          ),
        retry,
        throttling,
      );
      const limited =
        (why: string) =>
        (seconds: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
          this.mayWait(seconds * 1000, why, retryCount);
      const octokit = new Client({
        auth: o.token,
        baseUrl: this.apiUrl,
        userAgent: 'gastown-refinery',
        log: QUIET,
        retry: { retries: RETRIES, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: secondMs },
        throttle: {
          // Spacing and limits are per GitHub host (clients of one host in a process share them).
          id: this.apiUrl,
          retryAfterBaseValue: secondMs,
          onRateLimit: limited('rate limit'),
          onSecondaryRateLimit: limited('secondary rate limit'),
        },
      });
      // Added after the plugins, this hook wraps them: the ETag cache and the wording of errors see each call once.
      octokit.hook.wrap(
        'request',
        (request, options) =>
          this.call(octokit, request as unknown as SendRequest, options as unknown as HookOptions) as never,
      );
      return octokit;
    });
  }

  /** The Octokit instance (`octokit.rest.*`, `octokit.request`, `octokit.graphql`), with the hooks above in place. */
  octokit(): Promise<Octokit> {
    return this.octokitP;
  }

  /**
   * The throttling plugin asks whether to wait out a rate limit (primary or secondary) and send again: yes while the
   * wait is within `maxWaitMs` and the request has not been limited three times; no lets the 403/429 through, and
   * `call` fails it with the reset time.
   */
  private mayWait(ms: number, why: string, retryCount: number): boolean {
    if (retryCount >= RATE_LIMIT_RETRIES || ms > this.maxWaitMs) return false;
    this.stats.waits++;
    this.onWait?.(ms, why);
    return true;
  }

  /**
   * Every attempt, retries included (innermost of our hooks): GitHub's API version, the attempt's timeout, the count.
   * A request that timed out or found nobody at the address fails the call here, before the retry plugin would
   * spend seconds on it; a reset or closed connection is left to the retry plugin.
   */
  private async attempt(request: SendRequest, options: HookOptions): Promise<HookResponse> {
    // The hooks inside this one (the token's) are bound to this same options object: change it in place. Its
    // `request` may be shared with Octokit's defaults: replace it rather than add to it.
    options.headers['x-github-api-version'] = '2022-11-28';
    options.request = { ...options.request, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) };
    this.stats.requests++;
    try {
      return await request(options);
    } catch (e) {
      if (isHttpError(e) && !e.response) {
        const why = finalNetworkFailure(e);
        if (why) throw this.unreachable(why === 'timeout' ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : e);
      }
      throw e;
    }
  }

  /**
   * Every call (REST and GraphQL), outside the plugins: a GET whose URL has a cached ETag is sent with If-None-Match
   * and its 304 answered from the cache; a rate limit the throttling plugin would not wait out fails with its reset
   * time; any other failure becomes a GitHubError that names its cause.
   */
  private async call(octokit: Octokit, request: SendRequest, options: HookOptions): Promise<HookResponse> {
    const { url } = octokit.request.endpoint.parse(options as never);
    const method = options.method.toUpperCase();
    const conditional = method === 'GET';
    const cached = conditional ? this.etags.get(url) : undefined;
    if (cached) options.headers['if-none-match'] = cached.etag;
    else delete options.headers['if-none-match'];
    try {
      const res = await request(options);
      const etag = res.headers.etag;
      if (conditional && etag) this.etags.set(url, etag, res.data);
      return res;
    } catch (e) {
      if (!isHttpError(e)) throw e;
      if (!e.response) throw this.unreachable(e);
      if (e.status === 304 && cached) {
        this.stats.notModified++;
        return { ...e.response, status: 304, data: cached.body };
      }
      const path = new URL(url).pathname;
      if (e.status === 403 || e.status === 429) {
        const wait = rateLimitWait(e.response.headers, Date.now());
        if (wait !== undefined)
          throw new GitHubError(
            e.status,
            `GitHub rate limit reached (${method} ${path}); it resets at ${new Date(Date.now() + wait).toISOString()}`,
            'the refinery tries again after the reset; nothing is lost meanwhile',
          );
      }
      const data = e.response.data as
        { message?: string; errors?: ({ message?: string } | string)[] } | string | undefined;
      const errors = typeof data === 'object' && Array.isArray(data.errors) ? data.errors : undefined;
      const msg =
        typeof data === 'object' && data?.message
          ? `${data.message}${errors?.length ? `: ${errors.map((x) => (typeof x === 'string' ? x : (x.message ?? JSON.stringify(x)))).join('; ')}` : ''}`
          : String(data ?? '').slice(0, 200);
      throw new GitHubError(
        e.status,
        `GitHub ${method} ${path} answered ${e.status}: ${msg}`,
        hintFor(e.status),
        errors,
      );
    }
  }

  /** "cannot reach GitHub" (status 0): no answer came, after the retries a dropped connection gets. */
  private unreachable(why: OctokitHttpError | string): GitHubError {
    const cause = typeof why === 'string' ? undefined : (why.cause as { cause?: unknown } | undefined)?.cause;
    const text = typeof why === 'string' ? why : why.message || (cause instanceof Error ? cause.message : 'no answer');
    return new GitHubError(
      0,
      `cannot reach GitHub at ${new URL(this.apiUrl).origin}: ${text}`,
      "check the network and the rig's pr.api_url",
    );
  }

  /** One REST call by method and path (relative to the API URL). GETs are conditional as every call is. */
  async rest<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const r = await (
      await this.octokit()
    ).request(`${method.toUpperCase()} ${path}`, body !== undefined ? { data: body } : {});
    return { status: r.status, data: r.data as T, cached: (r.status as number) === 304 };
  }

  /** A GraphQL call (`/graphql`, or `/api/graphql` on Enterprise Server); errors in the answer are thrown with GitHub's message. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    try {
      return await (await this.octokit()).graphql<T>(query, variables);
    } catch (e) {
      const errors = (e as { errors?: { message: string }[] }).errors;
      if (e instanceof Error && e.name === 'GraphqlResponseError' && errors)
        throw new GitHubError(200, `GitHub GraphQL: ${errors.map((x) => x.message).join('; ')}`);
      throw e;
    }
  }

  // --- the calls the refinery makes ---

  async createPull(
    repo: string,
    p: { title: string; head: string; base: string; body: string; draft?: boolean },
  ): Promise<PullRequest> {
    const { rest } = await this.octokit();
    return (await rest.pulls.create({ ...split(repo), ...p })).data as unknown as PullRequest;
  }

  /** Open pull requests whose head is `owner:branch` (one at most on GitHub). */
  async findOpenPull(repo: string, headOwner: string, branch: string, base: string): Promise<PullRequest | undefined> {
    const { rest } = await this.octokit();
    return (await rest.pulls.list({ ...split(repo), head: `${headOwner}:${branch}`, base, state: 'open' }))
      .data[0] as unknown as PullRequest | undefined;
  }

  async getPull(repo: string, n: number): Promise<ApiResponse<PullRequest>> {
    const { rest } = await this.octokit();
    const r = await rest.pulls.get({ ...split(repo), pull_number: n });
    return { status: r.status, data: r.data as unknown as PullRequest, cached: (r.status as number) === 304 };
  }

  async updatePull(
    repo: string,
    n: number,
    fields: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<PullRequest> {
    const { rest } = await this.octokit();
    return (await rest.pulls.update({ ...split(repo), pull_number: n, ...fields })).data as unknown as PullRequest;
  }

  async mergePull(
    repo: string,
    n: number,
    o: { merge_method: 'merge' | 'squash' | 'rebase'; sha: string; commit_title?: string },
  ): Promise<{ sha: string; merged: boolean; message: string }> {
    const { rest } = await this.octokit();
    return (await rest.pulls.merge({ ...split(repo), pull_number: n, ...o })).data;
  }

  async checkRuns(repo: string, ref: string): Promise<CheckRun[]> {
    const { rest } = await this.octokit();
    return (await rest.checks.listForRef({ ...split(repo), ref, per_page: 100 })).data
      .check_runs as unknown as CheckRun[];
  }

  /**
   * The log of a GitHub Actions job (a check run reported by `github-actions` has the job's id). GitHub answers 302
   * to a short-lived download URL; fetch follows it (dropping our token on the way to another host).
   */
  async jobLog(repo: string, jobId: number): Promise<string> {
    const { rest } = await this.octokit();
    const r = await rest.actions.downloadJobLogsForWorkflowRun({ ...split(repo), job_id: jobId });
    const d: unknown = r.data;
    return typeof d === 'string' ? d : d instanceof ArrayBuffer ? Buffer.from(d).toString('utf8') : String(d ?? '');
  }

  async combinedStatus(repo: string, ref: string): Promise<{ state: string; statuses: CommitStatus[] }> {
    const { rest } = await this.octokit();
    return (await rest.repos.getCombinedStatusForRef({ ...split(repo), ref, per_page: 100 })).data as unknown as {
      state: string;
      statuses: CommitStatus[];
    };
  }

  async reviews(repo: string, n: number): Promise<Review[]> {
    const { rest } = await this.octokit();
    return (await rest.pulls.listReviews({ ...split(repo), pull_number: n, per_page: 100 }))
      .data as unknown as Review[];
  }

  async reviewComments(repo: string, n: number): Promise<ReviewComment[]> {
    const { rest } = await this.octokit();
    return (await rest.pulls.listReviewComments({ ...split(repo), pull_number: n, per_page: 100 }))
      .data as unknown as ReviewComment[];
  }

  async issueComments(repo: string, n: number): Promise<IssueComment[]> {
    const { rest } = await this.octokit();
    return (await rest.issues.listComments({ ...split(repo), issue_number: n, per_page: 100 }))
      .data as unknown as IssueComment[];
  }

  async comment(repo: string, n: number, body: string): Promise<void> {
    const { rest } = await this.octokit();
    await rest.issues.createComment({ ...split(repo), issue_number: n, body });
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

/** `owner/name` → Octokit's `{ owner, repo }`. */
function split(repo: string): { owner: string; repo: string } {
  const i = repo.indexOf('/');
  return { owner: repo.slice(0, i), repo: repo.slice(i + 1) };
}
