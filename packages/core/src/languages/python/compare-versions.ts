import { comparedShapeOf, type ComparedShape, type KeptShapeSlot } from './kept-shapes.ts';
import { shapePythonModule } from './python-units.ts';

/** What changed in one Python file between two versions, as the impact map can use it. */
export interface PythonFileChange {
  /** Units (functions, methods) whose body changed and nothing else about them. */
  changedBodies: string[];
  /**
   * Why the change cannot be narrowed to function bodies (module-level code, a class body, a decorator, a
   * signature or default argument, an added, removed or renamed function, a syntax error); empty when it can.
   */
  moduleLevel: string[];
}

const byName = <T extends { qualifiedName: string }>(items: readonly T[]) =>
  new Map(items.map((item) => [item.qualifiedName, item]));

/** Lists names in one set and not the other, sorted, for stable reasons. */
const missingFrom = (names: Iterable<string>, other: ReadonlyMap<string, unknown>) =>
  [...names].filter((name) => !other.has(name)).sort();

/**
 * Compares two versions of a Python file by their syntax trees. Layout and comments do not count; a function that
 * only moved within the file is unchanged; a renamed function is a removal plus an addition (module level). A
 * name defined more than once is told apart by its suffix (`f#2`, `prop.setter`), so each definition compares alone.
 */
export function comparePythonVersions(oldSource: string, newSource: string, kept?: KeptShapeSlot): PythonFileChange {
  if (oldSource === newSource) return { changedBodies: [], moduleLevel: [] };
  return compareShapes(comparedShapeOf(oldSource, kept), shapePythonModule(newSource));
}

type ComparedUnit = ComparedShape['units'][number];

/** The same comparison on already shaped modules. */
export function compareShapes(before: ComparedShape, after: ComparedShape): PythonFileChange {
  const moduleLevel: string[] = [];
  if (before.syntaxError || after.syntaxError) {
    const which = after.syntaxError
      ? `the new version (line ${after.syntaxError.line})`
      : `the old version (line ${before.syntaxError!.line})`;
    return { changedBodies: [], moduleLevel: [`${which} does not parse`] };
  }
  if (before.residuePrint !== after.residuePrint) moduleLevel.push('module-level code changed');

  const oldClasses = byName(before.classes);
  const newClasses = byName(after.classes);
  for (const name of missingFrom(oldClasses.keys(), newClasses)) moduleLevel.push(`class ${name} removed`);
  for (const name of missingFrom(newClasses.keys(), oldClasses)) moduleLevel.push(`class ${name} added`);
  for (const [name, shape] of oldClasses) {
    const now = newClasses.get(name);
    if (now && now.print !== shape.print) moduleLevel.push(`class body or bases of ${name} changed`);
  }

  const oldUnits = byName(before.units);
  const newUnits = byName(after.units);
  // A nested function added or removed inside a function that exists in both versions changes that function's body.
  const topOf =
    (units: ReadonlyMap<string, ComparedUnit>, other: ReadonlyMap<string, ComparedUnit>) => (name: string) => {
      const parent = units.get(name)!.parent;
      return parent === undefined || !other.has(parent);
    };
  for (const name of missingFrom(oldUnits.keys(), newUnits).filter(topOf(oldUnits, newUnits)))
    moduleLevel.push(`${name} removed`);
  for (const name of missingFrom(newUnits.keys(), oldUnits).filter(topOf(newUnits, oldUnits)))
    moduleLevel.push(`${name} added`);
  const changedBodies: string[] = [];
  for (const [name, unit] of oldUnits) {
    const now = newUnits.get(name);
    if (!now) continue;
    const reasons = unitHeaderChanges(unit, now);
    const bodyChanged = unit.bodyPrint !== now.bodyPrint;
    if (reasons.length === 0 && !bodyChanged) continue;
    moduleLevel.push(...reasons);
    if (bodyChanged) changedBodies.push(name);
  }
  return { changedBodies: changedBodies.sort(), moduleLevel };
}

function unitHeaderChanges(before: ComparedUnit, after: ComparedUnit): string[] {
  const reasons: string[] = [];
  if (before.decoratorPrint !== after.decoratorPrint) reasons.push(`decorators of ${before.qualifiedName} changed`);
  if (before.signaturePrint !== after.signaturePrint)
    reasons.push(`signature or default arguments of ${before.qualifiedName} changed`);
  return reasons;
}
