// What the server answered 200 for survives kill -9 at once.
import { expect, it } from 'vitest';
import { allocations, bagOf, call, holder, issue, startServer, usesFor } from './helpers.ts';

it('a collected bag survives an immediate kill -9', { timeout: 120_000 }, async () => {
  let server = await startServer();
  const h = holder(31);
  const t = await issue(server, h, 100);
  const [a] = await allocations(server);
  const bag = bagOf(a, await usesFor(a, [{ ticket: t, amount: 3, signer: h }]));
  const r = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: bag });
  expect(r.status).toBe(200);
  await server.kill();
  server = await startServer(server.data);
  try {
    const got = await call(server, 'GET', `/v1/bags/${r.body.digest}`, { token: server.demo.shops[0].token });
    expect(got).toEqual(r);
  } finally {
    await server.stop();
  }
});
