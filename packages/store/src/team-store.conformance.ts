import type { IdGenerator } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { describeAgentRules } from './conformance/agents.conformance';
import { describeArtifactRules } from './conformance/artifacts.conformance';
import { describeAuditRules } from './conformance/audit.conformance';
import { describeCheckpointRules } from './conformance/checkpoints.conformance';
import { describeClaimRules } from './conformance/claims.conformance';
import { describeDecisionRules } from './conformance/decisions.conformance';
import { describeHierarchyRules } from './conformance/hierarchy.conformance';
import { describeHookRules } from './conformance/hooks.conformance';
import {
  Fixture,
  ReverseIdGenerator,
  conformanceProfiles,
  type ConformanceHooks,
  type ConformanceStoreOptions,
  type MakeStore,
} from './conformance/harness.conformance';
import { describeMessageRules } from './conformance/messages.conformance';
import { describeModeRules } from './conformance/modes.conformance';
import { describePolicyRules } from './conformance/policy.conformance';
import { describeRecoveryRules } from './conformance/recovery.conformance';
import { describeSnapshotRules } from './conformance/snapshot.conformance';
import { describeTaskRules } from './conformance/tasks.conformance';

export type { ConformanceHooks } from './conformance/harness.conformance';

/**
 * The behaviour every TeamStore adapter must show, as a Jest suite: call it from the adapter's
 * spec. `makeStore` returns a fresh, empty store using the given clock (a FakeClock the suite
 * moves), id generator, profiles (conformanceProfiles()) and options (Codex's thread cap). New
 * adapters must pass it unchanged.
 */
export function describeTeamStoreConformance(adapterName: string, makeStore: MakeStore, hooks: ConformanceHooks = {}): void {
  const profiles = conformanceProfiles();
  describe(`TeamStore conformance: ${adapterName}`, () => {
    let open: Fixture[] = [];
    const make = async (ids: IdGenerator, options: ConformanceStoreOptions = {}): Promise<Fixture> => {
      const clock = new FakeClock();
      const fixture = new Fixture(await makeStore(clock, ids, profiles, options), clock, hooks);
      open.push(fixture);
      return fixture;
    };
    let current: Fixture | undefined;

    beforeEach(async () => {
      current = await make(new SequentialIdGenerator());
    });

    afterEach(async () => {
      for (const fixture of open) await fixture.store.close();
      open = [];
      current = undefined;
    });

    const fixture = (): Fixture => {
      if (current === undefined) throw new Error('no store: the suite calls fixture() inside a test');
      return current;
    };

    describeAgentRules(fixture);
    describeTaskRules(fixture, () => make(new ReverseIdGenerator()));
    describeClaimRules(fixture, () => make(new ReverseIdGenerator()));
    describeMessageRules(fixture);
    describeArtifactRules(fixture);
    describeAuditRules(fixture);
    describeRecoveryRules(fixture);
    describePolicyRules(fixture, (options) => make(new SequentialIdGenerator(), options));
    describeSnapshotRules(fixture);
    describeModeRules(fixture);
    describeDecisionRules(fixture);
    describeCheckpointRules(fixture);
    describeHierarchyRules(fixture);
    describeHookRules(fixture);
  });
}
