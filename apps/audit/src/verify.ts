// `node apps/audit/dist/verify.js [tenant ...]`: recomputes each tenant's hash chain from the
// stored history (all tenants when none is named). Exits 1 when any chain is broken.
import { AUDIT_SCHEMA, auditDataSource } from './database/data-source.js';
import { HistoryRepository } from './history/history.repository.js';

const dataSource = auditDataSource(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/sms_gateway');
await dataSource.initialize();
const history = new HistoryRepository(dataSource);
const tenants = process.argv.slice(2).length > 0 ? process.argv.slice(2) : await history.tenantsWithHistory();
let broken = 0;
for (const tenant of tenants) {
  const result = await history.verify(tenant);
  if (result.ok) console.log(`${tenant}: intact (${result.records} records, head ${result.head.seq} ${result.head.hash.slice(0, 16)}…)`);
  else {
    broken++;
    console.log(`${tenant}: BROKEN at record ${result.brokenAt}: ${result.reason}`);
  }
}
await dataSource.destroy();
console.log(`${AUDIT_SCHEMA}: ${tenants.length} tenant chain(s) checked, ${broken} broken`);
process.exitCode = broken > 0 ? 1 : 0;
