import type { ToolRegistry } from '../tool-registry';
import { registerTeamArtifactList } from './team-artifact-list';
import { registerTeamArtifactPublish } from './team-artifact-publish';
import { registerTeamArtifactRead } from './team-artifact-read';
import { registerTeamBrief } from './team-brief';
import { registerTeamCheckpoint } from './team-checkpoint';
import { registerTeamChild } from './team-child';
import { registerTeamFinalize } from './team-finalize';
import { registerTeamHeartbeat } from './team-heartbeat';
import { registerTeamInbox } from './team-inbox';
import { registerTeamJoin } from './team-join';
import { registerTeamMode } from './team-mode';
import { registerTeamPlan } from './team-plan';
import { registerTeamPolicy } from './team-policy';
import { registerTeamRecover } from './team-recover';
import { registerTeamResume } from './team-resume';
import { registerTeamRunSummary } from './team-run-summary';
import { registerTeamSend } from './team-send';
import { registerTeamSpawn } from './team-spawn';
import { registerTeamStart } from './team-start';
import { registerTeamStatus } from './team-status';
import { registerTeamTaskComplete } from './team-task-complete';
import { registerTeamTaskCreate } from './team-task-create';
import { registerTeamTaskList } from './team-task-list';
import { registerTeamTaskNext } from './team-task-next';
import { registerTeamTaskRelease } from './team-task-release';
import { registerTeamTaskUpdate } from './team-task-update';

/** Every tool of the server, in the catalog's order (tools/list keeps it). */
export const TOOL_REGISTRATIONS: ReadonlyArray<(registry: ToolRegistry) => void> = [
  registerTeamStart,
  registerTeamStatus,
  registerTeamFinalize,
  registerTeamResume,
  registerTeamSpawn,
  registerTeamJoin,
  registerTeamTaskCreate,
  registerTeamTaskList,
  registerTeamTaskNext,
  registerTeamTaskUpdate,
  registerTeamTaskComplete,
  registerTeamTaskRelease,
  registerTeamSend,
  registerTeamInbox,
  registerTeamArtifactPublish,
  registerTeamArtifactRead,
  registerTeamArtifactList,
  registerTeamPolicy,
  registerTeamRunSummary,
  registerTeamMode,
  registerTeamPlan,
  registerTeamHeartbeat,
  registerTeamRecover,
  registerTeamCheckpoint,
  registerTeamBrief,
  registerTeamChild,
];

/** Registers every tool on the registry. */
export function registerAllTools(registry: ToolRegistry): void {
  for (const register of TOOL_REGISTRATIONS) register(registry);
}
