// How the dashboard answers a failure: one JSON shape, a status chosen from the error, never a crash.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod/mini';
import { isGtError, messageOf } from '../../kernel/index.ts';

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; field?: string };
}

/** An error the routes throw on purpose: its status and body are sent as they are. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    opts: { field?: string; hint?: string } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = opts.field;
    this.hint = opts.hint;
  }
}

/** Library error codes that mean "no such thing" or "not in a state for that". */
const NOT_FOUND = /NOT_FOUND|NO_SUCH|UNKNOWN_RIG|NOT_A_RIG/;
const CONFLICT = /NOT_RETRYABLE|NOT_REJECTABLE|CLOSED|ALREADY|NO_SESSION|NOT_RUNNING|LOCKED|BUSY/;

export function statusOf(e: unknown): ContentfulStatusCode {
  if (e instanceof HttpError) return e.status;
  if (!isGtError(e)) return 500;
  if (NOT_FOUND.test(e.code)) return 404;
  if (CONFLICT.test(e.code)) return 409;
  return e.kind === 'usage' || e.code.startsWith('BD_') || e.code === 'GT_BAD_CONFIG' ? 400 : 409;
}

export function bodyOf(e: unknown): ErrorBody {
  if (e instanceof HttpError) {
    return {
      error: {
        code: e.code,
        message: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
        ...(e.field !== undefined ? { field: e.field } : {}),
      },
    };
  }
  if (isGtError(e)) return { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  return { error: { code: 'GT_DASHBOARD_INTERNAL', message: messageOf(e) } };
}

export function errorResponse(c: Context, e: unknown): Response {
  return c.json(bodyOf(e), statusOf(e));
}

/** The dotted key of a zod issue (`caps.polecats_per_rig`; an unknown key names itself). */
export function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.join('.');
}

/** A 400 naming the first problem zod found. */
export function invalid(code: string, error: z.core.$ZodError, prefix = ''): HttpError {
  const first = error.issues[0];
  const field = first ? fieldOf(first) : '';
  const message = first
    ? first.code === 'unrecognized_keys'
      ? `unknown key "${field}"`
      : first.message.replace(/^Invalid input: /, '')
    : 'invalid';
  return new HttpError(400, code, message, { field: prefix && field ? `${prefix}.${field}` : prefix || field });
}

/** The JSON body of a request validated with `schema`; bad JSON or a bad shape is a 400. */
export async function jsonBody<S extends z.ZodMiniType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, 'GT_BAD_JSON', `the request body is not valid JSON (${messageOf(e)})`);
    }
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid('GT_BAD_REQUEST', r.error);
  return r.data as z.infer<S>;
}

/** An integer query parameter within [min, max], or the default; anything else is a 400 naming it. */
export function intParam(c: Context, name: string, dflt: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new HttpError(400, 'GT_BAD_REQUEST', `${name} must be a whole number from ${min} to ${max}, not "${raw}"`, {
      field: name,
    });
  return n;
}
