// 5.1, one test per rule: each payment breaks exactly that rule and nothing else.
import { describe, expect, it } from 'vitest';
import {
  checkBag,
  checkPayment,
  closeBag,
  decode,
  encode,
  nobleVerifier,
  type OpenChallenge,
  type PaymentContext,
  seedSigner,
  ticketId,
  toHex,
  usesOf,
} from '../src/index.ts';
import { allocation, challenge, collector, holder, issuers, NOW, pay, ticket } from './world.ts';

async function context(
  over: Partial<PaymentContext> = {},
  open: Partial<OpenChallenge> = {},
): Promise<PaymentContext> {
  const c = await challenge(1);
  return {
    shop: 'acme-coffee',
    now: NOW,
    challenge: (chal) =>
      toHex(chal) === toHex(c.chal)
        ? { unit: 'EUR', amount: 450, expires: NOW + 120, paid: false, ...open }
        : undefined,
    issuers,
    acceptedOf: () => 0,
    denied: new Map(),
    verifier: nobleVerifier,
    ...over,
  };
}

const verdict = async (payment: Uint8Array, ctx: PaymentContext) => {
  const v = await checkPayment(payment, ctx);
  return v.ok ? 'ok' : v.code;
};

describe('5.1: the POS at the deal', () => {
  it('accepts a good payment of one or several tickets', async () => {
    const c = await challenge(1);
    expect(await verdict(await pay(c, [{ ticket: await ticket(), amount: 450 }]), await context())).toBe(
      'ok',
    );
    const [t1, t2] = [await ticket(), await ticket()];
    const two = await pay(c, [
      { ticket: t1, amount: 400 },
      { ticket: t2, amount: 50 },
    ]);
    const v = await checkPayment(two, await context());
    expect(v.ok && v.total).toBe(450);
  });
  it('1. another shop, an unknown, paid or expired challenge: E_CHALLENGE', async () => {
    const good = await pay(await challenge(1), [{ ticket: await ticket(), amount: 450 }]);
    expect(await verdict(good, await context({ shop: 'bean-bar' }))).toBe('E_CHALLENGE');
    expect(
      await verdict(
        await pay(await challenge(2), [{ ticket: await ticket(), amount: 450 }]),
        await context(),
      ),
    ).toBe('E_CHALLENGE');
    expect(await verdict(good, await context({}, { paid: true }))).toBe('E_CHALLENGE');
    expect(await verdict(good, await context({ now: NOW + 120 }))).toBe('E_CHALLENGE');
  });
  it('2. an untrusted issuer: E_ISSUER; a bad C: E_TICKET_SIGNATURE', async () => {
    const c = await challenge(1);
    const other = { ...(await ticket()), issuer: 'night-bus' };
    expect(await verdict(await pay(c, [{ ticket: other, amount: 450 }]), await context())).toBe('E_ISSUER');
    const forged = { ...(await ticket()), face: 5000 };
    expect(await verdict(await pay(c, [{ ticket: forged, amount: 450 }]), await context())).toBe(
      'E_TICKET_SIGNATURE',
    );
  });
  it('3. a bad S: E_USE_SIGNATURE', async () => {
    const c = await challenge(1);
    const p = decode(await pay(c, [{ ticket: await ticket(), amount: 450 }]), 'Payment');
    const stranger = seedSigner(new Uint8Array(32).fill(9));
    const q = decode(await pay(c, [{ ticket: await ticket(), amount: 450 }], stranger), 'Payment');
    p.items[0].S = q.items[0].S;
    expect(await verdict(encode(p), await context())).toBe('E_USE_SIGNATURE');
  });
  it('4. expired ticket, other unit, amount outside 1..face, wrong total', async () => {
    const c = await challenge(1);
    const ctx = await context();
    expect(await verdict(await pay(c, [{ ticket: await ticket({ expires: NOW }), amount: 450 }]), ctx)).toBe(
      'E_EXPIRED',
    );
    expect(await verdict(await pay(c, [{ ticket: await ticket({ unit: 'RIDE' }), amount: 450 }]), ctx)).toBe(
      'E_UNIT',
    );
    expect(await verdict(await pay(c, [{ ticket: await ticket({ face: 400 }), amount: 450 }]), ctx)).toBe(
      'E_AMOUNT',
    );
    const zero = await pay(c, [
      { ticket: await ticket(), amount: 0 },
      { ticket: await ticket(), amount: 450 },
    ]);
    expect(await verdict(zero, ctx)).toBe('E_AMOUNT');
    expect(await verdict(await pay(c, [{ ticket: await ticket(), amount: 449 }]), ctx)).toBe('E_TOTAL');
  });
  it('5. a ticket twice in the payment, or beyond its face here: E_OVERSPENT', async () => {
    const c = await challenge(1);
    const t = await ticket();
    const twice = await pay(c, [
      { ticket: t, amount: 200 },
      { ticket: t, amount: 250 },
    ]);
    expect(await verdict(twice, await context())).toBe('E_OVERSPENT');
    const once = await pay(c, [{ ticket: t, amount: 450 }]);
    const spent = (id: string) => (id === ticketId(t) ? 551 : 0);
    expect(await verdict(once, await context({ acceptedOf: spent }))).toBe('E_OVERSPENT');
    expect(await verdict(once, await context({ acceptedOf: (id) => spent(id) - 1 }))).toBe('ok');
  });
  it("6. a holder on the deny list of the ticket's issuer: E_DENIED; on another issuer's list: ok", async () => {
    const t = await ticket();
    const p = await pay(await challenge(1), [{ ticket: t, amount: 450 }]);
    const listed = new Set([toHex(holder.publicKey)]);
    expect(await verdict(p, await context({ denied: new Map([[t.issuer, listed]]) }))).toBe('E_DENIED');
    expect(await verdict(p, await context({ denied: new Map([['night-bus', listed]]) }))).toBe('ok');
  });
  it('refuses bytes that are not a Payment with the decoder code', async () => {
    expect(await verdict(new Uint8Array([0x4d, 1, 2]), await context())).toBe('E_TYPE');
  });
});

describe('bags', () => {
  it('closeBag puts the uses under the path; the collector accepts them all', async () => {
    const a = await allocation();
    const c1 = await challenge(1);
    const c2 = await challenge(2, { amount: 300 });
    const p1 = decode(await pay(c1, [{ ticket: await ticket(), amount: 450 }]), 'Payment');
    const p2 = decode(await pay(c2, [{ ticket: await ticket(), amount: 300 }]), 'Payment');
    const bag = encode({ type: 'Bag', ...closeBag(a, [...usesOf(p1, 1), ...usesOf(p2, 2)]) });
    const answer = await checkBag(bag, {
      collector: 'first-bank',
      sender: 'acme-coffee',
      now: NOW,
      allocation: () => ({ to: 'acme-coffee', issued: a.issued, due: a.due }),
      issuers,
      verifier: nobleVerifier,
      signer: collector,
    });
    if ('retry' in answer) throw new Error('not a retry');
    expect(answer.rejected).toEqual([]);
    expect(answer.accepted.map((u) => [u.path, u.deal])).toEqual([
      [
        [
          ['main', 0],
          ['pos-1', 2],
        ],
        1,
      ],
      [
        [
          ['main', 0],
          ['pos-1', 2],
        ],
        2,
      ],
    ]);
    expect(answer.totals).toEqual({ EUR: 750 });
  });
});
