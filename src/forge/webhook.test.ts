// Webhook deliveries as the GitHub fake signs them: a good signature is read, a forged or missing one refused.
import { describe, expect, it } from 'vitest';
import { readWebhook, signatureOf, verifySignature } from './webhook.ts';

const SECRET = 'hook secret';
const body = JSON.stringify({
  action: 'completed',
  check_run: { head_sha: 'a'.repeat(40), pull_requests: [{ number: 7 }] },
  repository: { full_name: 'acme/app' },
});

describe('GitHub webhooks', () => {
  it('accepts a delivery signed with the secret and names the PR it concerns', () => {
    const v = readWebhook(SECRET, Buffer.from(body), {
      'x-hub-signature-256': signatureOf(SECRET, body),
      'x-github-event': 'check_run',
      'x-github-delivery': 'd1',
    });
    expect(v).toEqual({
      ok: true,
      event: 'check_run',
      delivery: 'd1',
      repo: 'acme/app',
      pulls: [{ repo: 'acme/app', number: 7, sha: 'a'.repeat(40) }],
    });
  });

  it('refuses a wrong secret, a changed body, a missing or malformed signature, and an unset secret', () => {
    const good = signatureOf(SECRET, body);
    expect(
      readWebhook(SECRET, body, { 'x-hub-signature-256': signatureOf('other', body), 'x-github-event': 'check_run' }),
    ).toMatchObject({ ok: false, status: 401 });
    expect(readWebhook(SECRET, body.replace('7', '8'), { 'x-hub-signature-256': good })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(readWebhook(SECRET, body, {})).toMatchObject({ ok: false, status: 401 });
    expect(verifySignature(SECRET, body, good.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifySignature(SECRET, body, good.slice(0, -2))).toBe(false);
    expect(readWebhook('', body, { 'x-hub-signature-256': good })).toMatchObject({
      ok: false,
      status: 401,
      reason: 'no webhook secret is configured',
    });
  });

  it('a signed body that is not JSON is a 400; headers may come as a Headers object', () => {
    expect(
      readWebhook(SECRET, 'nope', new Headers({ 'x-hub-signature-256': signatureOf(SECRET, 'nope') })),
    ).toMatchObject({ ok: false, status: 400 });
    const pr = JSON.stringify({
      action: 'closed',
      pull_request: { number: 3, head: { ref: 'polecat/a/b', sha: 'b'.repeat(40) } },
      repository: { full_name: 'acme/app' },
    });
    const v = readWebhook(
      SECRET,
      pr,
      new Headers({ 'x-hub-signature-256': signatureOf(SECRET, pr), 'x-github-event': 'pull_request' }),
    );
    expect(v).toMatchObject({ ok: true, pulls: [{ number: 3, branch: 'polecat/a/b' }] });
  });
});
