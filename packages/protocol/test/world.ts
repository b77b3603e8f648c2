// A small world for role tests: an issuer, a holder, a collector and a shop, with fixed keys.
import {
  allocate,
  type Challenge,
  type Choice,
  encode,
  issueTicket,
  keysOf,
  makeChallenge,
  numberOfAllocation,
  passDown,
  seedSigner,
  signPayment,
  type Ticket,
} from '../src/index.ts';

export const NOW = 1_800_000_000;
export const issuer = seedSigner(new Uint8Array(32).fill(1));
export const holder = seedSigner(new Uint8Array(32).fill(2));
export const collector = seedSigner(new Uint8Array(32).fill(3));
export const issuers = keysOf([{ id: 'city-transit', publicKey: issuer.publicKey }]);

export const ticket = (p: Partial<Omit<Ticket, 'C'>> = {}): Promise<Ticket> =>
  issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face: 1000,
    holder: holder.publicKey,
    expires: NOW + 86_400,
    ...p,
  });

export const root = new Uint8Array(16).fill(0xa0);
export const allocation = async () => {
  const a = await allocate(collector, {
    collector: 'first-bank',
    to: 'acme-coffee',
    root,
    issued: NOW - 3600,
    due: NOW + 86_400,
  });
  return passDown(passDown(a, 'main', 0), 'pos-1', 2);
};

export async function challenge(deal: number, p: Partial<Challenge> = {}): Promise<Challenge> {
  const a = await allocation();
  return {
    ...makeChallenge({
      collector: 'first-bank',
      bag: numberOfAllocation(a),
      deal,
      shop: 'acme-coffee',
      unit: 'EUR',
      amount: 450,
      expires: NOW + 120,
      label: 'Acme Coffee',
    }),
    ...p,
  };
}

export const pay = async (c: Challenge, choices: Choice[], signer = holder) =>
  encode({ type: 'Payment', ...(await signPayment(signer, c, choices)) });
