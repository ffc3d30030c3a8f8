// Run the test Kubernetes API server as its own process (so tests may call gt synchronously while pods talk to
// it): reads its options as JSON from argv[2], prints {"url","token","kubeconfigPath","dir"} on one line, then
// serves until stdin closes or SIGTERM, stopping every pod on the way out.
import { startKubeApi } from './server.ts';
import type { KubeApiOptions } from './types.ts';

const api = await startKubeApi(JSON.parse(process.argv[2] ?? '{}') as KubeApiOptions);
process.stdout.write(
  `${JSON.stringify({ url: api.url, token: api.token, kubeconfigPath: api.kubeconfigPath, dir: api.dir })}\n`,
);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void api.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
