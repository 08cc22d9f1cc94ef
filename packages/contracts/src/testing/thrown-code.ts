import { isTeamError } from '../errors';

/** The code of the TeamError `run` throws: `'other'` for any other throw, undefined when it returns. */
export function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isTeamError(error) ? error.code : 'other';
  }
  return undefined;
}
