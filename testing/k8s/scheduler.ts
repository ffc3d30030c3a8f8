// The scheduler's verdict for one pod on the test cluster's single node, worded as kube-scheduler words it.
import { NODE_NAME } from './pod-status.ts';
import type { ImageSpec, Pod } from './types.ts';

export const NODE_LABELS: Record<string, string> = {
  'kubernetes.io/hostname': NODE_NAME,
  'kubernetes.io/os': 'linux',
  'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
};

/** Why the pod cannot go on the node (the node lost, its nodeSelector, no room), or undefined when it can. */
export function unschedulable(pod: Pod, nodeLost: boolean, full: boolean): string | undefined {
  const mismatch = Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => NODE_LABELS[k] !== v);
  if (nodeLost) return '1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }';
  if (mismatch) return "1 node(s) didn't match Pod's node affinity/selector";
  if (full) return '1 Too many pods';
  return undefined;
}

/** The image a name stands for: exact, or as Docker normalizes it (docker.io/library/ prefix, :latest tag). */
export function findImage(images: Record<string, ImageSpec>, name: string): ImageSpec | undefined {
  const bare = name.replace(/^docker\.io\/(library\/)?/, '');
  for (const n of [name, bare, bare.replace(/:latest$/, ''), `${bare}:latest`]) if (images[n]) return images[n];
  return undefined;
}
