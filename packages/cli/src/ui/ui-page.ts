import { REPORT_SECTIONS, esc, reportPage } from '../team-view/report-html';

/**
 * The live view's script: polls the report of the chosen team every second and replaces each
 * section whose HTML changed (so scrolling and selection elsewhere stay), shows when it last
 * updated, and lets the operator pick another team. Served as /app.js (the CSP allows no inline
 * script). The HTML it inserts was escaped by the server.
 */
export const UI_SCRIPT = `(function () {
  'use strict';
  var POLL_MS = 1000;
  var params = new URLSearchParams(location.search);
  var team = params.get('team') || '';
  var status = document.getElementById('live-status');
  var picker = document.getElementById('team-picker');
  var shown = {};
  var updates = 0;
  var timer = null;
  var lastState = '';

  function setStatus(text, state) {
    status.textContent = text;
    status.setAttribute('data-state', state);
  }

  function loadTeams() {
    return fetch('/api/teams', { cache: 'no-store' }).then(function (res) { return res.json(); }).then(function (data) {
      if (!data.teams) return;
      var current = picker.value;
      picker.textContent = '';
      data.teams.forEach(function (t) {
        var option = document.createElement('option');
        option.value = t.id;
        option.textContent = t.name + ' (' + t.state + ', ' + t.created_at.slice(0, 19).replace('T', ' ') + ')';
        picker.appendChild(option);
      });
      picker.value = team || current || (data.teams[0] ? data.teams[0].id : '');
    });
  }

  function apply(data) {
    if (data.error) {
      setStatus('cannot read the store: ' + data.error.code + ': ' + data.error.message, 'error');
      return;
    }
    Object.keys(data.sections).forEach(function (id) {
      var html = data.sections[id];
      var el = document.getElementById(id);
      if (el && shown[id] !== html) {
        el.innerHTML = html;
        shown[id] = html;
      }
    });
    if (!team) picker.value = data.team_id;
    // A team that ended (or a new one) shows in the picker too.
    if (lastState !== '' && lastState !== data.state) loadTeams();
    lastState = data.state;
    updates += 1;
    document.body.setAttribute('data-team-state', data.state);
    document.body.setAttribute('data-updates', String(updates));
    var when = new Date().toTimeString().slice(0, 8);
    setStatus(data.state === 'active' ? 'live, updated ' + when : 'team ' + data.state + ', updated ' + when, data.state === 'active' ? 'live' : 'ended');
  }

  function tick() {
    clearTimeout(timer);
    var url = '/api/report' + (team ? '?team=' + encodeURIComponent(team) : '');
    fetch(url, { cache: 'no-store' })
      .then(function (res) { return res.json(); })
      .then(apply, function () { setStatus('lost the connection to codex-team ui; retrying', 'error'); })
      .then(function () { timer = setTimeout(tick, POLL_MS); });
  }

  picker.addEventListener('change', function () {
    team = picker.value;
    shown = {};
    history.replaceState(null, '', '?team=' + encodeURIComponent(team));
    tick();
  });
  loadTeams().then(tick, tick);
})();
`;

/**
 * The live view's page: the report's sections (first drawn by the server, so the page shows the
 * team before the script runs), a team picker and a status line. No network beyond its own
 * origin, no inline script.
 */
export function uiPage(sections: Partial<Record<(typeof REPORT_SECTIONS)[number], string>>, storePath: string): string {
  const body =
    `<nav class="bar"><strong>codex-team</strong> · <label>team <select id="team-picker"></select></label> · ` +
    `<span id="live-status" data-state="starting">starting</span> · <span class="note">read-only view of ${esc(storePath)}</span></nav>\n` +
    REPORT_SECTIONS.map((id) => `<section id="${id}">${sections[id] ?? ''}</section>`).join('\n') +
    '\n<script src="/app.js"></script>';
  return reportPage(
    'codex-team ui',
    body,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'">\n` +
      '<style>.bar{position:sticky;top:0;background:#f5f7fa;border-bottom:1px solid #cbd2d9;padding:6px 0;margin:-24px 0 12px}' +
      '#live-status[data-state=error]{color:#c0392b}#live-status[data-state=live]{color:#27ab83}</style>\n',
  );
}
