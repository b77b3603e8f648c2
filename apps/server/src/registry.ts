// Operators registering each other: an issuer registers the collectors whose Returns it settles (each gets a
// token), a collector the issuers whose tickets it takes (with the token that issuer gave it), and every
// service lists and removes what it knows. A key comes from the party's own well-known document and is
// shown as a fingerprint for the operators to compare out of band; it never changes unless forced.
import type { PartiesJson, PartyRowJson } from '@moneybag/api';
import { fromBase64url, keyFingerprint, readWellKnown, toBase64url } from '@moneybag/protocol';
import { refuse } from './http.ts';
import { newToken, removeReturnsToken, writeReturnsToken } from './keys.ts';
import type { Party, Service } from './service.ts';
import { resendTo } from './storage/collector.ts';
import {
  insertParty,
  insertToken,
  listParties,
  removeParty as markRemoved,
  updatePartyKey,
  updatePartyUrl,
} from './storage/parties.ts';
import { isUniqueViolation } from './storage/sql.ts';

export const fingerprintOf = (publicKey: string | null): string | null =>
  publicKey ? keyFingerprint(fromBase64url(publicKey)) : null;

const partyJson = (s: Service, p: Party): PartyRowJson => ({
  id: p.id,
  role: p.role,
  label: p.label,
  own: s.isOwn(p.id),
  url: p.url,
  publicKey: p.public_key,
  fingerprint: fingerprintOf(p.public_key),
});

export const origin = (url: string): string => url.replace(/\/+$/, '');

/**
 * The key a party publishes at `<url>/.well-known/moneybag.json` (base64url), and an issuer's horizon; 502
 * when it cannot be read.
 */
export async function fetchKey(
  url: string,
  role: 'issuer' | 'collector',
  id: string,
): Promise<{ publicKey: string; horizon?: number }> {
  let doc: ReturnType<typeof readWellKnown>;
  try {
    const res = await fetch(`${origin(url)}/.well-known/moneybag.json`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`answered ${res.status}`);
    doc = readWellKnown(await res.json());
  } catch (e) {
    return refuse(
      502,
      'E_REQUEST',
      `could not read ${origin(url)}/.well-known/moneybag.json: ${(e as Error).message}`,
    );
  }
  if (role === 'issuer') {
    const found = doc.issuers.find((p) => p.id === id);
    if (!found) return refuse(404, 'E_NOT_FOUND', `${origin(url)} publishes no issuer ${id}`);
    return { publicKey: toBase64url(found.publicKey), horizon: found.horizon };
  }
  const found = doc.collectors.find((p) => p.id === id);
  if (!found) return refuse(404, 'E_NOT_FOUND', `${origin(url)} publishes no collector ${id}`);
  return { publicKey: toBase64url(found.publicKey) };
}

/**
 * Registers (or updates the url of) a party of another service with the key it publishes. The same id with
 * another role, or one of this service's own, is refused; another key is refused unless `force`.
 */
async function register(
  s: Service,
  p: { id: string; role: 'issuer' | 'collector'; url: string; label?: string; force?: boolean },
): Promise<{ publicKey: string; created: boolean }> {
  if (s.isOwn(p.id)) refuse(409, 'E_REQUEST', `${p.id} is this service's own ${p.role}`);
  const { publicKey, horizon } = await fetchKey(p.url, p.role, p.id);
  const known = await s.party(p.id);
  const label = p.label ?? known?.label ?? p.id;
  if (known) {
    if (known.role !== p.role) refuse(409, 'E_REQUEST', `${p.id} is registered here as a ${known.role}`);
    if (known.public_key !== publicKey && !p.force)
      refuse(
        409,
        'E_REQUEST',
        `the key of ${p.id} changed: registered ${fingerprintOf(known.public_key)}, ${origin(p.url)} publishes ${fingerprintOf(publicKey)}; compare with its operator, then register again with --force`,
      );
    await s.db.tx(async (sql) => {
      await updatePartyUrl(sql, p.id, { url: origin(p.url), label, horizon });
      if (known.public_key !== publicKey) await updatePartyKey(sql, p.id, publicKey);
    });
    return { publicKey, created: false };
  }
  try {
    await insertParty(s.db, { id: p.id, role: p.role, label, publicKey, url: origin(p.url), horizon });
  } catch (e) {
    if (isUniqueViolation(e)) refuse(409, 'E_REQUEST', `${p.id} exists already`);
    throw e;
  }
  return { publicKey, created: true };
}

/** At an issuer: a collector whose Returns it settles, and the token that collector presents. */
export async function addCollector(
  s: Service,
  b: { id: string; url: string; label?: string; force?: boolean },
): Promise<{ collector: string; publicKey: string; token: string }> {
  if (!s.own.issuer) refuse(409, 'E_REQUEST', 'this service has no issuer');
  const { publicKey } = await register(s, { ...b, role: 'collector' });
  const token = newToken();
  await insertToken(s.db, b.id, token);
  return { collector: b.id, publicKey, token };
}

/** At a collector: an issuer whose tickets it takes, where its Returns go and the token they carry. */
export async function addIssuer(
  s: Service,
  b: { id: string; url: string; token: string; label?: string; force?: boolean },
): Promise<{ issuer: string; publicKey: string }> {
  if (!s.own.collector) refuse(409, 'E_REQUEST', 'this service has no collector');
  const { publicKey } = await register(s, { ...b, role: 'issuer' });
  writeReturnsToken(s.dataDir, b.id, b.token);
  // Registering it again is the operator's fix: Returns that waited for this issuer (unknown, or refused our
  // token) go again now.
  await resendTo(s.db, b.id);

  return { issuer: b.id, publicKey };
}

export async function partiesView(s: Service): Promise<PartiesJson> {
  return { parties: (await listParties(s.db)).map((p) => partyJson(s, p)) };
}

/** A new token for a party (its operator's, a registered collector's or a shop's); the old ones stay valid. */
export async function tokenFor(s: Service, id: string): Promise<{ party: string; token: string }> {
  const p = await s.party(id);
  if (!p || p.removed) refuse(404, 'E_NOT_FOUND', `no party ${id}`);
  return { party: id, token: await s.addToken(id) };
}

/** Removes a registered party of a role (never one of this service's own) and its tokens. */
export async function removeParty(
  s: Service,
  id: string,
  role: 'issuer' | 'collector' | 'shop',
): Promise<{ removed: string }> {
  const p = await s.party(id);
  if (!p || p.role !== role || p.removed) refuse(404, 'E_NOT_FOUND', `no ${role} ${id}`);
  if (s.isOwn(id)) refuse(409, 'E_REQUEST', `${id} is this service's own ${role}`);
  await s.db.tx((sql) => markRemoved(sql, id));
  if (role === 'issuer') removeReturnsToken(s.dataDir, id);
  return { removed: id };
}
