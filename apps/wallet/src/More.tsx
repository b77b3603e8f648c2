// Pay online through a collector (3.5), the encrypted backup and its restore, what the key is.
import { keyFingerprint, parseAmount, toHex } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import type { ScreenProps } from './App.tsx';
import { makeBackup, openBackup, RESTORE_WARNING, restoreBackup } from './backup.ts';
import { heldKind, KEY_KINDS } from './keys.ts';
import { type DB, listParties, type PartyRecord } from './store.ts';
import { Alert, Amount } from './ui.tsx';
import { balances, payDirect, sendDirect } from './wallet.ts';

export function More(p: ScreenProps) {
  const { wallet, go, notices } = p;
  const [persisted, setPersisted] = useState<boolean>();
  useEffect(() => {
    navigator.storage?.persisted?.().then(setPersisted, () => {});
  }, []);
  return (
    <>
      <header className="bar">
        <h1>More</h1>
        <button onClick={() => go({ name: 'home' })}>Back</button>
      </header>
      <main>
        {notices}
        <PayOnline {...p} />
        <BackupForm db={wallet.db} portable={wallet.key.kind === 'portable'} />
        <section className="card">
          <h3>Restore a backup</h3>
          <RestoreForm db={wallet.db} onDone={p.reload} />
        </section>
        <section className="card">
          <h3>This wallet</h3>
          <p data-testid="key-kind" data-kind={heldKind(wallet.key)}>
            <strong>{KEY_KINDS[heldKind(wallet.key)].title}</strong>
            <br />
            <span className="muted">{KEY_KINDS[heldKind(wallet.key)].text}</span>
          </p>
          <p className="muted mono">Key {toHex(wallet.key.publicKey)}</p>
          <TrustedIssuers db={wallet.db} />
          <p className="muted">
            Storage:{' '}
            {persisted === undefined
              ? '…'
              : persisted
                ? 'kept by the browser (persistent)'
                : 'the browser may clear it when space runs low; install the app to keep it'}
          </p>
        </section>
      </main>
      <footer className="actions">
        <button className="primary" onClick={() => go({ name: 'home' })}>
          Done
        </button>
      </footer>
    </>
  );
}

