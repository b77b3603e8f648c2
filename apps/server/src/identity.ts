// Which parties a data folder is: on its first start, the named issuer and/or collector (each with its key and
// an operator token) or, with no names given, the demo; afterwards, what the folder remembers (the kv table),
// so that starting it under other ids is an error rather than a second identity.
import { toBase64url } from '@moneybag/protocol';
import { seedDemo } from './demo.ts';
import { createKey, newToken, writeOperatorToken, writeReturnsToken } from './keys.ts';
import type { ServedRole } from './service.ts';
import { insertParty, insertToken, ownParties, setOwnParties } from './storage/parties.ts';
import type { Db } from './storage/sql.ts';

export type Own = { issuer?: string; collector?: string };

/** What a start asks for: the roles to serve and the ids of its own parties (all optional). */
export interface IdentityRequest {
  roles?: readonly ServedRole[];
  issuer?: string;
  collector?: string;
}

export interface Identity {
  roles: ServedRole[];
  own: Own;
  /** The operator tokens of the parties this start created (shown once), if it created any. */
  created?: { id: string; role: ServedRole; token: string }[];
  /** True when this start seeded the demo. */
  demo: boolean;
}

const describe = (own: Own) =>
  [own.issuer && `issuer ${own.issuer}`, own.collector && `collector ${own.collector}`]
    .filter(Boolean)
    .join(' and ');

/**
 * Own parties with their keys, operator tokens (written to keys/<id>.token) and the kv rows, in one
 * transaction. A service both issuer and collector presents its collector's token to its own issuer.
 */
export async function createOwnParties(
  db: Db,
  dataDir: string,
  own: Own,
): Promise<{ id: string; role: ServedRole; token: string }[]> {
  const made = (['issuer', 'collector'] as const)
    .filter((role) => own[role])
    .map((role) => ({ id: own[role]!, role, key: createKey(dataDir, own[role]!), token: newToken() }));
  await db.tx(async (sql) => {
    for (const p of made) {
      await insertParty(sql, {
        id: p.id,
        role: p.role,
        label: p.id,
        publicKey: toBase64url(p.key.publicKey),
      });
      await insertToken(sql, p.id, p.token);
    }
    await setOwnParties(sql, own);
  });
  for (const p of made) writeOperatorToken(dataDir, p.id, p.token);
  const collector = made.find((p) => p.role === 'collector');
  if (own.issuer && collector) writeReturnsToken(dataDir, own.issuer, collector.token);
  return made.map(({ id, role, token }) => ({ id, role, token }));
}

/** The identity of the data folder, made on its first start; a clear error when the request contradicts it. */
export async function openIdentity(db: Db, dataDir: string, req: IdentityRequest): Promise<Identity> {
  for (const role of ['issuer', 'collector'] as const)
    if (req[role] && req.roles && !req.roles.includes(role))
      throw new Error(`--${role} ${req[role]} names a ${role}, but --role does not serve one`);
  let own: Own = await ownParties(db);
  if (!own.issuer && !own.collector) {
    if (!req.issuer && !req.collector) {
      await seedDemo(db, dataDir);
      own = await ownParties(db);
      return { roles: [...(req.roles ?? ['issuer', 'collector'])], own, demo: true };
    }
    const roles = req.roles ?? (['issuer', 'collector'] as const).filter((r) => req[r]);
    for (const role of roles)
      if (!req[role]) throw new Error(`a new ${role} needs its id: --role ${role} --id ID (or --${role} ID)`);
    own = { issuer: req.issuer, collector: req.collector };
    return { roles: [...roles], own, created: await createOwnParties(db, dataDir, own), demo: false };
  }
  for (const role of ['issuer', 'collector'] as const)
    if (req[role] && req[role] !== own[role])
      throw new Error(
        `this data folder is ${describe(own)}, not ${role} ${req[role]}: start another ${role} on its own data folder (--data)`,
      );
  const roles = req.roles ?? (['issuer', 'collector'] as const).filter((r) => own[r]);
  for (const role of roles)
    if (!own[role]) throw new Error(`this data folder is ${describe(own)} and has no ${role}`);
  return { roles: [...roles], own, demo: false };
}
