// Journey 4 of issue 13: the restored backup. A wallet with a portable key saves a backup, pays part of its
// ticket at one shop's POS offline; the backup, restored on another phone, does not know that payment and
// pays the same ticket again at a second shop's POS, offline too: both accept. The issuer (the demo service
// is issuer and collector in one) settles the first bag, refuses the second's use as overspent and blames the
// holder with the two signatures; the deny list reaches the first POS at its next sync, which then refuses
// that wallet E_DENIED; the wallet, opened again, tells its holder it is blocked and why.
import type { IncidentsJson, TicketsJson } from '@moneybag/api';
import {
  bodyOfUse,
  decode,
  fromBase64url,
  fromText,
  nobleVerifier,
  toBase64url,
  toHex,
} from '@moneybag/protocol';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import { fakeCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { login } from '../../collector/e2e/helpers.ts';
import { holderOf, restoreBackup, saveBackup } from '../../wallet/e2e/helpers.ts';
import { charge, demo, issue, newShop, openPos, pay, sell, shot, uniq } from './support.ts';

const admin = async <T>(request: APIRequestContext, path: string): Promise<T> => {
  const res = await request.get(path, { headers: { Authorization: `Bearer ${demo().issuer.token}` } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as T;
};

/** Close the POS's open bag while offline, let the network back, and wait for the collector's report. */
async function deliver(pos: Page) {
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-state')).toHaveAttribute('data-state', 'offline');
  await pos.context().setOffline(false);
  await expect(pos.getByTestId('report')).toContainText('1 accepted, 0 rejected', { timeout: 30_000 });
}

/** The holder keys (hex) of the deny lists the POS holds in its storage, as its last sync fetched them. */
const posDenyList = (pos: Page) =>
  pos.evaluate(
    () =>
      new Promise<string[]>((ok, ko) => {
        const r = indexedDB.open('moneybag-pos');
        r.onerror = () => ko(r.error);
        r.onsuccess = () => {
          const get = r.result.transaction('config').objectStore('config').get('denylists');
          get.onsuccess = () => {
            r.result.close();
            ok(((get.result ?? []) as { holders: string[] }[]).flatMap((l) => l.holders));
          };
        };
      }),
  );

test('journey: the restored backup: paid, restored from an older backup, paid again at a second POS; both accept offline; the issuer blames the holder with the two signatures; the POS refuses that wallet E_DENIED after its next sync; the wallet tells its holder', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const { issuer } = demo();
  const cafe = await newShop(request, `cafe-${uniq()}`, 'Café');
  const bakery = await newShop(request, `bakery-${uniq()}`, 'Bakery');
  const pos1 = await openPos(browser, baseURL!, cafe);
  const pos2 = await openPos(browser, baseURL!, bakery);

  // The first phone: a wallet with a portable key (one a backup can carry), given €10.00.
  const phoneA = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const walletA = await phoneA.newPage();
  await fakeCamera(walletA);
  await walletA.goto('/wallet/');
  await walletA.getByRole('radio', { name: /With a backup/ }).check();
  await walletA.getByTestId('create-wallet').click();
  await expect(walletA.getByTestId('pay')).toBeVisible();
  const holder = await holderOf(walletA);
  const holderKey = toBase64url(holder);
  // Valid a month: no expiry warning on the holder's screens.
  const ticketText = await issue(request, holder, {
    face: 1000,
    expires: Math.floor(Date.now() / 1000) + 30 * 86_400,
  });
  const ticket = decode(fromText(ticketText), 'Ticket');
  await walletA.goto(`/wallet/#m=${ticketText}`);
  await expect(walletA.getByTestId('notice')).toContainText('Ticket received');
  await expect(walletA.getByTestId('balance')).toContainText('€10.00');

  // The holder saves a backup file now: it holds the whole €10.00.
  const backup = await saveBackup(walletA, 'correct horse battery');
  await walletA.getByRole('banner').getByRole('button', { name: 'Back' }).click();

  // €6.00 at the café, offline.
  await pos1.context().setOffline(true);
  await phoneA.setOffline(true);
  await sell(pos1, walletA, 'EUR', '6.00');
  await expect(walletA.getByTestId('balance')).toContainText('€4.00');

  // Another phone restores the older backup: it knows nothing of that payment.
  const phoneB = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const walletB = await phoneB.newPage();
  await fakeCamera(walletB);
  await restoreBackup(walletB, backup, 'correct horse battery');
  await expect(walletB.getByTestId('balance')).toContainText('€10.00');
  expect(toBase64url(await holderOf(walletB))).toBe(holderKey);
  await shot(walletB, 'restored-wallet-older-backup');

  // €5.00 of the same ticket at the bakery, offline: the POS cannot know, and accepts.
  await pos2.context().setOffline(true);
  await phoneB.setOffline(true);
  await charge(pos2, 'EUR', '5.00');
  await pay(pos2, walletB);
  await expect(pos2.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await expect(pos2.getByTestId('verdict-amount')).toHaveText('€5.00');
  await shot(pos2, 'restored-second-pos-accepts');
  await walletB.getByTestId('accepted').click();
  await pos2.getByTestId('verdict-done').click();
  await expect(walletB.getByTestId('balance')).toContainText('€5.00');

  // The café's bag first: the issuer settles its €6.00 of the ticket.
  await deliver(pos1);
  await expect
    .poll(
      async () =>
        (await admin<TicketsJson>(request, '/v1/admin/issuer/tickets')).tickets.find(
          (t) => t.holder === holderKey,
        )?.spent,
      { timeout: 30_000 },
    )
    .toBe(600);

  // Then the bakery's: the collector takes it (it sees one bag at a time), the issuer refuses its use.
  await deliver(pos2);
  let incidents: IncidentsJson['incidents'] = [];
  await expect
    .poll(
      async () =>
        (incidents = (await admin<IncidentsJson>(request, '/v1/admin/issuer/incidents')).incidents.filter(
          (i) => i.holder === holderKey,
        )).length,
      { timeout: 30_000 },
    )
    .toBe(1);
  const [incident] = incidents;
  expect(incident).toMatchObject({ code: 'E_OVERSPENT', blame: 'holder' });
  expect(incident.proof.use).toMatchObject({ shop: bakery.id, amount: 500 });
  expect(incident.proof.earlier).toEqual([expect.objectContaining({ shop: cafe.id, amount: 600 })]);
  // The two signatures are the holder's own, each over its own sale: the proof needs nobody's word.
  const uses = [incident.proof.use, ...incident.proof.earlier];
  expect(new Set(uses.map((u) => u.S)).size).toBe(2);
  const checks = await nobleVerifier.verify(
    uses.map((u) => ({
      publicKey: holder,
      message: bodyOfUse(u.amount, ticket.C, u.shop, fromBase64url(u.chal)),
      signature: fromBase64url(u.S),
    })),
  );
  expect(checks).toEqual([true, true]);

  // The issuer's page shows it: the refused use and the settled one, the holder on the deny list.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await login(desk, '/issuer/', issuer.token);
  const shown = desk
    .getByTestId('incidents')
    .locator('.incident')
    .filter({ hasText: holderKey.slice(0, 12) });
  await expect(shown).toHaveCount(1);
  await expect(shown).toContainText('E_OVERSPENT');
  await expect(shown).toContainText('blame: holder');
  // The bakery's bag held one payment: the first of its Return, counted from 1 as people count.
  await expect(shown).toContainText('payment 1 of');
  const proof = shown.locator('tbody tr');
  await expect(proof).toHaveCount(2);
  await expect(proof.nth(0)).toContainText('refused');
  await expect(proof.nth(0)).toContainText('€5.00');
  await expect(proof.nth(1)).toContainText('settled');
  await expect(proof.nth(1)).toContainText('€6.00');
  await expect(desk.getByTestId('denylist')).toContainText(holderKey);
  await shown.scrollIntoViewIfNeeded();
  await shot(desk, 'restored-incident');

  // The café's POS, at its next sync (Connect now), fetches the deny list with the holder on it.
  await pos1.getByTestId('tab-settings').click();
  await expect.poll(() => posDenyList(pos1)).not.toContain(toHex(holder));
  await pos1.getByTestId('sync-now').click();
  await expect.poll(() => posDenyList(pos1), { timeout: 30_000 }).toContain(toHex(holder));

  // The first phone pays €1.00 there: refused, E_DENIED, with the reason on screen.
  await pos1.getByTestId('tab-charge').click();
  await charge(pos1, 'EUR', '1.00');
  await pay(pos1, walletA);
  const verdict = pos1.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'refused');
  await expect(verdict).toHaveAttribute('data-code', 'E_DENIED');
  await expect(pos1.getByTestId('verdict-reason')).toContainText('This wallet is blocked by its issuer');
  await shot(pos1, 'restored-pos-denied');
  await walletA.getByTestId('not-accepted').click();

  // The holder opens the wallet again online: it says it is blocked, by whom, and why.
  await phoneA.setOffline(false);
  await walletA.goto('/wallet/');
  const denied = walletA.getByTestId('denied');
  await expect(denied).toContainText(`This wallet is blocked by ${issuer.id}`);
  await expect(denied).toContainText('spent twice');
  await expect(denied).toContainText('older backup is restored');
  await shot(walletA, 'restored-wallet-blocked');
  // So does the restored one: the block is the key's, whichever phone holds it.
  await phoneB.setOffline(false);
  await walletB.goto('/wallet/');
  await expect(walletB.getByTestId('denied')).toContainText(`This wallet is blocked by ${issuer.id}`);
});
