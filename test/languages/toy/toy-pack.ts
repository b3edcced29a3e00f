import type {
  DanglingImport,
  DependencyEdge,
  LanguageFacts,
  LanguagePack,
  LinkedSources,
  SourceLanguage,
  TestFramework,
} from '@ci-optimizer/core/languages';

/**
 * A toy language pack, the smallest that uses every part of the seam (docs/adding-a-language.md walks through it):
 * `.toy` modules and `.spec` test files, both of which say `use some/module` (the file `some/module.toy`) on a line of
 * their own; `"quoted"` words are string literals (a spec that names a data file depends on it). Tests are found by
 * `toyspec.conf` (`tests = <folder>`, default: the whole project); a `setup.toy` applies to every spec in its folder
 * and below (an implicit edge, like pytest's conftest.py), and the root one to every spec.
 */
export interface ToyFacts extends LanguageFacts {
  uses: { module: string; line: number }[];
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

export const toyLanguage: SourceLanguage<ToyFacts> = {
  id: 'toy',
  factsVersion: 1,
  handles: (path) => path.endsWith('.toy') || path.endsWith('.spec'),
  analyze(source) {
    const uses: ToyFacts['uses'] = [];
    const strings: string[] = [];
    source.split('\n').forEach((text, i) => {
      const use = /^use\s+([\w/]+)\s*$/.exec(text);
      if (use) uses.push({ module: use[1], line: i + 1 });
      for (const quoted of text.matchAll(/"([^"]*)"/g)) strings.push(quoted[1]);
    });
    return { uses, strings };
  },
  hasDynamicImports: () => false,
  // Every link starts from the facts of all files (affectedBy answers 'all'), so a patch reads the stored ones.
  patchReadsStoredFacts: () => true,
  link(facts): LinkedSources<ToyFacts> {
    const targetOf = (module: string) => `${module}.toy`;
    return {
      dynamic: [],
      state: () => null,
      affectedBy: () => 'all',
      dependencies(path): DependencyEdge[] {
        return (facts.get(path)?.uses ?? [])
          .filter((use) => facts.has(targetOf(use.module)))
          .map((use) => ({ from: path, to: targetOf(use.module), why: `uses ${use.module} (line ${use.line})` }));
      },
      danglingImports(gone): DanglingImport[] {
        const dangling: DanglingImport[] = [];
        for (const [path, fileFacts] of facts) {
          for (const use of fileFacts.uses)
            if (gone.has(targetOf(use.module)))
              dangling.push({ importer: path, line: use.line, missing: targetOf(use.module) });
        }
        return dangling;
      },
    };
  },
};

interface ToyDiscovery {
  tests: string;
}

export const toySpecFramework: TestFramework<ToyDiscovery> = {
  id: 'toyspec',
  configFiles: ['toyspec.conf'],
  async loadDiscovery(read) {
    const text = (await read('toyspec.conf')) ?? '';
    return { tests: /^tests\s*=\s*(\S+)\s*$/m.exec(text)?.[1].replace(/\/+$/, '') ?? '' };
  },
  matcher(discovery, projectDir) {
    const relative = (path: string) =>
      projectDir === '' ? path : path.startsWith(`${projectDir}/`) ? path.slice(projectDir.length + 1) : undefined;
    return {
      relative,
      isTestFile(path) {
        const rel = relative(path);
        if (rel === undefined) return false;
        return rel.endsWith('.spec') && (discovery.tests === '' || rel.startsWith(`${discovery.tests}/`));
      },
    };
  },
  importRoots: () => [],
  implicitDependencies(sourceFiles, testFiles) {
    const setups = new Set([...sourceFiles].filter((path) => path === 'setup.toy' || path.endsWith('/setup.toy')));
    const applies = (setup: string, test: string) => dirOf(setup) === '' || test.startsWith(`${dirOf(setup)}/`);
    let edgeCount = 0;
    for (const setup of setups) edgeCount += testFiles.filter((test) => applies(setup, test)).length;
    return {
      edgeCount,
      dependentsOf: (path) =>
        setups.has(path)
          ? testFiles
              .filter((test) => applies(path, test))
              .map((test) => ({ from: test, to: path, why: `is set up by ${path}` }))
          : [],
    };
  },
  runsEverything: (path, matcher) =>
    matcher.relative(path) === 'setup.toy' ? 'the root setup.toy applies to every spec' : undefined,
  runAllOn: ['**/toyspec.conf', '**/toy.lock'],
  discoveryHint: "toyspec's discovery (`tests = <folder>` in toyspec.conf; every *.spec file by default)",
};

export const toyPack: LanguagePack<ToyFacts, ToyDiscovery> = {
  id: 'toy',
  name: 'Toy',
  language: toyLanguage,
  framework: toySpecFramework,
};
