// The collector's page: shops and their allocations, bags received with their reports, the outbox to issuers.
import { formatAmount, isId } from '@moneybag/protocol';
import { QrText } from '@moneybag/qr';
import { type Said, SaidText, say } from '@moneybag/web';
import { type FormEvent, Fragment, useEffect, useRef, useState } from 'react';
import { BagReport, BagTree } from '../common/BagReport.tsx';
import { t } from '../common/text.ts';
import {
  blameText,
  CodeLabel,
  ErrorBox,
  Section,
  Table,
  Totals,
  useLoad,
  useVersion,
  when,
} from '../common/ui.tsx';
import {
  addShop,
  listAllocations,
  listBags,
  listDirect,
  listIssuers,
  listOutbox,
  listRefusedBags,
  listShops,
  listTerminals,
  listTotals,
  type OutboxRow,
  type PairingCode,
  pairingCode,
  resendReturn,
  revokeTerminal,
  settlementOf,
  type TerminalRow,
} from './api.ts';
import { ImportBag } from './ImportBag.tsx';

/** A pairing code just made, and the shop's terminals before it (the one it pairs is the new one). */
interface NewPairing {
  code: PairingCode;
  before: string[];
}

async function newPairing(token: string, shop: string): Promise<NewPairing> {
  const before = (await listTerminals(token, shop)).terminals.map((t) => t.id);
  return { code: await pairingCode(token, shop), before };
}

/**
 * A one-time pairing code as a QR for one new POS to scan, and as a link to open on it: shown until a terminal
 * pairs with it (the shop's terminals are read every 2 s meanwhile) or it expires.
 */
function Pairing({
  token,
  pairing,
  onPaired,
}: {
  token: string;
  pairing: NewPairing;
  onPaired?: () => void;
}) {
  const { code, before } = pairing;
  const [now, setNow] = useState(Date.now());
  const [paired, setPaired] = useState<TerminalRow>();
  const expired = now / 1000 >= code.expires;
  const done = useRef(onPaired);
  done.current = onPaired;
  useEffect(() => {
    if (paired || expired) return;
    const timer = setInterval(async () => {
      setNow(Date.now());
      const list = await listTerminals(token, code.shop).catch(() => undefined);
      const found = list?.terminals.find((row) => !before.includes(row.id));
      if (found) {
        setPaired(found);
        done.current?.();
      }
    }, 2000);
    return () => clearInterval(timer);
  }, [token, code.shop, before, paired, expired]);
  return (
    <div data-testid="pairing">
      <h3>{t('pairTitle', { shop: code.shop })}</h3>
      {paired ? (
        <p className="ok" data-testid="pairing-done" role="status">
          {t('pairDone', {
            terminal: paired.label !== paired.id ? `${paired.id} (${paired.label})` : paired.id,
          })}
        </p>
      ) : expired ? (
        <p className="warn" data-testid="pairing-expired" role="status">
          {t('pairExpired')}
        </p>
      ) : (
        <>
          <p className="muted">{t('pairHint', { until: when(code.expires) })}</p>
          <div className="qr">
            <div className="big">
              <QrText text={code.pairing} />
            </div>
            <a className="link-box" href={code.pairing} data-testid="pairing-link">
              {code.pairing}
            </a>
          </div>
          <p>
            {t('pairCode')}{' '}
            <b className="mono" data-testid="pairing-code">
              {code.code}
            </b>
          </p>
        </>
      )}
    </div>
  );
}

