// What both roles share: the database, the parties with their keys and hashed tokens, the first start.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeSigner, nativeVerifier } from '@moneybag/node';
import {
  fromBase64url,
  fromHex,
  type Keys,
  type Signer,
  toBase64url,
  toHex,
  utf8,
  type Verifier,
} from '@moneybag/protocol';
import { type Db, openDb, type Sql } from './db.ts';

export type Role = 'issuer' | 'collector' | 'shop';
export interface Party {
  id: string;
  role: Role;
  label: string;
  public_key: string | null;
  url: string | null;
}

export const DEMO = {
  issuer: 'city-transit',
  collector: 'first-bank',
  shop: 'acme-coffee',
  shopLabel: 'Acme Coffee',
};

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newToken = (): string => toBase64url(randomBytes(32));
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Writes a secret file readable by its owner only. */
function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export class Service {
  /** The local issuer's and collector's signers, by party id. */
  readonly signers = new Map<string, Signer>();
  issuer = '';
  collector = '';
  /** The public origin used in well-known, pairing links and printed URLs. */
  origin = '';
  /** Where this process reaches itself (the outbox toward a local issuer). */
  selfUrl = '';
  /** The roles this process serves. */
  roles: ('issuer' | 'collector')[] = ['issuer', 'collector'];

  private constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly verifier: Verifier,
  ) {}

  static async open(
    dataDir: string,
    opts: { verifier?: Verifier; databaseUrl?: string } = {},
  ): Promise<Service> {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const db = await openDb(dataDir, opts.databaseUrl);
    const s = new Service(db, dataDir, opts.verifier ?? nativeVerifier);
    await s.firstStart();
    return s;
  }

  private keyPath = (party: string) => join(this.dataDir, 'keys', `${party}.seed`);
  private tokenPath = (party: string) => join(this.dataDir, 'keys', `${party}.token`);

  private loadSigner(party: string): Signer {
    const p = this.keyPath(party);
    if (!existsSync(p)) throw new Error(`the key of ${party} is missing: ${p}`);
    return nativeSigner(fromHex(readFileSync(p, 'utf8').trim()));
  }

  /** The token this collector presents to issuers (a secret it holds, like its key). */
  outgoingToken(party: string): string {
    return readFileSync(this.tokenPath(party), 'utf8').trim();
  }

  /** On an empty database: the demo issuer, collector and shop, their keys and tokens, and demo.json. */
  private async firstStart(): Promise<void> {
    const { rows } = await this.db.query<{ key: string; value: string }>(
      "SELECT key, value FROM kv WHERE key IN ('issuer', 'collector')",
    );
    const kv = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    if (!kv.issuer || !kv.collector) {
      const tokens: Record<string, string> = {};
      const keys: Record<string, Signer> = {};
      for (const id of [DEMO.issuer, DEMO.collector]) {
        const seed = randomBytes(32);
        writeSecret(this.keyPath(id), toHex(seed));
        keys[id] = nativeSigner(seed);
      }
      for (const id of [DEMO.issuer, DEMO.collector, DEMO.shop]) tokens[id] = newToken();
      writeSecret(this.tokenPath(DEMO.collector), tokens[DEMO.collector]);
      await this.db.tx(async (sql) => {
        const now = Date.now();
        const add = (id: string, role: Role, label: string, key?: Signer) =>
          sql.query(
            'INSERT INTO parties (id, role, label, public_key, created_at) VALUES ($1, $2, $3, $4, $5)',
            [id, role, label, key ? toBase64url(key.publicKey) : null, now],
          );
        await add(DEMO.issuer, 'issuer', 'City Transit', keys[DEMO.issuer]);
        await add(DEMO.collector, 'collector', 'First Bank', keys[DEMO.collector]);
        await add(DEMO.shop, 'shop', DEMO.shopLabel);
        for (const [id, token] of Object.entries(tokens))
          await sql.query('INSERT INTO tokens (hash, party, created_at) VALUES ($1, $2, $3)', [
            hashToken(token),
            id,
            now,
          ]);
        await sql.query("INSERT INTO kv (key, value) VALUES ('issuer', $1), ('collector', $2)", [
          DEMO.issuer,
          DEMO.collector,
        ]);
      });
      const demo = {
        issuer: { id: DEMO.issuer, token: tokens[DEMO.issuer] },
        collector: { id: DEMO.collector, token: tokens[DEMO.collector] },
        shops: [{ id: DEMO.shop, token: tokens[DEMO.shop] }],
      };
      writeSecret(join(this.dataDir, 'demo.json'), `${JSON.stringify(demo, null, 2)}\n`);
      kv.issuer = DEMO.issuer;
      kv.collector = DEMO.collector;
    }
    this.issuer = kv.issuer;
    this.collector = kv.collector;
    this.signers.set(this.issuer, this.loadSigner(this.issuer));
    this.signers.set(this.collector, this.loadSigner(this.collector));
  }

  signer(party: string): Signer {
    const s = this.signers.get(party);
    if (!s) throw new Error(`no key for ${party}`);
    return s;
  }

  async party(id: string, sql: Sql = this.db): Promise<Party | undefined> {
    const { rows } = await sql.query<Party>(
      'SELECT id, role, label, public_key, url FROM parties WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  async partyOfToken(token: string): Promise<Party | undefined> {
    const { rows } = await this.db.query<Party>(
      'SELECT p.id, p.role, p.label, p.public_key, p.url FROM tokens t JOIN parties p ON p.id = t.party WHERE t.hash = $1',
      [hashToken(token)],
    );
    return rows[0];
  }

  /** Trusted keys of every party of a role (issuers for the collector, collectors for the issuer). */
  async keysOf(role: 'issuer' | 'collector'): Promise<Keys> {
    const { rows } = await this.db.query<Party>(
      'SELECT id, public_key FROM parties WHERE role = $1 AND public_key IS NOT NULL',
      [role],
    );
    return new Map(rows.map((r) => [r.id, fromBase64url(r.public_key!)]));
  }

  /** Adds a shop with a fresh token (shown once). */
  async addShop(id: string, label: string): Promise<{ id: string; label: string; token: string }> {
    const token = newToken();
    await this.db.tx(async (sql) => {
      await sql.query('INSERT INTO parties (id, role, label, created_at) VALUES ($1, $2, $3, $4)', [
        id,
        'shop',
        label,
        Date.now(),
      ]);
      await sql.query('INSERT INTO tokens (hash, party, created_at) VALUES ($1, $2, $3)', [
        hashToken(token),
        id,
        Date.now(),
      ]);
    });
    return { id, label, token };
  }

  /** A new token for an existing party; the old ones stay valid. */
  async addToken(party: string): Promise<string> {
    const token = newToken();
    await this.db.query('INSERT INTO tokens (hash, party, created_at) VALUES ($1, $2, $3)', [
      hashToken(token),
      party,
      Date.now(),
    ]);
    return token;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** The POS pairing link: `<origin>/pos/#pair=<base64url(JSON)>`. */
export const pairingLink = (origin: string, shop: string, token: string): string =>
  `${origin}/pos/#pair=${toBase64url(utf8(JSON.stringify({ url: origin, shop, token })))}`;
