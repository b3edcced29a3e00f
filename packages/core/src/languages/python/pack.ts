import type { LanguagePack } from '../types.ts';
import type { PythonModuleFacts } from './facts.ts';
import { pythonImpactSupport } from './impact-support.ts';
import { pythonLanguage } from './language.ts';
import type { PytestDiscovery } from './pytest-config.ts';
import { pytestFramework } from './pytest.ts';

/** Python tested with pytest: the pack the actions use. */
export const pythonPack: LanguagePack<PythonModuleFacts, PytestDiscovery> = {
  id: 'python',
  name: 'Python',
  language: pythonLanguage,
  framework: pytestFramework,
  impact: pythonImpactSupport,
};
