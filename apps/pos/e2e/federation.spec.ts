// Many issuers and collectors: beside the demo service (issuer city-transit, collector first-bank), an issuer
// `rail` and a collector `bank-b`, each its own process, registered to each other by the `moneybag` command.
// A holder overspends a rail ticket across first-bank and bank-b; a POS paired with bank-b then refuses that
// holder's rail ticket E_DENIED, and still takes its city-transit ticket (the deny list is rail's).
import { encode, signPayment, type Ticket } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { demo } from '../../../e2e/service.ts';
import { login } from '../../collector/e2e/helpers.ts';
import {
  allocations,
  bagOf,
  call,
  holder,
  issue,
  moneybagJson,
  operatorToken,
  type Server,
  startServer,
  usesFor,
} from '../../server/test/helpers.ts';
import { cancelSale, challengeOnScreen, charge, openPos, showPayment } from './support.ts';

let rail: Server;
let bankB: Server;

test.afterAll(async () => {
  // The demo service forgets them again, so that other tests see it as they expect.
  const data = process.env.MONEYBAG_E2E_DATA!;
  await moneybagJson(data, ['remove-issuer', 'rail']).catch(() => {});
  await moneybagJson(data, ['remove-collector', 'bank-b']).catch(() => {});
  await Promise.all([rail, bankB].filter(Boolean).map((s) => s.stop()));
});

test('a POS paired with the second collector refuses a holder denied by rail: E_DENIED', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const home = { url: baseURL!, demo: demo(), data: process.env.MONEYBAG_E2E_DATA! } as Server;
  [rail, bankB] = await Promise.all([
    startServer(undefined, ['--role', 'issuer', '--id', 'rail']),
    startServer(undefined, ['--role', 'collector', '--id', 'bank-b']),
  ]);
  // Registration, as the operators would type it.
  const railForHome = await moneybagJson(rail.data, ['add-collector', 'first-bank', '--url', home.url]);
  const railForB = await moneybagJson(rail.data, ['add-collector', 'bank-b', '--url', bankB.url]);
  const homeForB = await moneybagJson(home.data, ['add-collector', 'bank-b', '--url', bankB.url]);
  await moneybagJson(home.data, ['add-issuer', 'rail', '--url', rail.url, '--token', railForHome.token]);
  await moneybagJson(bankB.data, ['add-issuer', 'rail', '--url', rail.url, '--token', railForB.token]);
  await moneybagJson(bankB.data, [
    'add-issuer',
    'city-transit',
    '--url',
    home.url,
    '--token',
    homeForB.token,
  ]);
  const shopB = await moneybagJson(bankB.data, ['add-shop', 'shop-b', '--label', 'Shop B']);

  // A holder with a rail ticket (face 500): 300 at first-bank, 300 at bank-b.
  const h = holder(77);
  const railTicket = await issue(rail, h, 500, 'EUR', 4_000_000_000, operatorToken(rail, 'rail'));
  const [a] = await allocations(home, 1, {}, home.demo.shops[0].token);
  const atHome = await call(home, 'POST', '/v1/bags', {
    token: home.demo.shops[0].token,
    raw: bagOf(a, await usesFor(a, [{ ticket: railTicket, amount: 300, signer: h }])),
  });
  expect(atHome.body).toMatchObject({ accepted: 1 });
  const [b] = await allocations(bankB, 1, {}, shopB.token);
  const atB = await call(bankB, 'POST', '/v1/bags', {
    token: shopB.token,
    raw: bagOf(b, await usesFor(b, [{ ticket: railTicket, amount: 300, signer: h }])),
  });
  expect(atB.body).toMatchObject({ accepted: 1 });
  // rail settles both Returns (whichever comes second overspends) and denies the holder; bank-b has the list.
  const holderKey = Buffer.from(h.publicKey).toString('base64url');
  await expect
    .poll(async () => (await call(bankB, 'GET', '/v1/denylist?issuer=rail')).body.holders ?? [], {
      timeout: 60_000,
    })
    .toContain(holderKey);
  await moneybagJson(bankB.data, ['refresh-denylists']);

  // The POS of shop-b, served and paired by bank-b: it trusts both issuers and fetched rail's list.
  const pos = await openPos(browser, bankB.url, { id: 'shop-b', token: shopB.token });
  await pos.getByTestId('tab-settings').click();
  await expect(pos.getByTestId('trusted-issuers')).toContainText('city-transit');
  await expect(pos.getByTestId('trusted-issuers')).toContainText('rail');
  await pos.getByTestId('tab-charge').click();
  // The holder's wallet, made of the protocol: a Payment signed with its key over the POS's challenge.
  const pay = async (spends: { ticket: Ticket; amount: number }[]) =>
    encode({ type: 'Payment', ...(await signPayment(h, (await challengeOnScreen(pos)).challenge, spends)) });

  await charge(pos, 'EUR', '1');
  const denied = await showPayment(pos, await pay([{ ticket: railTicket, amount: 100 }]));
  await expect(denied).toHaveAttribute('data-verdict', 'refused');
  await expect(denied).toHaveAttribute('data-code', 'E_DENIED');
  await pos.getByTestId('verdict-done').click();
  await cancelSale(pos);

  // The same holder's city-transit ticket: city-transit has not denied it.
  const cityTicket = await issue(home, h, 1000);
  await charge(pos, 'EUR', '1');
  const ok = await showPayment(pos, await pay([{ ticket: cityTicket, amount: 100 }]));
  await expect(ok).toHaveAttribute('data-verdict', 'accepted');

  // The operators' pages: bank-b's issuers and rail's collectors, each with its key's fingerprint.
  const fingerprint = async (data: string, id: string) =>
    (await moneybagJson(data, ['parties'])).parties.find((p: { id: string }) => p.id === id).fingerprint;
  const page = await browser.newPage();
  await login(page, `${bankB.url}/collector/`, operatorToken(bankB, 'bank-b'));
  const issuers = page.getByTestId('issuers');
  await expect(issuers).toContainText('rail');
  await expect(issuers).toContainText(await fingerprint(rail.data, 'rail'));
  await expect(issuers).toContainText(await fingerprint(home.data, 'city-transit'));
  await login(page, `${rail.url}/issuer/`, operatorToken(rail, 'rail'));
  const collectors = page.getByTestId('collectors');
  await expect(collectors).toContainText(await fingerprint(bankB.data, 'bank-b'));
  await expect(collectors).toContainText(await fingerprint(home.data, 'first-bank'));
  await expect(page.getByTestId('denylist')).toContainText(holderKey);
});
