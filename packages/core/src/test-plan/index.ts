export { createTestPlanCommand, type TestPlanParts } from './command.ts';
