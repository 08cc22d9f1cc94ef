import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, HooksConfig } from '@codex-team/contracts';
import { EXAMPLE_HOOKS_FILE, EXAMPLE_HOOK_SCRIPT, type CommandResult, type HookCommand, type HookCommandRunner } from '@codex-team/hooks';
import { InProcessTeam, type InProcessSession } from '../testing/in-process-team';
import { loadHooksFile } from './load-hooks-file';
import { ProcessHookRunner } from './process-hook-runner';

// Command hooks as real processes (/bin/sh) around real MCP calls on a real SQLite store: the
// contract (allow, block, JSON, failures), fail-closed timeouts that kill the whole process group,
// concurrency (hooks of one event run at once; the server answers others meanwhile), and the one
// decision record of a blocked call.

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-hooks-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const hook = (command: string, extra: Record<string, unknown> = {}) => ({ type: 'command' as const, command, ...extra });

/** A team whose server runs `config` as its hooks file, with a lead and a teammate holding a task. */
async function world(config: HooksConfig, runner?: HookCommandRunner) {
  const team = await InProcessTeam.open({ hooksFile: { config, dir }, ...(runner === undefined ? {} : { hookRunner: runner }) });
  const { lead, started } = await team.startTeam({ name: 'hooked' });
  const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
  const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'build it' }] });
  const taskId = created.ids[0] ?? '';
  const claim = (await mate.caller.ok('team_task_next', { task_id: taskId })).claim!;
  return {
    team,
    lead,
    mate,
    teamId: started.team.id,
    leadId: started.team.lead_agent_id,
    mateId: joined.agent.id,
    taskId,
    fence: claim.fence,
    leadTicket: started.resume_ticket,
  };
}

type World = Awaited<ReturnType<typeof world>>;

const completion = (w: World) => ({ task_id: w.taskId, fence: w.fence, result: 'built and checked' });

async function decisionsOf(w: World, tool: string) {
  return (await w.team.store.listAuthzDecisions({ teamId: w.teamId as never })).filter((d) => d.tool === tool);
}

