// The collector's answer on a bag (PROTOCOL.md section 7): accepted count, every rejected use, totals.
import type { BagAnswerJson, RejectedUseJson } from '@moneybag/protocol';
import { pathText } from './bag.ts';
import { t } from './text.ts';
import { CodeLabel, Totals } from './ui.tsx';

export function Rejected({ rejected }: { rejected: RejectedUseJson[] }) {
  if (rejected.length === 0) return <span className="muted">{t('noneRejected')}</span>;
  return (
    <table className="rejected">
      <thead>
        <tr>
          <th>{t('terminalPath')}</th>
          <th className="num">{t('sale')}</th>
          <th className="num" title={t('paymentTitle')}>
            {t('payment')}
          </th>
          <th>{t('why')}</th>
        </tr>
      </thead>
      <tbody>
        {rejected.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rejected uses have no identity but their order
          <tr key={i}>
            <td>{pathText(r.path)}</td>
            <td className="num">{r.deal}</td>
            <td className="num">{r.index}</td>
            <td>
              <CodeLabel code={r.code} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BagReport({ answer }: { answer: BagAnswerJson }) {
  return (
    <div className="report" data-testid="bag-report">
      <dl className="facts">
        <dt>{t('bagFingerprint')}</dt>
        <dd className="mono">{answer.digest}</dd>
        <dt>{t('acceptedLabel')}</dt>
        <dd>
          <span className="badge ok">{t('nAccepted', { n: answer.accepted })}</span>
          <span className={`badge ${answer.rejected.length ? 'bad' : ''}`}>
            {t('nRejected', { n: answer.rejected.length })}
          </span>
        </dd>
        <dt>{t('collectedLabel')}</dt>
        <dd>
          <Totals totals={answer.totals} />
        </dd>
      </dl>
      {answer.rejected.length > 0 && <Rejected rejected={answer.rejected} />}
    </div>
  );
}

/** A collected bag's tree (7.1): relays and terminals, each with the uses under it and how many were refused. */
export function BagTree({ tree }: { tree: { path: [string, number][]; uses: number; refused: number }[] }) {
  if (tree.length <= 1) return null;
  return (
    <ul className="plain tree" data-testid="bag-tree">
      {tree.map((n) => (
        <li key={pathText(n.path)} style={{ paddingLeft: `${n.path.length * 1.25}rem` }}>
          {n.path.length === 0
            ? t('treeRoot')
            : `${n.path[n.path.length - 1][0]} ${n.path[n.path.length - 1][1]}`}{' '}
          <span className="muted">{n.uses === 1 ? t('onePayment') : t('nPayments', { n: n.uses })}</span>
          {n.refused > 0 && <span className="badge bad">{t('nRefused', { n: n.refused })}</span>}
        </li>
      ))}
    </ul>
  );
}
