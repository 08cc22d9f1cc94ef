import type { Agent, TaskStatus } from '@codex-team/contracts';
import { redactSecrets } from '@codex-team/policy-engine';
import { runSummary, workIntervals, type RunSummary } from '@codex-team/scheduler';
import { layoutDag } from './dag-layout';
import { describeMode, treeBudget, treeView } from './team-model';
import type { TeamView } from './team-source';

const STATUS_COLOURS: Record<TaskStatus, string> = {
  blocked: '#9aa5b1',
  ready: '#f0b429',
  in_progress: '#2186eb',
  done: '#27ab83',
  failed: '#e12d39',
  cancelled: '#616e7c',
};
const OUTCOME_COLOURS: Record<string, string> = {
  done: '#27ab83',
  failed: '#e12d39',
  released: '#f0b429',
  cancelled: '#616e7c',
  open: '#2186eb',
};

/** HTML-escapes text that came from agents, after masking any secret in it. */
function esc(text: string): string {
  return redactSecrets(text)
    .text.replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function ms(n: number): string {
  if (n < 1_000) return `${n} ms`;
  if (n < 120_000) return `${(n / 1_000).toFixed(1)} s`;
  return `${(n / 60_000).toFixed(1)} min`;
}

const NODE_W = 190;
const NODE_H = 44;
const COL_W = 240;
const ROW_H = 60;

function dagSvg(view: TeamView): string {
  const placed = layoutDag(view.snapshot.tasks);
  const at = new Map(placed.map((p) => [p.task.id, p] as const));
  const x = (layer: number) => 20 + layer * COL_W;
  const y = (row: number) => 20 + row * ROW_H;
  const width = Math.max(...placed.map((p) => x(p.layer) + NODE_W + 20), 300);
  const height = Math.max(...placed.map((p) => y(p.row) + NODE_H + 20), 80);
  const edges = placed.flatMap((p) =>
    p.task.depends_on.flatMap((dep) => {
      const from = at.get(dep);
      if (from === undefined) return [];
      const x1 = x(from.layer) + NODE_W;
      const y1 = y(from.row) + NODE_H / 2;
      const x2 = x(p.layer);
      const y2 = y(p.row) + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      return [`<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`];
    }),
  );
  const nodes = placed.map(
    (p) =>
      `<g class="task" data-task-id="${esc(p.task.id)}" data-status="${p.task.status}" transform="translate(${x(p.layer)},${y(p.row)})">` +
      `<title>${esc(p.task.title)} (${p.task.status}${p.task.required_role === null ? '' : `, ${esc(p.task.required_role)}`})</title>` +
      `<rect width="${NODE_W}" height="${NODE_H}" rx="6" fill="${STATUS_COLOURS[p.task.status]}"/>` +
      `<text x="8" y="18" class="task-title">${esc(clip(p.task.title, 26))}</text>` +
      `<text x="8" y="35" class="task-meta">${p.task.status}${p.task.required_role === null ? '' : ` · ${esc(p.task.required_role)}`}</text></g>`,
  );
  return (
    `<svg id="dag-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `${edges.join('')}${nodes.join('')}</svg>`
  );
}

function timelineSvg(view: TeamView, summary: RunSummary): string {
  const { snapshot } = view;
  const start = Date.parse(snapshot.team.created_at);
  const end = start + Math.max(summary.elapsed_ms, 1);
  const intervals = workIntervals(view.events, end);
  const lanes = snapshot.agents.filter((agent) => agent.role !== 'lead' || intervals.some((i) => i.agentId === agent.id));
  const titles = new Map(snapshot.tasks.map((task) => [task.id, task.title] as const));
  const labelW = 140;
  const plotW = 760;
  const laneH = 28;
  const scale = (t: number) => labelW + ((t - start) / (end - start)) * plotW;
  const rows = lanes.map((agent: Agent, lane) => {
    const top = 10 + lane * laneH;
    const bars = intervals
      .filter((i) => i.agentId === agent.id)
      .map(
        (i) =>
          `<rect class="work" x="${scale(i.from).toFixed(1)}" y="${top + 4}" width="${Math.max(2, scale(i.to) - scale(i.from)).toFixed(1)}" ` +
          `height="${laneH - 8}" fill="${OUTCOME_COLOURS[i.outcome] ?? '#999'}"><title>${esc(titles.get(i.taskId) ?? i.taskId)}: ` +
          `${i.outcome}, ${ms(i.to - i.from)}</title></rect>`,
      );
    return `<text x="4" y="${top + 18}" class="lane">${esc(clip(agent.name, 18))} (${esc(agent.role)})</text>${bars.join('')}`;
  });
  const height = 20 + lanes.length * laneH;
  return (
    `<svg id="timeline-svg" xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 20}" height="${height}">` +
    `<line x1="${labelW}" y1="4" x2="${labelW}" y2="${height - 4}" class="axis"/>${rows.join('')}</svg>` +
    `<p class="note">0 to ${ms(end - start)} after the team started; colour by how each claim ended: ` +
    Object.entries(OUTCOME_COLOURS)
      .map(([outcome, colour]) => `<span class="key" style="background:${colour}"></span>${outcome}`)
      .join(' ') +
    '</p>'
  );
}

