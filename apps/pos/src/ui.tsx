// Small shared pieces: an error in words with its code, times and amounts for people.
import { formatAmount } from '@moneybag/protocol';
import { formatSpan, SaidText, say } from '@moneybag/web';
import type { BagRecord } from './store.ts';

/** A failure in words, its code and detail small beside it. */
export function ErrorNote(props: { error: unknown }) {
  const r = say(props.error);
  return (
    <div className="alert" role="alert" data-testid="error" data-code={r.code}>
      <SaidText said={r} />
    </div>
  );
}

/** Totals per unit, e.g. "€12.50 · 3 RIDE". */
export const totalsText = (totals: Record<string, number>): string =>
  Object.entries(totals)
    .map(([unit, amount]) => formatAmount(amount, unit))
    .join(' · ') || '—';

export {
  Aside,
  formatClock as timeText,
  formatMoment as dateText,
  formatSpan,
  SaidText,
} from '@moneybag/web';

/** A span in milliseconds: "3 min". */
export const ageText = (ms: number): string => formatSpan(ms / 1000);

/** A closed bag downloaded as a file, for delivery by hand. */
export const exportBag = (b: BagRecord) => download(`bag-${b.digest}.moneybag.txt`, b.bag!);

/** Download a text as a file (a closed bag, for delivery by hand). */
export function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
