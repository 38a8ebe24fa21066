import { writeHeapSnapshot } from 'v8';
import { egressReport, loadCluster } from './lib/verify';
const c = loadCluster(['/tmp/b13/d300']);
(global as any).gc();
writeHeapSnapshot('/tmp/b13/before.heapsnapshot');
const r = egressReport(c);
(global as any).gc();
writeHeapSnapshot('/tmp/b13/after.heapsnapshot');
console.log(r.workloads.length);