async function eventsOf(w: World, action: string): Promise<AuditEvent[]> {
  return (await w.team.store.listAuditEvents(w.teamId as never)).filter((e) => e.action === action);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, ms = 5_000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('command hooks around a completion', () => {
  it('exit 0 allows: the completion goes through, one decision record', async () => {
    const w = await world({ PreTaskComplete: [{ hooks: [hook('exit 0', { name: 'ok' })] }] });
    try {
      expect((await w.mate.caller.ok('team_task_complete', completion(w))).task.status).toBe('done');
      expect((await decisionsOf(w, 'team_task_complete')).map((d) => [d.decision, d.outcome])).toEqual([['allow', 'ok']]);
      expect(await eventsOf(w, 'hook.block')).toEqual([]);
    } finally {
      await w.team.close();
    }
  });

  it('exit 2 blocks with stderr as the reason: nothing changes but one hook.block row, the claim stays held, one decision record', async () => {
    const fixed = join(dir, 'CHANGELOG.md');
    const check = `[ -e ${fixed} ] || { echo "CHANGELOG.md has no entry" >&2; exit 2; }`;
    const w = await world({ PreTaskComplete: [{ matcher: 'implementer', hooks: [hook(check, { name: 'changelog' })] }] });
    try {
      const before = await w.team.store.readTeam(w.teamId as never);
      const refused = await w.mate.caller.fails('team_task_complete', completion(w));
      expect(refused).toMatchObject({ code: 'HOOK_BLOCKED', message: 'PreTaskComplete blocked: hooks-file:changelog: CHANGELOG.md has no entry' });
      expect(refused.details).toMatchObject({ event: 'PreTaskComplete', hooks: ['hooks-file:changelog'], task_id: w.taskId, step: 'hook', rule: 'hook:hooks-file:changelog' });
      const after = await w.team.store.readTeam(w.teamId as never);
      expect(after.tasks).toEqual(before.tasks);
      expect(after.tasks[0]).toMatchObject({ status: 'in_progress', owner_agent_id: w.mateId, fence: w.fence });
      const blocks = await eventsOf(w, 'hook.block');
      expect(blocks).toHaveLength(1);
      expect(blocks[0]).toMatchObject({ actor_agent_id: w.mateId, subject_id: w.taskId, decision: 'deny' });
      expect(blocks[0]?.data['runs']).toEqual([
        {
          hook: 'hooks-file:changelog',
          kind: 'command',
          decision: 'block',
          reason: 'CHANGELOG.md has no entry',
          failure: null,
          duration_ms: expect.any(Number),
          exit_status: 2,
          output_sha256: expect.stringMatching(/^[a-f0-9]{64}$/),
        },
      ]);
      const decisions = await decisionsOf(w, 'team_task_complete');
      expect(decisions.map((d) => [d.decision, d.step, d.rule, d.outcome])).toEqual([['deny', 'hook', 'hook:hooks-file:changelog', 'HOOK_BLOCKED']]);
      expect(decisions[0]?.audit_seqs).toEqual({ first: blocks[0]?.seq, last: blocks[0]?.seq });
      // The holder still holds its claim: it fixes what the hook named and retries with the same fence.
      writeFileSync(fixed, '- built it\n');
      expect((await w.mate.caller.ok('team_task_complete', completion(w))).task.status).toBe('done');
      expect((await decisionsOf(w, 'team_task_complete')).map((d) => d.outcome)).toEqual(['HOOK_BLOCKED', 'ok']);
    } finally {
      await w.team.close();
    }
  });

  it('answers JSON on stdout: a block with reason and additional context', async () => {
    const answer = JSON.stringify({ decision: 'block', reason: 'coverage fell to 71%', additional_context: 'add tests for parser.ts' });
    const w = await world({ PreTaskComplete: [{ hooks: [hook(`echo '${answer}'`, { name: 'coverage' })] }] });
    try {
      expect((await w.mate.caller.fails('team_task_complete', completion(w))).message).toBe(
        'PreTaskComplete blocked: hooks-file:coverage: coverage fell to 71% (add tests for parser.ts)',
      );
    } finally {
      await w.team.close();
    }
  });

  it('a crash, a bad exit status and garbage output each fail closed', async () => {
    const w = await world({
      PreTaskComplete: [
        { hooks: [hook('kill -SEGV $$', { name: 'crash' }), hook('exit 1', { name: 'oops' }), hook('echo all good', { name: 'chatty' })] },
      ],
    });
    try {
      const refused = await w.mate.caller.fails('team_task_complete', completion(w));
      expect(refused.code).toBe('HOOK_BLOCKED');
      const runs = (await eventsOf(w, 'hook.block'))[0]?.data['runs'] as { hook: string; failure: string; exit_status: unknown }[];
      expect(runs.map((run) => [run.hook, run.failure, run.exit_status])).toEqual([
        ['hooks-file:chatty', 'bad-output', 0],
        ['hooks-file:crash', 'signal', 'SIGSEGV'],
        ['hooks-file:oops', 'exit', 1],
      ]);
    } finally {
      await w.team.close();
    }
  });

  it('on_failure: allow lets a failing hook through', async () => {
    const w = await world({ PreTaskComplete: [{ hooks: [hook('exit 7', { on_failure: 'allow' })] }] });
    try {
      expect((await w.mate.caller.ok('team_task_complete', completion(w))).task.status).toBe('done');
    } finally {
      await w.team.close();
    }
  });

  it('a failing Post hook never blocks, and sees the task as the operation left it', async () => {
    const seen = join(dir, 'post.json');
    const w = await world({ PostTaskComplete: [{ hooks: [hook(`cat > ${seen}; exit 1`), hook(`echo no >&2; exit 2`)] }] });
    try {
      expect((await w.mate.caller.ok('team_task_complete', completion(w))).task.status).toBe('done');
      const input = JSON.parse(readFileSync(seen, 'utf8')) as Record<string, unknown>;
      expect(input).toMatchObject({ hook_event_name: 'PostTaskComplete', tool: 'team_task_complete', task: { id: w.taskId, status: 'done' } });
      expect(await eventsOf(w, 'hook.block')).toEqual([]);
    } finally {
      await w.team.close();
    }
  });

  it('gives a hook the event on stdin: team, agent, task with fence, and the input with secrets masked', async () => {
    const seen = join(dir, 'pre.json');
    const w = await world({ PreTaskComplete: [{ hooks: [hook(`cat > ${seen}`)] }] });
    try {
      await w.mate.caller.ok('team_task_complete', { ...completion(w), result: 'deployed with key sk-proj-abcdefghijklmnopqrstuvwxyz0123' });
      const text = readFileSync(seen, 'utf8');
      expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123');
      expect(JSON.parse(text)).toEqual({
        hook_event_name: 'PreTaskComplete',
        tool: 'team_task_complete',
        team: { id: w.teamId, name: 'hooked', profile: 'default', mode: 'default' },
        agent: { id: w.mateId, name: 'ann', role: 'implementer' },
        task: { id: w.taskId, title: 'build it', status: 'in_progress', risk: 'low', required_role: null, owner_agent_id: w.mateId, fence: w.fence },
        input: {
          task_id: w.taskId,
          fence: w.fence,
          outcome: 'done',
          result: 'deployed with key [REDACTED:openai-key]',
          artifact_ids: [],
        },
        output: null,
      });
    } finally {
      await w.team.close();
    }
  });
});

describe('matching hooks run concurrently, deny beating allow', () => {
  // Each hook waits until the other has started: only hooks running at the same time both finish.
  const rendezvous = (me: string, other: string, exit: number) =>
    hook(`touch ${join(dir, me)}; i=0; while [ ! -e ${join(dir, other)} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; [ -e ${join(dir, other)} ] || exit 9; exit ${exit}`, {
      name: me,
      timeout: 10,
    });

  /** A runner that runs one command at a time: what hooks awaiting each other in turn amount to. */
  class OneAtATime implements HookCommandRunner {
    private queue: Promise<unknown> = Promise.resolve();
    constructor(private readonly inner: HookCommandRunner) {}
    run(command: HookCommand): Promise<CommandResult> {
      const next = this.queue.then(() => this.inner.run(command));
      this.queue = next.catch(() => undefined);
      return next;
    }
  }

  async function outcome(runner?: HookCommandRunner) {
    const w = await world({ PreTaskComplete: [{ hooks: [rendezvous('a', 'b', 0)] }, { hooks: [rendezvous('b', 'a', 2)] }] }, runner);
    try {
      const refused = await w.mate.caller.fails('team_task_complete', completion(w));
      const runs = (await eventsOf(w, 'hook.block'))[0]?.data['runs'] as { hook: string; decision: string; exit_status: unknown }[];
      return { code: refused.code, runs: runs.map((run) => [run.hook, run.decision, run.exit_status]) };
    } finally {
      await w.team.close();
    }
  }

  it('runs both at once: the allowing hook allows, the blocking one blocks, and the block wins', async () => {
    expect(await outcome()).toEqual({
      code: 'HOOK_BLOCKED',
      runs: [
        ['hooks-file:a', 'allow', 0],
        ['hooks-file:b', 'block', 2],
      ],
    });
  });

  it('catches hooks run one after the other (the first waits in vain for the second)', async () => {
    const serial = await outcome(new OneAtATime(new ProcessHookRunner()));
    expect(serial.runs[0]).toEqual(['hooks-file:a', 'block', 9]);
  });
});

describe('timeouts and process groups', () => {
  /**
   * Starts agent A's completion under a hook that never ends on its own, then makes agent B's calls
   * while it runs: B's answers must all come back before A's. Returns what happened.
   */
  async function slowHookRace(runner?: HookCommandRunner) {
    const pidFile = join(dir, 'hook.pid');
    const sleepFile = join(dir, 'sleep.pid');
    const slow = `sleep 3600 & echo $! > ${sleepFile}; echo $$ > ${pidFile}; wait`;
    const w = await world({ PreTaskComplete: [{ hooks: [hook(slow, { name: 'slow', timeout: 2 })] }] }, runner);
    try {
      const order: string[] = [];
      const first = w.mate.caller.fails('team_task_complete', completion(w)).then((body) => {
        order.push('A answered');
        return body;
      });
      await until(() => existsSync(pidFile));
      for (let i = 0; i < 3; i += 1) {
        await w.lead.caller.ok('team_status', {});
        await w.lead.caller.ok('team_send', { to: '*', body: `still here ${i}` });
        order.push(`B ${i}`);
      }
      const body = await first;
      const pids = [pidFile, sleepFile].map((file) => Number(readFileSync(file, 'utf8').trim()));
      return { order, body, pids, gone: await until(() => pids.every((pid) => !alive(pid))) };
    } finally {
      await w.team.close();
    }
  }

  it('kills a hook that outlives its timeout (its whole group) and blocks, while another agent is answered meanwhile', async () => {
    const race = await slowHookRace();
    expect(race.order).toEqual(['B 0', 'B 1', 'B 2', 'A answered']);
    expect(race.body.code).toBe('HOOK_BLOCKED');
    expect(race.body.message).toContain('hooks-file:slow: hook failed: timed out after 2 s; its process group was killed; fails closed (on_failure: block)');
    expect(race.gone).toBe(true);
  });

  it('catches a runner that blocks the server while a hook runs', async () => {
    // Waits for the command synchronously, as spawnSync would: nothing else is answered meanwhile.
    const blocking: HookCommandRunner = {
      run: (command) => {
        const result = spawnSync('/bin/sh', ['-c', command.command], { input: command.stdin, timeout: command.timeoutMs, encoding: 'utf8', killSignal: 'SIGKILL' });
        return Promise.resolve({
          exitCode: result.status,
          signal: result.signal,
          stdout: result.stdout,
          stderr: result.stderr,
          timedOut: result.error !== undefined,
          spawnError: null,
          durationMs: 0,
        });
      },
    };
    const race = await slowHookRace(blocking);
    for (const pid of race.pids.filter(alive)) process.kill(pid, 'SIGKILL');
    expect(race.order[0]).toBe('A answered');
  });

  it("kills what a hook left running when it exits: its forked child dies with it", async () => {
    const childFile = join(dir, 'child.pid');
    const forks = `sleep 3600 & echo $! > ${childFile}; exit 0`;
    const w = await world({ PreTaskComplete: [{ hooks: [hook(forks)] }] });
    try {
      await w.mate.caller.ok('team_task_complete', completion(w));
      const child = Number(readFileSync(childFile, 'utf8').trim());
      expect(await until(() => !alive(child))).toBe(true);
    } finally {
      await w.team.close();
    }
  });

  it('catches a runner that kills only the hook, not its group', async () => {
    const childFile = join(dir, 'child.pid');
    const leaky: HookCommandRunner = {
      run: (command) =>
        new Promise((resolve) => {
          const child = spawn('/bin/sh', ['-c', command.command], { stdio: ['pipe', 'ignore', 'ignore'] });
          // The hook exits without reading its input: under load it can be gone before the write (EPIPE).
          child.stdin.on('error', () => undefined);
          child.stdin.end(command.stdin);
          child.on('exit', (code, signal) =>
            resolve({ exitCode: code, signal, stdout: '', stderr: '', timedOut: false, spawnError: null, durationMs: 0 }),
          );
        }),
    };
    const w = await world({ PreTaskComplete: [{ hooks: [hook(`sleep 3600 & echo $! > ${childFile}; exit 0`)] }] }, leaky);
    try {
      await w.mate.caller.ok('team_task_complete', completion(w));
      // The real runner has killed the group before the call is answered; this one left the child running.
      const child = Number(readFileSync(childFile, 'utf8').trim());
      const survived = alive(child);
      if (survived) process.kill(child, 'SIGKILL');
      expect(survived).toBe(true);
    } finally {
      await w.team.close();
    }
  });
});

describe('hooks of other events', () => {
  it('blocks team_start by a PreTeamStart hook: no team, one decision record of a session bound to no team', async () => {
    const team = await InProcessTeam.open({ hooksFile: { config: { PreTeamStart: [{ hooks: [hook('echo "teams need a ticket number" >&2; exit 2', { name: 'ticket' })] }] }, dir } });
    try {
      const session: InProcessSession = await team.connect();
      const refused = await session.caller.fails('team_start', { name: 'nope' });
      expect(refused).toMatchObject({ code: 'HOOK_BLOCKED', message: 'PreTeamStart blocked: hooks-file:ticket: teams need a ticket number' });
      expect(await team.store.listTeams()).toEqual([]);
      expect(session.session.binding).toBeNull();
      const decisions = await team.store.listAuthzDecisions({ teamId: null });
      expect(decisions.map((d) => [d.tool, d.decision, d.step, d.outcome])).toEqual([['team_start', 'deny', 'hook', 'HOOK_BLOCKED']]);
    } finally {
      await team.close();
    }
  });

  it("passes a TeammateIdle hook's word to the agent that found nothing to do", async () => {
    const idle = JSON.stringify({ decision: 'block', reason: 'review the open pull request before you stop' });
    const w = await world({ PreTeammateIdle: [{ hooks: [hook(`echo '${idle}'`, { name: 'idle' })] }] });
    try {
      // The world's teammate claimed its task with team_task_next {task_id}: one decision already.
      const before = (await decisionsOf(w, 'team_task_next')).length;
      const next = await w.lead.caller.ok('team_task_next', {});
      expect(next.claim).toBeNull();
      expect(next.reason).toContain('keep working: hooks-file:idle: review the open pull request before you stop');
      expect((await decisionsOf(w, 'team_task_next')).slice(before).map((d) => d.outcome)).toEqual(['ok']);
    } finally {
      await w.team.close();
    }
  });

  it('gives join hooks the team and agent the ticket belongs to, with the ticket masked', async () => {
    const seen = join(dir, 'join.json');
    const team = await InProcessTeam.open({ hooksFile: { config: { PreAgentJoin: [{ hooks: [hook(`cat > ${seen}`)] }] }, dir } });
    try {
      const { lead, started } = await team.startTeam({ name: 'joined' });
      const { joined, spawned } = await team.joinTeammate(lead, 'bob', 'tester');
      const text = readFileSync(seen, 'utf8');
      expect(text).not.toContain(spawned.join_ticket);
      expect(JSON.parse(text)).toMatchObject({
        hook_event_name: 'PreAgentJoin',
        team: { id: started.team.id, name: 'joined' },
        agent: { id: joined.agent.id, role: 'tester' },
        input: { ticket: '[REDACTED:ticket]' },
      });
    } finally {
      await team.close();
    }
  });
});

describe('hooks of a child team', () => {
  it("a call into a child team raises the child's event: its Pre hook sees that team and blocks there; a call the tree refuses runs no hook", async () => {
    const log = join(dir, 'seen.jsonl');
    const check = `input=$(cat); printf '%s\\n' "$input" >> ${log}; case "$input" in *'"parent_team_id"'*) echo "the child takes no new work" >&2; exit 2;; esac`;
    const team = await InProcessTeam.open({ hooksFile: { config: { PreTaskCreate: [{ hooks: [hook(check, { name: 'no-new-work' })] }] }, dir } });
    try {
      const { lead, started } = await team.startTeam({ name: 'root' });
      const rootId = started.team.id;
      const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'parser' }] });
      const child = await lead.caller.ok('team_child', { action: 'start', tasks: [created.ids[0] ?? ''], lead: 'ticket' });
      const childId = child.team.id;
      const childLead = await team.connect();
      const joined = await childLead.caller.ok('team_join', { ticket: child.lead_ticket });
      const before = await team.store.readTeam(childId as never);
      // The parent's lead steering the child, and the child's own lead: both are the child's events.
      for (const [session, title] of [[lead, 'more'], [childLead, 'mine']] as const) {
        const refused = await session.caller.fails('team_task_create', { tasks: [{ title }], ...(session === lead ? { team: childId } : {}) });
        expect(refused).toMatchObject({ code: 'HOOK_BLOCKED', message: 'PreTaskCreate blocked: hooks-file:no-new-work: the child takes no new work' });
      }
      expect(await lead.caller.fails('team_task_create', { tasks: [{ title: 'lost' }], team: 'tm_zzzzzzzz' })).toMatchObject({ code: 'NOT_FOUND' });
      const seen = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { team: Record<string, unknown>; agent: Record<string, unknown> });
      expect(seen.map((input) => [input.team['id'], input.team['parent_team_id'], input.agent['id']])).toEqual([
        [rootId, undefined, started.agent.id],
        [childId, rootId, started.agent.id],
        [childId, rootId, joined.agent.id],
      ]);
      expect((await team.store.readTeam(childId as never)).tasks).toEqual(before.tasks);
      const blocks = (await team.store.listAuditEvents(childId as never)).filter((event) => event.action === 'hook.block');
      expect(blocks.map((event) => event.actor_agent_id)).toEqual([started.agent.id, joined.agent.id]);
      expect((await team.store.listAuditEvents(rootId as never)).filter((event) => event.action === 'hook.block')).toEqual([]);
      const decisions = (await team.store.listAuthzDecisions({ teamId: rootId as never })).filter((d) => d.tool === 'team_task_create');
      expect(decisions.map((d) => [d.decision, d.step, d.outcome])).toEqual([
        ['allow', 'permission', 'ok'],
        ['deny', 'hook', 'HOOK_BLOCKED'],
        ['deny', 'scope', 'NOT_FOUND'],
      ]);
    } finally {
      await team.close();
    }
  });
});