function rowsOf(cells: readonly (readonly string[])[]): string {
  return cells.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
}

function summaryHtml(summary: RunSummary, view: TeamView): string {
  const names = new Map(view.snapshot.agents.map((agent) => [agent.id, agent.name] as const));
  const titles = new Map(view.snapshot.tasks.map((task) => [task.id, task.title] as const));
  const b = summary.usage.budget;
  return [
    '<table class="kv">',
    rowsOf([
      ['elapsed', ms(summary.elapsed_ms)],
      ['tasks', Object.entries(summary.tasks_by_status).map(([s, n]) => `${s} ${n}`).join(', ')],
      ['ready to finalize', `${summary.ready_to_finalize.ready ? 'yes' : 'no'}: ${esc(summary.ready_to_finalize.reason)}`],
      ['usage', `${b.used_tokens} of ${b.hard_tokens} tokens (${b.state}), ${summary.usage.samples} samples`],
      [
        'task durations',
        `${summary.task_durations.count} finished, mean ${ms(summary.task_durations.mean_ms)}, max ${ms(summary.task_durations.max_ms)}`,
      ],
      [
        'critical path',
        summary.critical_path.task_ids.length === 0
          ? '-'
          : `${summary.critical_path.task_ids.map((id) => esc(titles.get(id) ?? id)).join(' → ')} (${ms(summary.critical_path.duration_ms)})`,
      ],
    ]),
    '</table>',
    '<h3>Work per agent</h3><table><tr><th>agent</th><th>role</th><th>state</th><th>done</th><th>failed</th><th>held</th><th>tokens</th><th>busy</th></tr>',
    rowsOf(
      summary.agents.map((a) => [esc(a.name), esc(a.role), a.state, String(a.tasks_done), String(a.tasks_failed), String(a.tasks_held), String(a.tokens), ms(a.busy_ms)]),
    ),
    '</table>',
    '<h3>Work per role</h3><table><tr><th>role</th><th>agents</th><th>done</th><th>failed</th><th>tokens</th></tr>',
    rowsOf(summary.roles.map((r) => [esc(r.role), String(r.agents), String(r.tasks_done), String(r.tasks_failed), String(r.tokens)])),
    '</table>',
    '<h3>Decisions</h3>',
    summary.decisions.length === 0
      ? '<p class="note">none</p>'
      : `<table><tr><th>seq</th><th>at</th><th>action</th><th>decision</th><th>reason</th></tr>${rowsOf(
          summary.decisions.map((d) => [String(d.seq), d.at, d.action, d.decision, esc(d.reason)]),
        )}</table>`,
    '<h3>Tasks</h3><table id="tasks"><tr><th>task</th><th>status</th><th>role</th><th>owner</th><th>result</th></tr>',
    rowsOf(
      view.snapshot.tasks.map((t) => [
        esc(t.title),
        t.status,
        esc(t.required_role ?? '*'),
        t.owner_agent_id === null ? '-' : esc(names.get(t.owner_agent_id) ?? t.owner_agent_id),
        esc(clip(t.result ?? '', 160)),
      ]),
    ),
    '</table>',
  ].join('');
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#1f2933}h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #cbd2d9}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e4e7eb;padding:3px 8px;text-align:left;vertical-align:top}
.kv td:first-child{font-weight:600}.note{color:#616e7c}.edge{fill:none;stroke:#7b8794;stroke-width:1.5}
.task-title{font-weight:600;fill:#fff;font-size:12px}.task-meta{fill:#fff;font-size:11px}.lane{font-size:12px}.axis{stroke:#9aa5b1}
.key{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}.scroll{overflow:auto;max-width:100%}`;

// Proves the page rendered in a browser: counts what was drawn and measures the DAG's geometry.
const CHECK_SCRIPT = `(function(){var n=document.querySelectorAll('#dag-svg g.task').length;
var w=document.querySelectorAll('#timeline-svg rect.work').length;var box=document.getElementById('dag-svg').getBBox();
document.body.setAttribute('data-rendered','yes');document.body.setAttribute('data-task-nodes',String(n));
document.body.setAttribute('data-work-bars',String(w));document.body.setAttribute('data-dag-width',String(Math.round(box.width)));
document.getElementById('render-check').textContent='rendered '+n+' task nodes and '+w+' work bars';})();`;

/**
 * `codex-team report`: one self-contained HTML page (inline CSS, SVG and a small script; a CSP
 * that allows no network) with the run summary, the DAG and a work timeline per agent. Every text
 * that came from agents is masked for secrets and HTML-escaped.
 */
export function renderReportHtml(view: TeamView): string {
  const { snapshot } = view;
  if (view.profile === null) {
    throw new Error(`profile ${snapshot.team.profile} is not on this machine`);
  }
  const budget = treeBudget(view);
  const summary = runSummary({ ...snapshot, used_tokens: budget?.committedTokens ?? snapshot.used_tokens }, view.events, budget?.profile ?? view.profile, view.now);
  const team = snapshot.team;
  const tree = treeView(view);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>codex-team report: ${esc(team.name)}</title><style>${STYLE}</style></head>
<body data-rendered="no">
<h1>${esc(team.name)}</h1>
<p class="note">${esc(team.id)} · ${team.state} · profile ${esc(team.profile)} · ${esc(describeMode(team.mode))} · started ${team.created_at}${team.finalized_at === null ? '' : ` · finalized ${team.finalized_at}`} · report at ${new Date(view.now).toISOString()}</p>
<p>${esc(team.objective)}</p>${team.summary === null ? '' : `<p><strong>Summary:</strong> ${esc(team.summary)}</p>`}
<p id="render-check" class="note">not rendered by a browser</p>
${tree.length === 0 ? '' : `<h2>Team tree</h2><pre id="tree">${tree.map(esc).join('\n')}</pre>`}
<h2>Run summary</h2>${summaryHtml(summary, view)}
<h2>Task DAG</h2><div class="scroll" id="dag">${dagSvg(view)}</div>
<p class="note">${Object.entries(STATUS_COLOURS)
    .map(([status, colour]) => `<span class="key" style="background:${colour}"></span>${status}`)
    .join(' ')}</p>
<h2>Timeline per agent</h2><div class="scroll" id="timeline">${timelineSvg(view, summary)}</div>
<script>${CHECK_SCRIPT}</script>
</body></html>
`;
}
