// The peer in tools/bench/mysql_catchup_bench: @vlasky/zongji reading binlog files FIRST..LAST
// (node zongji_catchup.mjs HOST PORT USER PASSWORD FIRST LAST) and counting the rows of the row
// events it decodes; prints {"rows":N} at the ROTATE past LAST. $ZONGJI_DIR is the npm prefix
// that holds @vlasky/zongji (tools/bench/mysql_catchup.sh installs it there). zongji is an ES
// module, which NODE_PATH cannot reach: hence the dynamic import by path.
import { pathToFileURL } from 'node:url';

const entry = `${process.env.ZONGJI_DIR}/node_modules/@vlasky/zongji/index.js`;
const { default: ZongJi } = await import(pathToFileURL(entry).href);

const [host, port, user, password, first, last] = process.argv.slice(2);
let rows = 0;
const zongji = new ZongJi({ host, port: Number(port), user, password });
zongji.on('binlog', (evt) => {
  const name = evt.getEventName();
  if (name === 'writerows' || name === 'updaterows' || name === 'deleterows') {
    rows += evt.rows.length;
  } else if (name === 'rotate' && evt.binlogName > last) {
    process.stdout.write(JSON.stringify({ rows }) + '\n', () => process.exit(0));
  }
});
zongji.on('error', (err) => {
  console.error('zongji:', err);
  process.exit(1);
});
zongji.start({
  filename: first,
  position: 4,
  serverId: 54997,
  includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows', 'rotate'],
  includeSchema: { bench: ['catchup'] },
});
