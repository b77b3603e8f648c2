// The encrypted backup: a round trip restores the portable key, tickets and journal; a wrong
// passphrase or another wallet's backup changes nothing; restoring never forgets a known spend.
import 'fake-indexeddb/auto';
import { encode, issueTicket, randomBytes, seedSigner, ticketId, toHex } from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { makeBackup, openBackup, restoreBackup } from '../src/backup.ts';
import { createKey, signerOf } from '../src/keys.ts';
import { getKey, listJournal, listTickets, openStore, putParties, recordPayment } from '../src/store.ts';
import { receiveTicket } from '../src/wallet.ts';

const issuer = seedSigner(randomBytes(32));
const now = Math.floor(Date.now() / 1000);
let n = 0;
const ITER = 1000; // the file says how many; tests need not be slow

async function walletWithTicket(kind: 'device' | 'portable') {
  const db = await openStore(`backup-${n++}`);
  await putParties(db, 'issuers', [{ id: 'city-transit', publicKey: issuer.publicKey, url: 'http://x/' }]);
  const key = await createKey(db, kind);
  const t = await issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face: 500,
    holder: key.publicKey,
    expires: now + 3600,
  });
  await receiveTicket(db, key.publicKey, encode({ type: 'Ticket', ...t }));
  return { db, key, t };
}

describe('backup', () => {
  it('restores a portable wallet on a new phone: key, tickets, journal', async () => {
    const { db, key, t } = await walletWithTicket('portable');
    await recordPayment(
      db,
      {
        id: 'p',
        kind: 'pos',
        shop: 's',
        label: 'S',
        unit: 'EUR',
        amount: 200,
        at: 1,
        tickets: [],
        message: new Uint8Array(3),
      },
      [{ ticket: ticketId(t), amount: 200, S: toHex(randomBytes(64)), shop: 's', chal: randomBytes(32) }],
    );
    const file = await makeBackup(db, 'correct horse', ITER);
    expect(file).not.toContain(toHex(key.seed!));

    const fresh = await openStore(`backup-${n++}`);
    await expect(openBackup(file, 'wrong horse!')).rejects.toMatchObject({ code: 'E_FIELD' });
    await restoreBackup(fresh, await openBackup(file, 'correct horse'));
    const restored = (await getKey(fresh))!;
    expect(toHex(restored.publicKey)).toBe(toHex(key.publicKey));
    // The restored key signs as the original did.
    const m = randomBytes(40);
    expect(toHex(await signerOf(restored).sign(m))).toBe(toHex(await signerOf(key).sign(m)));
    expect((await listTickets(fresh))[0].left).toBe(300);
    expect(await listJournal(fresh)).toHaveLength(1);
  });

  it('a device-bound key is not in the backup, and its tickets are refused by another wallet', async () => {
    const { db, key } = await walletWithTicket('device');
    expect(key.privateKey).toBeDefined(); // Node has WebCrypto Ed25519: the non-extractable path
    expect(key.privateKey!.extractable).toBe(false);
    const s = await openBackup(await makeBackup(db, 'correct horse', ITER), 'correct horse');
    expect(s.key).toBeUndefined();
    expect(s.tickets).toHaveLength(1);

    const empty = await openStore(`backup-${n++}`);
    await expect(restoreBackup(empty, s)).rejects.toMatchObject({ code: 'E_FIELD' });
    const other = await openStore(`backup-${n++}`);
    await createKey(other, 'portable');
    await expect(restoreBackup(other, s)).rejects.toMatchObject({ code: 'E_FIELD' });
    expect(await listTickets(other)).toHaveLength(0);
  });

  it('the device key survives closing and reopening the store, and still signs', async () => {
    const { db, key } = await walletWithTicket('device');
    db.close();
    const again = await openStore(db.name);
    const k = (await getKey(again))!;
    const sig = await signerOf(k).sign(new Uint8Array([1, 2, 3]));
    expect(sig).toHaveLength(64);
    expect(toHex(k.publicKey)).toBe(toHex(key.publicKey));
  });

  it('restoring an older backup never raises what is left of a ticket', async () => {
    const { db, t } = await walletWithTicket('portable');
    const old = await openBackup(await makeBackup(db, 'correct horse', ITER), 'correct horse');
    await recordPayment(
      db,
      {
        id: 'p',
        kind: 'pos',
        shop: 's',
        label: 'S',
        unit: 'EUR',
        amount: 100,
        at: 1,
        tickets: [],
        message: new Uint8Array(3),
      },
      [{ ticket: ticketId(t), amount: 100, S: toHex(randomBytes(64)), shop: 's', chal: randomBytes(32) }],
    );
    await restoreBackup(db, old);
    expect((await listTickets(db))[0].left).toBe(400);
    expect(await listJournal(db)).toHaveLength(1);
  });
});
