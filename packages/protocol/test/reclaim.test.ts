// Every vector of v1-reclaim.json (3.8, 5.3 step 4, 5.4), byte for byte, and the wallet's side of a reclaim.
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  keysOf,
  nobleVerifier,
  ProtocolError,
  type Reclaim,
  readWellKnown,
  reclaimAnswerJson,
  reclaimableFrom,
  seedSigner,
  signReclaim,
  type Ticket,
  toBase64url,
  toText,
  verifyReclaimAnswer,
} from '../src/index.ts';
import { reclaimBody } from '../src/signed.ts';
import { memoryIssuer } from './issuer.ts';
import { bytes, cases, fromJson, hex, toJson, VR } from './vectors.ts';

type KeyName = 'issuer' | 'holder' | 'new_holder' | 'stranger' | 'cheat';
const signer = (name: KeyName) => seedSigner(bytes(VR.keys[name].seed));
const issuers = keysOf([{ id: 'city-transit', publicKey: signer('issuer').publicKey }]);
/** A vector's Reclaim fields as a message: `to` is bytes here (in an Allocation, `to` is an id). */
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON fields
const reclaimOf = (f: any): Reclaim => ({ ticket: fromJson(f.ticket), to: bytes(f.to), P: bytes(f.P) });
const ticketHex = (t: Ticket) => hex(encode({ type: 'Ticket', ...t }));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
  return undefined;
}

describe('3.8: Reclaim messages', () => {
  it('derive the public keys from the seeds', () => {
    for (const k of Object.values(VR.keys) as { seed: string; publicKey: string }[])
      expect(hex(seedSigner(bytes(k.seed)).publicKey)).toBe(k.publicKey);
  });
  it.each(cases(VR.messages))('%s', async (_name, m) => {
    const r = reclaimOf(m.fields);
    expect(hex(reclaimBody(r))).toBe(m.body_hex);
    // The wallet signs the same P (Ed25519 is deterministic), to the same key.
    const signed = await signReclaim(signer('holder'), r.ticket, r.to);
    expect(hex(signed.P)).toBe(m.fields.P);
    const msg = encode({ type: 'Reclaim', ...signed });
    expect(hex(msg)).toBe(m.hex);
    const back = decode(bytes(m.hex), 'Reclaim');
    expect(toJson(back)).toEqual({ type: 'Reclaim', ...m.fields });
    expect(hex(encode(back))).toBe(m.hex);
  });
  it.each(cases(VR.invalid))('invalid: %s', (_name, m) => {
    expect(codeOf(() => decode(bytes(m.hex), m.expected ?? undefined))).toBe(m.code);
  });
});

describe('5.3 step 4 and 5.4: the scenario of Returns and Reclaims', () => {
  it('gives every expected answer and leaves the expected state', async () => {
    const S = VR.scenario;
    const issuer = memoryIssuer(S);
    for (const step of S.steps) {
      if (step.return) {
        expect(await issuer.settle(bytes(step.return.hex), step.return.from), step.note).toEqual(
          step.expected,
        );
        continue;
      }
      const r = step.reclaim;
      const out = await issuer.reclaim(bytes(r.hex), {
        signer: signer('issuer'),
        horizon: S.horizon,
        now: r.now,
        expires: r.new_expires,
        serial: bytes(r.new_serial),
      });
      const got =
        'refused' in out
          ? out
          : {
              ...(out.retry ? { retry: true } : {}),
              ticket: ticketHex(out.answer.ticket),
              amount: out.answer.amount,
            };
      expect(got, step.note).toEqual(step.expected);
    }
    const bySerial = (m: Map<string, number>) => [...m].map(([id, n]) => [id.split('/')[1], n] as const);
    const spent: Record<string, number> = Object.fromEntries(bySerial(issuer.spent));
    const reclaimed = Object.fromEntries(
      [...issuer.reclaims].map(([id, a]) => [id.split('/')[1], a.amount] as const),
    );
    // A reclaimed amount counts as settled to the holder (5.4).
    for (const [serial, n] of Object.entries(reclaimed)) spent[serial] = (spent[serial] ?? 0) + n;
    expect(spent).toEqual(S.final.spent);
    expect(reclaimed).toEqual(S.final.reclaimed);
    expect([...issuer.denied]).toEqual(S.final.denied);
    expect(issuer.payouts).toEqual(S.final.payouts);
  });
});

describe("the wallet's side", () => {
  const [m] = VR.messages;
  const reclaim = reclaimOf(m.fields);
  const now = VR.scenario.steps.find((s: { expected: { amount?: number } }) => s.expected.amount).reclaim.now;

  async function answered() {
    const issuer = memoryIssuer({
      issuer: 'city-transit',
      tickets: [ticketHex(reclaim.ticket)],
      collectors: [],
    });
    const out = await issuer.reclaim(encode({ type: 'Reclaim', ...reclaim }), {
      signer: signer('issuer'),
      horizon: VR.horizon,
      now,
      expires: now + 86_400,
    });
    if ('refused' in out) throw new Error(out.refused);
    return out.answer;
  }

  it('reclaims from expires + horizon on, the horizon read from the issuer entry', () => {
    const [entry] = readWellKnown({
      version: 1,
      issuers: [
        { id: 'city-transit', publicKey: toBase64url(signer('issuer').publicKey), url: '', horizon: 60 },
      ],
    }).issuers;
    expect(reclaimableFrom(reclaim.ticket, entry.horizon)).toBe(reclaim.ticket.expires + 60);
  });
  it('signs only its own tickets', async () => {
    await expect(signReclaim(signer('stranger'), reclaim.ticket)).rejects.toMatchObject({ code: 'E_FIELD' });
    const own = await signReclaim(signer('holder'), reclaim.ticket);
    expect(hex(own.to)).toBe(VR.keys.holder.publicKey);
  });
  it("accepts the issuer's answer: the remainder, to the Reclaim's key, signed by the issuer", async () => {
    const json = reclaimAnswerJson(await answered());
    const ctx = { reclaim, issuers, verifier: nobleVerifier, now };
    const got = await verifyReclaimAnswer(json, ctx);
    expect(got.amount).toBe(reclaim.ticket.face);
    expect(hex(got.ticket.holder)).toBe(VR.keys.new_holder.publicKey);
  });
  it('refuses an answer that is not the remainder, another wallet’s, unsigned or malformed', async () => {
    const a = await answered();
    const ctx = { reclaim, issuers, verifier: nobleVerifier, now };
    const refusal = (json: unknown) =>
      verifyReclaimAnswer(json, ctx).then(
        () => undefined,
        (e: ProtocolError) => e.code,
      );
    const json = reclaimAnswerJson(a);
    expect(await refusal({ ...json, amount: a.amount - 1 })).toBe('E_FIELD');
    expect(await refusal({ ticket: json.ticket })).toBe('E_FIELD');
    expect(await refusal({ ...json, ticket: 'not base64url!' })).toBe('E_FIELD');
    // Issued to the old key, not to the Reclaim's `to`.
    const toOld = await verifyReclaimAnswer(json, {
      ...ctx,
      reclaim: { ...reclaim, to: reclaim.ticket.holder },
    }).then(
      () => undefined,
      (e: ProtocolError) => e.code,
    );
    expect(toOld).toBe('E_FIELD');
    // A ticket whose C is not the issuer's.
    const forged = toText(encode({ type: 'Ticket', ...a.ticket, C: new Uint8Array(64).fill(7) }));
    expect(await refusal({ ...json, ticket: forged })).toBe('E_TICKET_SIGNATURE');
  });
});
