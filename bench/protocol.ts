// Protocol benchmarks: checkBag on a 10,000-use bag against the raw rate of the signature checks it must do,
// encode+decode throughput, and message sizes. Prints ratios measured side by side; asserts nothing.
import { nativeSigner, nativeVerifier, nativeVerifyRaw, useNativeHashes } from '@moneybag/node';
import {
  allocate,
  type BagAnswer,
  bodyOfUse,
  checkBag,
  closeBag,
  decode,
  decodeViews,
  encode,
  issueTicket,
  keysOf,
  makeChallenge,
  signPayment,
  type Ticket,
  ticketBody,
  type Use,
} from '@moneybag/protocol';

useNativeHashes();
const USES = 10_000;
const TICKETS = 1_000; // each spent 10 times: C verified once per distinct ticket
const NOW = 1_800_000_000;

const issuer = nativeSigner(new Uint8Array(32).fill(1));
const collector = nativeSigner(new Uint8Array(32).fill(3));
const holders = Array.from({ length: 100 }, (_, i) => nativeSigner(new Uint8Array(32).fill(10 + i)));

export async function buildBag(uses = USES, tickets = TICKETS) {
  const a = await allocate(collector, {
    collector: 'first-bank',
    to: 'acme-coffee',
    root: new Uint8Array(16).fill(0xa0),
    issued: NOW - 3600,
    due: NOW + 86_400,
  });
  const ts: { ticket: Ticket; holder: (typeof holders)[number] }[] = [];
  for (let i = 0; i < tickets; i++) {
    const holder = holders[i % holders.length];
    const ticket = await issueTicket(issuer, {
      issuer: 'city-transit',
      unit: 'EUR',
      face: 10_000,
      holder: holder.publicKey,
      expires: NOW + 86_400,
    });
    ts.push({ ticket, holder });
  }
  const list: Use[] = [];
  for (let deal = 1; deal <= uses; deal++) {
    const { ticket, holder } = ts[deal % tickets];
    const c = makeChallenge({
      collector: 'first-bank',
      bag: a.root,
      deal,
      shop: 'acme-coffee',
      unit: 'EUR',
      amount: 5,
      expires: NOW,
      label: '',
    });
    const p = await signPayment(holder, c, [{ ticket, amount: 5 }]);
    list.push({ deal, shop: 'acme-coffee', ...p.items[0] });
  }
  return { allocation: a, message: encode({ type: 'Bag', ...closeBag(a, list) }), uses: list };
}

const time = async (f: () => unknown | Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

export async function benchProtocol() {
  const { allocation, message, uses } = await buildBag();
  const ctx = {
    collector: 'first-bank',
    sender: 'acme-coffee',
    now: NOW,
    allocation: () => ({ to: 'acme-coffee', issued: allocation.issued, due: allocation.due }),
    issuers: keysOf([{ id: 'city-transit', publicKey: issuer.publicKey }]),
    verifier: nativeVerifier,
    signer: collector,
  };
  // The raw work: one verification per use, one per distinct ticket, straight into OpenSSL.
  const raw = [
    ...uses.map((u) => {
      const chal = makeChallenge({
        collector: 'first-bank',
        bag: allocation.root,
        deal: u.deal,
        shop: u.shop,
        unit: 'EUR',
        amount: 0,
        expires: 0,
        label: '',
      }).chal;
      return [u.ticket.holder, bodyOfUse(u.amount, u.ticket.C, u.shop, chal), u.S] as const;
    }),
    ...[...new Map(uses.map((u) => [u.ticket.C, u.ticket])).values()].map(
      (t) => [issuerKey, ticketBody(t), t.C] as const,
    ),
  ];
  await checkBag(message, ctx); // warm-up: JIT, key caches
  for (const [k, m, s] of raw) nativeVerifyRaw(k, m, s);
  let answer: BagAnswer | undefined;
  // Side by side: alternate the two, keep the best of each.
  let tBag = Number.POSITIVE_INFINITY;
  let tRaw = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i++) {
    tBag = Math.min(
      tBag,
      await time(async () => {
        answer = (await checkBag(message, ctx)) as BagAnswer;
      }),
    );
    tRaw = Math.min(
      tRaw,
      await time(() => {
        for (const [k, m, s] of raw) if (!nativeVerifyRaw(k, m, s)) throw new Error('raw verify failed');
      }),
    );
  }
  if (answer?.accepted.length !== USES) throw new Error('the bench bag was not all accepted');
  const usesPerS = USES / (tBag / 1000);
  console.log(`checkBag, ${USES} uses / ${TICKETS} tickets, native provider: ${usesPerS.toFixed(0)} uses/s`);
  console.log(`  raw native verifications (${raw.length}): ${(raw.length / (tRaw / 1000)).toFixed(0)}/s`);
  console.log(`  ratio checkBag / raw signature work: ${(tRaw / tBag).toFixed(3)} (goal >= 0.9)`);

  const mb = message.length / 1e6;
  const tCodec = await timeBest(5, () => encode(decode(message)));
  const tViews = await timeBest(5, () => encode(decodeViews(message, 'Bag')));
  console.log(
    `encode+decode of the ${USES}-use bag (${mb.toFixed(2)} MB): ${(mb / (tCodec / 1000)).toFixed(1)} MB/s; ${(mb / (tViews / 1000)).toFixed(1)} MB/s decoding to views (as checkBag does)`,
  );
  return { checkBagRatio: tRaw / tBag };
}

const issuerKey = issuer.publicKey;

async function timeBest(n: number, f: () => unknown | Promise<unknown>) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) best = Math.min(best, await time(f));
  return best;
}

export async function printSizes() {
  const holder = holders[0];
  const t = await issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face: 1000,
    holder: holder.publicKey,
    expires: NOW,
  });
  const c = makeChallenge({
    collector: 'first-bank',
    bag: new Uint8Array(32),
    deal: 1,
    shop: 'acme-coffee',
    unit: 'EUR',
    amount: 450,
    expires: NOW,
    label: 'Acme Coffee',
  });
  const size = (k: number) =>
    encode({
      type: 'Payment',
      shop: c.shop,
      chal: c.chal,
      items: Array.from({ length: k }, () => ({ ticket: t, amount: 1, S: new Uint8Array(64) })),
    }).length;
  console.log(
    `sizes: Ticket ${encode({ type: 'Ticket', ...t }).length} B, Challenge ${encode({ type: 'Challenge', ...c }).length} B`,
  );
  console.log(
    `  Payment of 1 ticket: ${size(1)} B (must be <= 331: a version-13 QR at ECC M); 2 tickets: ${size(2)} B; 8 tickets: ${size(8)} B`,
  );
  return { paymentBytes: size(1) };
}
