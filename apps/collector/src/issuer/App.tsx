// The issuer's page: issue tickets, see what is left of each, what is owed to shops, incidents, the deny list.
import { decode, formatAmount, fromText, type Ticket, toBase64url, toHex, toUrl } from '@moneybag/protocol';
import { QrCode } from '@moneybag/qr';
import { validUntil } from '@moneybag/web';
import { Fragment, useState } from 'react';
import { t as tx } from '../common/text.ts';
import {
  blameText,
  CodeLabel,
  ErrorBox,
  Section,
  short,
  Table,
  Totals,
  useLoad,
  useVersion,
  when,
} from '../common/ui.tsx';
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
    <Section title={tx('ticketsIssued')}>
      <ErrorBox error={error} />
      {data && data.tickets.length === 0 && <p className="muted">{tx('noTicket')}</p>}
      <div className="scroll">
        <Table
          columns={[
            tx('holder'),
            { text: tx('face'), num: true },
            { text: tx('left'), num: true },
            tx('validUntil'),
            '',
          ]}
          testid="tickets"
        >
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
                    <div className="muted">
                      {tx('reclaimedAmount', { amount: formatAmount(t.reclaimed, t.unit) })}
                    </div>
                  )}
                </td>
                <td className={now >= t.expires ? 'muted' : ''}>{validUntil(t.expires)}</td>
                <td>
                  <button className="link" onClick={() => setShown(shown === t.id ? undefined : t.id)}>
                    {shown === t.id ? tx('hide') : tx('qr')}
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
        </Table>
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
        <CodeLabel code={incident.code} />{' '}
        <span className="badge bad">{blameText(incident.blame, 'blameBadge')}</span>
      </div>
      <p className="muted">
        {tx('returnedBy', {
          collector: incident.collector,
          when: when(incident.at / 1000),
          index: incident.index + 1, // people count from 1, the Return's index from 0
        })}{' '}
        <span className="mono">{short(incident.origin, 16)}</span>
      </p>
      <p>
        {tx('ticketLabel')} <span className="mono small">{incident.ticket}</span>
        {t && <> · {tx('faceAmount', { amount: formatAmount(t.face, t.unit) })}</>} · {tx('holderLabel')}{' '}
        <span className="mono" title={incident.holder}>
          {short(incident.holder)}
        </span>
      </p>
      {incident.proof.reclaim && (
        <p>
          {tx('reclaimedLate', {
            amount: unit ? formatAmount(incident.proof.reclaim.amount, unit) : incident.proof.reclaim.amount,
            when: when(incident.proof.reclaim.at / 1000),
          })}
        </p>
      )}
      <details open={incident.code === 'E_OVERSPENT'}>
        <summary>{tx('proof')}</summary>
        <div className="scroll">
          <Table
            columns={[
              '',
              tx('shop'),
              { text: tx('amountCol'), num: true },
              tx('collectorCol'),
              tx('signatureCol'),
            ]}
          >
            <UseRow
              use={incident.proof.use}
              unit={unit}
              note={tx('noteRefused')}
              collector={incident.collector}
            />
            {incident.proof.earlier.map((u) => (
              <UseRow
                key={u.S}
                use={u}
                unit={unit}
                note={incident.code === 'E_DUPLICATE' ? tx('noteSameS') : tx('noteSettled')}
              />
            ))}
          </Table>
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
    <Section title={tx('settlement')}>
      <ErrorBox error={error} />
      <h3>{tx('owed')}</h3>
      {data && shops.size === 0 && <p className="muted">{tx('nothingSettled')}</p>}
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
      <h3>{tx('incidents')}</h3>
      {data && data.incidents.length === 0 && <p className="muted">{tx('none')}</p>}
      <div data-testid="incidents">
        {data?.incidents.map((i) => (
          <IncidentView key={i.id} incident={i} />
        ))}
      </div>
      <h3>{tx('reclaims')}</h3>
      {data && data.reclaims.length === 0 && <p className="muted">{tx('none')}</p>}
      {data && data.reclaims.length > 0 && (
        <div className="scroll">
          <Table
            columns={[tx('ticketCol'), { text: tx('reclaimedCol'), num: true }, tx('newTicket'), '']}
            testid="reclaims"
          >
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
          </Table>
        </div>
      )}
      {data && data.returns.length > 0 && (
        <details>
          <summary>{tx('returnsReceived', { n: data.returns.length })}</summary>
          <table>
            <tbody>
              {data.returns.map((r) => (
                <tr key={`${r.collector}/${r.origin}`}>
                  <td>{r.collector}</td>
                  <td className="mono">{short(r.origin, 16)}</td>
                  <td>{tx('nSettled', { n: r.settled })}</td>
                  <td>
                    {tx('nRefusedPlain', { n: Array.isArray(r.rejected) ? r.rejected.length : r.rejected })}
                  </td>
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
    <Section title={tx('collectors')}>
      <ErrorBox error={error} />
      <p className="muted">
        {tx('registerWith')} <code>moneybag add-collector ID --url ORIGIN</code>; {tx('registerHint')}
      </p>
      <table data-testid="collectors">
        <tbody>
          {data?.collectors.map((c) => (
            <tr key={c.id}>
              <td>
                <b>{c.id}</b>
                <div className="muted">{c.own ? tx('thisService') : c.url}</div>
              </td>
              <td className="mono">{c.fingerprint}</td>
              <td>
                {tx('collectorReturns', { returns: c.returns, settled: c.settled })}
                {c.lastAt && <div className="muted">{tx('lastAt', { when: when(c.lastAt / 1000) })}</div>}
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
    <Section title={tx('blockedTitle')}>
      <ErrorBox error={error} />
      {data && (
        <p className="muted">
          {data.holders.length === 1 ? tx('oneBlocked') : tx('nBlocked', { n: data.holders.length })}
          {data.updated > 0 && <> · {tx('updatedAt', { when: when(data.updated) })}</>}
        </p>
      )}
      <ul data-testid="denylist" className="mono small">
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
          {tx('refresh')}
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
