// Test doubles of @codex-team/contracts, imported as `@codex-team/contracts/testing` by specs and
// test harnesses only: lint forbids production code to import any package's testing entry.
export { FakeClock } from './fake-clock';
export { SequentialIdGenerator } from './sequential-ids';
export { collectJsonLines } from './json-lines';
export { thrownCode } from './thrown-code';
