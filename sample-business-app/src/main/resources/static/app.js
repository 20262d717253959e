// Small helpers shared by the pages: fetch JSON, show RFC 9457 problem details, format numbers.
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const fmt = n => (n === null || n === undefined || n < 0) ? '–' : Number(n).toLocaleString('en-US');
const short = sha => sha ? sha.substring(0, 12) + '…' : '–';

// The CSRF token Spring Security keeps in the XSRF-TOKEN cookie: a state-changing request from these pages
// echoes it in the X-XSRF-TOKEN header (a page on another site cannot read the cookie, so cannot send it).
function csrfHeaders(method) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return {};
  const m = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]+)/);
  return m ? {'X-XSRF-TOKEN': decodeURIComponent(m[1])} : {};
}

async function api(method, url, body) {
  const headers = {...csrfHeaders(method), ...(body ? {'Content-Type': 'application/json'} : {})};
  const res = await fetch(url, {method, headers, body: body ? JSON.stringify(body) : undefined});
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) { const e = new Error(data.detail || res.statusText); e.problem = data; e.status = res.status; throw e; }
  return data;
}

function problemHtml(e) {
  const p = e.problem || {};
  const extra = Object.entries(p).filter(([k]) => !['type', 'title', 'status', 'detail', 'instance'].includes(k))
    .map(([k, v]) => `<code>${esc(k)}</code>: ${esc(typeof v === 'object' ? JSON.stringify(v) : v)}`).join(' · ');
  return `<div class="problem"><b>${esc(p.status || e.status || '')} ${esc(p.title || 'Error')}</b><br>${esc(p.detail || e.message)}`
    + (extra ? `<br><small>${extra}</small>` : '') + '</div>';
}

function nav(active) {
  const links = [['/', 'Quotes'], ['/trees.html', 'Fractal tree'], ['/plugins.html', 'Plugins']];
  document.body.insertAdjacentHTML('afterbegin', '<header><b>Graft ERP</b>' + links.map(([href, label]) =>
    `<a href="${href}" class="${label === active ? 'active' : ''}">${label}</a>`).join('') +
    '<span class="muted" style="margin-left:auto;color:#9fc9b6">pricing and trees are sandboxed WebAssembly plugins</span></header>');
}
