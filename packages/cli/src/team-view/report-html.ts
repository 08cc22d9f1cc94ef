import type { TaskStatus } from '@codex-team/contracts';
import { redactSecrets } from '@codex-team/policy-engine';
import { terminalSafe } from '../terminal-text';
import { layoutDag } from './dag-layout';
import type { ReportAgent, ReportModel, WorkBar } from './report-model';
import { timeTicks } from './time-axis';
import { usageLine } from './usage-view';

const STATUS_COLOURS: Record<TaskStatus, string> = {
  blocked: '#9aa5b1',
  ready: '#f0b429',
  in_progress: '#2186eb',
  done: '#27ab83',
  failed: '#e12d39',
  cancelled: '#616e7c',
};
const OUTCOME_COLOURS: Record<WorkBar['outcome'], string> = {
  done: '#27ab83',
  failed: '#e12d39',
  released: '#f0b429',
  cancelled: '#616e7c',
  recovered: '#8e44ad',
  open: '#2186eb',
};

/** Text from agents as the report shows it: secrets masked, control characters shown escaped (as the terminal shows them). */
function displayText(text: string): string {
  return terminalSafe(redactSecrets(text).text);
}

/** HTML-escapes text that is already fit to display. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Text from agents made safe for HTML: secrets masked, control characters shown escaped, then HTML-escaped. */
export function esc(text: string): string {
  return html(displayText(text));
}

function ms(n: number): string {
  if (n < 1_000) return `${Math.round(n)} ms`;
  if (n < 120_000) return `${(n / 1_000).toFixed(1)} s`;
  return `${(n / 60_000).toFixed(1)} min`;
}

/** Words broken into lines of at most `width` characters; a longer word is cut. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    for (let rest = word; rest !== ''; ) {
      const room = line === '' ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === '' ? rest : `${line} ${rest}`;
        rest = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Rough width of a label in the report's font, to size columns so no label is cut. */
const textWidth = (text: string, px = 7.2): number => Math.ceil(text.length * px);

function rowsOf(cells: readonly (readonly string[])[]): string {
  return cells.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
}

function tableOf(id: string, headers: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="note" id="${id}-empty">${empty}</p>`;
  return `<table id="${id}"><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr>${rowsOf(rows)}</table>`;
}

const DAG_LINE_CHARS = 30;
/** Widest a character of the node titles' bold 12px font gets, in pixels, to size nodes so no title is cut. */
const TITLE_CHAR_PX = 8;

function dagSvg(model: ReportModel): string {
  const placed = layoutDag(model.tasks);
  const wrapped = new Map(placed.map((p) => [p.task.id, wrapText(displayText(p.task.title), DAG_LINE_CHARS)] as const));
  const lines = Math.max(1, ...[...wrapped.values()].map((w) => w.length));
  const longest = Math.max(10, ...[...wrapped.values()].flat().map((line) => line.length));
  const NODE_W = Math.ceil(longest * TITLE_CHAR_PX) + 16;
  const COL_W = NODE_W + 50;
  const nodeH = 26 + lines * 15;
  const rowH = nodeH + 18;
  const at = new Map(placed.map((p) => [p.task.id, p] as const));
  const x = (layer: number) => 20 + layer * COL_W;
  const y = (row: number) => 20 + row * rowH;
  const width = Math.max(...placed.map((p) => x(p.layer) + NODE_W + 20), 300);
  const height = Math.max(...placed.map((p) => y(p.row) + nodeH + 20), 80);
  const edges = placed.flatMap((p) =>
    p.task.depends_on.flatMap((dep) => {
      const from = at.get(dep);
      if (from === undefined) return [];
      const x1 = x(from.layer) + NODE_W;
      const y1 = y(from.row) + nodeH / 2;
      const x2 = x(p.layer);
      const y2 = y(p.row) + nodeH / 2;
      const mid = (x1 + x2) / 2;
      return [`<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`];
    }),
  );
  const nodes = placed.map((p) => {
    const title = (wrapped.get(p.task.id) ?? [])
      .map((line, i) => `<text x="8" y="${17 + i * 15}" class="task-title">${html(line)}</text>`)
      .join('');
    return (
      `<g class="task" data-task-id="${esc(p.task.id)}" data-status="${p.task.status}" transform="translate(${x(p.layer)},${y(p.row)})">` +
      `<title>${esc(p.task.title)} (${p.task.status}${p.task.required_role === null ? '' : `, ${esc(p.task.required_role)}`})</title>` +
      `<rect width="${NODE_W}" height="${nodeH}" rx="6" fill="${STATUS_COLOURS[p.task.status]}"/>${title}` +
      `<text x="8" y="${nodeH - 8}" class="task-meta">${p.task.status}${p.task.required_role === null ? '' : ` · ${esc(p.task.required_role)}`}</text></g>`
    );
  });
  return (
    `<svg id="dag-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `${edges.join('')}${nodes.join('')}</svg>`
  );
}

