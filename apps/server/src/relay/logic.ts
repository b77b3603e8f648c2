// The relay role (PROTOCOL.md 7.1): numbers down, bags up, answers down. The rules themselves (placement,
// merge, restriction, the check of an answer) are the protocol package's; this keeps state and talks upstream.

import type { MeJson, RelayRefusedJson } from '@moneybag/api';
import {
  type Allocation,
  type BagAnswerJson,
  type BagChild,
  decode,
  digestOf,
  encode,
  fromHex,
  fromText,
  isProtocolError,
  keysOf,
  mergeBag,
  passDown,
  placeBag,
  type RefusalJson,
  type RelayedAnswerJson,
  type RelayWaitingJson,
  readWellKnown,
  restrictAnswer,
  toBase64url,
  toHex,
  toText,
  type Verifier,
  verifyAllocation,
  verifyBagAnswer,
} from '@moneybag/protocol';
import type { Sql } from '../db.ts';
import { refuse } from '../http.ts';
import { nowSeconds } from '../service.ts';
import type { Child, GivenRow, RelayStore, RootRow } from '../storage/relay.ts';

export interface RelayConfig {
  /** The parent: a collector or another relay. */
  readonly upstream: string;
  /** The token the parent gave this relay. */
  readonly token: string;
  /** Seconds before a root's due at which it is forwarded with whatever came back; by default per root. */
  readonly dueMargin?: number;
  /** First delay between attempts toward the parent (ms), doubling up to `retryMaxMs`. */
  readonly retryMs?: number;
  readonly retryMaxMs?: number;
}

/** The parent could not be reached or failed (5xx): tried again later. */
class Unreachable extends Error {}

/** By default a root is forwarded an eighth of its lifetime (at most a day) before its due: a POS stops filling a quarter before. */
export const defaultDueMargin = (r: Pick<RootRow, 'issued' | 'due'>): number =>
  Math.min(86_400, Math.floor((r.due - r.issued) / 8));

export class Relay {
  private wake: () => void = () => {};
  private stopped = false;
  private loop?: Promise<void>;
  private lastSync = 0;
  /** The last late bags, for the operator (in memory: a refusal stores nothing). */
  readonly late: { at: number; terminal: string; root: string }[] = [];

  constructor(
    readonly store: RelayStore,
    readonly config: RelayConfig,
    readonly verifier: Verifier,
  ) {}

  margin = (r: Pick<RootRow, 'issued' | 'due'>) => this.config.dueMargin ?? defaultDueMargin(r);

  // --- the parent ----------------------------------------------------------------------------

