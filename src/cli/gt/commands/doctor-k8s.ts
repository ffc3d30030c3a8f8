// gt doctor's checks of the town's Kubernetes hosts (docs/kubernetes.md): the API answers, the login may create,
// watch, exec into and delete pods and write its token secrets, the image setting is usable and no pod fails to pull
// it, the Secrets the settings name are there. SSH hosts are checked by gt host check.
import { isK8sHost, k8sChecks, loadHosts } from '../../../providers/index.ts';
import { summarize, type DoctorReport } from '../../../town/doctor/index.ts';
import { loadTown, townSocket } from '../../../town/index.ts';

export async function withK8sChecks(report: DoctorReport, env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  if (!report.root) return report;
  let town;
  try {
    town = loadTown(report.root, env);
  } catch {
    return report;
  }
  const hosts = loadHosts(town.paths.settingsDir).filter(isK8sHost);
  if (hosts.length === 0) return report;
  const checks = (await Promise.all(hosts.map((h) => k8sChecks(h, townSocket(town))))).flat();
  return summarize(report.root, [...report.checks, ...checks]);
}
