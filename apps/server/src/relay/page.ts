// The relay's small page (`/relay/`, the operator's token): its children, what each holds and delivered, the
// roots open, waiting and forwarded, and each forwarded bag's answer. It reads GET /v1/admin/relay (its body:
// `RelayState` in @moneybag/api; plain JS in the page, so the fields it reads are named here by hand).
export const RELAY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relay</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem }
 table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem } td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #ddd }
 code { font-size: .85em } .bad { color: #a00 } .muted { color: #666 }
</style></head>
<body>
<h1>Relay</h1>
<form id="login"><label>Operator token <input id="token" type="password" size="44" autocomplete="off"></label> <button>Open</button>
<div class="muted">In <code>DIR/keys/operator.token</code> of this relay.</div></form>
<p id="error" class="bad"></p>
<div id="view" hidden>
<p id="head"></p>
<h2>Children</h2>
<table><thead><tr><th>terminal</th><th>shop</th><th>label</th><th>holds</th><th>delivered</th><th></th></tr></thead><tbody id="children"></tbody></table>
<div id="late"></div>
<h2>Roots</h2>
<table><thead><tr><th>root</th><th>due</th><th>state</th><th>merged bag</th><th>answer</th></tr></thead><tbody id="roots"></tbody></table>
</div>
<script type="module">
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const totals = (t) => Object.entries(t || {}).map(([u, a]) => esc(a) + ' ' + esc(u)).join(', ') || '—';
const stateText = { open: 'open', merged: 'waiting (to be sent)', forwarded: 'forwarded', answered: 'answered', refused: 'refused', empty: 'closed empty' };
async function load() {
  const token = sessionStorage.getItem('relay-token');
  if (!token) return;
  const res = await fetch('/v1/admin/relay', { headers: { authorization: 'Bearer ' + token } });
  const body = await res.json();
  if (!res.ok) { $('error').textContent = body.message || res.status; $('view').hidden = true; return; }
  $('error').textContent = '';
  $('view').hidden = false;
  $('head').innerHTML = 'Parent <code>' + esc(body.upstream) + '</code> · this relay is <b>' + esc(body.shop ?? '?') + '</b> there';
  $('children').innerHTML = body.children.map((c) => '<tr><td>' + esc(c.terminal) + '</td><td>' + esc(c.shop ?? '(own)') + '</td><td>' + esc(c.label) + '</td><td>' + esc(c.holds) + '</td><td>' + esc(c.delivered) + '</td><td>' + (c.revoked_at ? 'revoked' : '') + '</td></tr>').join('');
  $('late').innerHTML = body.late.length ? '<h2>Late bags (refused E_BAG_LATE)</h2><ul>' + body.late.map((l) => '<li class="bad">' + esc(l.terminal) + ' · root <code>' + esc(l.root.slice(0, 10)) + '…</code> · ' + new Date(l.at).toLocaleString() + '</li>').join('') + '</ul>' : '';
  $('roots').innerHTML = body.roots.map((r) => {
    const a = r.answer;
    const answer = !a ? (r.lastError ? '<span class="bad">' + esc(r.lastError) + ' (' + esc(r.attempts) + ' attempts)</span>' : '')
      : a.code ? '<span class="bad">' + esc(a.code) + '</span> ' + esc(a.message)
      : esc(a.accepted) + ' accepted, ' + esc(a.rejected.length) + ' rejected · ' + totals(a.totals)
        + a.rejected.map((x) => '<div class="bad small">' + esc(x.path.map((p) => p.join('/')).join(' › ') || 'root') + ' #' + esc(x.index) + ' (deal ' + esc(x.deal) + '): ' + esc(x.code) + '</div>').join('');
    return '<tr><td><code>' + esc(r.root.slice(0, 10)) + '…</code></td><td>' + new Date(r.due * 1000).toLocaleString() + '</td><td>' + esc(stateText[r.state] || r.state) + '</td><td><code>' + esc((r.merged || '').slice(0, 12)) + '</code></td><td>' + answer + '</td></tr>';
  }).join('');
}
$('login').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem('relay-token', $('token').value.trim()); load(); });
load();
setInterval(load, 5000);
</script>
</body></html>`;
