// A bag file a POS exported for delivery by hand: one line of text form. Read it, show it, hand it in raw.
import { type BagAnswerJson, decode, readContent } from '@moneybag/protocol';
import { useState } from 'react';
import { BagReport } from '../common/BagReport.tsx';
import { type BagSummary, summarizeBag } from '../common/bag.ts';
import { t } from '../common/text.ts';
import { ErrorBox, Section, Totals } from '../common/ui.tsx';
import { handInBag } from './api.ts';

export function ImportBag({ token, onCollected }: { token: string; onCollected: () => void }) {
  const [text, setText] = useState('');
  const [bag, setBag] = useState<{ bytes: Uint8Array; summary: BagSummary }>();
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<BagAnswerJson>();
  const [busy, setBusy] = useState(false);

  const read = (t: string) => {
    setText(t);
    setAnswer(undefined);
    setError(undefined);
    setBag(undefined);
    const line = t.trim();
    if (!line) return;
    try {
      // The text form; a `#m=` link to it is read too (the QR reader rule of 4.1).
      const bytes = readContent(line);
      setBag({ bytes, summary: summarizeBag(decode(bytes, 'Bag')) });
    } catch (e) {
      setError(e);
    }
  };

  const hand = async () => {
    if (!bag) return;
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await handInBag(token, bag.bytes));
      onCollected();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t('importTitle')}>
      <div className="row">
        <label>
          {t('bagFile')}
          <input
            type="file"
            name="bagfile"
            accept=".txt,.bag,.moneybag,text/plain"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) read(await f.text());
            }}
          />
        </label>
      </div>
      <label>
        {t('orPaste')}
        <textarea name="bagtext" value={text} onChange={(e) => read(e.target.value)} rows={3} />
      </label>
      {bag && (
        <div data-testid="bag-summary">
          <dl className="facts">
            <dt>{t('shopTo')}</dt>
            <dd>{bag.summary.to}</dd>
            <dt>{t('collector')}</dt>
            <dd>{bag.summary.collector}</dd>
            <dt>{t('bagNumberLabel')}</dt>
            <dd className="mono small">{bag.summary.root}</dd>
            <dt>{t('paymentsLabel')}</dt>
            <dd>
              {bag.summary.uses} {bag.summary.depth > 1 && t('levels', { n: bag.summary.depth })}
            </dd>
            {/* What the bag claims, until the collector's answer says what it is worth. */}
            {!answer && (
              <>
                <dt>{t('claimed')}</dt>
                <dd>
                  <Totals totals={bag.summary.claimed} /> <span className="muted">{t('notChecked')}</span>
                </dd>
              </>
            )}
          </dl>
          {!answer && (
            <button onClick={hand} disabled={busy}>
              {t('collectFor', { shop: bag.summary.to })}
            </button>
          )}
        </div>
      )}
      <ErrorBox error={error} />
      {answer && (
        <div data-testid="import-result">
          <p>{t('collectedFor', { shop: bag?.summary.to ?? '' })}</p>
          <BagReport answer={answer} />
        </div>
      )}
    </Section>
  );
}
