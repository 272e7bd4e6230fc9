/**
 * The panel's stylesheet and its one script, served from /assets (CSP: script-src 'self', no inline code).
 * Kept as strings so they ship inside the build with no copy step. Chart.js comes from node_modules.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { faviconIco } from './favicon.js';

export const PANEL_CSS = `
:root { --ink:#1d2430; --muted:#5b6576; --line:#d9dee7; --bg:#f6f7f9; --accent:#1f5fae;
  --nuisance:#b3261e; --suspect:#a15c00; --trusted:#1b7a3a; --unknown:#5b6576; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header { background:#16324f; color:#fff; padding:.5rem 1rem; display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; }
header a { color:#fff; text-decoration:none; padding:.25rem .4rem; border-radius:4px; }
header a.here, header a:hover { background:rgba(255,255,255,.15); }
header .brand { font-weight:700; margin-right:.5rem; }
header nav { display:flex; flex-wrap:wrap; gap:.25rem; flex:1; }
header .tools { display:flex; gap:.5rem; align-items:center; }
header form { margin:0; }
header button { background:none; border:1px solid rgba(255,255,255,.5); color:#fff; border-radius:4px; padding:.2rem .6rem; cursor:pointer; }
main { padding:1rem; max-width:1200px; margin:0 auto; }
h1 { font-size:1.4rem; margin:.2rem 0 1rem; overflow-wrap:anywhere; } h2 { font-size:1.1rem; margin:1.4rem 0 .6rem; }
.page-head { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1.5rem; margin:.2rem 0 1rem; } .page-head h1 { margin:0; }
.segmented { display:inline-flex; border:1px solid #b9c1cd; border-radius:5px; overflow:hidden; background:#fff; }
.segmented button { font:inherit; min-height:0; margin:0; border:0; border-radius:0; background:none; cursor:pointer; padding:.25rem .8rem; color:var(--accent); border-left:1px solid #b9c1cd; }
.segmented button:first-child { border-left:none; } .segmented button:hover { background:#e8f1fb; }
.segmented button[aria-current] { background:var(--accent); color:#fff; font-weight:600; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:.75rem; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:.75rem 1rem; min-width:0; overflow-wrap:anywhere; }
.card .n { font-size:1.8rem; font-weight:700; } .card .l { color:var(--muted); font-size:.85rem; }
.panel { background:#fff; border:1px solid var(--line); border-radius:8px; padding:1rem; margin-bottom:1rem; }
.chart { position:relative; height:260px; }
.scroll { overflow-x:auto; -webkit-overflow-scrolling:touch; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { text-align:left; padding:.4rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:.8rem; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; } #our-numbers th.num { text-align:right; } #our-numbers { width:auto; min-width:min(100%, 40rem); }
.nowrap { white-space:nowrap; }
.hidden-caller { white-space:nowrap; }
.badge { display:inline-block; padding:.05rem .45rem; border-radius:10px; font-size:.8rem; color:#fff; background:var(--unknown); }
.kind-sms { background:#6b3fa0; }
.v-nuisance { background:var(--nuisance); } .v-suspect { background:var(--suspect); } .v-trusted { background:var(--trusted); }
.ticks { color:var(--nuisance); letter-spacing:1px; }
.muted { color:var(--muted); } .small { font-size:.85rem; }
.sr-only { position:absolute; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; border:0; }
.reason { font-size:.85rem; min-width:12rem; max-width:28rem; }
form.filters { display:flex; flex-wrap:wrap; gap:.5rem; align-items:flex-end; margin-bottom:1rem; }
label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); gap:.15rem; }
label.inline { flex-direction:row; align-items:center; gap:.35rem; color:var(--ink); font-size:.95rem; }
input, select, button { font:inherit; padding:.35rem .5rem; border:1px solid #b9c1cd; border-radius:5px; background:#fff; min-height:2.2rem; }
input.date { width:8rem; } form.filters select { max-width:11rem; } form.filters input[type=search] { width:9rem; }
button.primary, .button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer; text-decoration:none; display:inline-block; padding:.35rem .75rem; border-radius:5px; }
button.danger { background:var(--nuisance); color:#fff; border-color:var(--nuisance); cursor:pointer; }
button.good { background:var(--trusted); color:#fff; border-color:var(--trusted); cursor:pointer; }
details.mark summary { cursor:pointer; color:var(--accent); }
details.mark form { display:flex; flex-direction:column; gap:.35rem; margin-top:.35rem; min-width:min(14rem, 100%); }
details.mark input { min-width:0; width:100%; }
.row { display:flex; flex-wrap:wrap; gap:.5rem; align-items:flex-end; }
form.rule { border-top:1px solid var(--line); padding:.6rem 0; } form.rule fieldset { display:flex; flex-wrap:wrap; gap:.2rem .6rem; border:1px solid var(--line); border-radius:5px; padding:.2rem .5rem; margin:0; } form.rule legend { font-size:.8rem; color:var(--muted); }
.notice { padding:.6rem .8rem; border-radius:6px; background:#e8f1fb; border:1px solid #b8d2f0; margin-bottom:1rem; }
.error { background:#fdecea; border-color:#f3b9b4; }
.warning { background:#fff6e0; border-color:#efd28c; }
.advice { padding:.75rem 1rem; background:#eef8f0; border:1px solid #b9dfc3; border-radius:8px; margin:.5rem 0; }
.pager { display:flex; gap:1rem; margin:.75rem 0; }
.login { max-width:22rem; margin:10vh auto; }
.login form { display:flex; flex-direction:column; gap:.75rem; }
.timeline { display:flex; flex-wrap:wrap; gap:.35rem; }
.timeline .d { background:#fff; border:1px solid var(--line); border-radius:6px; padding:.2rem .45rem; font-size:.85rem; }
code, .mono { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:.85rem; overflow-wrap:anywhere; }
.mono.whole { overflow-wrap:break-word; }
.dossier-facts { display:grid; grid-template-columns:max-content 1fr; gap:.2rem 1rem; background:#fff; border:1px solid var(--line); border-radius:8px; padding:.75rem 1rem; }
.dossier-facts dt { font-weight:600; } .dossier-facts dd { margin:0; }
progress { width:100%; height:1.1rem; margin:.25rem 0 .75rem; accent-color:var(--accent); }
form.import-form { display:flex; flex-direction:column; gap:.6rem; max-width:36rem; }
form.import-form button { align-self:flex-start; }
main:has(#register), main:has(#sip-details) { max-width:1600px; }
td.c-name, #register .reason { overflow-wrap:anywhere; }
#register .c-number { white-space:normal; overflow-wrap:anywhere; min-width:9.5rem; max-width:12rem; }
#register .c-time { min-width:6.5rem; white-space:nowrap; } #register .c-name { min-width:6rem; max-width:12rem; }
#register .reason { min-width:10rem; max-width:24rem; } #register .c-action { min-width:7rem; }
/* Back from a mark: the row's "Mark" (the fragment) a third down the window, its row lit, the notice kept in sight. */
#register summary { scroll-margin-top:30vh; } #register tr:has(summary:target) td { background:#fff6d6; }
main:has(#register) .notice[data-marked] { position:sticky; top:0; z-index:1; box-shadow:0 2px 6px rgba(0,0,0,.15); }
/* A display name of up to 128 characters: two lines at most (it made a row 14 lines tall), whole on hover (title); in
   the register and the lists of numbers (dashboard, rankings), where on a phone 128 letters ran past the card's edge. */
td.c-name .clip { display:-webkit-box; -webkit-box-orient:vertical; -webkit-line-clamp:2; overflow:hidden; }
/* A number in a display name stays whole (the column breaks other text anywhere): "+390212345678", not "+3902123456 / 78". */
td.c-name .num { white-space:nowrap; } table.stack td.c-name { min-width:6rem; max-width:16rem; }
#register th { white-space:normal; } #register details.mark form { min-width:12rem; } #register summary, #register [class^=check-] { white-space:nowrap; }
@media (max-width: 1100px) { #register .c-called { display:none; } }
#sip-details th { white-space:normal; letter-spacing:0; } #sip-details th, #sip-details td { padding-left:.3rem; padding-right:.3rem; } #sip-details td.mono { min-width:5rem; } #sip-details .reason { min-width:8rem; }
.sms-text { margin:.3rem 0 0; white-space:pre-wrap; overflow-wrap:anywhere; }
/* The SIP details say a display name whole: broken anywhere rather than past a phone's card (128 letters, no space). */
#sip-details td.c-name-whole { overflow-wrap:anywhere; }
#sip-details td.mono::before { font-family:system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap:normal; }
.week { display:grid; gap:.4rem; max-width:34rem; margin:.5rem 0 1rem; }
.week label.day { display:grid; grid-template-columns:6.5rem minmax(0,1fr); align-items:center; gap:.5rem; font-size:.95rem; color:var(--ink); }
.week input { width:100%; min-width:0; }
.breach { margin-top:1rem; } .breach h2 { font-size:1rem; } tr.breaching td { font-weight:600; }
@media print {
  header, .no-print { display:none !important; }
  body { background:#fff; font-size:10pt; } main { max-width:none; padding:0; }
  .dossier-facts { border:none; padding:0; } th, td { border:1px solid #999; padding:.2rem .3rem; }
  a { color:inherit; text-decoration:none; } .breach { break-inside:avoid; }
}
@media (max-width: 640px) {
  main { padding:.6rem; } .card .n { font-size:1.4rem; }
  /* The header in two short lines, not five stacked links (~100 px on a 390 px phone, user37): the brand and the
     tools, then the links in one line that scrolls sideways. */
  header { padding:.3rem .5rem; gap:.2rem .5rem; }
  header .brand { margin-right:0; } header .tools { margin-left:auto; }
  header nav { order:3; flex:1 1 100%; flex-wrap:nowrap; overflow-x:auto; scrollbar-width:none; gap:.1rem; }
  header nav a { white-space:nowrap; padding:.2rem .4rem; }
  th, td { padding:.35rem .3rem; font-size:.9rem; } .hide-sm { display:none; }
  /* A number's cards (the next call's reasons, its mark and its form): one a row, not two of ~170 px. */
  .cards.wide { grid-template-columns:minmax(0,1fr); }
  /* A dossier's facts: each name above its value (as two columns, "Chiamate nel periodo" squeezed the values). */
  .dossier-facts { grid-template-columns:minmax(0,1fr); gap:0; } .dossier-facts dd { margin-bottom:.4rem; overflow-wrap:anywhere; }
  #register thead, table.stack thead { display:none; }
  #register, table.stack, #register tbody, table.stack tbody, #register tr, table.stack tr { display:block; }
  #register tr, table.stack tr { padding:.35rem 0; border-bottom:2px solid var(--line); }
  #register td[data-label], table.stack td[data-label] { display:flex; gap:.5rem; border:none; padding:.15rem .3rem; max-width:none; min-width:0; text-align:left; }
  #register td[data-label]:empty, table.stack td[data-label]:empty { display:none; }
  #register td::before, table.stack td::before { content:attr(data-label); flex:0 0 7rem; white-space:normal; color:var(--muted); font-size:.75rem; text-transform:uppercase; letter-spacing:.03em; padding-top:.15rem; font-family:system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-weight:400; overflow-wrap:normal; }
  #register td > *, table.stack td > * { min-width:0; }
}
`;

export const PANEL_JS = `
'use strict';
(function () {
  var palette = ['#1f5fae', '#b3261e', '#1b7a3a', '#a15c00', '#6b3fa0', '#00838f'];
  // A label as at most two lines that fit the axis's room (half the chart, less its ticks), broken between words; a
  // word wider than the room, or a third line, ends with an ellipsis (the table above names the company whole).
  function wrapLabel(scale, text) {
    var ctx = scale.ctx;
    var room = scale.chart.width / 2 - 20;
    ctx.save();
    ctx.font = window.Chart.helpers.toFont(scale.options.ticks.font).string;
    function fits(s) { return ctx.measureText(s).width <= room; }
    function cut(s) { while (s.length > 1 && !fits(s + '\\u2026')) s = s.slice(0, -1).trimEnd(); return s + '\\u2026'; }
    var lines = [];
    var line = '';
    String(text).split(/\\s+/).forEach(function (word) {
      var next = line ? line + ' ' + word : word;
      if (!line || fits(next)) line = next; else { lines.push(line); line = word; }
    });
    if (line) lines.push(line);
    lines = lines.map(function (l) { return fits(l) ? l : cut(l); });
    if (lines.length > 2) lines = [lines[0], cut(lines.slice(1).join(' '))];
    ctx.restore();
    return lines.length === 1 ? lines[0] : lines;
  }
  function charts() {
    if (typeof window.Chart !== 'function') return;
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var spec;
      try { spec = JSON.parse(canvas.getAttribute('data-chart')); } catch (e) { return; }
      spec.datasets.forEach(function (d, i) { d.backgroundColor = d.color || palette[i % palette.length]; d.borderColor = d.backgroundColor; });
      // The value axis counts attempts: whole ticks from 0, on x when the bars lie (the rankings), else on y.
      var values = { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } };
      var labels = { stacked: !!spec.stacked };
      var lying = spec.indexAxis === 'y';
      if (lying) {
        // Lying bars (the rankings' companies): a company's name wrapped to the room Chart.js gives the axis (half
        // the chart) instead of cut on the left, as it was on a phone (panel41); a row tall enough for two lines on a
        // phone, for one on a laptop (forty companies were 6 px a row in the 260 px box).
        var row = canvas.parentNode.clientWidth > 700 ? 24 : 36;
        canvas.parentNode.style.height = Math.max(260, 60 + spec.labels.length * row) + 'px';
        labels.ticks = { autoSkip: false, callback: function (value) { return wrapLabel(this, this.getLabelForValue(value)); } };
      }
      new window.Chart(canvas, {
        type: spec.type || 'bar',
        data: { labels: spec.labels, datasets: spec.datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: lying ? 'y' : 'x',
          scales: lying ? { x: values, y: labels } : { x: labels, y: values } }
      });
    });
  }
  // A list that applies itself when changed (the rankings' period and category). With the keyboard each ↓ changes
  // it: the page that comes back puts the focus on the same list (sessionStorage, read once), not on its top.
  function autosubmit() {
    var key = 'crocetta-autosubmit-focus';
    var again = null;
    try { again = window.sessionStorage.getItem(key); window.sessionStorage.removeItem(key); } catch (e) { again = null; }
    document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
      if (again !== null && s.name === again) s.focus();
      s.addEventListener('change', function () {
        if (!s.form) return;
        try { window.sessionStorage.setItem(key, s.name); } catch (e) { /* no storage: the focus goes to the top */ }
        s.form.submit();
      });
    });
  }
  // The import page: upload with XHR (its upload progress), then poll GET /api/import/jobs/:id into the
  // <progress> and the data-field counts (textContent only), then show the server's report page.
  function importer() {
    var form = document.querySelector('form[data-import]');
    var status = document.getElementById('import-status');
    function show(s) {
      var bar = document.getElementById('import-progress');
      if (bar) {
        var f = s.state !== 'running' ? 1 : s.phase === 'apply'
          ? 0.5 + 0.5 * (s.recordsRead ? Math.min(1, s.applied / s.recordsRead) : 1)
          : (s.bytesTotal ? 0.5 * Math.min(1, s.bytesRead / s.bytesTotal) : 0);
        bar.value = f;
      }
      document.querySelectorAll('#import-status [data-field]').forEach(function (el) {
        var v = s[el.getAttribute('data-field')];
        if (v !== undefined) el.textContent = String(v);
      });
    }
    function poll(id) {
      fetch('/api/import/jobs/' + encodeURIComponent(id), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.error) throw new Error(s.error);
          show(s);
          if (s.state === 'running') setTimeout(function () { poll(id); }, 250);
          else window.location.assign('/import?job=' + encodeURIComponent(id));
        })
        .catch(function () { window.location.assign('/import?job=' + encodeURIComponent(id)); });
    }
    if (status && status.getAttribute('data-state') === 'running') poll(status.getAttribute('data-job'));
    if (!form || typeof window.FormData !== 'function') return;
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      var bar = document.getElementById('import-upload');
      if (bar) bar.hidden = false;
      var csrf = form.querySelector('input[name=_csrf]');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('action') + '?async=1');
      xhr.setRequestHeader('Accept', 'application/json');
      if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf.value);
      xhr.upload.addEventListener('progress', function (ev) {
        if (bar && ev.lengthComputable) bar.value = ev.loaded / ev.total;
      });
      xhr.addEventListener('load', function () {
        // The session had ended: the upload was answered with the login form (nothing imported); show it.
        if (xhr.responseURL && /\\/login$/.test(new URL(xhr.responseURL).pathname)) { window.location.assign('/login'); return; }
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status === 202 && body.id) { window.location.assign('/import?job=' + encodeURIComponent(body.id)); return; }
        var out = document.getElementById('import-form-error');
        if (out) { out.textContent = body.error || ('HTTP ' + xhr.status); out.hidden = false; }
        if (button) button.disabled = false;
      });
      xhr.addEventListener('error', function () { form.submit(); });
      xhr.send(new FormData(form));
    });
  }
  document.addEventListener('DOMContentLoaded', function () { charts(); autosubmit(); importer(); });
})();
`;

export interface Asset {
  body: Buffer | string;
  type: string;
  etag: string;
}

function asset(body: string | Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

export const CSS_ASSET = asset(PANEL_CSS, 'text/css; charset=utf-8');
export const JS_ASSET = asset(PANEL_JS, 'text/javascript; charset=utf-8');
/** `/favicon.ico`: browsers ask for it on every page; without it each page load logged a 404. */
export const ICON_ASSET = asset(faviconIco(), 'image/x-icon');

/** Chart.js's UMD build, from node_modules (never a CDN: the panel works offline). */
export function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}
