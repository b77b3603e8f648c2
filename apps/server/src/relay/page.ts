// The relay's small page (`/relay/`, the operator's token): its children, what each holds and delivered, the
// roots open, waiting and forwarded, and each forwarded bag's answer. It reads GET /v1/admin/relay (its body:
// `RelayState` in @moneybag/api; plain JS in the page, so the fields it reads are named here by hand).
// Its words in the browser's language, English first and German second (issue 13), as the apps' catalogs: the
// page is plain JS, so the catalog goes into it as JSON and the first of navigator.languages that has one wins.
const en = {
  title: 'Relay',
  operatorToken: 'Operator token',
  open: 'Open',
  tokenWhere: 'In DIR/keys/operator.token of this relay.',
  children: 'Terminals and sub-relays',
  terminal: 'terminal',
  shop: 'shop',
  label: 'name',
  holds: 'holds',
  delivered: 'delivered',
  bagNumbers: 'Bag numbers',
  bagNumber: 'bag number',
  due: 'due',
  state: 'state',
  mergedBag: 'merged bag',
  answer: 'answer',
  head: 'Parent {upstream} · this relay is {shop} there',
  own: '(own)',
  revoked: 'revoked',
  late: 'Bags handed in late (refused)',
  whole: 'whole bag',
  attempts: '{n} attempts',
  accepted: '{n} accepted, {rejected} rejected',
  sale: 'payment {index} (sale {deal})',
  stateOpen: 'open',
  stateMerged: 'waiting (to be sent)',
  stateForwarded: 'forwarded',
  stateAnswered: 'answered',
  stateRefused: 'refused',
  stateEmpty: 'closed empty',
};
const de: { [K in keyof typeof en]: string } = {
  title: 'Zwischenstelle',
  operatorToken: 'Betreiber-Token',
  open: 'Öffnen',
  tokenWhere: 'In DIR/keys/operator.token dieser Zwischenstelle.',
  children: 'Terminals und untere Zwischenstellen',
  terminal: 'Terminal',
  shop: 'Geschäft',
  label: 'Name',
  holds: 'hält',
  delivered: 'abgegeben',
  bagNumbers: 'Geldbeutel-Nummern',
  bagNumber: 'Geldbeutel-Nummer',
  due: 'fällig',
  state: 'Stand',
  mergedBag: 'zusammengeführter Geldbeutel',
  answer: 'Antwort',
  head: 'Übergeordnet {upstream} · diese Zwischenstelle ist dort {shop}',
  own: '(eigenes)',
  revoked: 'gesperrt',
  late: 'Verspätet abgegebene Geldbeutel (abgelehnt)',
  whole: 'ganzer Geldbeutel',
  attempts: '{n} Versuche',
  accepted: '{n} angenommen, {rejected} abgelehnt',
  sale: 'Zahlung {index} (Verkauf {deal})',
  stateOpen: 'offen',
  stateMerged: 'wartet (auf den Versand)',
  stateForwarded: 'weitergeleitet',
  stateAnswered: 'beantwortet',
  stateRefused: 'abgelehnt',
  stateEmpty: 'leer geschlossen',
};

/** Both catalogs: the browser test compares the page's text with them. */
export const relayText = { en, de };

