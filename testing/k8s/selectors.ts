// Label and field selectors as the API parses them: labels `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
// `!a`, comma-joined (all must hold); fields `path=value`, `path==value`, `path!=value` over the few paths a
// resource supports (anything else is a 400, as the API answers).
import type { KubeObject } from './types.ts';

export type Matcher = (o: KubeObject) => boolean;

export class SelectorError extends Error {}

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkKey(k: string, whole: string): string {
  if (!KEY.test(k)) throw new SelectorError(`unable to parse requirement: invalid label key "${k}" in "${whole}"`);
  return k;
}

export function labelMatcher(selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const tests = terms(selector).map((t): ((l: Record<string, string>) => boolean) => {
    let m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m) {
      const key = checkKey(m[1]!, selector);
      const values = new Set((m[3] ?? '').split(',').map((v) => v.trim()));
      return m[2] === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
    if (m) {
      const key = checkKey(m[1]!, selector);
      const value = m[3]!;
      return m[2] === '!=' ? (l) => l[key] !== value : (l) => key in l && l[key] === value;
    }
    if (t.startsWith('!')) {
      const key = checkKey(t.slice(1).trim(), selector);
      return (l) => !(key in l);
    }
    const key = checkKey(t, selector);
    return (l) => key in l;
  });
  return (o) => tests.every((f) => f(o.metadata.labels ?? {}));
}

/** The fields each resource can be selected by, and how to read them. */
const FIELDS: Record<string, Record<string, (o: KubeObject) => string>> = {
  pods: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    'spec.nodeName': (o) => String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
    'spec.restartPolicy': (o) => String((o.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? ''),
    'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? ''),
  },
  secrets: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    type: (o) => String(o.type ?? ''),
  },
};

export function fieldMatcher(resource: string, selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const fields = FIELDS[resource] ?? { 'metadata.name': (o: KubeObject) => o.metadata.name };
  const tests = terms(selector).map((t): Matcher => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${t}'`);
    const read = fields[m[1]!];
    if (!read)
      throw new SelectorError(`"${m[1]}" is not a known field selector: only "${Object.keys(fields).join('", "')}"`);
    const value = m[3]!;
    return m[2] === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
  });
  return (o) => tests.every((f) => f(o));
}
