// The wallet's side of Reclaim that needs no service: signed once and kept with its ticket, carried by the
// backup (a restored wallet never signs a second Reclaim), refusals said in words.
import 'fake-indexeddb/auto';
import { issueTicket, randomBytes, seedSigner, type Ticket, ticketId } from '@moneybag/protocol';
import { beforeEach, expect, it } from 'vitest';
import { reclaimRefusal, startReclaim } from '../src/reclaim.ts';
import {
  addTicket,
  type DB,
  finishReclaim,
  listTickets,
  openStore,
  restoreSnapshot,
  snapshot,
} from '../src/store.ts';

const issuer = seedSigner(randomBytes(32));
const holder = seedSigner(randomBytes(32));
let db: DB;
let n = 0;
beforeEach(async () => {
  db = await openStore(`reclaim-${n++}`);
});

const ticket = (face: number, expires = 1_000): Promise<Ticket> =>
  issueTicket(issuer, { issuer: 'city-transit', unit: 'EUR', face, holder: holder.publicKey, expires });

it('a Reclaim is signed once and kept with its ticket; the backup carries it, done, into another wallet', async () => {
  const t = await ticket(1000);
  const record = await addTicket(db, t);
  const first = await startReclaim(db, holder, record);
  const [kept] = await listTickets(db);
  expect(kept.reclaim?.status).toBe('pending');
  // Asked again (a second tap, a reload): the same signed message, not a new one.
  expect(await startReclaim(db, holder, kept)).toEqual(first);

  const fresh = await ticket(800, 9_999);
  await finishReclaim(
    db,
    record.id,
    { ...first, status: 'done', amount: 800, ticket: ticketId(fresh) },
    fresh,
  );
  const backup = await snapshot(db);

  // Another phone that still has the ticket unreclaimed (an older state) restores the backup: done wins.
  const other = await openStore(`reclaim-${n++}`);
  await addTicket(other, t);
  await restoreSnapshot(other, backup);
  const byId = new Map((await listTickets(other)).map((x) => [x.id, x]));
  expect(byId.get(record.id)?.reclaim?.status).toBe('done');
  expect(byId.get(record.id)?.left).toBe(0);
  expect(byId.get(ticketId(fresh))?.left).toBe(800);
  // So it never signs a second Reclaim for it.
  expect((await startReclaim(other, holder, byId.get(record.id)!)).status).toBe('done');
});

it('refusals in words, with what the holder can do', async () => {
  const t = await ticket(1000);
  expect(reclaimRefusal('E_WINDOW', '', t, 60)).toMatch(/^Too early: the issuer gives it back from /);
  expect(reclaimRefusal('E_DENIED', '', t, 60)).toMatch(/blocked/);
  expect(reclaimRefusal('E_AMOUNT', '', t, 60)).toBe(
    'Nothing left: shops collected all €10.00 of this ticket.',
  );
});