function laneLabel(agent: ReportAgent): string {
  return `${agent.name} (${agent.is_lead ? 'lead' : agent.role})`;
}

function timelineSvg(model: ReportModel): string {
  const start = Date.parse(model.window.from);
  const end = Math.max(Date.parse(model.window.to), start + 1);
  const labelW = Math.max(120, ...model.agents.map((agent) => textWidth(laneLabel(agent)) + 16));
  const plotW = 760;
  const laneH = 30;
  const top = 26;
  const scale = (t: number) => labelW + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * plotW;
  const px = (t: string) => scale(Date.parse(t)).toFixed(1);
  const height = top + model.agents.length * laneH + 8;
  const ticks = timeTicks(end - start).map((offset) => {
    const tx = scale(start + offset).toFixed(1);
    return (
      `<line class="tick" x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${height - 4}"/>` +
      `<text class="tick-label" x="${tx}" y="${top - 8}" text-anchor="middle">${ms(offset)}</text>`
    );
  });
  const lanes = model.agents.map((agent, lane) => {
    const y = top + lane * laneH;
    const presence = agent.presence.map(
      (span) =>
        `<rect class="presence" data-agent="${esc(agent.name)}" x="${px(span.from)}" y="${y + laneH / 2 - 2}" ` +
        `width="${Math.max(1, Number(px(span.to ?? model.window.to)) - Number(px(span.from))).toFixed(1)}" height="4">` +
        `<title>${esc(agent.name)} connected ${span.from} to ${span.to ?? 'the end'}${span.ended_by === null ? '' : ` (${span.ended_by})`}</title></rect>` +
        (span.ended_by === null || span.to === null
          ? ''
          : `<text class="gone" x="${px(span.to)}" y="${y + laneH / 2 + 4}">${span.ended_by === 'lost' ? '✕' : '|'}</text>`),
    );
    const bars = model.work
      .filter((bar) => bar.agent_id === agent.agent_id)
      .map((bar) => {
        const worked = Math.max(2, Number(px(bar.worked_until)) - Number(px(bar.from)));
        const held = Number(px(bar.to)) - Number(px(bar.worked_until));
        const label = `${esc(bar.task_title)}: ${bar.outcome}, worked ${ms(Date.parse(bar.worked_until) - Date.parse(bar.from))}`;
        return (
          `<rect class="work" data-outcome="${bar.outcome}" x="${px(bar.from)}" y="${y + 5}" width="${worked.toFixed(1)}" height="${laneH - 10}" ` +
          `fill="${OUTCOME_COLOURS[bar.outcome]}"><title>${label}</title></rect>` +
          (held > 0.5
            ? `<rect class="held" x="${px(bar.worked_until)}" y="${y + 9}" width="${held.toFixed(1)}" height="${laneH - 18}">` +
              `<title>${esc(bar.task_title)}: still claimed after ${esc(agent.name)} was gone, until ${bar.outcome === 'open' ? 'now' : bar.outcome}</title></rect>`
            : '')
        );
      });
    return `<text x="6" y="${y + laneH / 2 + 4}" class="lane">${esc(laneLabel(agent))}</text>${presence.join('')}${bars.join('')}`;
  });
  return (
    `<svg id="timeline-svg" xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 30}" height="${height}">` +
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="3" height="6" fill="#c0392b"/></pattern></defs>` +
    `${ticks.join('')}<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${height - 4}" class="axis"/>${lanes.join('')}</svg>` +
    `<p class="note">time since the team started; thin line: connected (| session ended, ✕ lost, found by recovery); ` +
    `bars: claims while their holder was connected, coloured by how they ended: ` +
    Object.entries(OUTCOME_COLOURS)
      .map(([outcome, colour]) => `<span class="key" style="background:${colour}"></span>${outcome}`)
      .join(' ') +
    ' <span class="key hatch-key"></span>still claimed after its holder was gone</p>'
  );
}

