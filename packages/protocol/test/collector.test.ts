// The collector's bookkeeping inside checkBag (5.2): which C is verified once, which S is a copy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuckets } from '../src/bytes.ts';
import {
  bodyOfUse,
  challengeOf,
  checkBag,
  closeBag,
  encode,
  nobleVerifier,
  numberOfAllocation,
  type Use,
} from '../src/index.ts';
import { allocation, collector, holder, issuers, NOW, ticket } from './world.ts';

describe('ByteBuckets', () => {
  it('finds exactly what a search of every member by its bytes finds', () => {
    // Few distinct bytes, so that members share their first bytes (one bucket) and differ later, or are short.
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 6 }).map((b) => b.map((x) => x % 3));
    // (up to 60 members: a bucket past a few keys them by their whole bytes)
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 60 }), fc.array(bytes, { maxLength: 20 }), (added, probes) => {
        const set = new ByteBuckets<number>();
        added.forEach((b, i) => {
          set.add(b, i);
        });
        for (const p of [...added, ...probes]) {
          const same = (i: number) => added[i].length === p.length && added[i].every((x, k) => x === p[k]);
          const all = added.map((_, i) => i).filter(same);
          expect(set.find(p)).toBe(all[0]);
          expect(set.has(p)).toBe(all.length > 0);
          expect(set.find(p, (i) => i % 2 === 1)).toBe(all.find((i) => i % 2 === 1));
        }
      }),
    );
  });
});

describe('checkBag', () => {
  it('verifies a ticket with the C of another but other fields on its own, and refuses a copy of an accepted use', async () => {
    const a = await allocation();
    const t = await ticket();
    const forged = { ...t, face: 100_000 }; // the issuer's C over other fields
    const chal = (deal: number) => challengeOf('first-bank', numberOfAllocation(a), deal);
    const use = async (deal: number, tk: typeof t, amount: number): Promise<Use> => ({
      deal,
      shop: 'acme-coffee',
      ticket: tk,
      amount,
      S: await holder.sign(bodyOfUse(amount, tk.C, 'acme-coffee', chal(deal))),
    });
    const genuine = await use(2, t, 10);
    const uses = [
      await use(1, forged, 5000),
      genuine,
      await use(3, forged, 1),
      { ...genuine },
      await use(4, t, 20),
    ];
    const check = async (list: Use[]) => {
      const answer = await checkBag(encode({ type: 'Bag', ...closeBag(a, list) }), {
        collector: 'first-bank',
        sender: 'acme-coffee',
        now: NOW,
        allocation: () => ({ to: 'acme-coffee', issued: NOW - 3600, due: NOW + 86_400, collected: null }),
        issuers,
        verifier: nobleVerifier,
        signer: collector,
      });
      if ('retry' in answer) throw new Error('not a retry');
      return answer;
    };
    const r = await check(uses);
    expect(r.accepted.map((u) => [u.deal, u.amount])).toEqual([
      [2, 10],
      [4, 20],
    ]);
    // The forged copy comes first: the genuine ticket, with the same C, is still verified on its own.
    expect(r.rejected.map((u) => [u.deal, u.index, u.code])).toEqual([
      [1, 0, 'E_TICKET_SIGNATURE'],
      [3, 2, 'E_TICKET_SIGNATURE'],
      [2, 3, 'E_DUPLICATE'],
    ]);

    // One C under many field sets (each forged but the issuer's): each is checked on its own, the genuine
    // ticket after them too.
    const many = [
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, i) => use(10 + i, { ...t, face: t.face + 1 + i }, 1)),
      )),
      await use(40, t, 1),
      await use(41, t, 2),
    ];
    const m = await check(many);
    expect(m.accepted.map((u) => u.deal)).toEqual([40, 41]);
    expect(m.rejected.map((u) => u.code)).toEqual(Array(20).fill('E_TICKET_SIGNATURE'));
  });
});
