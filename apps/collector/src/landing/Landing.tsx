// The start of the demo: what Moneybag is, the steps in order, and QR codes that open the wallet on a phone and
// the POS on a tablet. A phone cannot open "localhost": the codes carry this machine's address on the network.
import type { DemoOperatorsJson } from '@moneybag/api';
import { QrText } from '@moneybag/qr';
import { useEffect, useState } from 'react';
import { call, tokenStore } from '../common/api.ts';
import { t } from '../common/text.ts';

const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** The origin a phone on the same network can open: this page's, unless it is this machine's own name. */
function useSharedOrigin(): string {
  const [origin, setOrigin] = useState(location.origin);
  useEffect(() => {
    if (!LOCAL.test(location.hostname)) return;
    fetch('/v1/demo/addresses')
      .then((r) => (r.ok ? (r.json() as Promise<{ origins: string[] }>) : undefined))
      .then((a) => a?.origins[0] && setOrigin(a.origins[0]))
      .catch(() => {});
  }, []);
  return origin;
}

/** The demo's operator tokens: the service gives them to this page only when it runs the demo, on this machine. */
function useDemoOperators(): DemoOperatorsJson | undefined {
  const [operators, setOperators] = useState<DemoOperatorsJson>();
  useEffect(() => {
    call<DemoOperatorsJson>('/v1/demo/operators').then(setOperators, () => {});
  }, []);
  return operators;
}

/** One click into an operator page: its token kept for this tab, as the page's own login would. */
function OperatorLink(p: { page: 'issuer' | 'collector'; token: string; children: string }) {
  return (
    <a
      className="button"
      href={`/${p.page}/`}
      data-testid={`demo-${p.page}`}
      onClick={() => tokenStore(p.page).set(p.token)}
    >
      {p.children}
    </a>
  );
}

function Device(p: { title: string; open: string; href: string; text: string; testid: string }) {
  return (
    <section className="card device" data-testid={p.testid}>
      <h2>{p.title}</h2>
      <QrText text={p.href} size={200} label={p.open} />
      <p>{p.text}</p>
      <a className="link-box" href={p.href}>
        {p.href}
      </a>
    </section>
  );
}

export function Landing() {
  const origin = useSharedOrigin();
  const operators = useDemoOperators();
  return (
    <div className="page landing">
      <header className="top">
        <h1>Moneybag</h1>
      </header>
      <main>
        <p className="lead">{t('lead')}</p>
        <div className="grid">
          <Device
            title={t('walletTitle')}
            open={t('walletOpen')}
            testid="open-wallet"
            href={`${origin}/wallet/`}
            text={t('walletText')}
          />
          <Device
            title={t('tillTitle')}
            open={t('tillOpen')}
            testid="open-pos"
            href={`${origin}/pos/`}
            text={t('tillText')}
          />
        </div>
        <section className="card">
          <h2>{t('stepsTitle')}</h2>
          <ol className="steps">
            <li>
              <b>{t('walletTitle')}:</b> {t('stepWallet')}
            </li>
            <li>
              <b>{t('issuerTitle')}:</b> {t('stepIssuer')} <a href="/issuer/">{t('issuerPage')}</a>
              {t('stepIssuerRest')}
            </li>
            <li>
              <b>{t('till')}:</b> {t('stepTill')} <a href="/collector/">{t('collectorPage')}</a>
              {t('stepTillRest')}
            </li>
            <li>
              <b>{t('pay')}:</b> {t('stepPay')}
            </li>
            <li>
              <b>{t('takings')}:</b> {t('stepTakings')}
            </li>
          </ol>
          {operators ? (
            <div className="row" data-testid="demo-operators">
              <OperatorLink page="issuer" token={operators.issuer.token}>
                {t('openIssuer')}
              </OperatorLink>
              <OperatorLink page="collector" token={operators.collector.token}>
                {t('openCollector')}
              </OperatorLink>
              <span className="muted">{t('demoOperators')}</span>
            </div>
          ) : (
            <p className="muted">{t('tokensHint')}</p>
          )}
        </section>
      </main>
    </div>
  );
}