describe('RecoveryAction hooks of the sweeps', () => {
  it('skips a step its Pre hook blocks (audited), applies it once the hook allows, and tells the Post hooks', async () => {
    const allowFile = join(dir, 'allow');
    const seen = join(dir, 'post.json');
    const config: HooksConfig = {
      PreRecoveryAction: [{ matcher: 'implementer', hooks: [hook(`[ -e ${allowFile} ] || { echo "ann is debugging, leave her claim" >&2; exit 2; }`, { name: 'hold' })] }],
      PostRecoveryAction: [{ hooks: [hook(`cat > ${seen}`)] }],
    };
    const team = await InProcessTeam.open({ hooksFile: { config, dir }, leaseMs: 30_000 });
    try {
      const { lead, started } = await team.startTeam({ name: 'swept' });
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      await lead.caller.ok('team_task_create', { tasks: [{ title: 'long job' }] });
      const claim = await mate.caller.ok('team_task_next');
      const taskId = claim.claim?.task.id ?? '';
      team.clock.advance(30_000);
      expect(await lead.caller.ok('team_recover')).toEqual({ actions: [], notified_lead: false });
      const events = await team.store.listAuditEvents(started.team.id);
      const blocks = events.filter((event) => event.action === 'hook.block');
      expect(blocks.map((event) => [event.subject_id, event.data['event'], event.data['rule']])).toEqual([[taskId, 'PreRecoveryAction', 'hook:hooks-file:hold']]);
      expect(events.filter((event) => event.action === 'task.recover')).toEqual([]);
      writeFileSync(allowFile, '');
      const report = await lead.caller.ok('team_recover');
      expect(report.actions).toEqual([expect.objectContaining({ action: 'task.recover', subject_id: taskId, outcome: 'ready' })]);
      expect(JSON.parse(readFileSync(seen, 'utf8'))).toMatchObject({
        hook_event_name: 'PostRecoveryAction',
        tool: null,
        agent: { name: 'ann', role: 'implementer' },
        input: { kind: 'reclaim_task', action: 'task.recover', subject_id: taskId },
        output: { outcome: 'ready' },
      });
    } finally {
      await team.close();
    }
  });
});

