// The kubelet's probes for one running container, with the API's semantics: a startupProbe holds `started` false
// (and the other probes off) until it succeeds, and kills the container after failureThreshold failures; a
// readinessProbe sets `ready` after successThreshold successes and clears it after failureThreshold failures; a
// livenessProbe kills the container after failureThreshold failures. Handlers: exec (in the container, with its
// env), httpGet and tcpSocket on loopback. Defaults: period 10 s, timeout 1 s, thresholds 1 and 3.
import { connect } from 'node:net';
import { execIn, type Running } from './container.ts';
import type { ContainerSpec } from './types.ts';

export interface Probe {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; scheme?: string };
  tcpSocket?: { port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ProbeState {
  started: boolean;
  ready: boolean;
}

export const probesOf = (c: ContainerSpec) => ({
  startup: c.startupProbe as Probe | undefined,
  readiness: c.readinessProbe as Probe | undefined,
  liveness: c.livenessProbe as Probe | undefined,
});

export function hasProbes(c: ContainerSpec): boolean {
  const p = probesOf(c);
  return Boolean(p.startup || p.readiness || p.liveness);
}

function runOnce(running: Running, p: Probe, timeoutMs: number): Promise<boolean> {
  if (p.exec) {
    return new Promise((ok) => {
      const child = execIn(running, p.exec!.command, false);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', () => ok(false));
      child.on('close', (code) => {
        clearTimeout(timer);
        ok(code === 0);
      });
    });
  }
  if (p.httpGet) {
    const url = `${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://127.0.0.1:${p.httpGet.port}${p.httpGet.path ?? '/'}`;
    return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
      (r) => r.status >= 200 && r.status < 400,
      () => false,
    );
  }
  if (p.tcpSocket) {
    return new Promise((ok) => {
      const s = connect(Number(p.tcpSocket!.port), '127.0.0.1');
      const done = (v: boolean) => (s.destroy(), ok(v));
      s.setTimeout(timeoutMs, () => done(false));
      s.on('connect', () => done(true));
      s.on('error', () => done(false));
    });
  }
  return Promise.resolve(false);
}

/**
 * Probes `running` until the returned stop is called. `changed` gets each new started/ready state; `failed` is
 * called when a startup or liveness probe gives up (the kubelet then kills the container). `secondMs` is how long a
 * probe second lasts (tests shorten it).
 */
export function startProbes(
  running: Running,
  c: ContainerSpec,
  secondMs: number,
  changed: (s: ProbeState) => void,
  failed: (which: 'startup' | 'liveness') => void,
): () => void {
  const { startup, readiness, liveness } = probesOf(c);
  const state: ProbeState = { started: !startup, ready: false };
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const after = (seconds: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) f();
    }, seconds * secondMs);
    timers.add(t);
  };
  /** Runs `p` every period; `result` gets each verdict once the thresholds are met. */
  const loop = (p: Probe, result: (ok: boolean) => boolean | void) => {
    let successes = 0;
    let failures = 0;
    const tick = async () => {
      const ok = await runOnce(running, p, (p.timeoutSeconds ?? 1) * secondMs);
      if (stopped) return;
      successes = ok ? successes + 1 : 0;
      failures = ok ? 0 : failures + 1;
      let again = true;
      if (ok && successes >= (p.successThreshold ?? 1)) again = result(true) !== false;
      if (!ok && failures >= (p.failureThreshold ?? 3)) again = result(false) !== false;
      if (again) after(p.periodSeconds ?? 10, () => void tick());
    };
    after(p.initialDelaySeconds ?? 0, () => void tick());
  };
  const set = (next: Partial<ProbeState>) => {
    const before = JSON.stringify(state);
    Object.assign(state, next);
    if (JSON.stringify(state) !== before) changed({ ...state });
  };
  const afterStart = () => {
    if (readiness) loop(readiness, (ok) => set({ ready: ok }));
    else set({ ready: true });
    if (liveness)
      loop(liveness, (ok) => {
        if (ok) return true;
        failed('liveness');
        return false;
      });
  };
  if (startup)
    loop(startup, (ok) => {
      if (!ok) {
        failed('startup');
        return false;
      }
      set({ started: true });
      afterStart();
      return false;
    });
  else afterStart();
  changed({ ...state });
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
  };
}
