// The one node of the test cluster: the scheduler's decision (capacity, nodeSelector, a lost node's taint), then
// the kubelet's work for each bound pod (volumes, image "pull", init containers, the container as a real process
// tree) and the status it reports at every step; graceful deletion; and the faults tests inject (eviction, OOM
// kill, node loss, failing pulls). Every status change is a store update, so watches see each step.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hasStarted, podInit, preparePodDir, readStartError, startContainer, type Running } from './container.ts';
import { prepareVolumes, planContainer, SetupError } from './pod-setup.ts';
import { imageID, NODE_NAME, nodeLost, podStatus, pullFailure, type PodView } from './pod-status.ts';
import { hasProbes, startProbes } from './probes.ts';
import { findImage, unschedulable } from './scheduler.ts';
import { now, type Store } from './store.ts';
import type { ContainerSpec, ImageSpec, Pod } from './types.ts';

const RETRY_MS = 1000;

interface PodRun {
  key: string;
  ns: string;
  name: string;
  dir: string;
  view: PodView;
  running?: Running;
  /** Why we are killing the container, so its exit is reported as that. */
  killing?: { reason: string; exitCode: number; message?: string };
  timers: Set<NodeJS.Timeout>;
  deleting: boolean;
  exited?: Promise<void>;
}

export interface NodeOptions {
  dir: string;
  images: Record<string, ImageSpec>;
  maxPods: number;
  /** How long a probe second lasts (ms). */
  probeSecondMs: number;
  port: () => number;
}

export class Node {
  private runs = new Map<string, PodRun>();
  private failing = new Set<string>();
  private lost = false;
  private capacity: number;
  private stopped = false;
  private store: Store;
  private o: NodeOptions;
  constructor(store: Store, o: NodeOptions) {
    this.store = store;
    this.o = o;
    this.capacity = o.maxPods;
  }

  private pod(r: PodRun): Pod | undefined {
    return this.store.get('pods', r.ns, r.name) as Pod | undefined;
  }

  private publish(r: PodRun, extra?: (p: Pod) => void): void {
    const cur = this.pod(r);
    if (!cur) return;
    if (!extra && JSON.stringify(podStatus(cur, r.view)) === JSON.stringify(cur.status)) return; // the kubelet writes changes only
    this.store.update('pods', r.ns, r.name, (o) => {
      const p = o as Pod;
      extra?.(p);
      p.status = podStatus(p, r.view);
    });
  }

  private later(r: PodRun, ms: number, f: () => void): void {
    const t = setTimeout(() => {
      r.timers.delete(t);
      if (!this.stopped && this.runs.get(r.key) === r) f();
    }, ms);
    r.timers.add(t);
  }

  /** A pod was created: the scheduler will see it. */
  added(pod: Pod): void {
    const ns = pod.metadata.namespace!;
    const key = `${ns}/${pod.metadata.name}`;
    const dir = join(this.o.dir, 'pods', ns, `${pod.metadata.name}-${pod.metadata.uid.slice(0, 8)}`);
    this.runs.set(key, {
      key,
      ns,
      name: pod.metadata.name,
      dir,
      timers: new Set(),
      deleting: false,
      view: { sandbox: false, init: {}, containers: {}, imageIDs: {}, containerIDs: {}, phase: 'Pending' },
    });
    setImmediate(() => this.schedule());
  }

  private holding(): number {
    let n = 0;
    for (const r of this.runs.values())
      if (r.view.scheduled === true && (r.view.phase === 'Pending' || r.view.phase === 'Running')) n++;
    return n;
  }

