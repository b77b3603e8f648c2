// The collector's answer on a bag (PROTOCOL.md section 7): accepted count, every rejected use, totals.
import type { BagAnswerJson, RejectedUseJson } from '@moneybag/protocol';
import { pathText } from './bag.ts';
import { CodeLabel, Totals } from './ui.tsx';

export function Rejected({ rejected }: { rejected: RejectedUseJson[] }) {
  if (rejected.length === 0) return <span className="muted">none rejected</span>;
  return (
    <table className="rejected">
      <thead>
        <tr>
          <th>terminal (path)</th>
          <th className="num">sale</th>
          <th>why</th>
        </tr>
      </thead>
      <tbody>
        {rejected.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rejected uses have no identity but their order
          <tr key={i}>
            <td>{pathText(r.path)}</td>
            <td className="num">{r.deal}</td>
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
        <dt>Bag fingerprint</dt>
        <dd className="mono">{answer.digest}</dd>
        <dt>Accepted</dt>
        <dd>
          <span className="badge ok">{answer.accepted} accepted</span>
          <span className={`badge ${answer.rejected.length ? 'bad' : ''}`}>
            {answer.rejected.length} rejected
          </span>
        </dd>
        <dt>Collected</dt>
        <dd>
          <Totals totals={answer.totals} />
        </dd>
      </dl>
      {answer.rejected.length > 0 && <Rejected rejected={answer.rejected} />}
    </div>
  );
}
