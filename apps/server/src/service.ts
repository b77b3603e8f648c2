// What every role shares: the configuration (fixed at construction), the database, this service's own
// issuer and collector with their keys, and the parties with their tokens.
import { nativeVerifier } from '@moneybag/node';
import { DEFAULT_HORIZON, fromBase64url, type Keys, type Signer, type Verifier } from '@moneybag/protocol';
import { loadKey, newToken, readReturnsToken } from './keys.ts';
import {
  insertParty,
  insertToken,
  ownParties,
  type Party,
  type PartyOfToken,
  partyById,
  partyOfToken,
  publicKeys,
  type Role,
} from './storage/parties.ts';
import type { Db, Sql } from './storage/sql.ts';

export type { Party, PartyOfToken, Role } from './storage/parties.ts';

/** The roles a process serves. */
export type ServedRole = 'issuer' | 'collector';

export interface ServiceConfig {
  /** The data folder: keys, demo.json, the embedded database. */
  readonly dataDir: string;
  /** The roles this process serves. */
  readonly roles: readonly ServedRole[];
  /** The public origin used in well-known, pairing links and printed URLs. */
  readonly origin: string;
  /** Where this process reaches itself (the outbox toward a local issuer). */
  readonly selfUrl: string;
  /** The issuer's horizon (3.8), in seconds: 45 days unless the operator sets one (--horizon). */
  readonly horizon?: number;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class Service {
  readonly dataDir: string;
  readonly roles: readonly ServedRole[];
  readonly origin: string;
  readonly selfUrl: string;
  readonly horizon: number;

  private constructor(
    config: ServiceConfig,
    readonly db: Db,
    readonly verifier: Verifier,
    /** This service's own issuer and collector (ids), as its data folder remembers them. */
    readonly own: { readonly issuer?: string; readonly collector?: string },
    private readonly signers: ReadonlyMap<string, Signer>,
  ) {
    this.dataDir = config.dataDir;
    this.roles = Object.freeze([...config.roles]);
    this.origin = config.origin.replace(/\/+$/, '');
    this.selfUrl = config.selfUrl.replace(/\/+$/, '');
    this.horizon = config.horizon ?? DEFAULT_HORIZON;
    Object.freeze(this);
  }

  /**
   * The service over an opened database whose own parties exist (`openIdentity` makes them on a first
   * start), serving roles it has a party for. The database is the service's from now on: `close()` closes it.
   */
  static async open(db: Db, config: ServiceConfig, verifier: Verifier = nativeVerifier): Promise<Service> {
    const own = await ownParties(db);
    if (!own.issuer && !own.collector) throw new Error('this database has no party yet: create it first');
    for (const role of config.roles) if (!own[role]) throw new Error(`this data folder has no ${role}`);
    const signers = new Map(
      [own.issuer, own.collector]
        .filter((id) => id !== undefined)
        .map((id) => [id, loadKey(config.dataDir, id)]),
    );
    return new Service(config, db, verifier, Object.freeze(own), signers);
  }

  /** This service's own issuer (the issuer's routes run only where it serves one). */
  get issuer(): string {
    if (!this.own.issuer) throw new Error('this service has no issuer');
    return this.own.issuer;
  }

  /** This service's own collector. */
  get collector(): string {
    if (!this.own.collector) throw new Error('this service has no collector');
    return this.own.collector;
  }

  /** Whether a party is one of this service's own (its operator's), not one registered from elsewhere. */
  isOwn(id: string): boolean {
    return id === this.own.issuer || id === this.own.collector;
  }

  serves(role: ServedRole): boolean {
    return this.roles.includes(role);
  }

  signer(party: string): Signer {
    const s = this.signers.get(party);
    if (!s) throw new Error(`no key for ${party}`);
    return s;
  }

  /** The token this collector presents to an issuer (a secret it holds, like its key), if it was given one. */
  returnsToken(issuer: string): string | undefined {
    return readReturnsToken(this.dataDir, issuer);
  }

  party(id: string, sql: Sql = this.db): Promise<Party | undefined> {
    return partyById(sql, id);
  }

  partyOfToken(token: string): Promise<PartyOfToken | undefined> {
    return partyOfToken(this.db, token);
  }

  /** Trusted keys of every party of a role (issuers for the collector, collectors for the issuer). */
  async keysOf(role: ServedRole): Promise<Keys> {
    return new Map((await publicKeys(this.db, role)).map(([id, key]) => [id, fromBase64url(key)]));
  }

  /** The issuers registered from elsewhere, as the well-known lists them. */
  async registeredIssuers(): Promise<{ id: string; publicKey: string; url: string; horizon: number }[]> {
    const { rows } = await this.db.query<{ id: string; public_key: string; url: string; horizon: unknown }>(
      "SELECT id, public_key, url, horizon FROM parties WHERE role = 'issuer' AND public_key IS NOT NULL AND url IS NOT NULL AND removed_at IS NULL ORDER BY id",
    );
    return rows
      .filter((r) => !this.isOwn(r.id))
      .map((r) => ({
        id: r.id,
        publicKey: r.public_key,
        url: r.url,
        horizon: r.horizon === null ? DEFAULT_HORIZON : Number(r.horizon),
      }));
  }

  /** Adds a party (a shop) with a fresh token (shown once). */
  async addParty(
    id: string,
    role: Role,
    label: string,
  ): Promise<{ id: string; label: string; token: string }> {
    const token = newToken();
    await this.db.tx(async (sql) => {
      await insertParty(sql, { id, role, label });
      await insertToken(sql, id, token);
    });
    return { id, label, token };
  }

  /** A new token for an existing party; the old ones stay valid. */
  async addToken(party: string): Promise<string> {
    const token = newToken();
    await insertToken(this.db, party, token);
    return token;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
