// `moneybag backup` while the service runs, `moneybag restore` into an empty folder: the restored service
// serves the same keys, tokens, bags, direct payments and settlements.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { COMPUTED_TABLES, TABLES } from '../src/backup.ts';
import {
  allocations,
  bagOf,
  call,
  dbClient,
  directPayment,
  envFor,
  holder,
  issue,
  type Server,
  startServer,
  usesFor,
  waitFor,
} from './helpers.ts';

const bin = new URL('../bin/moneybag.js', import.meta.url).pathname;
const moneybag = async (data: string, args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--data', data], { encoding: 'utf8', env: await envFor(data) });

/** What a service shows of its state: every admin list, its keys, a shop's view of its bag. */
async function state(server: Server, digest: string) {
  const get = async (path: string, token: string) => (await call(server, 'GET', path, { token })).body;
  const c = server.demo.collector.token;
  const i = server.demo.issuer.token;
  return {
    // The keys (their url is the new server's).
    keys: (
      (await call(server, 'GET', '/.well-known/moneybag.json')).body.collectors as {
        id: string;
        publicKey: string;
      }[]
    )
      .concat((await call(server, 'GET', '/.well-known/moneybag.json')).body.issuers)
      .map((p) => [p.id, p.publicKey]),
    bag: await get(`/v1/bags/${digest}`, server.demo.shops[0].token),
    bags: await get('/v1/admin/collector/bags', c),
    direct: await get('/v1/admin/collector/direct', c),
    outbox: await get('/v1/admin/collector/outbox', c),
    totals: await get('/v1/admin/collector/totals', c),
    tickets: await get('/v1/admin/issuer/tickets', i),
    settlement: await get('/v1/admin/issuer/settlement', i),
    denylist: (await call(server, 'GET', '/v1/denylist')).body.holders,
  };
}

it('backs up while serving; a restore into an empty folder serves the same', {
  timeout: 180_000,
}, async () => {
  const server = await startServer();
  let restored: Server | undefined;
  try {
    const h = holder(95);
    const t = await issue(server, h, 100);
    const [a] = await allocations(server);
    const bag = await call(server, 'POST', '/v1/bags', {
      token: server.demo.shops[0].token,
      raw: bagOf(a, await usesFor(a, [{ ticket: t, amount: 30, signer: h }])),
    });
    expect(bag.body.accepted).toBe(1);
    const direct = await directPayment(h, t, 20);
    expect((await call(server, 'POST', '/v1/direct', { raw: direct })).status).toBe(200);
    await waitFor(async () => {
      const { outbox } = (
        await call(server, 'GET', '/v1/admin/collector/outbox', { token: server.demo.collector.token })
      ).body;
      return outbox.length === 2 && outbox.every((r: { state: string }) => r.state === 'delivered');
    });

    const file = join(tempFolder('backup'), 'backup.mbk');
    const made = await moneybag(server.data, ['backup', file]);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^backed up \d+ files and \d+ rows/);
    const before = await state(server, bag.body.digest);
    expect(await server.stop()).toBe(0);

    // Never over an existing folder.
    const busy = tempFolder('busy');
    writeFileSync(join(busy, 'something'), 'x');
    const refused = await moneybag(busy, ['restore', file]);
    expect([refused.status, refused.stderr]).toEqual([1, expect.stringContaining('is not empty')]);

    const empty = tempFolder('restored');
    const back = await moneybag(empty, ['restore', file]);
    expect(back.status, back.stderr).toBe(0);
    restored = await startServer(empty);
    expect(restored.demo).toEqual(server.demo);
    const after = await state(restored, bag.body.digest);
    expect(after.keys).toHaveLength(2);
    expect(after).toEqual(before);
    // The replay window survives: the same direct payment is still refused.
    expect((await call(restored, 'POST', '/v1/direct', { raw: direct })).body.code).toBe('E_WINDOW');
    // A ticket's spent sum is the database's own again (30 + 20 of 100).
    const db = await dbClient(restored);
    try {
      expect((await db.query('SELECT spent FROM ticket_sums')).rows).toEqual([{ spent: '50' }]);
      // Bytes come back as the same bytes: the remembered halves of the uses' signatures.
      const { rows: sigs } = await db.query("SELECT encode(s, 'base64') AS s FROM remembered_uses");
      expect(sigs.map((r) => Buffer.from(r.s, 'base64').length)).toEqual([32, 32]);
      // The backup knows every table of the schema.
      const { rows } = await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'",
      );
      expect(rows.map((r) => r.table_name).sort()).toEqual([...TABLES, ...COMPUTED_TABLES].sort());
    } finally {
      await db.end();
    }
  } finally {
    await restored?.stop();
    if (server.proc.exitCode === null) await server.stop();
  }
});
