// A Kubernetes API server for tests (no cluster runs on these machines): startKubeApi runs it in this process,
// spawnKubeApi in a child process (for tests that call the gt CLI synchronously while pods talk to the API).
export { startKubeApi, kubeconfig } from './server.ts';
export { spawnKubeApi } from './spawn.ts';
export type { AccessRule, ImageSpec, KubeApi, KubeApiOptions, KubeRequest } from './types.ts';
