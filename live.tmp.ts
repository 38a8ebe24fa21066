import { egressReport, loadCluster } from './lib/verify';
const gc = (global as any).gc;
const c = loadCluster([process.argv[2]]);
gc(); const m1 = process.memoryUsage().heapUsed;
const t = performance.now();
const r = egressReport(c);
const el = performance.now() - t;
gc(); const m2 = process.memoryUsage().heapUsed;
console.log({ clusterMB: m1 / 1e6, afterReportMB: m2 / 1e6, reportSeconds: el / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, w: r.workloads.length });
