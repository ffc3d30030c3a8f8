// The API's failure answers: a metav1.Status body (kind Status, status Failure, reason, message, details, code) with
// the HTTP code of its reason, worded as kube-apiserver words them.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>, headers = {}) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  body(): Record<string, unknown> {
    return failure(this.code, this.reason, this.message, this.details);
  }
}

export function failure(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const notFound = (resource: string, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });

export const alreadyExists = (resource: string, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

/** 422: `<Kind> "<name>" is invalid: <field>: <message>, ...` with one cause per field. */
export function invalid(kind: string, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes });
}

export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');

export function forbidden(user: string, verb: string, resource: string, ns: string | undefined, name?: string) {
  const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${resource}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group ""${where}`,
    { ...(name ? { name } : {}), kind: resource },
  );
}

export const tooManyRequests = (seconds: number): ApiError =>
  new ApiError(
    429,
    'TooManyRequests',
    'Too many requests, please try again later.',
    { retryAfterSeconds: seconds },
    {
      'retry-after': String(seconds),
    },
  );

export const expired = (asked: number, oldest: number): ApiError =>
  new ApiError(410, 'Expired', `too old resource version: ${asked} (${oldest})`);

export const methodNotAllowed = (method: string): ApiError =>
  new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
