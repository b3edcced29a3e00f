import { posix } from 'node:path';
import type { TestFramework } from '../types.ts';
import { ConftestScope } from './conftest-scope.ts';
import { loadPytestDiscovery, PytestTestMatcher, type PytestDiscovery } from './pytest-config.ts';

/** Where pytest reads its configuration, in the order it looks (relative to the project folder). */
const PYTEST_CONFIG_FILES = ['pytest.ini', '.pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'] as const;

/** Packaging, dependency pins and test configuration of a Python project: a change can alter how every test runs. */
const PYTHON_RUN_ALL_ON: readonly string[] = [
  '**/pyproject.toml',
  '**/setup.cfg',
  '**/setup.py',
  '**/tox.ini',
  '**/pytest.ini',
  '**/.pytest.ini',
  '**/noxfile.py',
  '**/requirements*.txt',
  '**/requirements/**/*.txt',
  '**/constraints*.txt',
  '**/Pipfile',
  '**/Pipfile.lock',
  '**/poetry.lock',
  '**/pdm.lock',
  '**/uv.lock',
  '**/.python-version',
  '**/MANIFEST.in',
];

/** pytest: discovery from its configuration files, conftest scope, the root conftest reaching every test. */
export const pytestFramework: TestFramework<PytestDiscovery> = {
  id: 'pytest',
  configFiles: PYTEST_CONFIG_FILES,
  loadDiscovery: loadPytestDiscovery,
  matcher: (discovery, projectDir) => new PytestTestMatcher(discovery, projectDir),
  importRoots: (discovery, projectDir) =>
    discovery.pythonpath.map((dir) => posix.join(projectDir, dir).replace(/^\.$/, '')),
  implicitDependencies: (sourceFiles, testFiles, projectDir) => new ConftestScope(sourceFiles, testFiles, projectDir),
  runsEverything: (path, matcher) =>
    matcher.relative(path) === 'conftest.py' ? 'the root conftest.py applies to every test' : undefined,
  runAllOn: PYTHON_RUN_ALL_ON,
  discoveryHint:
    "pytest's discovery (testpaths and python_files from pytest.ini, pyproject.toml, tox.ini or setup.cfg; default test_*.py and *_test.py)",
};
