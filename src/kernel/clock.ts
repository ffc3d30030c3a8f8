// Time as a port, so pure code can be given a fixed instant.

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** ISO-8601 UTC with milliseconds: the one timestamp format of stored data. */
export function isoNow(clock: Clock = systemClock): string {
  return clock().toISOString();
}
