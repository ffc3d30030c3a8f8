// Preloaded into a benchmarked process (node --import): at exit, appends its CPU time (user + system, ms) to
// $BENCH_CPU_FILE. CPU time is what the process itself cost, which a loaded machine distorts far less than wall time.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const u = process.cpuUsage();
  appendFileSync(process.env.BENCH_CPU_FILE, `${(u.user + u.system) / 1000}\n`);
});