export const RELAY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title data-t="title">Relay</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem }
 table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem } td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #ddd }
 code { font-size: .85em } .bad { color: #a00 } .muted { color: #666 } .small { font-size: .8em }
</style></head>
<body>
<h1 data-t="title"></h1>
<form id="login"><label><span data-t="operatorToken"></span> <input id="token" type="password" size="44" autocomplete="off"></label> <button data-t="open"></button>
<div class="muted" data-t="tokenWhere"></div></form>
<p id="error" class="bad"></p>
<div id="view" hidden>
<p id="head"></p>
<h2 data-t="children"></h2>
<table><thead><tr><th data-t="terminal"></th><th data-t="shop"></th><th data-t="label"></th><th data-t="holds"></th><th data-t="delivered"></th><th></th></tr></thead><tbody id="children"></tbody></table>
<div id="late"></div>
<h2 data-t="bagNumbers"></h2>
<table><thead><tr><th data-t="bagNumber"></th><th data-t="due"></th><th data-t="state"></th><th data-t="mergedBag"></th><th data-t="answer"></th></tr></thead><tbody id="roots"></tbody></table>
</div>
<script type="module" src="/relay/page.js"></script>
</body></html>`;

/** The page's script: a file of its own, as the service's Content-Security-Policy admits scripts from 'self' only
 * (an inline script would not run). */
export const RELAY_SCRIPT = `const T = ${JSON.stringify({ en, de })};
const lang = (navigator.languages || []).map((l) => l.toLowerCase().split('-')[0]).find((l) => l in T) || 'en';
document.documentElement.lang = lang;
const t = (k, v = {}) => T[lang][k].replace(/\\{(\\w+)\\}/g, (m, n) => (n in v ? v[n] : m));
for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const totals = (t) => Object.entries(t || {}).map(([u, a]) => esc(a) + ' ' + esc(u)).join(', ') || '—';
const stateText = { open: t('stateOpen'), merged: t('stateMerged'), forwarded: t('stateForwarded'), answered: t('stateAnswered'), refused: t('stateRefused'), empty: t('stateEmpty') };
async function load() {
  const token = sessionStorage.getItem('relay-token');
  if (!token) return;
  const res = await fetch('/v1/admin/relay', { headers: { authorization: 'Bearer ' + token } });
  const body = await res.json();
  if (!res.ok) { $('error').textContent = body.message || res.status; $('view').hidden = true; return; }
  $('error').textContent = '';
  $('view').hidden = false;
  $('head').innerHTML = t('head', { upstream: '<code>' + esc(body.upstream) + '</code>', shop: '<b>' + esc(body.shop ?? '?') + '</b>' });
  $('children').innerHTML = body.children.map((c) => '<tr><td>' + esc(c.terminal) + '</td><td>' + esc(c.shop ?? t('own')) + '</td><td>' + esc(c.label) + '</td><td>' + esc(c.holds) + '</td><td>' + esc(c.delivered) + '</td><td>' + (c.revoked_at ? t('revoked') : '') + '</td></tr>').join('');
  $('late').innerHTML = body.late.length ? '<h2>' + esc(t('late')) + ' <code class="small">E_BAG_LATE</code></h2><ul>' + body.late.map((l) => '<li class="bad">' + esc(l.terminal) + ' · <code class="small">' + esc(l.root.slice(0, 10)) + '…</code> · ' + new Date(l.at).toLocaleString(lang) + '</li>').join('') + '</ul>' : '';
  $('roots').innerHTML = body.roots.map((r) => {
    const a = r.answer;
    const answer = !a ? (r.lastError ? '<span class="bad">' + esc(r.lastError) + ' (' + esc(t('attempts', { n: r.attempts })) + ')</span>' : '')
      : a.code ? '<span class="bad">' + esc(a.message) + '</span> <code class="small">' + esc(a.code) + '</code>'
      : esc(t('accepted', { n: a.accepted, rejected: a.rejected.length })) + ' · ' + totals(a.totals)
        + a.rejected.map((x) => '<div class="bad small">' + esc(x.path.map((p) => p.join(' ')).join(' › ') || t('whole')) + ' · ' + esc(t('sale', { index: x.index, deal: x.deal })) + ': <code>' + esc(x.code) + '</code></div>').join('');
    return '<tr><td><code>' + esc(r.root.slice(0, 10)) + '…</code></td><td>' + new Date(r.due * 1000).toLocaleString(lang) + '</td><td>' + esc(stateText[r.state] || r.state) + '</td><td><code>' + esc((r.merged || '').slice(0, 12)) + '</code></td><td>' + answer + '</td></tr>';
  }).join('');
}
$('login').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem('relay-token', $('token').value.trim()); load(); });
load();
setInterval(load, 5000);
`;
