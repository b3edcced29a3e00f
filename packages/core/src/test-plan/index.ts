export { createTestPlanCommand, type TestPlanParts } from '../commands/test-plan.ts';
