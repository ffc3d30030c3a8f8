// What the refinery knows of GitHub apart from the client: where it is (the API's URL, the token, a repository's
// owner/name from a remote URL), the shapes of its answers, and how its failures read (errors with a hint naming the
// cause, a rate limit's wait, a connection that a retry would not cure).
import { GtError } from '../kernel/index.ts';
import { runSync } from '../proc/index.ts';

export const DEFAULT_API_URL = 'https://api.github.com';

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
export function resolveToken(
  env: NodeJS.ProcessEnv,
  apiUrl = DEFAULT_API_URL,
): { token: string; source: string } | undefined {
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
  constructor(status: number, message: string, hint?: string, details?: unknown) {
    super(status === 0 ? 'GH_UNREACHABLE' : 'GH_API', message, {
      ...(hint ? { hint } : {}),
      ...(details !== undefined ? { details } : {}),
    });
    this.status = status;
  }
}

export function hintFor(status: number): string | undefined {
  if (status === 401) return 'the token was refused: set GITHUB_TOKEN or GH_TOKEN, or log in with gh auth login';
  if (status === 403)
    return 'the token lacks a permission for this repository (pull requests: write, contents: write, checks: read)';
  if (status === 404) return "check the rig's pr.repo (owner/name) and that the token can see the repository";
  return undefined;
}

/** `owner/name` from a remote URL on a GitHub host (https, ssh or scp-like), else undefined. */
export function repoFromUrl(url: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[/:](?:.*\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(
    url.trim(),
  );
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** What Octokit answers (the parts used here). */
export interface HookResponse {
  status: number;
  url: string;
  headers: Record<string, string | undefined>;
  data: unknown;
}
/** Octokit's RequestError (`@octokit/request-error`), told by its shape: the class is not a dependency of ours. */
export interface OctokitHttpError {
  name: 'HttpError';
  status: number;
  message: string;
  response?: HookResponse;
  cause?: unknown;
}
export const isHttpError = (e: unknown): e is OctokitHttpError =>
  e instanceof Error && e.name === 'HttpError' && typeof (e as { status?: unknown }).status === 'number';

/** Socket errors a retry a second later would not cure: nothing listens there, or the host name does not resolve. */
const FINAL_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/**
 * Why a request got no answer, when a retry would not get one either: `timeout`, `refused` (nothing listens, or no
 * such host); undefined for a reset or closed connection, which the retry plugin tries again.
 */
export function finalNetworkFailure(e: OctokitHttpError): 'timeout' | 'refused' | undefined {
  // Octokit's error wraps fetch's: a TimeoutError from the attempt's signal, or a TypeError whose cause is the
  // socket's error (an AggregateError, with one error per address, when several addresses were tried).
  const fetchError = e.cause as { name?: string; cause?: unknown } | undefined;
  if (fetchError?.name === 'TimeoutError') return 'timeout';
  const socket = fetchError?.cause as { code?: unknown; errors?: { code?: unknown }[] } | undefined;
  const codes = [socket?.code, ...(Array.isArray(socket?.errors) ? socket.errors.map((x) => x?.code) : [])];
  return codes.some((c) => typeof c === 'string' && FINAL_SOCKET_ERRORS.has(c)) ? 'refused' : undefined;
}

/**
 * How long until a rate limit GitHub answered lifts, from its headers (Octokit's lower-cased header object), to tell
 * when it resets once the throttling plugin has declined to wait: `retry-after` (seconds; secondary limits), else an
 * exhausted primary limit (`x-ratelimit-remaining: 0`) until `x-ratelimit-reset` (epoch seconds). Undefined: not a
 * rate limit (a plain 403 is a permission problem).
 */
export function rateLimitWait(headers: Record<string, string | number | undefined>, now: number): number | undefined {
  const h = (k: string): string | undefined => (headers[k] === undefined ? undefined : String(headers[k]));
  const after = h('retry-after');
  if (after && /^\d+$/.test(after)) return Number(after) * 1000;
  if (h('x-ratelimit-remaining') === '0') {
    const reset = Number(h('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now + 1000);
    return 60_000;
  }
  return undefined;
}
