// GitHub webhooks: verify the HMAC signature of a delivery and say which pull request it concerns, so the refinery
// can look at that PR now instead of at its next poll. Framework-free: the town's HTTP server mounts it at
// POST /hooks/github (see docs/refinery.md) and hands it the raw body and headers.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerdict =
  | { ok: true; event: string; delivery: string; repo: string | undefined; pulls: PullRef[] }
  | { ok: false; status: 400 | 401; reason: string };

export interface PullRef {
  repo: string;
  /** The PR number when the event names one; else the head branch (check runs and statuses name a commit). */
  number?: number;
  branch?: string;
  sha?: string;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body), as GitHub sends in `X-Hub-Signature-256`. */
export function signatureOf(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Compare in constant time; a missing, malformed or wrong signature is refused. The body must be the raw bytes. */
export function verifySignature(secret: string, body: Buffer | string, header: string | undefined | null): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const want = Buffer.from(signatureOf(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(h: Headers, name: string): string | undefined {
  if (typeof (h as { get?: unknown }).get === 'function')
    return (h as { get(n: string): string | null }).get(name) ?? undefined;
  const v =
    (h as Record<string, string | string[] | undefined>)[name] ??
    (h as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Check one delivery and read what it is about. 401: unsigned or badly signed (nothing in it is trusted);
 * 400: signed but not JSON. Events that do not concern a pull request come back with no `pulls`.
 */
export function readWebhook(secret: string, rawBody: Buffer | string, headers: Headers): WebhookVerdict {
  if (!secret) return { ok: false, status: 401, reason: 'no webhook secret is configured' };
  if (!verifySignature(secret, rawBody, header(headers, 'x-hub-signature-256')))
    return { ok: false, status: 401, reason: 'bad or missing X-Hub-Signature-256' };
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, status: 400, reason: 'the body is not JSON' };
  }
  const event = header(headers, 'x-github-event') ?? '';
  const delivery = header(headers, 'x-github-delivery') ?? '';
  const repo = (payload.repository as { full_name?: string } | undefined)?.full_name;
  return { ok: true, event, delivery, repo, pulls: repo ? pullsOf(event, payload, repo) : [] };
}

function pullsOf(event: string, p: Record<string, unknown>, repo: string): PullRef[] {
  const pr = p.pull_request as { number?: number; head?: { ref?: string; sha?: string } } | undefined;
  if (
    (event === 'pull_request' || event === 'pull_request_review' || event === 'pull_request_review_comment') &&
    pr?.number
  ) {
    return [
      {
        repo,
        number: pr.number,
        ...(pr.head?.ref ? { branch: pr.head.ref } : {}),
        ...(pr.head?.sha ? { sha: pr.head.sha } : {}),
      },
    ];
  }
  if (event === 'check_run' || event === 'check_suite') {
    const o = (p.check_run ?? p.check_suite) as { head_sha?: string; pull_requests?: { number: number }[] } | undefined;
    return (o?.pull_requests ?? []).map((x) => ({
      repo,
      number: x.number,
      ...(o?.head_sha ? { sha: o.head_sha } : {}),
    }));
  }
  if (event === 'status') {
    const sha = p.sha as string | undefined;
    const branches = (p.branches as { name: string }[] | undefined) ?? [];
    return branches.map((b) => ({ repo, branch: b.name, ...(sha ? { sha } : {}) }));
  }
  if (event === 'merge_group') {
    const g = p.merge_group as { head_sha?: string } | undefined;
    return g?.head_sha ? [{ repo, sha: g.head_sha }] : [];
  }
  return [];
}
