// The landing page's one click into the operator pages (issue 13): the demo's tokens, given only by a service
// running the demo parties, only to its own pages on this machine.
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { call, type Server, startServer } from './helpers.ts';

const PATH = '/v1/demo/operators';
const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}${PATH}`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe('a demo service', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("gives its own page on this machine the issuer's and the collector's tokens of demo.json", async () => {
    const { issuer, collector } = server.demo;
    const r = await get(server.url, { 'sec-fetch-site': 'same-origin' });
    expect(r).toEqual({ status: 200, body: { issuer, collector } });
    // They open the operator pages' endpoints.
    expect(
      (await call(server, 'GET', '/v1/admin/collector/shops', { token: r.body.collector.token })).status,
    ).toBe(200);
    expect((await get(server.url)).status).toBe(200); // a request without the header (curl on this machine)
  });

  it("gives nothing to another site's script, nor to another machine", async () => {
    const cross = await get(server.url, { 'sec-fetch-site': 'cross-site' });
    expect([cross.status, cross.body.code]).toEqual([403, 'E_FORBIDDEN']);
    // This machine's own address on the network: the request does not come from loopback.
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    expect(lan, 'a network address to call from').toBeDefined();
    const port = new URL(server.url).port;
    const remote = await get(`http://${lan!.address}:${port}`);
    expect([remote.status, remote.body.code]).toEqual([403, 'E_FORBIDDEN']);
  });
});

describe('a service that is not the demo', () => {
  let server: Server;
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 404, even with a demo.json naming its parties whose tokens it does not know', async () => {
    const data = tempFolder('server');
    server = await startServer(data, [
      '--role',
      'both',
      '--issuer',
      'city-transit',
      '--collector',
      'first-bank',
    ]);
    const r = await get(server.url);
    expect([r.status, r.body.code]).toEqual([404, 'E_NOT_FOUND']);
    writeFileSync(
      join(data, 'demo.json'),
      JSON.stringify({
        issuer: { id: 'city-transit', token: 'made-up' },
        collector: { id: 'first-bank', token: 'made-up' },
        shops: [],
      }),
    );
    const copied = await get(server.url);
    expect([copied.status, copied.body.code]).toEqual([404, 'E_NOT_FOUND']);
  });
});
