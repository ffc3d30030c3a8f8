// Prices per model (US dollars per million tokens) and the cost of token counts. The defaults are the list prices
// Claude Code 2.1.330 carries in its own model catalog; `costs.prices` in settings/config.json overrides or adds.
import type { Tokens } from './transcript.ts';

export interface Price {
  input: number;
  output: number;
  cache_read: number;
  /** Five-minute cache writes (what Claude Code requests). */
  cache_write: number;
}

const p = (input: number, output: number, cache_read: number, cache_write: number): Price => ({
  input,
  output,
  cache_read,
  cache_write,
});

/** Model id → price. A dated id (`claude-haiku-4-5-20251001`) is priced by its undated form. */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = Object.freeze({
  'claude-3-5-haiku': p(0.8, 4, 0.08, 1),
  'claude-haiku-4-5': p(1, 5, 0.1, 1.25),
  'claude-haiku-5-5': p(0.1, 0.5, 0.01, 0.125),
  'claude-3-5-sonnet': p(3, 15, 0.3, 3.75),
  'claude-3-7-sonnet': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4-0': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4-5': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4-6': p(3, 15, 0.3, 3.75),
  'claude-sonnet-5': p(2, 10, 0.2, 2.5),
  'claude-sonnet-5-5': p(2, 10, 0.1, 2.5),
  'claude-opus-4-0': p(15, 75, 1.5, 18.75),
  'claude-opus-4': p(15, 75, 1.5, 18.75),
  'claude-opus-4-1': p(15, 75, 1.5, 18.75),
  'claude-opus-4-5': p(5, 25, 0.5, 6.25),
  'claude-opus-4-6': p(5, 25, 0.5, 6.25),
  'claude-opus-4-7': p(5, 25, 0.5, 6.25),
  'claude-opus-4-8': p(5, 25, 0.5, 6.25),
  'claude-opus-5': p(5, 25, 0.5, 6.25),
  'claude-opus-5-5': p(4, 20, 0.2, 5),
  'claude-fable-5': p(10, 50, 1, 12.5),
  'claude-fable-5-1': p(10, 50, 0.25, 12.5),
  'claude-fable-5-2': p(8, 40, 0.2, 10),
  'claude-mythos-5': p(10, 50, 1, 12.5),
  'claude-mythos-5-1': p(10, 50, 0.25, 12.5),
  'claude-mythos-5-2': p(8, 40, 0.2, 10),
});

export type PriceTable = Readonly<Record<string, Price>>;

/** The defaults with the settings' overrides on top. */
export function priceTable(overrides: Readonly<Record<string, Price>> = {}): PriceTable {
  return { ...DEFAULT_PRICES, ...overrides };
}

/**
 * The price of `model`: an exact entry, else the id without a date suffix (`-20251001`) or a `[1m]`-style tag, else
 * the longest entry that is a prefix of it followed by "-" (`claude-opus-5-5-fast` → `claude-opus-5-5`). Undefined
 * when nothing matches: such usage is counted but has no cost.
 */
export function priceFor(model: string, table: PriceTable): Price | undefined {
  if (table[model]) return table[model];
  const bare = model
    .replace(/\[[^\]]*\]$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/@\d{8}$/, '');
  if (table[bare]) return table[bare];
  let best: string | undefined;
  for (const k of Object.keys(table)) if (bare.startsWith(`${k}-`) && (!best || k.length > best.length)) best = k;
  return best ? table[best] : undefined;
}

/** Dollars for these tokens at this price (unrounded). */
export function costOf(t: Tokens, price: Price): number {
  return (
    (t.input * price.input +
      t.output * price.output +
      t.cache_read * price.cache_read +
      t.cache_write * price.cache_write) /
    1_000_000
  );
}

/** Dollars rounded to a millionth, for display and JSON. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}