describe('the example hook of docs/hooks.md', () => {
  it('works as written: blocks a risky completion without a changelog line, lets the fixed one through', async () => {
    writeFileSync(join(dir, 'require-changelog.js'), EXAMPLE_HOOK_SCRIPT);
    writeFileSync(join(dir, 'hooks.json'), EXAMPLE_HOOKS_FILE);
    const team = await InProcessTeam.open({ hooksFile: loadHooksFile(join(dir, 'hooks.json')) });
    try {
      const { lead } = await team.startTeam({ name: 'docs', profile: 'fast' });
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      await lead.caller.ok('team_task_create', { tasks: [{ title: 'parser', risk: 'medium' }] });
      const claim = (await mate.caller.ok('team_task_next')).claim;
      if (claim === null) throw new Error('nothing claimed');
      const notes = await mate.caller.ok('team_artifact_publish', { name: 'parser-notes', content: 'parser done' });
      const args = { task_id: claim.task.id, fence: claim.fence, artifact_ids: [notes.artifact.id] };
      const refused = await mate.caller.fails('team_task_complete', { ...args, result: 'parser written' });
      expect(refused.message).toBe(
        `PreTaskComplete blocked: hooks-file:changelog: task ${claim.task.id} is medium risk: say in result what you added to CHANGELOG.md`,
      );
      const done = await mate.caller.ok('team_task_complete', { ...args, result: 'parser written; CHANGELOG: added the parser' });
      expect(done.task.status).toBe('done');
    } finally {
      await team.close();
    }
  });
});

