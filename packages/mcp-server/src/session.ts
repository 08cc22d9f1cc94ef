import { TeamError } from '@codex-team/contracts';
import type { BoundAgent, SessionBinding } from '@codex-team/store';

/**
 * The identity of one MCP session: unbound until team_start, team_join or team_resume succeeds,
 * then bound to exactly one agent for the session's life. Identity never comes from tool
 * arguments; every bound call presents this binding to the store.
 */
export class Session {
  private current: SessionBinding | null = null;
  private currentRole: string | null = null;
  private bindingInFlight = false;
  private ended = false;
  private thread: string | null = null;

  /**
   * The Codex thread this session serves, once a call said so (`_meta.threadId`); recorded with
   * the binding so Codex hooks can find the agent. Null for clients that do not send it.
   */
  get codexThreadId(): string | null {
    return this.thread;
  }

  /** Notes the Codex thread a call came from; a session serves one thread, the latest one named wins. */
  noteCodexThread(threadId: string | null): void {
    if (threadId !== null) this.thread = threadId;
  }

  /** The agent this session speaks for, or null before it is bound. */
  get binding(): SessionBinding | null {
    return this.current;
  }

  /** The role of the bound agent (roles never change), or null before it is bound. */
  get role(): string | null {
    return this.currentRole;
  }

  /**
   * Runs a binding store operation (start, join, resume) and binds the session to the agent it
   * returns. ALREADY_BOUND when bound or while another binding call of this session is running,
   * so two concurrent calls cannot bind one session twice.
   */
  async bind(operation: () => Promise<BoundAgent>): Promise<BoundAgent> {
    if (this.current !== null) {
      throw new TeamError('ALREADY_BOUND', `this session is already bound to agent ${this.current.agentId}`, {
        agent_id: this.current.agentId,
      });
    }
    if (this.ended) throw new TeamError('NOT_BOUND', 'this session has ended');
    if (this.bindingInFlight) {
      throw new TeamError('ALREADY_BOUND', 'another team_start, team_join or team_resume of this session is running');
    }
    this.bindingInFlight = true;
    try {
      const bound = await operation();
      this.current = { teamId: bound.team.id, agentId: bound.agent.id, epoch: bound.epoch };
      this.currentRole = bound.agent.role;
      return bound;
    } finally {
      this.bindingInFlight = false;
    }
  }

  /**
   * Ends the session when its transport closes: calls still in flight are refused from here on, so
   * none of them can renew the agent's heartbeat after its disconnect was recorded. Returns the
   * binding the session had, for recording that disconnect.
   */
  end(): SessionBinding | null {
    const binding = this.current;
    this.ended = true;
    this.current = null;
    return binding;
  }

  /** The binding, or NOT_BOUND telling the caller how to bind. */
  requireBinding(): SessionBinding {
    if (this.ended) throw new TeamError('NOT_BOUND', 'this session has ended');
    if (this.current === null) {
      throw new TeamError(
        'NOT_BOUND',
        'this session is not bound to an agent: call team_join with your ticket first (team_start for a new team, team_resume after a restart)',
      );
    }
    return this.current;
  }
}
