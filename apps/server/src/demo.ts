// The first start: on an empty database, the demo issuer, collector and shop, their keys and tokens, and
// `<data>/demo.json` listing them. A step of its own: the service only reads what it finds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoFileJson, DemoOperatorsJson } from '@moneybag/api';
import { toBase64url } from '@moneybag/protocol';
import { createKey, newToken, writeOperatorToken, writeReturnsToken, writeSecret } from './keys.ts';
import type { Service } from './service.ts';
import { insertParty, insertToken, ownParties, setOwnParties } from './storage/parties.ts';
import type { Db } from './storage/sql.ts';

export const DEMO = {
  issuer: 'city-transit',
  collector: 'first-bank',
  shop: 'acme-coffee',
  shopLabel: 'Acme Coffee',
};

/** `<data>/demo.json`: the demo parties and their tokens, for the operator and the tests. */
export type DemoJson = DemoFileJson;

/** Seeds the demo parties unless this database has its own parties already. True if it did. */
export async function seedDemo(db: Db, dataDir: string): Promise<boolean> {
  const own = await ownParties(db);
  if (own.issuer || own.collector) return false;
  const issuerKey = createKey(dataDir, DEMO.issuer);
  const collectorKey = createKey(dataDir, DEMO.collector);
  const tokens = { issuer: newToken(), collector: newToken(), shop: newToken() };
  // The collector presents its own token to its issuer (one service, one parties table).
  writeReturnsToken(dataDir, DEMO.issuer, tokens.collector);
  writeOperatorToken(dataDir, DEMO.collector, tokens.collector);
  writeOperatorToken(dataDir, DEMO.issuer, tokens.issuer);
  await db.tx(async (sql) => {
    await insertParty(sql, {
      id: DEMO.issuer,
      role: 'issuer',
      label: 'City Transit',
      publicKey: toBase64url(issuerKey.publicKey),
    });
    await insertParty(sql, {
      id: DEMO.collector,
      role: 'collector',
      label: 'First Bank',
      publicKey: toBase64url(collectorKey.publicKey),
    });
    await insertParty(sql, { id: DEMO.shop, role: 'shop', label: DEMO.shopLabel });
    await insertToken(sql, DEMO.issuer, tokens.issuer);
    await insertToken(sql, DEMO.collector, tokens.collector);
    await insertToken(sql, DEMO.shop, tokens.shop);
    await setOwnParties(sql, { issuer: DEMO.issuer, collector: DEMO.collector });
  });
  const demo: DemoJson = {
    issuer: { id: DEMO.issuer, token: tokens.issuer },
    collector: { id: DEMO.collector, token: tokens.collector },
    shops: [{ id: DEMO.shop, token: tokens.shop }],
  };
  writeSecret(join(dataDir, 'demo.json'), `${JSON.stringify(demo, null, 2)}\n`);
  return true;
}

/**
 * The demo's operator tokens, when this service runs the demo parties: its `demo.json` names its own issuer
 * and collector, and their tokens there still open them. Undefined on any other service (a folder made with
 * --role, a demo.json copied in, a token since revoked).
 */
export async function demoOperators(s: Service): Promise<DemoOperatorsJson | undefined> {
  let demo: DemoJson;
  try {
    demo = JSON.parse(readFileSync(join(s.dataDir, 'demo.json'), 'utf8')) as DemoJson;
  } catch {
    return undefined;
  }
  const { issuer, collector } = demo ?? {};
  if (!issuer || !collector || issuer.id !== s.own.issuer || collector.id !== s.own.collector)
    return undefined;
  for (const p of [issuer, collector]) {
    if (typeof p.token !== 'string' || (await s.partyOfToken(p.token))?.id !== p.id) return undefined;
  }
  return {
    issuer: { id: issuer.id, token: issuer.token },
    collector: { id: collector.id, token: collector.token },
  };
}