describe('every event raised by a tool: its Pre hook blocks the call (one decision record), its Post hook hears of it', () => {
  type Call = { who: 'lead' | 'mate' | 'fresh'; tool: string; args: Record<string, unknown> };
  const CALLS: Record<string, (w: World) => Promise<Call>> = {
    TeamStart: async () => ({ who: 'fresh', tool: 'team_start', args: { name: 'second' } }),
    TeamFinalize: async () => ({ who: 'lead', tool: 'team_finalize', args: { summary: 'stop', force: true } }),
    TeamResume: async (w) => ({ who: 'fresh', tool: 'team_resume', args: { ticket: w.leadTicket } }),
    AgentSpawn: async () => ({ who: 'lead', tool: 'team_spawn', args: { name: 'cy', role: 'tester' } }),
    AgentJoin: async (w) => ({ who: 'fresh', tool: 'team_join', args: { ticket: (await w.lead.caller.ok('team_spawn', { name: 'dee', role: 'tester' })).join_ticket } }),
    TaskCreate: async () => ({ who: 'lead', tool: 'team_task_create', args: { tasks: [{ title: 'more' }] } }),
    TaskClaim: async (w) => (await w.lead.caller.ok('team_task_create', { tasks: [{ title: 'next one' }] }), { who: 'mate', tool: 'team_task_next', args: {} }),
    TaskComplete: async (w) => ({ who: 'mate', tool: 'team_task_complete', args: completion(w) }),
    TaskRelease: async (w) => ({ who: 'mate', tool: 'team_task_release', args: { task_id: w.taskId, fence: w.fence, reason: 'stuck' } }),
    MessageSend: async () => ({ who: 'mate', tool: 'team_send', args: { to: '*', body: 'hi' } }),
    ModeChange: async () => ({ who: 'lead', tool: 'team_mode', args: { mode: 'plan', reason: 'think' } }),
  };

  it.each(Object.keys(CALLS))('%s', async (subject) => {
    const allow = join(dir, 'allow');
    const seen = join(dir, 'post.json');
    const gate = `[ -e ${allow} ] || { echo "Pre${subject} says no" >&2; exit 2; }`;
    // The gate is open while the world is set up (it starts a team, spawns, joins, creates, claims).
    writeFileSync(allow, '');
    const w = await world({ [`Pre${subject}`]: [{ hooks: [hook(gate, { name: 'gate' })] }], [`Post${subject}`]: [{ hooks: [hook(`cat > ${seen}`)] }] });
    try {
      const call = await CALLS[subject]?.(w);
      if (call === undefined) throw new Error(`no call for ${subject}`);
      rmSync(allow);
      rmSync(seen, { force: true });
      const session = call.who === 'fresh' ? await w.team.connect() : w[call.who];
      const all = async () => [...(await w.team.store.listAuthzDecisions({ teamId: w.teamId as never })), ...(await w.team.store.listAuthzDecisions({ teamId: null }))];
      const before = (await all()).length;
      const refused = await session.caller.fails(call.tool, call.args);
      expect(refused).toMatchObject({ code: 'HOOK_BLOCKED', message: `Pre${subject} blocked: hooks-file:gate: Pre${subject} says no` });
      const added = (await all()).slice(before);
      expect(added.map((d) => [d.tool, d.decision, d.step, d.outcome])).toEqual([[call.tool, 'deny', 'hook', 'HOOK_BLOCKED']]);
      expect(existsSync(seen)).toBe(false);
      writeFileSync(allow, '');
      const retry = call.who === 'fresh' && call.tool !== 'team_join' ? await w.team.connect() : session;
      await retry.caller.ok(call.tool as never, call.args);
      expect(JSON.parse(readFileSync(seen, 'utf8'))).toMatchObject({ hook_event_name: `Post${subject}`, tool: call.tool });
    } finally {
      await w.team.close();
    }
  });
});

