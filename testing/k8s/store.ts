// The object store behind the test API server, with etcd's semantics as the API shows them: one resourceVersion
// counter across all objects (served as strings), every change a watch event kept in a history that compact()
// forgets, so a watch from a forgotten version is told 410 Expired.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change: `object` after it (for DELETED: the last state, at the deletion's version), `prev` before it. */
export interface Change {
  rv: number;
  resource: string;
  type: EventType;
  object: KubeObject;
  prev?: KubeObject;
}

type Listener = (c: Change) => void;

const clone = <T>(o: T): T => structuredClone(o);

export class Store {
  private rv = 1;
  /** resource → "ns/name" → object */
  private objects = new Map<string, Map<string, KubeObject>>();
  private history: Change[] = [];
  /** The oldest version a watch may start from; older ones were compacted. */
  private oldest = 1;
  private listeners = new Set<Listener>();

  version(): number {
    return this.rv;
  }

  oldestWatchable(): number {
    return this.oldest;
  }

  private table(resource: string): Map<string, KubeObject> {
    let t = this.objects.get(resource);
    if (!t) this.objects.set(resource, (t = new Map()));
    return t;
  }

  get(resource: string, ns: string, name: string): KubeObject | undefined {
    const o = this.table(resource).get(`${ns}/${name}`);
    return o && clone(o);
  }

  list(resource: string, ns?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.table(resource).values()) if (ns === undefined || o.metadata.namespace === ns) out.push(o);
    return out.map(clone);
  }

  /** Stores a new object: uid, creationTimestamp and resourceVersion are set here. Returns what was stored. */
  create(resource: string, obj: KubeObject): KubeObject {
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now();
    return this.write(resource, obj, 'ADDED');
  }

  /** Replaces an object (it must exist) with `mutate`'s change applied to a copy; a new resourceVersion. */
  update(resource: string, ns: string, name: string, mutate: (o: KubeObject) => void): KubeObject | undefined {
    const cur = this.table(resource).get(`${ns}/${name}`);
    if (!cur) return undefined;
    const next = clone(cur);
    mutate(next);
    return this.write(resource, next, 'MODIFIED', cur);
  }

  remove(resource: string, ns: string, name: string): KubeObject | undefined {
    const key = `${ns}/${name}`;
    const cur = this.table(resource).get(key);
    if (!cur) return undefined;
    this.table(resource).delete(key);
    const gone = clone(cur);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, resource, type: 'DELETED', object: gone, prev: cur });
    return clone(gone);
  }

  private write(resource: string, obj: KubeObject, type: EventType, prev?: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    this.table(resource).set(key, clone(obj));
    this.emit({ rv: this.rv, resource, type, object: clone(obj), ...(prev ? { prev } : {}) });
    return clone(obj);
  }

  private emit(c: Change): void {
    this.history.push(c);
    for (const l of this.listeners) l(c);
  }

  /**
   * The changes after `from` (a resourceVersion), or 'expired' when they were compacted away; then `listener` gets
   * every later change until the returned function is called.
   */
  watch(from: number, listener: Listener): { replay: Change[]; stop: () => void } | 'expired' {
    if (from < this.oldest - 1) return 'expired';
    const replay = this.history.filter((c) => c.rv > from);
    this.listeners.add(listener);
    return { replay, stop: () => this.listeners.delete(listener) };
  }

  /** Forgets the history: only a watch from the current version (or a fresh list) can start afterwards. */
  compact(): void {
    this.history = [];
    this.oldest = this.rv + 1;
  }
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