function PayOnline({ wallet, setNotice, reload }: ScreenProps) {
  const [collectors, setCollectors] = useState<PartyRecord[]>([]);
  const units = [...new Set(balances(wallet.tickets).map((b) => b.unit))];
  // What the person picked, else the first choice shown: both lists may arrive after the form is drawn,
  // and a select shows its first option even when nothing was picked.
  const [picked, setPicked] = useState({ collector: '', unit: '' });
  const collector = picked.collector || collectors[0]?.id || '';
  const unit = picked.unit || units[0] || '';
  const [shop, setShop] = useState('');
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    listParties(wallet.db, 'collectors').then(setCollectors);
  }, [wallet.db]);
  const value = parseAmount(amount, unit);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (value === undefined) return setError(new Error('Enter an amount, such as 4.50'));
    setBusy(true);
    try {
      const record = await payDirect(wallet.db, wallet.signer, {
        collector,
        shop: shop.trim(),
        unit,
        amount: value,
      });
      await reload();
      await sendDirect(wallet.db, record);
      setNotice({ ok: `Paid ${shop} online; the receipt is in your history.` });
      setAmount('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
    await reload();
  };
  return (
    <form className="card field" onSubmit={submit} data-testid="pay-online">
      <h3>Pay a shop online</h3>
      <p className="muted">
        Through a collector, when you are online: the shop is paid and you keep a signed receipt.
      </p>
      <label className="muted">
        Collector
        <select value={collector} onChange={(e) => setPicked({ ...picked, collector: e.target.value })}>
          {collectors.map((c) => (
            <option key={c.id}>{c.id}</option>
          ))}
        </select>
      </label>
      <label className="muted">
        Shop id
        <input type="text" value={shop} onChange={(e) => setShop(e.target.value)} placeholder="acme-coffee" />
      </label>
      <div style={{ display: 'flex', gap: '0.5rem' }}>
        <label className="muted" style={{ flex: 2 }}>
          Amount
          <input type="text" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label className="muted" style={{ flex: 1 }}>
          Unit
          <select value={unit} onChange={(e) => setPicked({ ...picked, unit: e.target.value })}>
            {units.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
      </div>
      {error !== undefined && <Alert error={error} />}
      <button
        className="primary big"
        type="submit"
        disabled={busy || !collector || !shop.trim() || !unit || !amount}
      >
        {value !== undefined && unit ? (
          <>
            Pay <Amount amount={value} unit={unit} /> online
          </>
        ) : (
          'Pay online'
        )}
      </button>
    </form>
  );
}

function BackupForm({ db, portable }: { db: DB; portable: boolean }) {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (pass !== again) return setError(new Error('The two passphrases differ.'));
    setBusy(true);
    try {
      const file = await makeBackup(db, pass);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
      a.download = `moneybag-wallet-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setDone(true);
      setPass('');
      setAgain('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form className="card field" onSubmit={submit}>
      <h3>Backup</h3>
      <p className="muted">
        {portable
          ? 'An encrypted file with your key, tickets and history. With it and the passphrase you can restore this wallet on another phone.'
          : 'An encrypted file with your tickets and history. Your key is bound to this phone and is not in it: the tickets can be spent only from this phone.'}
      </p>
      <input
        type="password"
        placeholder="Passphrase (8 characters or more)"
        value={pass}
        onChange={(e) => setPass(e.target.value)}
        autoComplete="new-password"
      />
      <input
        type="password"
        placeholder="The passphrase again"
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        autoComplete="new-password"
      />
      {error !== undefined && <Alert error={error} />}
      {done && <div className="ok">Backup saved. Keep the file and the passphrase apart.</div>}
      <button className="secondary big" type="submit" disabled={busy || !pass}>
        {busy ? 'Encrypting…' : 'Save a backup file'}
      </button>
    </form>
  );
}

export function RestoreForm({ db, onDone }: { db: DB; onDone(): void }) {
  const [file, setFile] = useState<File>();
  const [pass, setPass] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(undefined);
    setBusy(true);
    try {
      await restoreBackup(db, await openBackup(await file.text(), pass));
      setDone(true);
      onDone();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form className="field" onSubmit={submit}>
      <label className="field">
        Backup file
        <input type="file" accept="application/json,.json" onChange={(e) => setFile(e.target.files?.[0])} />
      </label>
      <label className="field">
        Its passphrase
        <input
          type="password"
          placeholder="Passphrase"
          value={pass}
          onChange={(e) => setPass(e.target.value)}
        />
      </label>
      <div className="note">{RESTORE_WARNING}</div>
      <label style={{ display: 'flex', gap: '0.5rem', alignItems: 'center' }}>
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> I
        understand
      </label>
      {error !== undefined && <Alert error={error} />}
      {done && <div className="ok">Restored.</div>}
      <button className="secondary big" type="submit" disabled={busy || !file || !pass || !understood}>
        {busy ? 'Decrypting…' : 'Restore'}
      </button>
    </form>
  );
}

/** The issuers whose tickets this wallet takes (from its service's well-known), with their keys' fingerprints. */
function TrustedIssuers({ db }: { db: DB }) {
  const [issuers, setIssuers] = useState<PartyRecord[]>([]);
  useEffect(() => {
    listParties(db, 'issuers').then(setIssuers, () => {});
  }, [db]);
  return (
    <div data-testid="trusted-issuers">
      <p className="muted">Issuers trusted:</p>
      <ul className="muted">
        {issuers.map((i) => (
          <li key={i.id}>
            {i.id} <span className="mono">{keyFingerprint(i.publicKey)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