  /** The scheduler: pods not yet bound, oldest first, onto the node while it has room. */
  schedule(): void {
    if (this.stopped) return;
    for (const r of this.runs.values()) {
      if (r.view.scheduled === true || r.deleting) continue;
      const pod = this.pod(r);
      if (!pod) continue;
      const why = unschedulable(pod, this.lost, this.holding() >= this.capacity);
      if (why) {
        const message = `0/1 nodes are available: ${why}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
        const prev = r.view.scheduled;
        if (typeof prev === 'object' && prev.message === message) continue;
        r.view.scheduled = { reason: 'Unschedulable', message };
        this.publish(r);
        continue;
      }
      r.view.scheduled = true;
      r.view.startTime = now();
      this.publish(r, (p) => (p.spec.nodeName = NODE_NAME));
      setImmediate(() => void this.startPod(r));
    }
  }

  private findImage(name: string): ImageSpec | undefined {
    return this.failing.has(name) ? undefined : findImage(this.o.images, name);
  }

  /** The kubelet's work for a bound pod: volumes, then each init container, then the main container. */
  private async startPod(r: PodRun): Promise<void> {
    const pod = this.pod(r);
    if (!pod || r.deleting || this.stopped) return;
    const main = pod.spec.containers[0]!;
    const mainImage = this.findImage(main.image) ?? {};
    mkdirSync(r.dir, { recursive: true });
    preparePodDir(
      r.dir,
      main.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser ?? mainImage.user?.uid ?? 0,
      mainImage.user?.gid ?? 0,
    );
    r.view.sandbox = true;
    let volumes: Map<string, string>;
    try {
      volumes = prepareVolumes(pod, r.dir, (ns, n) => this.store.get('secrets', ns, n), join(this.o.dir, 'claims'));
    } catch (e) {
      return this.retryLater(r, pod.spec.initContainers?.[0] ?? main, e, Boolean(pod.spec.initContainers?.length));
    }
    for (const c of pod.spec.initContainers ?? []) {
      const s = r.view.init[c.name];
      if (s && 'terminated' in s && s.terminated.exitCode === 0) continue;
      const code = await this.runContainer(r, pod, c, volumes, true);
      if (code === undefined) return; // waiting (pull, config) or gone: retried later
      if (code !== 0) return this.finish(r, 'Failed');
    }
    const code = await this.runContainer(r, pod, main, volumes, false);
    if (code === undefined) return;
    if (pod.spec.restartPolicy === 'Always' || (pod.spec.restartPolicy === 'OnFailure' && code !== 0)) {
      if (r.deleting || r.view.phase === 'Failed')
        return this.finish(r, r.view.phase === 'Failed' ? 'Failed' : code === 0 ? 'Succeeded' : 'Failed');
      r.view.lastStates = { ...r.view.lastStates, [main.name]: r.view.containers[main.name]! };
      r.view.restarts = { ...r.view.restarts, [main.name]: (r.view.restarts?.[main.name] ?? 0) + 1 };
      r.view.containers[main.name] = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 1s restarting failed container=${main.name} pod=${r.name}_${r.ns}(${pod.metadata.uid})`,
        },
      };
      this.publish(r);
      return this.later(r, RETRY_MS, () => void this.startPod(r));
    }
    this.finish(r, code === 0 && !r.view.reason ? 'Succeeded' : 'Failed');
  }

  private retryLater(r: PodRun, c: ContainerSpec, e: unknown, init: boolean): void {
    if (!(e instanceof SetupError)) throw e;
    (init ? r.view.init : r.view.containers)[c.name] = { waiting: { reason: e.reason, message: e.message } };
    this.publish(r);
    this.later(r, RETRY_MS, () => void this.startPod(r));
  }

  /** Pulls, starts and waits for one container; undefined when it cannot start yet (retried) or the pod is gone. */
  private async runContainer(
    r: PodRun,
    pod: Pod,
    c: ContainerSpec,
    volumes: Map<string, string>,
    init: boolean,
  ): Promise<number | undefined> {
    const states = init ? r.view.init : r.view.containers;
    const image = this.findImage(c.image);
    if (!image) {
      states[c.name] = pullFailure(c.image, states[c.name]);
      this.publish(r);
      this.later(r, RETRY_MS, () => void this.startPod(r));
      return undefined;
    }
    if (!r.view.imageIDs[c.image]) {
      if (image.pullMs) await new Promise((ok) => setTimeout(ok, image.pullMs));
      r.view.imageIDs[c.image] = imageID(c.image);
    }
    if (r.deleting || this.stopped || !this.runs.has(r.key)) return undefined;
    let plan;
    try {
      plan = planContainer(pod, c, image, r.dir, volumes, (ns, n) => this.store.get('secrets', ns, n), this.o.port());
    } catch (e) {
      this.retryLater(r, c, e, init);
      return undefined;
    }
    const running = startContainer(plan, join(r.dir, `${c.name}.log`));
    r.running = running;
    r.killing = undefined;
    const id = Buffer.from(`${pod.metadata.uid}${c.name}${Date.now()}`).toString('hex').slice(0, 64);
    r.view.containerIDs[c.name] = id;
    const exit = new Promise<number>((ok) =>
      running.proc.on('exit', (code, signal) => ok(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))),
    );
    r.exited = exit.then(() => undefined);
    // Running once the command itself starts, after every mount is in place (an exec sees the pod's whole view).
    for (let i = 0; i < 3000 && !hasStarted(running) && running.proc.exitCode === null; i++)
      await new Promise((ok) => setTimeout(ok, 5));
    const startedAt = now();
    let stopProbes = () => {};
    if (running.proc.exitCode === null) {
      states[c.name] = { running: { startedAt } };
      if (!init) r.view.phase = 'Running';
      if (!init && hasProbes(c)) {
        const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
        stopProbes = startProbes(
          running,
          c,
          this.o.probeSecondMs,
          (state) => {
            r.view.probed = { ...r.view.probed, [c.name]: state };
            this.publish(r);
          },
          () => void this.kill(r, grace),
        );
      } else this.publish(r);
    }
    let code = await exit;
    stopProbes();
    if (r.view.probed) delete r.view.probed[c.name];
    const startError = readStartError(running);
    let reason = code === 0 ? 'Completed' : 'Error';
    let message: string | undefined;
    if (startError) [reason, code, message] = ['StartError', 128, startError];
    if (r.killing) ({ reason, exitCode: code, message } = r.killing);
    r.running = undefined;
    states[c.name] = {
      terminated: {
        exitCode: code,
        reason,
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: now(),
        containerID: `containerd://${id}`,
      },
    };
    return code;
  }

  private finish(r: PodRun, phase: 'Succeeded' | 'Failed'): void {
    r.view.phase = phase;
    if (this.runs.get(r.key) !== r) return;
    this.publish(r);
    setImmediate(() => this.schedule());
  }

  /** Kills the pod's container: SIGTERM to its PID 1, SIGKILL after `graceSeconds`; resolves once the tree is gone. */
  private async kill(r: PodRun, graceSeconds: number, why?: PodRun['killing']): Promise<void> {
    const running = r.running;
    if (!running) return;
    if (why) r.killing = why;
    const pid = podInit(running);
    const sig = (s: NodeJS.Signals) => {
      try {
        if (pid) process.kill(pid, s);
      } catch {
        // already gone
      }
    };
    sig(graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = graceSeconds > 0 ? setTimeout(() => sig('SIGKILL'), graceSeconds * 1000) : undefined;
    await r.exited;
    if (timer) clearTimeout(timer);
  }

  /** DELETE of a pod: deletionTimestamp now, the DELETED event once its processes are gone. */
  async delete(ns: string, name: string, graceSeconds: number): Promise<void> {
    const r = this.runs.get(`${ns}/${name}`);
    if (!r) {
      this.store.remove('pods', ns, name);
      return;
    }
    r.deleting = true;
    for (const t of r.timers) clearTimeout(t);
    await this.kill(r, graceSeconds);
    await new Promise((ok) => setImmediate(ok)); // let the container's exit be recorded first
    this.runs.delete(r.key);
    this.store.remove('pods', ns, name);
    rmSync(join(r.dir, 'tmp'), { recursive: true, force: true });
    this.schedule();
  }

  /** True when a DELETE must wait for the kubelet (a container may be running), false when the API removes at once. */
  needsGrace(ns: string, name: string): boolean {
    const r = this.runs.get(`${ns}/${name}`);
    return Boolean(r && r.view.scheduled === true && (r.view.phase === 'Running' || r.view.phase === 'Pending'));
  }

  running(ns: string, name: string): Running | undefined {
    return this.runs.get(`${ns}/${name}`)?.running;
  }

  /** The host pids of every pod's PID 1 (killing one ends its whole pod). */
  allPids(): number[] {
    return [...this.runs.values()].flatMap((r) =>
      r.running ? [podInit(r.running)].filter((p): p is number => p !== undefined) : [],
    );
  }

  podPid(ns: string, name: string): number | undefined {
    const running = this.running(ns, name);
    return running && podInit(running);
  }

  // --- faults ---

  async evict(ns: string, name: string): Promise<void> {
    const r = this.runs.get(`${ns}/${name}`);
    if (!r) return;
    r.view.reason = 'Evicted';
    r.view.message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. ';
    r.view.disruption = {
      reason: 'TerminationByKubelet',
      message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. ',
    };
    r.view.phase = 'Failed';
    await this.kill(r, 0, { reason: 'Error', exitCode: 137 });
    this.finish(r, 'Failed');
  }

  async oomKill(ns: string, name: string): Promise<void> {
    const r = this.runs.get(`${ns}/${name}`);
    if (r) await this.kill(r, 0, { reason: 'OOMKilled', exitCode: 137 });
  }

  async loseNode(ns?: string, name?: string): Promise<void> {
    if (!ns) this.lost = true;
    const hit = [...this.runs.values()].filter(
      (r) => r.view.scheduled === true && (!ns || (r.ns === ns && r.name === name)),
    );
    await Promise.all(
      hit.map(async (r) => {
        if (r.view.phase === 'Succeeded' || r.view.phase === 'Failed') return;
        for (const t of r.timers) clearTimeout(t);
        const unknown = nodeLost(r.view, r.name);
        await this.kill(r, 0, unknown);
        for (const c of this.pod(r)?.spec.containers ?? [])
          if (!('terminated' in (r.view.containers[c.name] ?? {})))
            r.view.containers[c.name] = { terminated: { ...unknown, finishedAt: now() } };
        this.finish(r, 'Failed');
      }),
    );
    this.schedule();
  }

  restoreNode(): void {
    this.lost = false;
    this.schedule();
  }

  setCapacity(n: number): void {
    this.capacity = n;
    this.schedule();
  }

  failImage(name: string, failing: boolean): void {
    if (failing) this.failing.add(name);
    else this.failing.delete(name);
  }

  /** Kills every pod's processes (SIGKILL) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.runs.values()].map(async (r) => {
        for (const t of r.timers) clearTimeout(t);
        await this.kill(r, 0);
      }),
    );
  }
}
