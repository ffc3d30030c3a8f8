// The one error class of the project: a stable code, a message naming the offending thing, and a safe hint.

/** Exit status the CLI uses for an error of this kind: 1 = the operation failed, 2 = the command was used wrongly. */
export type ExitKind = 'error' | 'usage';

export class GtError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly kind: ExitKind;
  readonly details: unknown;

  constructor(code: string, message: string, opts: { hint?: string; kind?: ExitKind; details?: unknown } = {}) {
    super(message);
    this.name = 'GtError';
    this.code = code;
    this.hint = opts.hint;
    this.kind = opts.kind ?? 'error';
    this.details = opts.details;
  }
}

export function usageError(code: string, message: string, hint?: string): GtError {
  return new GtError(code, message, { kind: 'usage', ...(hint ? { hint } : {}) });
}

export function isGtError(e: unknown): e is GtError {
  return e instanceof GtError;
}

/** Message text of any thrown value, for wrapping foreign errors. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
