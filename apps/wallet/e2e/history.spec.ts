// A wallet with a long history: the home screen lists the soonest-expiring tickets and the rest on request,
// History reads its payments a page at a time, and a payment the shop did not take is set aside however old.
import { expect, test } from '@playwright/test';
import { newWallet } from './helpers.ts';

test.use({ viewport: { width: 360, height: 740 } });

const TICKETS = 25;
const PAYMENTS = 60;

test('a long history: 20 tickets then all on request, payments a page at a time, an old refusal still set aside', async ({
  page,
}) => {
  await newWallet(page);
  // Written into the wallet's IndexedDB as it keeps them: tickets of €10.00 with €0.10 signed each, and one
  // payment a ticket, the OLDEST of which the shop did not take (beyond History's first page).
  await page.evaluate(
    async ({ tickets, payments }) => {
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const r = indexedDB.open('moneybag-wallet');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const tx = db.transaction(['tickets', 'payments'], 'readwrite');
      const now = Math.floor(Date.now() / 1000);
      const ids: string[] = [];
      for (let i = 0; i < tickets; i++) {
        const serial = new Uint8Array(16).fill(i + 1);
        const id = `city-transit/${Array.from(serial, (b) => b.toString(16).padStart(2, '0')).join('')}`;
        ids.push(id);
        const ticket = {
          ...{ issuer: 'city-transit', unit: 'EUR', face: 1_000, holder: new Uint8Array(32), serial },
          ...{ expires: now + 30 * 86_400 + i * 3600, C: new Uint8Array(64) },
        };
        tx.objectStore('tickets').put({ id, ticket, left: 990, received: Date.now() });
      }
      for (let i = 0; i < payments; i++)
        tx.objectStore('payments').put({
          ...{ id: `p${String(i).padStart(3, '0')}`, kind: 'pos', shop: 'acme-coffee', label: `Sale ${i}` },
          ...{
            unit: 'EUR',
            amount: 10,
            at: Date.now() - (payments - i) * 60_000,
            message: new Uint8Array(3),
          },
          ...{
            tickets: [{ id: ids[i % tickets], amount: 10 }],
            outcome: i === 0 ? 'not-accepted' : 'accepted',
          },
        });
      await new Promise((ok, ko) => {
        tx.oncomplete = ok;
        tx.onerror = () => ko(tx.error);
      });
      db.close();
    },
    { tickets: TICKETS, payments: PAYMENTS },
  );
  await page.reload();
  // 25 x €9.90 left, of which the €0.10 the shop did not take is set aside (not counted out of it: `left`
  // already went down when it was signed).
  await expect(page.getByTestId('balance').locator('.balance')).toHaveText('€247.50');
  await expect(page.getByTestId('set-aside')).toContainText('€0.10 signed, not confirmed by the shop');
  await expect(page.getByTestId('ticket')).toHaveCount(20);
  await expect(page.getByTestId('ticket-unconfirmed')).toHaveCount(1);
  await page.getByTestId('all-tickets').click();
  await expect(page.getByTestId('ticket')).toHaveCount(TICKETS);
  await expect(page.getByTestId('all-tickets')).toHaveCount(0);

  await page.getByTestId('open-history').click();
  await expect(page.getByTestId('payment')).toHaveCount(50);
  await expect(page.getByTestId('payment').first()).toContainText(`Sale ${PAYMENTS - 1}`);
  await expect(page.getByTestId('not-confirmed')).toHaveCount(0);
  await page.getByTestId('more-payments').click();
  await expect(page.getByTestId('payment')).toHaveCount(PAYMENTS);
  await expect(page.getByTestId('payment').last()).toContainText('Sale 0');
  await expect(page.getByTestId('not-confirmed')).toHaveCount(1);
  await expect(page.getByTestId('more-payments')).toHaveCount(0);
});
