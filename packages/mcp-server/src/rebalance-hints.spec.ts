import { InProcessTeam } from './testing/in-process-team';

describe("the lead's rebalancing hints", () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('shows the decision on record and never takes one: only a sweep decides', async () => {
    const { lead, started } = await team.startTeam({ name: 'steered' });
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'build', required_role: 'implementer' }] });
    const decisions = async () => (await team.store.listAuditEvents(started.team.id)).filter((event) => event.action === 'rebalance.decide');

    // Work waits for an implementer, yet the lead's status decides nothing however often it asks.
    for (let asked = 0; asked < 3; asked += 1) expect((await lead.caller.ok('team_status')).hints?.rebalance).toBeUndefined();
    expect(await decisions()).toEqual([]);

    // The sweep decides and records; the lead's status shows it, compactly, and records nothing more.
    await team.sweeper.sweep();
    expect(await decisions()).toHaveLength(1);
    const hints = (await lead.caller.ok('team_status')).hints;
    expect(hints?.rebalance).toEqual({ spawn: [{ role: 'implementer', count: 1 }], since: new Date(team.clock.now()).toISOString() });
    expect(await decisions()).toHaveLength(1);
  });
});
