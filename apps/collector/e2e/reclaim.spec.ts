// A holder reclaims a ticket that expired unspent (3.8): the issuer's page shows the reclaim beside
// settlement, and what was reclaimed of the ticket. Against a service of its own, with a 1-second horizon.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoFileJson } from '@moneybag/api';
import { decode, encode, formatAmount, fromText, signReclaim, toBase64url, toHex } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { freePort, startService } from '../../../e2e/service.ts';
import { tempFolder } from '../../../test/tmp.ts';
import { login, newHolder } from './helpers.ts';

let origin: string;
let data: string;
let service: ChildProcess;

test.beforeAll(async () => {
  data = tempFolder('issuer-reclaim');
  const port = await freePort(); // E2E_PORT + 2 may be another engineer's service
  origin = `http://127.0.0.1:${port}`;
  service = await startService(data, port, ['--horizon', '1']);
});
test.afterAll(() => {
  service?.kill();
});

test('issuer page: a reclaimed ticket and its new ticket', async ({ page, request }) => {
  const { issuer } = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')) as DemoFileJson;
  const wallet = newHolder('Zoë');
  const expires = Math.floor(Date.now() / 1000) + 2;
  const issued = await request.post(`${origin}/v1/tickets`, {
    headers: { authorization: `Bearer ${issuer.token}` },
    data: { holder: toBase64url(wallet.signer.publicKey), unit: 'EUR', face: 350, expires },
  });
  expect(issued.status(), await issued.text()).toBe(200);
  const ticket = decode(fromText((await issued.json()).ticket), 'Ticket');
  const reclaim = Buffer.from(encode({ type: 'Reclaim', ...(await signReclaim(wallet.signer, ticket)) }));
  // Reclaimable from expires + horizon on: until then E_WINDOW.
  await expect(async () => {
    const res = await request.post(`${origin}/v1/reclaims`, {
      headers: { 'content-type': 'application/vnd.moneybag' },
      data: reclaim,
    });
    expect(res.status(), await res.text()).toBe(200);
    expect((await res.json()).amount).toBe(350);
  }).toPass({ timeout: 30_000 });

  await login(page, `${origin}/issuer/`, issuer.token);
  const row = page
    .getByTestId('reclaims')
    .getByRole('row')
    .filter({ hasText: toHex(ticket.serial).slice(0, 12) });
  await expect(row).toContainText(formatAmount(350, 'EUR'));
  await expect(
    page.getByTestId('tickets').locator(`tr[data-serial="${toHex(ticket.serial)}"]`),
  ).toContainText(`reclaimed ${formatAmount(350, 'EUR')}`);
});
