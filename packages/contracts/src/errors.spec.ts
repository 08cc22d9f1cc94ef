import { TeamError, isTeamError } from './errors';

describe('TeamError', () => {
  it('carries a stable code, a message without the code prefix and optional details', () => {
    const error = new TeamError('STALE_CLAIM', 'fence 3 is older than 4', { fence: 3 });
    expect(error.message).toBe('STALE_CLAIM: fence 3 is older than 4');
    expect(error.toBody()).toEqual({ code: 'STALE_CLAIM', message: 'fence 3 is older than 4', details: { fence: 3 } });
    expect(new TeamError('NOT_FOUND', 'no such task').toBody()).toEqual({ code: 'NOT_FOUND', message: 'no such task' });
  });

  it('is recognised across module copies by name and code, and not for other errors', () => {
    const foreign = Object.assign(new Error('x'), { name: 'TeamError', code: 'DENIED' });
    expect(isTeamError(foreign)).toBe(true);
    expect(isTeamError(Object.assign(new Error('x'), { name: 'TeamError', code: 'NOPE' }))).toBe(false);
    expect(isTeamError(new Error('plain'))).toBe(false);
    expect(isTeamError('DENIED')).toBe(false);
  });
});
