import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  type Holding,
  nobleVerifier,
  parseAmount,
  seedSigner,
  selectTickets,
  verifyReceivedTicket,
} from '../src/index.ts';
import { holder, issuers, NOW, ticket } from './world.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('selectTickets', () => {
  const h = async (left: number, expires: number, unit = 'EUR'): Promise<Holding> => ({
    ticket: await ticket({ face: 1000, expires, unit }),
    left,
  });
  it('takes the fewest tickets, then the soonest expiring, partially', async () => {
    const soon = await h(300, NOW + 10);
    const later = await h(500, NOW + 100);
    const big = await h(1000, NOW + 1000);
    // One ticket suffices: of those that can, the soonest expiring.
    expect(selectTickets([soon, later, big], 'EUR', 450, NOW).map((c) => [c.ticket, c.amount])).toEqual([
      [later.ticket, 450],
    ]);
    // Two needed: among pairs, the soonest expiring first, spent fully first.
    const chosen = selectTickets([soon, later, big], 'EUR', 1200, NOW);
    expect(chosen.map((c) => [c.ticket, c.amount])).toEqual([
      [soon.ticket, 300],
      [big.ticket, 900],
    ]);
    // Equal count: prefer the soonest expiry.
    expect(selectTickets([later, soon], 'EUR', 250, NOW)[0].ticket).toBe(soon.ticket);
  });
  it('never spends beyond what is left, and says why it cannot pay', async () => {
    const a = await h(300, NOW + 10);
    expect(codeOf(() => selectTickets([a], 'EUR', 301, NOW))).toBe('E_TOTAL');
    expect(codeOf(() => selectTickets([a], 'RIDE', 1, NOW))).toBe('E_UNIT');
    expect(codeOf(() => selectTickets([a], 'EUR', 1, NOW + 10))).toBe('E_EXPIRED');
    const many = await Promise.all(Array.from({ length: 9 }, () => h(1, NOW + 10)));
    expect(codeOf(() => selectTickets(many, 'EUR', 9, NOW))).toBe('E_TOTAL');
    expect(selectTickets(many, 'EUR', 8, NOW)).toHaveLength(8);
  });
});

describe('verifyReceivedTicket', () => {
  it('accepts a ticket of a trusted issuer bound to this wallet, refuses the rest', async () => {
    const ctx = { issuers, holder: holder.publicKey, verifier: nobleVerifier, now: NOW };
    const t = await ticket();
    expect(await verifyReceivedTicket(t, ctx)).toBe(t);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e) => e.code,
      );
    expect(await code(verifyReceivedTicket({ ...t, face: 2 }, ctx))).toBe('E_TICKET_SIGNATURE');
    expect(await code(verifyReceivedTicket({ ...t, issuer: 'x' }, ctx))).toBe('E_ISSUER');
    const other = seedSigner(new Uint8Array(32).fill(5)).publicKey;
    expect(await code(verifyReceivedTicket(t, { ...ctx, holder: other }))).toBe('E_FIELD');
    expect(await code(verifyReceivedTicket(t, { ...ctx, now: t.expires }))).toBe('E_EXPIRED');
  });
});

describe('amounts', () => {
  it('formats with the unit digits, counts for admission units', () => {
    expect(formatAmount(450, 'EUR', 'en')).toBe('€4.50');
    expect(formatAmount(450, 'JPY', 'en')).toBe('¥450');
    expect(formatAmount(3, 'RIDE', 'en')).toBe('3 RIDE');
  });
  it('parses what a person types', () => {
    expect(parseAmount('4.50', 'EUR')).toBe(450);
    expect(parseAmount('4,5', 'EUR')).toBe(450);
    expect(parseAmount('4.505', 'EUR')).toBeUndefined();
    expect(parseAmount('3', 'RIDE')).toBe(3);
    expect(parseAmount('1.5', 'RIDE')).toBeUndefined();
    expect(parseAmount('abc', 'EUR')).toBeUndefined();
  });
});