  private async parent(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.config.upstream.replace(/\/+$/, '')}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.config.token}`, ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new Unreachable(`the parent cannot be reached: ${(e as Error).message}`);
    }
    const body = await res.json().catch(() => undefined);
    if (res.status >= 500) throw new Unreachable(`the parent answered ${res.status}`);
    return { status: res.status, body };
  }

  /** The well-known document, the deny list and this relay's own party, as the parent gives them now. */
  async sync(): Promise<void> {
    const wk = await this.parent('/.well-known/moneybag.json');
    if (wk.status === 200) {
      readWellKnown(wk.body);
      await this.store.set('well-known', JSON.stringify(wk.body));
    }
    const me = await this.parent('/v1/me');
    if (me.status === 200) await this.store.set('me', JSON.stringify(me.body));
    // One deny list per issuer the parent serves (a collector may serve several: PROTOCOL.md 5.1 rule 6).
    const issuers = wk.status === 200 ? readWellKnown(wk.body).issuers.map((i) => i.id) : [];
    for (const issuer of issuers) {
      const deny = await this.parent(`/v1/denylist?issuer=${encodeURIComponent(issuer)}`);
      if (deny.status === 200) await this.store.set(`denylist:${issuer}`, JSON.stringify(deny.body));
    }
    this.lastSync = Date.now();
  }

  /** The deny list of `issuer` as the parent last gave it; without `issuer`, the single issuer it serves. */
  async denylist(issuer: string | undefined): Promise<unknown> {
    const wk = await this.stored('well-known');
    if (!wk) return refuse(503, 'E_NOT_FOUND', 'not yet received from the parent');
    const all = readWellKnown(wk).issuers.map((i) => i.id);
    if (issuer === undefined) {
      if (all.length !== 1)
        refuse(
          all.length ? 400 : 404,
          all.length ? 'E_REQUEST' : 'E_NOT_FOUND',
          all.length ? `several issuers (${all.join(', ')}): ask with ?issuer=ID` : 'no issuer here',
        );
      issuer = all[0];
    }
    if (!all.includes(issuer)) refuse(404, 'E_NOT_FOUND', `no issuer ${issuer} here`);
    return (
      (await this.stored(`denylist:${issuer}`)) ??
      refuse(503, 'E_NOT_FOUND', `the deny list of ${issuer} was not yet received from the parent`)
    );
  }

  async stored(key: 'well-known' | 'me' | `denylist:${string}`): Promise<unknown> {
    const v = await this.store.get(key);
    return v === undefined ? undefined : JSON.parse(v);
  }

  /** The shop this relay is at its parent: its children's by default. */
  async ownShop(): Promise<string> {
    const me = (await this.stored('me')) as MeJson | undefined;
    if (!me?.party) await this.sync().catch(() => {});
    const again = (await this.stored('me')) as MeJson | undefined;
    return again?.party ?? refuse(503, 'E_REQUEST', 'the relay has not reached its parent yet');
  }

  private async collectors() {
    if (!(await this.stored('well-known'))) await this.sync();
    return keysOf(readWellKnown(await this.stored('well-known')).collectors);
  }

  // --- numbers down --------------------------------------------------------------------------

  /**
   * 7.1: `count` Allocations under distinct roots for a child, under the roots already open first, then
   * under roots taken from the parent for it. Every (root, terminal, n) is recorded before it is given, and
   * all in one transaction after the parent answered: a parent that is down leaves nothing given (no root
   * then waits for a number that no child holds).
   */
  async allocate(child: Child, count: number): Promise<string[]> {
    const now = nowSeconds();
    const openFor = async (sql: Sql) =>
      (await this.store.openRootsFor(sql, child.terminal, now)).filter((r) => now < r.due - this.margin(r));
    const short = count - Math.min(count, (await this.store.tx(openFor)).length);
    const fresh = short > 0 ? await this.fromParent(short) : [];
    return this.store.tx(async (sql) => {
      // Every fresh root is given (the parent waits for them), the open ones make up the rest.
      const rows = [...(await openFor(sql)).slice(0, count - fresh.length), ...fresh];
      await this.store.addRoots(sql, fresh);
      const given: string[] = [];
      for (const r of rows) {
        const n = await this.store.nextN(sql, r.root, child.terminal);
        const a = passDown(decode(fromText(r.allocation), 'Allocation'), child.terminal, n);
        const text = toText(encode({ type: 'Allocation', ...a }));
        await this.store.give(sql, { root: r.root, terminal: child.terminal, n, allocation: text });
        given.push(text);
      }
      return given;
    });
  }

  /** Numbers from the parent, each signed by a collector of the well-known document and not yet due. */
  private async fromParent(count: number) {
    let r: { status: number; body: unknown };
    try {
      r = await this.parent('/v1/allocations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count }),
      });
    } catch (e) {
      return refuse(503, 'E_REQUEST', (e as Error).message);
    }
    const texts = (r.body as { allocations?: unknown })?.allocations;
    if (r.status !== 200 || !Array.isArray(texts))
      return refuse(503, 'E_REQUEST', `the parent gave no numbers (${r.status})`);
    const collectors = await this.collectors();
    const now = nowSeconds();
    return Promise.all(
      texts.map(async (t: string) => {
        const a = await verifyAllocation(decode(fromText(t), 'Allocation'), {
          collectors,
          verifier: this.verifier,
        });
        if (now >= a.due) refuse(503, 'E_REQUEST', 'the parent gave a number already due');
        return { root: toBase64url(a.root), allocation: t, issued: a.issued, due: a.due };
      }),
    );
  }

  // --- bags up -------------------------------------------------------------------------------

  /** 7.1: a child's bag, placed under a number given to it, stored; 202 waiting (or what is known by now). */
  async receiveBag(child: Child, message: Uint8Array): Promise<{ status: number; body: unknown }> {
    const bag = decode(message, 'Bag');
    const digest = toHex(digestOf(message));
    let row: GivenRow | undefined;
    let placed: unknown;
    for (const g of await this.store.given(this.store.db, toBase64url(bag.root), child.terminal)) {
      try {
        placeBag(bag, decode(fromText(g.allocation), 'Allocation'));
        row = g;
        break;
      } catch (e) {
        placed = e;
      }
    }
    if (!row) throw placed ?? refuse(422, 'E_UNKNOWN_BAG', 'this root was not given to you');
    if (row.bag) {
      if (row.digest === digest) return this.answerFor(child, digest);
      return refuse(409, 'E_BAG_REUSED', 'another bag came back on this number');
    }
    const late = () => {
      console.log(`relay: ${child.terminal}'s bag on root ${row.root} came after the root was forwarded`);
      this.late.unshift({ at: Date.now(), terminal: child.terminal, root: row.root });
      this.late.splice(50);
      return refuse(422, 'E_BAG_LATE', 'this root was already forwarded');
    };
    if ((await this.store.root(row.root))?.state !== 'open') return late();
    if (!(await this.store.takeBag(row, digest, toText(message)))) {
      const again = (await this.store.given(this.store.db, row.root, child.terminal)).find(
        (g) => g.n === row.n,
      );
      if (again?.digest === digest) return this.answerFor(child, digest);
      if (again?.bag) return refuse(409, 'E_BAG_REUSED', 'another bag came back on this number');
      return late();
    }
    this.wake();
    return this.answerFor(child, digest);
  }

  // --- answers down --------------------------------------------------------------------------

  /** 7.1: 202 until the collector answered, then 200 with its answer restricted to this child's bag. */
  async answerFor(child: Child, digest: string): Promise<{ status: number; body: unknown }> {
    const g = await this.store.givenByDigest(digest);
    if (!g) return refuse(404, 'E_NOT_FOUND', 'no bag with this digest');
    if (g.terminal !== child.terminal) return refuse(403, 'E_FORBIDDEN', "another child's bag");
    const root = (await this.store.root(g.root))!;
    if (root.state === 'answered') {
      const answer = JSON.parse(root.answer!) as BagAnswerJson;
      const merged = decode(fromText(root.merged!), 'Bag');
      const path = decode(fromText(g.allocation), 'Allocation').path;
      const body: RelayedAnswerJson = restrictAnswer(answer, merged, { path, digest: fromHex(digest) });
      return { status: 200, body };
    }
    if (root.state === 'refused') {
      const r = JSON.parse(root.answer!) as RelayRefusedJson;
      return { status: r.status, body: { code: r.code, message: r.message } };
    }
    const body: RelayWaitingJson = {
      digest,
      root: g.root,
      state: root.state === 'forwarded' ? 'forwarded' : 'waiting',
    };
    return { status: 202, body };
  }

  // --- merge and forward ---------------------------------------------------------------------

  /** Merge every root whose numbers are all back, or whose due is near; then send or poll what is merged. */
  async tick(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSync > 60_000) await this.sync().catch(() => {});
    for (const root of await this.store.rootsToMerge(Math.floor(now / 1000), this.config.dueMargin ?? null))
      await this.merge(root, now / 1000);
    for (const r of await this.store.roots(['merged', 'forwarded']))
      if (r.next_attempt_at <= now) await this.send(r);
  }

  /**
   * When every number given under the root is back, or its due is near (`now`, seconds): one Bag of the root
   * from every child bag that came back, recorded before it is ever sent. Decided with the root locked: no
   * number is given, and no bag taken, under it meanwhile.
   */
  private async merge(root: string, now: number): Promise<void> {
    await this.store.tx(async (sql) => {
      const r = await this.store.lockRoot(sql, root);
      if (r?.state !== 'open') return;
      const given = await this.store.given(sql, root);
      const allBack = given.length > 0 && given.every((g) => g.bag);
      if (!allBack && now < r.due - this.margin(r)) return;
      const own = decode(fromText(r.allocation), 'Allocation');
      const children: BagChild[] = [];
      for (const g of given) {
        if (!g.bag) continue;
        const a: Allocation = decode(fromText(g.allocation), 'Allocation');
        children.push({ terminal: g.terminal, n: g.n, node: placeBag(decode(fromText(g.bag), 'Bag'), a) });
      }
      if (children.length === 0) {
        await this.store.updateRoot(root, ['open'], { state: 'empty' }, sql);
        return;
      }
      const message = encode({ type: 'Bag', ...mergeBag(own, children) });
      await this.store.updateRoot(
        root,
        ['open'],
        { state: 'merged', merged: toText(message), merged_digest: toHex(digestOf(message)) },
        sql,
      );
    });
  }

  private backoff = (attempts: number) =>
    Math.min((this.config.retryMs ?? 250) * 2 ** Math.max(0, attempts - 1), this.config.retryMaxMs ?? 30_000);

  /** The same merged bytes to the parent until it answers; then its final answer, read with GET if it said 202. */
  private async send(r: RootRow): Promise<void> {
    const merged = fromText(r.merged!);
    try {
      const res =
        r.state === 'merged'
          ? await this.parent('/v1/bags', {
              method: 'POST',
              headers: { 'content-type': 'application/vnd.moneybag' },
              body: merged as Uint8Array<ArrayBuffer>,
            })
          : await this.parent(`/v1/bags/${r.merged_digest}`);
      if (res.status === 200) {
        const answer = res.body as BagAnswerJson;
        await verifyBagAnswer(answer, {
          bag: decode(merged, 'Bag'),
          digest: fromHex(r.merged_digest!),
          collectors: await this.collectors(),
          verifier: this.verifier,
        });
        await this.store.updateRoot(r.root, [r.state], {
          state: 'answered',
          answer: JSON.stringify(answer),
          last_error: null,
        });
        return;
      }
      if (res.status === 202) {
        const attempts = r.state === 'forwarded' ? r.attempts + 1 : 0;
        await this.store.updateRoot(r.root, [r.state], {
          state: 'forwarded',
          attempts,
          next_attempt_at: Date.now() + this.backoff(attempts + 1),
          last_error: null,
        });
        return;
      }
      const b = res.body as Partial<RefusalJson> | undefined;
      if ((res.status === 409 || res.status === 422) && b?.code) {
        const refused: RelayRefusedJson = { status: res.status, code: b.code, message: b.message ?? '' };
        await this.store.updateRoot(r.root, [r.state], { state: 'refused', answer: JSON.stringify(refused) });
        console.log(`relay: the parent refused the bag of root ${r.root}: ${b.code}`);
        return;
      }
      // A parent that lost track of a bag it acknowledged gets the same bytes again.
      if (res.status === 404 && r.state === 'forwarded') {
        await this.store.updateRoot(r.root, ['forwarded'], { state: 'merged', next_attempt_at: 0 });
        return;
      }
      throw new Error(`the parent answered ${res.status} ${b?.code ?? ''}`);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      const attempts = r.attempts + 1;
      await this.store.updateRoot(r.root, [r.state], {
        attempts,
        next_attempt_at: Date.now() + this.backoff(attempts),
        last_error: isProtocolError(e) ? `${e.code}: ${e.message}` : e.message,
      });
    }
  }

  /** Ticks once a second, or at once when a bag came in. */
  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.tick();
        } catch (e) {
          console.error('relay:', e);
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1000);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }
}
