// The issuer's page: issue tickets, see what is left of each, what is owed to shops, incidents, the deny list.
import { decode, formatAmount, fromText, type Ticket, toBase64url, toHex, toUrl } from '@moneybag/protocol';
import { QrCode } from '@moneybag/qr';
import { validUntil } from '@moneybag/web';
import { Fragment, useState } from 'react';
import { CodeLabel, ErrorBox, Section, short, Totals, useLoad, useVersion, when } from '../common/ui.tsx';
import {
  getDenyList,
  getSettlement,
  type Incident,
  listCollectors,
  listIncidents,
  listTickets,
  type ProofUse,
} from './api.ts';
import { holderName, Issue } from './Issue.tsx';

/** A Ticket's text form, decoded for display; undefined if it is not one. */
const ticketOf = (text: string | undefined): Ticket | undefined => {
  if (!text) return undefined;
  try {
    return decode(fromText(text), 'Ticket');
  } catch {
    return undefined;
  }
};

/** A ticket shown again for a wallet that missed it: its QR and its link. */
function ShowTicket({ text }: { text: string }) {
  const bytes = fromText(text);
  const link = toUrl(`${location.origin}/wallet/`, bytes);
  return (
    <div className="qr">
      <QrCode message={bytes} size={240} />
      <a className="link-box" href={link}>
        {link}
      </a>
    </div>
  );
}

