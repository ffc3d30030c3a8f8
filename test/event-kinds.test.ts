// One list of event kinds (src/kernel/event-kinds.ts): no code outside it names a kind as a bare string, so a
// renamed or new kind is a change in one place that typecheck follows (writers' payloads are typed by kind).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOWN_EVENTS, TOWN_EVENT_KINDS, townEventDomain } from '../src/kernel/index.ts';

const root = resolve(import.meta.dirname, '..');
const LIST = 'src/kernel/event-kinds.ts';

/** Every source file of src/ but tests and the list, as [path, code lines without comments]. */
function sources(): [string, string[]][] {
  const out: [string, string[]][] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.test.ts') && relative(root, p) !== LIST) {
        const lines = readFileSync(p, 'utf8')
          .split('\n')
          .map((l) => (/^\s*(\/\/|\*|\/\*)/.test(l) ? '' : l.replace(/\s\/\/ .*$/, '')));
        out.push([relative(root, p), lines]);
      }
    }
  };
  walk(join(root, 'src'));
  return out;
}

/** `file:line: text` for each line matching one of `patterns`. */
function hits(patterns: RegExp[]): string[] {
  const found: string[] = [];
  for (const [file, lines] of sources()) {
    lines.forEach((l, i) => {
      if (patterns.some((p) => p.test(l))) found.push(`${file}:${i + 1}: ${l.trim()}`);
    });
  }
  return found;
}

const quote = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

describe('the list of event kinds', () => {
  it('is where code names town event kinds: none appears as a bare string elsewhere in src/', () => {
    const dotted = TOWN_EVENT_KINDS.filter((k) => k.includes('.') || k.includes('-'));
    const single = TOWN_EVENT_KINDS.filter((k) => !dotted.includes(k));
    expect(single.length).toBeGreaterThan(0);
    const patterns = [
      ...dotted.map((k) => new RegExp(`['"\`]${quote(k)}['"\`]`)),
      // A kind built from a domain and a variable (`sling.${status}`) is a bare kind too.
      new RegExp(`['"\`]((${Object.keys(TOWN_EVENTS).join('|')})\\.|refinery\\.origin-)\\$\\{`),
      // Words that are also mail types or labels ('escalation', 'handoff') count where they stand for a kind.
      ...single.map((k) => new RegExp(`kind\\W{1,8}'${k}'|kind IN \\([^)]*'${k}'`)),
    ];
    expect(hits(patterns)).toEqual([]);
  });

  it('is where code names bead event kinds: no store.event call passes a bare string', () => {
    expect(hits([/\.event\([^,]+,\s*['"`]/])).toEqual([]);
  });

  it('holds each kind once, under the domain it starts with (what the dashboard and gt feed --kind group by)', () => {
    expect(new Set(TOWN_EVENT_KINDS).size).toBe(TOWN_EVENT_KINDS.length);
    for (const [domain, kinds] of Object.entries(TOWN_EVENTS)) {
      const flat = JSON.stringify(kinds)
        .match(/"[a-z][^"]*"(?=[,}])/g)!
        .map((s) => JSON.parse(s) as string);
      for (const k of flat) expect([k, townEventDomain(k)]).toEqual([k, domain]);
    }
    expect(townEventDomain('sling.teleported')).toBeUndefined();
  });
});
