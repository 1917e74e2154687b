/**
 * The console's static assets, all served by macfleet itself: its stylesheet (below) and htmx, read
 * once from the installed, pinned `htmx.org` package. Nothing is fetched from another site.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ConsoleApp } from './route-kit.js';

const CSS = `
:root{--bg:#f4f6f8;--panel:#fff;--ink:#1b2430;--muted:#5b6675;--line:#d8dee6;--accent:#1f5fa8;--accent-ink:#fff;
--ok:#1d7a46;--ok-bg:#e6f4ec;--err:#b42318;--err-bg:#fdecea;--warn:#9a5b00;--warn-bg:#fff4e0;--info-bg:#e8f0fb;
--used:#1f5fa8;--free:#cfd8e3;--quar:#d08a00;font-size:15px}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
code,.mac,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
.top{display:flex;justify-content:space-between;align-items:center;background:#14263d;color:#e9eef5;padding:.55rem 1.2rem}
.top a{color:#fff;text-decoration:none}
.brand{font-weight:700;font-size:1.1rem;letter-spacing:.01em}.brand-sub{font-weight:400;opacity:.7}
.logo{color:#6fb1ff}
.who{display:flex;gap:1rem;align-items:center;font-size:.92rem}
.role{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;background:#2f4a6b}
.role-admin{background:#7a2e8e}.role-operator{background:#1d6b45}
.frame{display:flex;min-height:calc(100vh - 44px)}
.side{width:200px;flex:none;background:#fff;border-right:1px solid var(--line);padding-top:.6rem}
.side ul{list-style:none;margin:0;padding:0}
.side a{display:block;padding:.5rem 1.1rem;color:var(--ink);text-decoration:none;border-left:3px solid transparent}
.side a:hover{background:#eef3f9}
.side a[aria-current=page]{border-left-color:var(--accent);background:#e8f0fb;font-weight:600;color:var(--accent)}
main{flex:1;padding:1.2rem 1.8rem 3rem;min-width:0;max-width:1280px}
h1{font-size:1.45rem;margin:.2rem 0 1rem}
h2{font-size:1.12rem;margin:1.6rem 0 .6rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:1rem 1.2rem;margin:0 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:.8rem;margin-bottom:1rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem}
.card .n{font-size:1.7rem;font-weight:700}.card .l{color:var(--muted);font-size:.9rem}
.card a{text-decoration:none;color:inherit}
table{border-collapse:collapse;width:100%;background:var(--panel);border:1px solid var(--line);font-size:.93rem}
th,td{text-align:left;padding:.42rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef2f6;font-weight:600;color:#34404f;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.badge{display:inline-block;border-radius:10px;padding:0 .55em;font-size:.82rem;font-weight:600;background:#e5e9ef;color:#34404f}
.badge-running,.badge-ok,.badge-works{background:var(--ok-bg);color:var(--ok)}
.badge-stopped{background:#eceff3;color:#4a5563}
.badge-saved{background:var(--info-bg);color:var(--accent)}
.badge-error,.badge-blocking,.badge-conflicting,.badge-certain,.badge-fails{background:var(--err-bg);color:var(--err)}
.badge-warning,.badge-latent,.badge-possible{background:var(--warn-bg);color:var(--warn)}
.badge-info{background:var(--info-bg);color:var(--accent)}
.notice{border-radius:6px;padding:.65rem .9rem;margin:0 0 1rem;border:1px solid}
.notice-ok{background:var(--ok-bg);border-color:#9fd3b5;color:#14532d}
.notice-error{background:var(--err-bg);border-color:#f1aaa3;color:#7a1a12}
.notice-info{background:var(--info-bg);border-color:#b5cdf0}
form.inline{display:inline}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.7rem 1rem;margin-bottom:1rem}
form.filters .f{display:flex;flex-direction:column;gap:.15rem;font-size:.9rem}
.stack{display:flex;flex-direction:column;gap:.45rem;max-width:28rem}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
label{font-weight:500}
input[type=text],input[type=password],input[type=number],input[type=search],input[type=datetime-local],select{font:inherit;padding:.32rem .45rem;border:1px solid #aab4c0;border-radius:4px;background:#fff;min-width:8rem}
input:disabled,select:disabled{background:#eef0f3;color:#7b8490}
button,.button{font:inherit;padding:.34rem .9rem;border-radius:4px;border:1px solid #8d99a8;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
button:hover{background:#f0f4f8}
button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-ink);font-weight:600}
button.primary:hover{background:#184d8a}
button.danger{color:var(--err);border-color:#d99}
button.link{border:none;background:none;color:#cfe3ff;padding:0;text-decoration:underline}
button:disabled{opacity:.55;cursor:not-allowed}
fieldset{border:1px solid var(--line);border-radius:6px;padding:.6rem 1rem .8rem;margin:0 0 .9rem;background:#fff}
legend{font-weight:600;padding:0 .3rem}
.choice{display:flex;align-items:center;gap:.4rem;margin:.25rem 0}
.reason{color:var(--warn);font-size:.9rem;margin:.2rem 0 .3rem}
.actions{display:flex;gap:.5rem;align-items:center;margin-top:.6rem}
.pager{display:flex;gap:1.2rem;align-items:center;margin:.7rem 0}
.split{display:grid;grid-template-columns:220px 1fr;gap:1rem}
.pane-list{list-style:none;margin:0;padding:0;background:#fff;border:1px solid var(--line);border-radius:6px}
.pane-list a{display:block;padding:.5rem .8rem;text-decoration:none;border-bottom:1px solid var(--line)}
.pane-list a[aria-current=page]{background:#e8f0fb;font-weight:600}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
.kv dt{color:var(--muted)}.kv dd{margin:0}
.chart{max-width:100%;height:auto;background:#fff}
.legend{display:flex;gap:1rem;font-size:.88rem;margin:.3rem 0}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-1px}
.sw-used{background:var(--used)}.sw-free{background:var(--free)}.sw-quar{background:var(--quar)}
.finding{border-left:4px solid var(--line);padding:.3rem .8rem;margin:.6rem 0;background:#fff}
.finding.sev-error{border-left-color:var(--err)}.finding.sev-warning{border-left-color:var(--quar)}.finding.sev-info{border-left-color:var(--accent)}
.finding ul{margin:.3rem 0 .2rem 1.1rem;padding:0}
.evidence{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem;color:#394452;white-space:pre-wrap;margin:.2rem 0 .2rem 1rem}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:500}
.verdict{font-size:1.2rem;font-weight:700;padding:.6rem .9rem;border-radius:6px;margin-bottom:1rem}
.verdict-works{background:var(--ok-bg);color:var(--ok)}.verdict-fails{background:var(--err-bg);color:var(--err)}
.bare{display:flex;justify-content:center;align-items:flex-start}
.bare-main{margin-top:10vh;background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.5rem 2rem;max-width:30rem;flex:none}
.bare .brand{color:#14263d}
.diff{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.5rem 0;overflow-x:auto;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;line-height:1.35;margin:.4rem 0}
.diff span{display:block;padding:0 .8rem;white-space:pre}.diff .add{background:#e6f4ec;color:#0f5132}.diff .del{background:#fdecea;color:#8a1c13}
.diff .hunk{color:var(--accent);background:var(--info-bg)}.diff .head{color:var(--muted);font-weight:600}
td.after{font-weight:600}
`;

let htmx: string | undefined;
function htmxSource(): string {
  htmx ??= readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  return htmx;
}

/** GET /assets/console.css and /assets/htmx.min.js (public: the sign-in page needs the stylesheet). */
export function mountAssets(app: ConsoleApp): void {
  const cache = 'public, max-age=3600';
  app.get('/assets/console.css', (c) =>
    c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': cache }),
  );
  app.get('/assets/htmx.min.js', (c) =>
    c.body(htmxSource(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': cache,
    }),
  );
}