function Tickets({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listTickets(token), [token, version]);
  const [shown, setShown] = useState<string>();
  const now = Date.now() / 1000;
  return (
    <Section title="Tickets issued">
      <ErrorBox error={error} />
      {data && data.tickets.length === 0 && <p className="muted">No ticket yet.</p>}
      <div className="scroll">
        <table data-testid="tickets">
          <thead>
            <tr>
              <th>holder</th>
              <th className="num">face</th>
              <th className="num">left</th>
              <th>valid until</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.tickets.map((t) => (
              <Fragment key={t.id}>
                <tr data-serial={t.serial}>
                  <td title={t.holder}>
                    {holderName(t.holder) ?? <span className="mono">{short(t.holder)}</span>}
                  </td>
                  <td className="num">{formatAmount(t.face, t.unit)}</td>
                  <td className={`num ${t.left <= 0 ? 'muted' : ''}`}>
                    {formatAmount(t.left, t.unit)}
                    {t.reclaimed > 0 && (
                      <div className="muted">reclaimed {formatAmount(t.reclaimed, t.unit)}</div>
                    )}
                  </td>
                  <td className={now >= t.expires ? 'muted' : ''}>{validUntil(t.expires)}</td>
                  <td>
                    <button className="link" onClick={() => setShown(shown === t.id ? undefined : t.id)}>
                      {shown === t.id ? 'Hide' : 'QR'}
                    </button>
                  </td>
                </tr>
                {shown === t.id && (
                  <tr>
                    <td colSpan={5}>
                      <ShowTicket text={t.ticket} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function UseRow({
  use,
  unit,
  note,
  collector,
}: {
  use: ProofUse;
  unit?: string;
  note: string;
  collector?: string;
}) {
  return (
    <tr>
      <td>{note}</td>
      <td>{use.shop}</td>
      <td className="num">{unit ? formatAmount(use.amount, unit) : use.amount}</td>
      <td>{use.collector ?? collector ?? ''}</td>
      <td className="mono">{use.S}</td>
    </tr>
  );
}

function IncidentView({ incident }: { incident: Incident }) {
  const t = ticketOf(incident.proof.ticket);
  const unit = t?.unit;
  return (
    <div className="incident">
      <div>
        <CodeLabel code={incident.code} /> <span className="badge bad">blame: {incident.blame}</span>
      </div>
      <p className="muted">
        Returned by {incident.collector} · {when(incident.at / 1000)} · use {incident.index} of origin{' '}
        <span className="mono">{short(incident.origin, 16)}</span>
      </p>
      <p>
        Ticket <span className="mono">{incident.ticket}</span>
        {t && <> · face {formatAmount(t.face, t.unit)}</>} · holder{' '}
        <span className="mono" title={incident.holder}>
          {short(incident.holder)}
        </span>
      </p>
      {incident.proof.reclaim && (
        <p>
          Reclaimed by its holder for{' '}
          {unit ? formatAmount(incident.proof.reclaim.amount, unit) : incident.proof.reclaim.amount} on{' '}
          {when(incident.proof.reclaim.at / 1000)}: the collector returned this use after the issuer's
          horizon.
        </p>
      )}
      <details open={incident.code === 'E_OVERSPENT'}>
        <summary>Proof: the holder's signatures</summary>
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th />
                <th>shop</th>
                <th className="num">amount</th>
                <th>collector</th>
                <th>holder’s signature (S)</th>
              </tr>
            </thead>
            <tbody>
              <UseRow use={incident.proof.use} unit={unit} note="refused" collector={incident.collector} />
              {incident.proof.earlier.map((u) => (
                <UseRow
                  key={u.S}
                  use={u}
                  unit={unit}
                  note={incident.code === 'E_DUPLICATE' ? 'same S' : 'settled'}
                />
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

function SettlementView({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(async () => {
    const [settlement, incidents] = await Promise.all([getSettlement(token), listIncidents(token)]);
    return { ...settlement, ...incidents };
  }, [token, version]);
  const shops = new Map<string, Record<string, number>>();
  for (const o of data?.owed ?? []) shops.set(o.shop, { ...shops.get(o.shop), [o.unit]: o.amount });
  return (
    <Section title="Settlement">
      <ErrorBox error={error} />
      <h3>Owed to shops</h3>
      {data && shops.size === 0 && <p className="muted">Nothing settled yet.</p>}
      <table data-testid="owed">
        <tbody>
          {[...shops].map(([shop, totals]) => (
            <tr key={shop}>
              <td>
                <b>{shop}</b>
              </td>
              <td>
                <Totals totals={totals} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Incidents</h3>
      {data && data.incidents.length === 0 && <p className="muted">None.</p>}
      <div data-testid="incidents">
        {data?.incidents.map((i) => (
          <IncidentView key={i.id} incident={i} />
        ))}
      </div>
      <h3>Reclaims</h3>
      {data && data.reclaims.length === 0 && <p className="muted">None.</p>}
      {data && data.reclaims.length > 0 && (
        <div className="scroll">
          <table data-testid="reclaims">
            <thead>
              <tr>
                <th>ticket</th>
                <th className="num">reclaimed</th>
                <th>new ticket</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.reclaims.map((r) => {
                const [old, fresh] = [ticketOf(r.ticket), ticketOf(r.newTicket)];
                return (
                  <tr key={r.ticket}>
                    <td className="mono">{old ? short(toHex(old.serial)) : '?'}</td>
                    <td className="num">{old ? formatAmount(r.amount, old.unit) : r.amount}</td>
                    <td className="mono" title={fresh && toBase64url(fresh.holder)}>
                      {fresh ? short(toHex(fresh.serial)) : '?'}
                    </td>
                    <td className="muted">{when(r.at / 1000)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {data && data.returns.length > 0 && (
        <details>
          <summary>Returns received ({data.returns.length})</summary>
          <table>
            <tbody>
              {data.returns.map((r) => (
                <tr key={`${r.collector}/${r.origin}`}>
                  <td>{r.collector}</td>
                  <td className="mono">{short(r.origin, 16)}</td>
                  <td>{r.settled} settled</td>
                  <td>{Array.isArray(r.rejected) ? r.rejected.length : r.rejected} refused</td>
                  <td className="muted">{when(r.at / 1000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Section>
  );
}

function Collectors({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => listCollectors(token), [token, version]);
  return (
    <Section title="Collectors">
      <ErrorBox error={error} />
      <p className="muted">
        Register one with <code>moneybag add-collector ID --url ORIGIN</code>; compare each key's fingerprint
        with its operator.
      </p>
      <table data-testid="collectors">
        <tbody>
          {data?.collectors.map((c) => (
            <tr key={c.id}>
              <td>
                <b>{c.id}</b>
                <div className="muted">{c.own ? 'this service' : c.url}</div>
              </td>
              <td className="mono">{c.fingerprint}</td>
              <td>
                {c.returns} Return{c.returns === 1 ? '' : 's'}, {c.settled} use{c.settled === 1 ? '' : 's'}{' '}
                settled
                {c.lastAt && <div className="muted">last {when(c.lastAt / 1000)}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function DenyListView({ token, version }: { token: string; version: number }) {
  const { data, error } = useLoad(() => getDenyList(token), [token, version]);
  return (
    <Section title="Blocked wallets (deny list)">
      <ErrorBox error={error} />
      {data && (
        <p className="muted">
          {data.holders.length} holder key{data.holders.length === 1 ? '' : 's'}
          {data.updated > 0 && <> · updated {when(data.updated)}</>}
        </p>
      )}
      <ul data-testid="denylist" className="mono">
        {data?.holders.map((h) => (
          <li key={h}>{h}</li>
        ))}
      </ul>
    </Section>
  );
}

export function IssuerApp({ token }: { token: string }) {
  const [version, changed] = useVersion();
  return (
    <>
      <div className="row" style={{ justifyContent: 'flex-end', marginBottom: 8 }}>
        <button className="secondary" onClick={changed}>
          Refresh
        </button>
      </div>
      <div className="grid">
        <div>
          <Issue token={token} onIssued={changed} />
          <Tickets token={token} version={version} />
        </div>
        <div>
          <SettlementView token={token} version={version} />
          <Collectors token={token} version={version} />
          <DenyListView token={token} version={version} />
        </div>
      </div>
    </>
  );
}