function presenceText(agent: ReportAgent): string {
  if (agent.presence.length === 0) return 'never connected';
  return agent.presence
    .map((span) => `${span.from.slice(11, 19)}–${span.to === null ? 'now' : `${span.to.slice(11, 19)} (${span.ended_by ?? ''})`}`)
    .join(', ');
}

/** The ids of the report's sections, in page order; the live view updates each by id. */
export const REPORT_SECTIONS = ['header', 'tree', 'summary', 'dag', 'timeline', 'messages', 'artifacts', 'connections', 'decisions', 'tasks'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** Each section of the report as an HTML fragment (its heading included). */
export function renderReportSections(model: ReportModel): Record<ReportSection, string> {
  const { team, summary } = model;
  const b = summary.usage.budget;
  const titles = new Map(model.tasks.map((task) => [task.id, task.title] as const));
  const names = new Map(model.agents.map((agent) => [agent.agent_id, agent.name] as const));
  return {
    header:
      `<h1 id="team-name">${esc(team.name)}</h1>` +
      `<p class="note">${esc(team.id)} · ${team.state} · profile ${esc(team.profile)} · ${esc(model.mode)} · started ${team.created_at}` +
      `${team.finalized_at === null ? '' : ` · finalized ${team.finalized_at}`} · report at ${model.generated_at}</p>` +
      `<p id="state-line" data-state="${team.state}"><strong>${esc(model.state_line)}</strong></p>` +
      `<p>${esc(team.objective)}</p>${team.summary === null ? '' : `<p><strong>Summary:</strong> ${esc(team.summary)}</p>`}`,
    tree: model.tree.length === 0 ? '' : `<h2>Team tree</h2><pre id="tree">${model.tree.map(esc).join('\n')}</pre>`,
    summary:
      '<h2>Run summary</h2><table class="kv">' +
      rowsOf([
        ['elapsed', ms(summary.elapsed_ms)],
        ['tasks', Object.entries(summary.tasks_by_status).map(([s, n]) => `${s} ${n}`).join(', ')],
        ...(summary.ready_to_finalize === null
          ? []
          : [['ready to finalize', `${summary.ready_to_finalize.ready ? 'yes' : 'no'}: ${esc(summary.ready_to_finalize.reason)}`]]),
        ['usage', `${b.used_tokens} of ${b.hard_tokens} tokens (${b.state}), ${summary.usage.samples} samples`],
        ['tokens from', esc(usageLine(model.usage, 'team').replace(/^tokens: /, ''))],
        ['task durations', `${summary.task_durations.count} finished, mean ${ms(summary.task_durations.mean_ms)}, max ${ms(summary.task_durations.max_ms)}`],
        [
          'critical path',
          summary.critical_path.task_ids.length === 0
            ? '-'
            : `${summary.critical_path.task_ids.map((id) => esc(titles.get(id) ?? id)).join(' → ')} (${ms(summary.critical_path.duration_ms)})`,
        ],
      ]) +
      '</table><h3>Work per agent</h3>' +
      tableOf(
        'agents',
        ['agent', 'role', 'state', 'connected', 'done', 'failed', 'held', 'tokens', 'busy while connected'],
        model.agents.map((a) => [
          esc(a.name),
          a.is_lead ? 'lead' : esc(a.role),
          a.state,
          presenceText(a),
          String(a.tasks_done),
          String(a.tasks_failed),
          String(a.tasks_held),
          `<span title="${esc(usageLine(a.usage, 'agent'))}">${a.tokens}${a.usage.measured_tokens > 0 ? ' measured' : a.usage.reported_tokens > 0 ? ' self-reported' : ''}</span>`,
          ms(a.busy_ms),
        ]),
        'no agents',
      ) +
      '<h3>Work per role</h3>' +
      tableOf(
        'roles',
        ['role', 'agents', 'done', 'failed', 'tokens'],
        summary.roles.map((r) => [esc(r.role), String(r.agents), String(r.tasks_done), String(r.tasks_failed), String(r.tokens)]),
        'no roles',
      ),
    dag:
      `<h2>Task DAG</h2><div class="scroll">${dagSvg(model)}</div><p class="note">` +
      Object.entries(STATUS_COLOURS)
        .map(([status, colour]) => `<span class="key" style="background:${colour}"></span>${status}`)
        .join(' ') +
      '</p>',
    timeline: `<h2>Timeline</h2><div class="scroll">${timelineSvg(model)}</div>`,
    messages:
      '<h2>Messages</h2>' +
      tableOf(
        'messages',
        ['at', 'from', 'to', 'about', 'message', 'artifacts'],
        model.messages.map((m) => [m.at, esc(m.from), esc(m.to), m.task === null ? '-' : esc(m.task), `<div class="body">${esc(m.body)}</div>`, esc(m.artifacts.join(', ')) || '-']),
        'no messages',
      ),
    artifacts:
      '<h2>Artifacts</h2>' +
      tableOf(
        'artifacts',
        ['name', 'version', 'type', 'size', 'by', 'task', 'at', 'sha256'],
        model.artifacts.map((a) => [
          `${esc(a.name)}${a.plan ? ' (plan)' : ''}`,
          String(a.version),
          esc(a.media_type),
          `${a.size_bytes} B`,
          esc(a.published_by),
          a.task === null ? '-' : esc(a.task),
          a.at,
          `<code>${a.sha256.slice(0, 12)}</code>`,
        ]),
        'no artifacts',
      ),
    connections:
      '<h2>Connections and recovery</h2>' +
      tableOf(
        'connections',
        ['seq', 'at', 'by', 'event', 'what'],
        model.connections.map((e) => [String(e.seq), e.at, esc(e.actor), e.action, esc(e.what)]),
        'no connection events',
      ),
    decisions:
      '<h2>Decisions</h2>' +
      tableOf(
        'decisions',
        ['seq', 'at', 'action', 'decision', 'reason'],
        summary.decisions.map((d) => [String(d.seq), d.at, d.action, d.decision, esc(d.reason)]),
        'no decisions',
      ),
    tasks:
      '<h2>Tasks</h2>' +
      tableOf(
        'tasks',
        ['task', 'status', 'role', 'owner', 'result'],
        model.tasks.map((t) => [
          esc(t.title),
          t.status,
          esc(t.required_role ?? '*'),
          t.owner_agent_id === null ? '-' : esc(names.get(t.owner_agent_id) ?? t.owner_agent_id),
          `<div class="body">${esc(t.result ?? '')}</div>`,
        ]),
        'no tasks',
      ),
  };
}

/** The report's stylesheet, shared by the written page and the live view. */
export const REPORT_STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#1f2933}h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #cbd2d9}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e4e7eb;padding:3px 8px;text-align:left;vertical-align:top}
.kv td:first-child{font-weight:600}.note{color:#616e7c}.edge{fill:none;stroke:#7b8794;stroke-width:1.5}
.task-title{font-weight:600;fill:#fff;font-size:12px}.task-meta{fill:#fff;font-size:11px}.lane{font-size:12px}.axis{stroke:#9aa5b1}
.tick{stroke:#e4e7eb}.tick-label{font-size:10px;fill:#616e7c}.presence{fill:#9aa5b1}.gone{font-size:11px;fill:#c0392b}
.held{fill:url(#hatch);opacity:.7}.hatch-key{background:repeating-linear-gradient(45deg,#c0392b 0 3px,transparent 3px 6px)}
.key{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}.scroll{overflow:auto;max-width:100%}
.body{white-space:pre-wrap;max-width:60em}code{font-size:12px}`;

/** The page around the sections: self-contained, a CSP that allows no network and no script. */
export function reportPage(title: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
${extraHead}<title>${title}</title><style>${REPORT_STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

/**
 * `codex-team report --html`: one self-contained page (inline CSS and SVG, no script; a CSP that
 * allows no network) with the report's every section. Every text that came from agents is masked
 * for secrets, shown with control characters escaped, and HTML-escaped.
 */
export function renderReportHtml(model: ReportModel): string {
  const sections = renderReportSections(model);
  return reportPage(
    `codex-team report: ${esc(model.team.name)}`,
    REPORT_SECTIONS.map((id) => `<section id="${id}">${sections[id]}</section>`).join('\n'),
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n`,
  );
}
