// The start of the demo: what Moneybag is, the steps in order, and QR codes that open the wallet on a phone and
// the POS on a tablet. A phone cannot open "localhost": the codes carry this machine's address on the network.
import type { DemoOperatorsJson } from '@moneybag/api';
import { QrText } from '@moneybag/qr';
import { useEffect, useState } from 'react';
import { call, tokenStore } from '../common/api.ts';

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

function Device(p: { title: string; href: string; text: string; testid: string }) {
  return (
    <section className="card device" data-testid={p.testid}>
      <h2>{p.title}</h2>
      <QrText text={p.href} size={200} label={`Open the ${p.title.toLowerCase()}`} />
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
        <p className="lead">
          Money and tickets that work offline. A <b>wallet</b> on a phone pays a shop’s <b>till</b> on a
          tablet by showing QR codes to each other, with no network at all. The shop hands its takings in, as
          a sealed money bag, to a <b>collector</b> (its bank), which gives each ticket back to its{' '}
          <b>issuer</b>. Whoever spends a ticket twice is named, with proof.
        </p>
        <div className="grid">
          <Device
            title="Wallet"
            testid="open-wallet"
            href={`${origin}/wallet/`}
            text="Scan with a phone on the same network (Wi-Fi), then tap “Create my wallet”."
          />
          <Device
            title="Till (POS)"
            testid="open-pos"
            href={`${origin}/pos/`}
            text="Scan with a tablet, then pair it with a shop: the collector page shows the shop’s pairing code."
          />
        </div>
        <section className="card">
          <h2>The demo, step by step</h2>
          <ol className="steps">
            <li>
              <b>Wallet:</b> open it on a phone (code above), create the wallet, tap <i>Receive</i> and send
              its link to the issuer.
            </li>
            <li>
              <b>Issuer:</b> on the <a href="/issuer/">issuer page</a>, open that link (or scan the wallet’s
              code), choose an amount and issue a ticket; the wallet scans it or opens its link.
            </li>
            <li>
              <b>Till:</b> open the POS on a tablet (code above); on the{' '}
              <a href="/collector/">collector page</a>, add a shop or pick the demo shop and scan its pairing
              code with the tablet.
            </li>
            <li>
              <b>Pay:</b> type a price on the till and charge; the wallet taps <i>Pay</i>, scans the till’s
              code, confirms, and shows its payment code to the till’s camera. Try it with the network off.
            </li>
            <li>
              <b>Takings:</b> on the till, close the bag (<i>Bags</i>); once online it is sent to the
              collector, whose page shows it, and the issuer page shows what the shop is owed.
            </li>
          </ol>
          {operators ? (
            <div className="row" data-testid="demo-operators">
              <OperatorLink page="issuer" token={operators.issuer.token}>
                Open the issuer page
              </OperatorLink>
              <OperatorLink page="collector" token={operators.collector.token}>
                Open the collector page
              </OperatorLink>
              <span className="muted">(the demo’s operators, logged in)</span>
            </div>
          ) : (
            <p className="muted">
              The issuer and collector pages ask for an operator token: <code>npm start</code> prints where
              the demo’s tokens are (<code>demo.json</code> in the data folder).
            </p>
          )}
        </section>
      </main>
    </div>
  );
}
