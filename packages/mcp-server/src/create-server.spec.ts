import { TOOL_CONTRACTS, TOOL_NAMES, TeamError, TicketSchema } from '@codex-team/contracts';
import { type TeamStore } from '@codex-team/store';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam } from './testing/in-process-team';
import { errorBodyOf, textOf } from './testing/tool-caller';
import { VALID_BOUND_CALLS } from './testing/valid-calls';

describe('createServer', () => {
  let team: InProcessTeam;
  afterEach(async () => {
    await team.close();
  });

  describe('tools/list', () => {
    beforeEach(async () => {
      team = await InProcessTeam.open();
    });

    it('lists exactly the catalog tools, in order, with their descriptions and object JSON Schemas', async () => {
      const { caller } = await team.connect();
      const { tools } = await caller.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
      for (const tool of tools) {
        const contract = TOOL_CONTRACTS[tool.name as keyof typeof TOOL_CONTRACTS];
        expect(tool.description).toBe(contract.description);
        expect(tool.inputSchema.type).toBe('object');
        expect(tool.outputSchema?.type).toBe('object');
        expect(JSON.stringify(tool)).not.toContain('$schema');
      }
    });

    // Codex reads tools/list once per thread and sends every tool's name, description and input
    // schema (not its output schema) to the model on every turn: that part is kept tight (the
    // budget as Codex renders it is checked against a real Codex in e2e/tool-surface-budget). The
    // whole answer, output schemas included, travels once per thread.
    it('keeps what the model sees of the tools each turn small, and the whole tools/list answer bounded', async () => {
      const { caller } = await team.connect();
      const { tools } = await caller.client.listTools();
      const modelFacing = tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
      expect(Buffer.byteLength(JSON.stringify(modelFacing))).toBeLessThan(16_000);
      expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThan(72_000);
    });

    // Codex passes `additionalProperties: false` to the model for every object of every turn; the
    // server refuses unknown fields anyway, naming them, so the advertised schemas leave it out.
    it('advertises input schemas without additionalProperties or docs notes, and every input still refuses unknown fields', async () => {
      const { caller } = await team.connect();
      const { tools } = await caller.client.listTools();
      for (const tool of tools) {
        expect({ tool: tool.name, text: JSON.stringify(tool.inputSchema) }).toEqual({ tool: tool.name, text: expect.not.stringMatching(/additionalProperties|"docs"/) });
        const parsed = TOOL_CONTRACTS[tool.name as keyof typeof TOOL_CONTRACTS].input.safeParse({ not_a_field: 1 });
        expect({ tool: tool.name, unknown: parsed.success ? [] : parsed.error.issues.filter((issue) => issue.code === 'unrecognized_keys').length }).toEqual({
          tool: tool.name,
          unknown: 1,
        });
      }
    });
  });

  describe('input validation', () => {
    beforeEach(async () => {
      team = await InProcessTeam.open();
    });

    it('answers an unknown tool with INVALID_INPUT', async () => {
      const { caller } = await team.connect();
      expect(await caller.fails('team_teleport', {})).toMatchObject({ code: 'INVALID_INPUT', details: { tool: 'team_teleport' } });
    });

    it('answers arguments of the wrong type with INVALID_INPUT listing each issue by path', async () => {
      const { caller } = await team.connect();
      const body = await caller.fails('team_start', { name: 42, max_threads: 'six' });
      expect(body.code).toBe('INVALID_INPUT');
      const paths = (body.details?.['issues'] as { path: string; message: string }[]).map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['name', 'max_threads']));
      // The message alone names the first issue and counts the rest: a one-line error says what to fix.
      expect(body.message).toMatch(/^arguments do not match the team_start input schema: (name|max_threads): .+ \(and 1 more\)$/);
    });

    it('refuses unknown fields, so identity can never be passed as an argument', async () => {
      const { lead } = await team.startTeam();
      const body = await lead.caller.fails('team_status', { agent_id: 'ag_aaaaaaab' });
      expect(body.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(body.details)).toContain('agent_id');
    });

    it('refuses values past the contract limits, e.g. max_threads above the hard cap of 6', async () => {
      const { caller } = await team.connect();
      expect(await caller.code('team_start', { name: 'big', max_threads: 7 })).toBe('INVALID_INPUT');
      expect(await caller.code('team_start', { name: 'bad/name' })).toBe('INVALID_INPUT');
    });
  });

  describe('error results', () => {
    beforeEach(async () => {
      team = await InProcessTeam.open();
    });

    it('carry the error body as JSON text without structuredContent, which the SDK client returns without throwing', async () => {
      const { caller } = await team.connect();
      const result = await caller.call('team_status', {});
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toBeUndefined();
      expect(JSON.parse(textOf(result))).toEqual({ error: expect.objectContaining({ code: 'NOT_BOUND' }) });
      expect(errorBodyOf('team_status', result).message).toContain('team_join');
    });
  });

  describe('session identity', () => {
    beforeEach(async () => {
      team = await InProcessTeam.open();
    });

    it('refuses every bound tool before the session is bound with NOT_BOUND, changing nothing', async () => {
      await team.startTeam();
      const before = digestDatabase(team.dbPath);
      const { caller } = await team.connect();
      for (const [name, args] of VALID_BOUND_CALLS) {
        const body = await caller.fails(name, args);
        expect({ name, code: body.code }).toEqual({ name, code: 'NOT_BOUND' });
      }
      expect(VALID_BOUND_CALLS.map(([name]) => name).sort()).toEqual(
        TOOL_NAMES.filter((name) => TOOL_CONTRACTS[name].audience !== 'unbound').sort(),
      );
      expect(digestDatabase(team.dbPath)).toEqual(before);
    });

    it('refuses team_start, team_join and team_resume on a bound session with ALREADY_BOUND', async () => {
      const { lead, started } = await team.startTeam();
      const spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
      const before = digestDatabase(team.dbPath);
      expect(await lead.caller.code('team_start', { name: 'second' })).toBe('ALREADY_BOUND');
      expect(await lead.caller.code('team_join', { ticket: spawned.join_ticket })).toBe('ALREADY_BOUND');
      expect(await lead.caller.code('team_resume', { ticket: started.resume_ticket })).toBe('ALREADY_BOUND');
      expect(digestDatabase(team.dbPath)).toEqual(before);
    });

    it('binds a session once when two binding calls race', async () => {
      const { caller } = await team.connect();
      const results = await Promise.all([
        caller.call('team_start', { name: 'one' }),
        caller.call('team_start', { name: 'two' }),
      ]);
      expect(results.filter((result) => result.isError !== true)).toHaveLength(1);
      expect(errorBodyOf('team_start', results.find((result) => result.isError === true) ?? results[0]!).code).toBe(
        'ALREADY_BOUND',
      );
    });

    it('unbinds an older session once another session resumes the same agent', async () => {
      const { lead, started } = await team.startTeam();
      expect(TicketSchema.safeParse(started.resume_ticket).success).toBe(true);
      const restarted = await team.connect();
      await restarted.caller.ok('team_resume', { ticket: started.resume_ticket });
      const body = await lead.caller.fails('team_status', {});
      expect(body.code).toBe('NOT_BOUND');
      expect(body.message).toContain('newer session');
      expect((await restarted.caller.ok('team_status')).me.id).toBe(started.agent.id);
    });

    it('refuses lead-only tools to a teammate with DENIED before reaching the store', async () => {
      const { lead } = await team.startTeam();
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      const before = digestDatabase(team.dbPath);
      const leadTools = VALID_BOUND_CALLS.filter(([name]) => TOOL_CONTRACTS[name].audience === 'lead');
      expect(leadTools.map(([name]) => name).sort()).toEqual(
        TOOL_NAMES.filter((name) => TOOL_CONTRACTS[name].audience === 'lead').sort(),
      );
      for (const [name, args] of leadTools) {
        expect({ name, code: await mate.caller.code(name, args) }).toEqual({ name, code: 'DENIED' });
      }
      expect(await mate.caller.code('team_finalize', { force: true })).toBe('DENIED');
      expect(digestDatabase(team.dbPath)).toEqual(before);
    });
  });

  describe('unexpected failures', () => {
    // What getStatus answers instead of the store while set.
    let override: (() => Promise<unknown>) | null = null;
    const failWith = (error: unknown): void => {
      override = () => Promise.reject(error);
    };
    const failing = (store: TeamStore): TeamStore =>
      new Proxy(store, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (property !== 'getStatus' || typeof value !== 'function') {
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return (...args: unknown[]) => {
            if (override !== null) return override();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });

    beforeEach(async () => {
      override = null;
      team = await InProcessTeam.open({ wrapStore: failing });
    });

    it('answers an unknown failure with INTERNAL, logs it with tool, agent and stack, and keeps serving', async () => {
      const { lead, started } = await team.startTeam();
      failWith(new Error('disk on fire'));
      const body = await lead.caller.fails('team_status', {});
      expect(body).toEqual({ code: 'INTERNAL', message: expect.not.stringContaining('disk on fire') });
      const logged = team.logs.find((line) => line['msg'] === 'tool call failed unexpectedly');
      expect(logged).toMatchObject({ tool: 'team_status', agent_id: started.agent.id, team_id: started.team.id });
      expect(JSON.stringify(logged)).toContain('disk on fire');
      expect(String((logged?.['err'] as { stack?: string }).stack)).toContain('Error: disk on fire');
      override = null;
      expect((await lead.caller.ok('team_status')).me.id).toBe(started.agent.id);
    });

    it('answers BUSY for a busy store, which says so itself: the server knows nothing of SQLite', async () => {
      const { lead } = await team.startTeam();
      failWith(new TeamError('BUSY', 'locked'));
      expect(await lead.caller.code('team_status')).toBe('BUSY');
      // A driver error is the store's to translate (withBusyRetry); one that escaped it is a bug.
      failWith(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
      expect(await lead.caller.code('team_status')).toBe('INTERNAL');
    });

    it('answers INTERNAL when an output would break its contract', async () => {
      const { lead } = await team.startTeam();
      const status = await lead.caller.ok('team_status');
      const broken = { ...status, me: { ...status.me, id: 'not-an-id' } };
      override = () => Promise.resolve(broken);
      expect(await lead.caller.code('team_status')).toBe('INTERNAL');
      expect(team.logs.some((line) => line['msg'] === 'tool output broke its contract')).toBe(true);
    });
  });

  describe('logging', () => {
    beforeEach(async () => {
      team = await InProcessTeam.open();
    });

    it('logs every call with tool, agent, team, outcome and duration, and never a ticket or a body', async () => {
      const { lead, started } = await team.startTeam();
      const { mate, spawned, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
      await mate.caller.ok('team_send', { to: started.agent.id, body: 'secret-body-text' });
      await mate.caller.ok('team_artifact_publish', { name: 'notes', content: 'secret-artifact-text' });
      await mate.caller.fails('team_finalize', {});
      const calls = team.logs.filter((line) => line['msg'] === 'tool call');
      expect(calls.map((line) => [line['tool'], line['outcome']])).toEqual([
        ['team_start', 'ok'],
        ['team_spawn', 'ok'],
        ['team_join', 'ok'],
        ['team_send', 'ok'],
        ['team_artifact_publish', 'ok'],
        ['team_finalize', 'DENIED'],
      ]);
      for (const line of calls) expect(typeof line['duration_ms']).toBe('number');
      expect(calls[3]).toMatchObject({ agent_id: joined.agent.id, team_id: started.team.id });
      for (const secret of [started.resume_ticket, spawned.join_ticket, joined.resume_ticket, 'secret-body-text', 'secret-artifact-text']) {
        expect(team.logText).not.toContain(secret);
      }
    });
  });
});