/** A shop's paired terminals (when each was paired and last seen), with Revoke, and pairing one more. */
function Terminals({ token, shop, version }: { token: string; shop: string; version: number }) {
  const { data, error, reload } = useLoad(() => listTerminals(token, shop), [token, shop, version]);
  const [pairing, setPairing] = useState<NewPairing>();
  const [failed, setFailed] = useState<unknown>();
  const act = (p: Promise<unknown>) =>
    p.then(() => {
      setFailed(undefined);
      reload();
    }, setFailed);
  return (
    <div data-testid="terminals">
      <h3>{t('terminalsTitle')}</h3>
      <ErrorBox error={error ?? failed} />
      {data && data.terminals.length === 0 && <p className="muted">{t('noTerminal')}</p>}
      {data && data.terminals.length > 0 && (
        <Table columns={[t('terminal'), t('pairedAt'), t('lastSeen'), t('access')]}>
          {data.terminals.map((row) => (
            <tr key={row.id} data-testid={`terminal-${row.id}`}>
              <td>
                <b>{row.id}</b> {row.label !== row.id && <span className="muted">{row.label}</span>}
              </td>
              <td>{when(row.pairedAt / 1000)}</td>
              <td>{row.lastSeen === null ? t('notYet') : when(row.lastSeen / 1000)}</td>
              <td>
                {row.revokedAt !== null ? (
                  <span className="badge bad">{t('revokedAt', { when: when(row.revokedAt / 1000) })}</span>
                ) : (
                  <button
                    className="secondary"
                    onClick={() => {
                      if (confirm(t('revokeConfirm', { terminal: row.id })))
                        act(revokeTerminal(token, shop, row.id));
                    }}
                  >
                    {t('revoke', { terminal: row.id })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <button onClick={() => act(newPairing(token, shop).then(setPairing))}>
        {t('pairButton', { shop })}
      </button>
      {pairing && <Pairing key={pairing.code.code} token={token} pairing={pairing} onPaired={reload} />}
    </div>
  );
}

function AddShop({ token, onAdded }: { token: string; onAdded: () => void }) {
  const [id, setId] = useState('');
  const [label, setLabel] = useState('');
  const [added, setAdded] = useState<NewPairing>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const shop = await addShop(token, id.trim(), label.trim());
      // The page pairs by one-time code: the shop's token (the CLI's) is not shown.
      setAdded(await newPairing(token, shop.id));
      setId('');
      setLabel('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t('addShop')}>
      <form className="row" onSubmit={submit}>
        <label>
          {t('shopId')}
          <input name="shop" value={id} placeholder="acme-coffee" onChange={(e) => setId(e.target.value)} />
        </label>
        <label>
          {t('name')}
          <input
            name="label"
            value={label}
            placeholder="Acme Coffee"
            onChange={(e) => setLabel(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || !isId(id.trim())}>
          {t('add')}
        </button>
      </form>
      {id.trim() && !isId(id.trim()) && <p className="bad">{t('badId')}</p>}
      <ErrorBox error={error} />
      {added && <Pairing key={added.code.code} token={token} pairing={added} onPaired={onAdded} />}
    </Section>
  );
}

const STATE_CLASS = { open: '', collected: 'ok', late: 'warn' } as const;
const STATE_WORD = { open: 'stateOpen', collected: 'stateCollected', late: 'stateLate' } as const;

/** One shop's allocations: which roots are open, collected (with the bag's digest) or late. */
function Allocations({ token, shop, version }: { token: string; shop: string; version: number }) {
  const { data, error } = useLoad(() => listAllocations(token, shop), [token, shop, version]);
  return (
    <div data-testid="allocations">
      <ErrorBox error={error} />
      {data && data.allocations.length === 0 && <p className="muted">{t('noAllocation')}</p>}
      {data && data.allocations.length > 0 && (
        <Table columns={[t('bagNumber'), t('issued'), t('due'), t('state')]}>
          {data.allocations.map((a) => (
            <tr key={a.root}>
              <td className="mono" title={a.root}>
                {a.root.slice(0, 10)}…{a.terminal && <span className="muted"> › {a.terminal}</span>}
              </td>
              <td>{when(a.issued)}</td>
              <td>{when(a.due)}</td>
              <td>
                <span className={`badge ${STATE_CLASS[a.state]}`}>{t(STATE_WORD[a.state])}</span>
                {a.digest && (
                  <span className="mono" title={a.digest}>
                    {' '}
                    {a.digest.slice(0, 10)}…
                  </span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}

function Shops({ token, version }: { token: string; version: number }) {
  const [picked, setPicked] = useState<string>();
  const { data, error } = useLoad(async () => {
    const [shops, totals] = await Promise.all([listShops(token), listTotals(token)]);
    // Collected per shop and unit, from accepted uses (bags and direct payments).
    const byShop = new Map<string, Record<string, number>>();
    for (const t of totals.totals) byShop.set(t.shop, { ...byShop.get(t.shop), [t.unit]: t.amount });
    const known = new Set(shops.shops.map((s) => s.id));
    // A shop of a sub-collector's bag may be paid without being one of ours: list it too.
    const others = [...byShop.keys()].filter((id) => !known.has(id));
    return {
      shops: [
        ...shops.shops,
        ...others.map((id) => ({
          id,
          label: '',
          createdAt: 0,
          allocations: { open: 0, collected: 0, late: 0 },
        })),
      ].map((s) => ({ ...s, totals: byShop.get(s.id) ?? {} })),
    };
  }, [token, version]);
  return (
    <Section title={t('shops')}>
      <ErrorBox error={error} />
      <div className="scroll">
        <Table
          columns={[
            t('shop'),
            { text: t('bagsOpen'), num: true },
            { text: t('bagsCollected'), num: true },
            { text: t('bagsLate'), num: true },
            t('collectedPerUnit'),
          ]}
          testid="shops"
        >
          {data?.shops.map((s) => (
            <Fragment key={s.id}>
              <tr className={picked === s.id ? 'picked' : ''}>
                <td>
                  <button
                    className="link"
                    aria-expanded={picked === s.id}
                    title={t('showAllocations')}
                    onClick={() => setPicked(picked === s.id ? undefined : s.id)}
                  >
                    <b>{s.id}</b>
                  </button>{' '}
                  {s.label && <span className="muted">{s.label}</span>}
                </td>
                <td className="num">{s.allocations.open}</td>
                <td className="num">{s.allocations.collected}</td>
                <td className={`num ${s.allocations.late ? 'warn' : ''}`}>{s.allocations.late}</td>
                <td>
                  <Totals totals={s.totals} />
                </td>
              </tr>
              {picked === s.id && (
                <tr>
                  <td colSpan={5}>
                    <Terminals token={token} shop={s.id} version={version} />
                    <Allocations token={token} shop={s.id} version={version} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </Table>
      </div>
      {data && data.shops.length === 0 && <p className="muted">{t('noShop')}</p>}
    </Section>
  );
}

function Bags({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listBags(token), [token, version]);
  return (
    <Section title={t('bagsReceived')}>
      <ErrorBox error={error} />
      {data && data.bags.length === 0 && <p className="muted">{t('noBag')}</p>}
      <div data-testid="bags">
        {data?.bags.map((b) => (
          <details key={b.digest} className="bag" open={b.rejected.length > 0}>
            <summary>
              <b>{b.to}</b> <span className="muted">{when(b.receivedAt / 1000)}</span>{' '}
              <span className="badge ok">{t('nAccepted', { n: b.accepted })}</span>
              {b.rejected.length > 0 && (
                <span className="badge bad">{t('nRejected', { n: b.rejected.length })}</span>
              )}{' '}
              <Totals totals={b.totals} />
            </summary>
            <BagTree tree={b.tree} />
            <BagReport answer={b} />
          </details>
        ))}
      </div>
    </Section>
  );
}

/** Bags refused whole (a number already handed in, one never given to that shop…): who sent each, and why. */
function RefusedBags({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listRefusedBags(token), [token, version]);
  if (!error && (!data || data.refused.length === 0)) return null;
  return (
    <Section title={t('bagsRefused')}>
      <ErrorBox error={error} />
      <p className="muted">{t('bagsRefusedHint')}</p>
      <ul className="plain" data-testid="refused-bags">
        {data?.refused.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a refusal has no identity but its place in time
          <li key={i} data-code={r.code} className="refused">
            <b>{r.party}</b> <span className="muted">{when(r.receivedAt / 1000)}</span>
            {r.uses !== null && (
              <span className="muted">
                {' '}
                · {r.uses === 1 ? t('onePayment') : t('nPayments', { n: r.uses })}
              </span>
            )}
            <div className="bad">
              <CodeLabel code={r.code} />
            </div>
            {r.root && (
              <div className="muted mono" title={r.root}>
                {t('bagNumber')} {r.root.slice(0, 10)}…
              </div>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Direct({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listDirect(token), [token, version]);
  if (!error && (!data || data.direct.length === 0)) return null;
  return (
    <Section title={t('directPayments')}>
      <ErrorBox error={error} />
      <table data-testid="direct">
        <tbody>
          {data?.direct.map((d) => (
            <tr key={d.origin}>
              <td>
                <b>{d.shop}</b>
              </td>
              <td className="num">{formatAmount(d.amount, d.unit)}</td>
              <td className="muted">{when(d.receivedAt / 1000)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Issuers({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listIssuers(token), [token, version]);
  return (
    <Section title={t('issuers')}>
      <ErrorBox error={error} />
      <p className="muted">
        {t('registerWith')} <code>moneybag add-issuer ID --url ORIGIN --token T</code>; {t('registerHint')}
      </p>
      <div className="scroll">
        <Table
          columns={[t('issuer'), t('keyFingerprint'), t('outbox'), t('blockedWallets')]}
          testid="issuers"
        >
          {data?.issuers.map((i) => (
            <tr key={i.id}>
              <td className="nowrap">
                <b>{i.id}</b>
                <div className="muted">{i.own ? t('thisService') : i.url}</div>
              </td>
              <td className="mono">{i.fingerprint}</td>
              <td>
                {i.outbox.pending > 0 && (
                  <span className="badge warn">{t('nPending', { n: i.outbox.pending })}</span>
                )}{' '}
                <span className="badge ok">{t('nDelivered', { n: i.outbox.delivered })}</span>
                {i.outbox.attention > 0 && (
                  <span className="badge bad">{t('nAttention', { n: i.outbox.attention })}</span>
                )}
                {i.outbox.lastError && <div className="bad">{i.outbox.lastError}</div>}
              </td>
              <td>
                {i.own
                  ? t('itsOwn')
                  : i.denylist
                    ? t('blockedFetched', {
                        n: i.denylist.holders,
                        when: when(i.denylist.fetchedAt / 1000),
                      })
                    : t('notFetched')}
              </td>
            </tr>
          ))}
        </Table>
      </div>
    </Section>
  );
}

const STATE_BADGE = { pending: 'warn', delivered: 'ok', 'needs attention': 'bad' } as const;
const OUTBOX_WORD = {
  pending: 'outPending',
  delivered: 'outDelivered',
  'needs attention': 'outAttention',
} as const;

/**
 * The issuer's refusal of a Return, said for people. On a German page its English sentence and the HTTP
 * status line ("404 Not Found") are both the service's English: together on the closed details line.
 */
function refusalOf(r: OutboxRow): Said | undefined {
  if (!r.answer || !('code' in r.answer)) return undefined;
  const said = say(r.answer);
  return said.aside && r.lastError ? { ...said, detail: `${said.detail} (${r.lastError})` } : said;
}

function Outbox({ token, version, changed }: { token: string; version: number; changed: () => void }) {
  const { data, error } = useLoad(() => listOutbox(token), [token, version]);
  const [failed, setFailed] = useState<unknown>();
  const resend = (id: number) =>
    resendReturn(token, id).then(() => {
      setFailed(undefined);
      changed();
    }, setFailed);
  return (
    <Section title={t('outboxTitle')}>
      <ErrorBox error={error ?? failed} />
      {data && data.outbox.length === 0 && <p className="muted">{t('nothingReturned')}</p>}
      <div className="scroll">
        <Table
          columns={[t('issuer'), t('fromBag'), { text: t('payments'), num: true }, t('status')]}
          testid="outbox"
        >
          {data?.outbox.map((r) => {
            const refused = refusalOf(r);
            return (
              <tr key={r.id}>
                <td className="nowrap">{r.issuer}</td>
                <td className="mono">{r.origin.slice(0, 16)}…</td>
                <td className="num">{r.uses}</td>
                <td>
                  <span className={`badge ${STATE_BADGE[r.state]}`}>{t(OUTBOX_WORD[r.state])}</span>
                  {settlementOf(r) && <span> {t('nSettled', { n: settlementOf(r)?.settled ?? 0 })}</span>}
                  {r.state === 'needs attention' && (
                    <div>
                      <div data-testid="issuer-refusal">
                        {t('issuerRefused')}
                        {refused ? (
                          <>
                            : <SaidText said={refused} />
                          </>
                        ) : (
                          '.'
                        )}
                      </div>
                      {t('fixCause')}{' '}
                      <button className="secondary" onClick={() => resend(r.id)}>
                        {t('resend')}
                      </button>
                    </div>
                  )}
                  {r.state === 'pending' && r.attempts > 0 && (
                    <div className="muted">
                      {r.attempts === 1 ? t('oneAttempt') : t('nAttempts', { n: r.attempts })}
                      {r.nextAttemptAt ? `, ${t('nextAt', { when: when(r.nextAttemptAt / 1000) })}` : ''}
                    </div>
                  )}
                  {r.lastError && !refused?.aside && <div className="bad">{r.lastError}</div>}
                  {settlementOf(r)?.rejected.map((x) => (
                    <div key={x.index}>
                      {t('paymentRefused', { index: x.index + 1 })} <CodeLabel code={x.code} />{' '}
                      <span className="muted">({blameText(x.blame)})</span>
                    </div>
                  ))}
                </td>
              </tr>
            );
          })}
        </Table>
      </div>
    </Section>
  );
}

export function CollectorApp({ token }: { token: string }) {
  // Bumped after a change (and now and then) so every list reloads.
  const [version, changed] = useVersion();
  return (
    <>
      <div className="row" style={{ justifyContent: 'flex-end', marginBottom: 8 }}>
        <button className="secondary" onClick={changed}>
          {t('refresh')}
        </button>
      </div>
      <div className="grid">
        <div>
          <Shops token={token} version={version} />
          <AddShop token={token} onAdded={changed} />
          <ImportBag token={token} onCollected={changed} />
        </div>
        <div>
          <Bags token={token} version={version} />
          <RefusedBags token={token} version={version} />
          <Direct token={token} version={version} />
          <Issuers token={token} version={version} />
          <Outbox token={token} version={version} changed={changed} />
        </div>
      </div>
    </>
  );
}
