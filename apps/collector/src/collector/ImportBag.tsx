// A bag file a POS exported for delivery by hand: one line of text form. Read it, show it, hand it in raw.
import { type BagAnswerJson, decode, readContent } from '@moneybag/protocol';
import { useState } from 'react';
import { BagReport } from '../common/BagReport.tsx';
import { type BagSummary, summarizeBag } from '../common/bag.ts';
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
    <Section title="Import a bag file">
      <div className="row">
        <label>
          Bag file
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
        or paste its text
        <textarea name="bagtext" value={text} onChange={(e) => read(e.target.value)} rows={3} />
      </label>
      {bag && (
        <div data-testid="bag-summary">
          <dl className="facts">
            <dt>Shop (to)</dt>
            <dd>{bag.summary.to}</dd>
            <dt>Collector</dt>
            <dd>{bag.summary.collector}</dd>
            <dt>Root</dt>
            <dd className="mono">{bag.summary.root}</dd>
            <dt>Uses</dt>
            <dd>
              {bag.summary.uses} {bag.summary.depth > 1 && `(tree depth ${bag.summary.depth})`}
            </dd>
            {/* What the bag claims, until the collector's answer says what it is worth. */}
            {!answer && (
              <>
                <dt>Claimed</dt>
                <dd>
                  <Totals totals={bag.summary.claimed} /> <span className="muted">(not yet checked)</span>
                </dd>
              </>
            )}
          </dl>
          {!answer && (
            <button onClick={hand} disabled={busy}>
              Collect this bag for {bag.summary.to}
            </button>
          )}
        </div>
      )}
      <ErrorBox error={error} />
      {answer && (
        <div data-testid="import-result">
          <p>Collected for {bag?.summary.to}: what the collector checked.</p>
          <BagReport answer={answer} />
        </div>
      )}
    </Section>
  );
}
