// The npm peer in tools/bench/pg_catchup.sh: pg-logical-replication 2.x (its PgoutputPlugin,
// proto_version 2) reading slot SLOT of publication PUBLICATION and counting the row changes
// (Insert, Update, Delete messages) it decodes, until the Commit whose end LSN reaches END_LSN
// (the backlog's last commit); then prints {"changes":N} and exits.
//
//   node pg_logical_catchup.mjs HOST PORT USER PASSWORD DATABASE SLOT PUBLICATION END_LSN
//
// $PG_LOGICAL_DIR is the npm prefix that holds pg-logical-replication (pg_catchup.sh installs
// it there). The package is CommonJS: required by path, as NODE_PATH does not reach an ES
// module's imports. Its defaults are kept (every message acknowledged as it arrives), as a user
// who follows its README runs it. Its plugin passes no `streaming` option: the backlog's
// transactions (1-100 rows) stay below logical_decoding_work_mem, so none is streamed for
// sluice or pg_recvlogical either.
import { createRequire } from 'node:module';

const require = createRequire(`${process.env.PG_LOGICAL_DIR}/node_modules/`);
const { LogicalReplicationService, PgoutputPlugin } = require('pg-logical-replication');

const [host, port, user, password, database, slot, publication, endLsn] = process.argv.slice(2);
const lsnNumber = (lsn) => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};
const end = lsnNumber(endLsn);

let changes = 0;
const service = new LogicalReplicationService({
  host,
  port: Number(port),
  user,
  password,
  database,
});
const plugin = new PgoutputPlugin({ protoVersion: 2, publicationNames: [publication] });
service.on('data', (lsn, msg) => {
  switch (msg.tag) {
    case 'insert':
    case 'update':
    case 'delete':
      ++changes;
      break;
    case 'commit':
      if (msg.commitEndLsn !== null && lsnNumber(msg.commitEndLsn) >= end) {
        process.stdout.write(JSON.stringify({ changes }) + '\n', () => process.exit(0));
      }
      break;
    default:
      break;
  }
});
service.on('error', (err) => {
  console.error('pg-logical-replication:', err);
  process.exit(1);
});
service.subscribe(plugin, slot).catch((err) => {
  console.error('pg-logical-replication:', err);
  process.exit(1);
});
