// A holder reclaims a ticket that expired unspent (3.8): the issuer's page shows the reclaim beside
// settlement, and what was reclaimed of the ticket.
import { encode, formatAmount, readWellKnown, signReclaim, toHex } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { demo, issueOverHttp, login, newHolder } from './helpers.ts';

test('issuer page: a reclaimed ticket and its new ticket', async ({ page, request }) => {
  const { issuer } = demo();
  const wallet = newHolder('Zoë');
  const [entry] = readWellKnown(await (await request.get('/.well-known/moneybag.json')).json()).issuers;
  // A ticket that expired longer ago than the issuer's horizon: reclaimable now.
  const expired = Math.floor(Date.now() / 1000) - entry.horizon - 60;
  const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'EUR', 350, expired);
  const res = await request.post('/v1/reclaims', {
    headers: { 'content-type': 'application/vnd.moneybag' },
    data: Buffer.from(encode({ type: 'Reclaim', ...(await signReclaim(wallet.signer, ticket)) })),
  });
  expect(res.status(), await res.text()).toBe(200);
  expect((await res.json()).amount).toBe(350);

  await login(page, '/issuer/', issuer.token);
  const row = page
    .getByTestId('reclaims')
    .getByRole('row')
    .filter({ hasText: toHex(ticket.serial).slice(0, 12) });
  await expect(row).toContainText(formatAmount(350, 'EUR'));
  await expect(
    page.getByTestId('tickets').locator(`tr[data-serial="${toHex(ticket.serial)}"]`),
  ).toContainText(`reclaimed ${formatAmount(350, 'EUR')}`);
});