describe('a slow Pre hook never makes a call act on stale state', () => {
  it("refuses the holder's completion when its claim was taken over while the hook ran", async () => {
    const started = join(dir, 'started');
    const release = join(dir, 'release');
    const slow = `touch ${started}; while [ ! -e ${release} ]; do sleep 0.05; done`;
    const w = await world({ PreTaskComplete: [{ matcher: 'implementer', hooks: [hook(slow, { timeout: 20 })] }] });
    try {
      const pending = w.mate.caller.fails('team_task_complete', completion(w));
      expect(await until(() => existsSync(started))).toBe(true);
      // Meanwhile the lease runs out, recovery takes the task back and the lead claims it.
      w.team.clock.advance(10 * 60_000);
      await w.lead.caller.ok('team_recover', {});
      const taken = (await w.lead.caller.ok('team_task_next', { task_id: w.taskId })).claim!;
      expect(taken.fence).toBe(w.fence + 1);
      writeFileSync(release, '');
      expect((await pending).code).toBe('STALE_CLAIM');
      const task = (await w.team.store.readTeam(w.teamId as never)).tasks.find((t) => t.id === w.taskId);
      expect(task).toMatchObject({ status: 'in_progress', owner_agent_id: w.leadId, fence: w.fence + 1 });
    } finally {
      await w.team.close();
    }
  });
});
