// `node apps/dispatcher/dist/pauses.js`: the sending pauses in force (the whole account, or one
// sender), why, since and until when, and how many messages wait behind each.
// `node apps/dispatcher/dist/pauses.js clear <scope> --by <who> --reason <why>`: ends one, once
// its cause is fixed (a 10DLC number registered to a campaign, a toll-free number verified):
// its messages go out, paced, from the next claim round. The scope is as listed: "account" or
// "<tenant>|<sender>". Exits 1 when there is nothing to clear or the arguments are wrong.
import { parseArgs } from 'node:util';
import { dispatcherDataSource } from './database/data-source.js';
import { SendPausesRepository } from './dispatch/send-pauses.repository.js';
import { ACCOUNT_SCOPE } from './rules/send-pauses.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { by: { type: 'string' }, reason: { type: 'string' } } });
const [command = 'list', scope] = positionals;
if (!['list', 'clear'].includes(command) || (command === 'clear' && (!scope || !values.by?.trim() || !values.reason?.trim()))) {
  console.error('usage: pauses.js [list] | pauses.js clear <scope> --by <who> --reason <why>');
  process.exit(1);
}

const dataSource = dispatcherDataSource(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/sms_gateway');
await dataSource.initialize();
const pauses = new SendPausesRepository(dataSource);
try {
  if (command === 'clear') {
    const cleared = await pauses.clearPause(scope!);
    if (cleared) {
      console.log(
        JSON.stringify({
          message: 'sending pause cleared',
          scope: cleared.scope,
          code: cleared.code,
          reason: cleared.reason,
          since: cleared.since.toISOString(),
          clearedBy: values.by,
          why: values.reason,
        }),
      );
    } else {
      console.error(`no sending pause in force for ${scope}`);
      process.exitCode = 1;
    }
  } else {
    const active = await pauses.activePauses();
    for (const p of active) {
      const waiting = [...(await pauses.waiting(p.scope)).values()].reduce((n, c) => n + c, 0);
      const until = p.until ? `until ${p.until.toISOString()}` : 'until an operator clears it';
      console.log(`${p.scope === ACCOUNT_SCOPE ? 'account' : p.scope}\tTwilio error ${p.code}\tsince ${p.since.toISOString()}\t${until}\t${waiting} message(s) waiting\t${p.reason}`);
    }
    if (active.length === 0) console.log('no sending pause in force');
  }
} finally {
  await dataSource.destroy();
}
