// Small shared pieces: an error in words with its code, times and amounts for people.
import { formatAmount } from '@moneybag/protocol';
import { formatSpan, type Said, say } from '@moneybag/web';
import { t } from './text.ts';

/** A failure in words, its code and detail small beside it. */
export function ErrorNote(props: { error: unknown }) {
  const r = say(props.error);
  return (
    <div className="alert" role="alert" data-testid="error" data-code={r.code}>
      <SaidText said={r} />
    </div>
  );
}

/** What `say` made of a failure: its words, the detail beside them (or aside) and the code small. */
export function SaidText({ said }: { said: Said }) {
  return (
    <>
      {said.text}
      {said.detail && !said.aside && <span className="muted"> — {said.detail}</span>}
      {said.code && <code className="code">{said.code}</code>}
      <Aside said={said} />
    </>
  );
}

/**
 * The service's own sentence where it is in another language than the screen (German words for a known code):
 * on a details line a person opens (support reads it there), not beside the words.
 */
export function Aside({ said }: { said: Said }) {
  if (!said.detail || !said.aside) return null;
  return (
    <details className="small muted" data-testid="error-detail">
      <summary>{t('details')}</summary>
      {said.detail}
    </details>
  );
}

/** Totals per unit, e.g. "€12.50 · 3 RIDE". */
export const totalsText = (totals: Record<string, number>): string =>
  Object.entries(totals)
    .map(([unit, amount]) => formatAmount(amount, unit))
    .join(' · ') || '—';

export { formatClock as timeText, formatMoment as dateText, formatSpan } from '@moneybag/web';

/** A span in milliseconds: "3 min". */
export const ageText = (ms: number): string => formatSpan(ms / 1000);

/** Download a text as a file (a closed bag, for delivery by hand). */
export function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
