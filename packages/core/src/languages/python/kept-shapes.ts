import type { BlobAnswers } from '../types.ts';
import type { PythonClassShape, PythonModuleShape, PythonUnit } from './python-units.ts';
import { shapePythonModule } from './python-units.ts';

/** What `compareShapes` reads of a module's shape: the fingerprints of its units, classes and module-level code. */
export interface ComparedShape {
  units: Array<Pick<PythonUnit, 'qualifiedName' | 'parent' | 'decoratorPrint' | 'signaturePrint' | 'bodyPrint'>>;
  classes: PythonClassShape[];
  residuePrint: string;
  syntaxError?: { line: number };
}

/**
 * The question the compared shape of a blob is kept under (`BlobAnswers`). The version names the fingerprints'
 * making (`python-units.ts`): a change there that alters any print must bump it, or a kept shape would compare
 * against a differently made one.
 */
export const COMPARED_SHAPE_QUESTION = 'python-compared-shape/1';

/** Where a kept shape is read and written: the old version's blob and the run's kept answers. */
export interface KeptShapeSlot {
  blob: string;
  answers: BlobAnswers;
}

/** The parts of a shape a comparison reads, as plain JSON. */
function comparedPart(shape: PythonModuleShape): ComparedShape {
  return {
    units: shape.units.map(({ qualifiedName, parent, decoratorPrint, signaturePrint, bodyPrint }) => ({
      qualifiedName,
      ...(parent === undefined ? {} : { parent }),
      decoratorPrint,
      signaturePrint,
      bodyPrint,
    })),
    classes: shape.classes.map(({ qualifiedName, print }) => ({ qualifiedName, print })),
    residuePrint: shape.residuePrint,
    ...(shape.syntaxError ? { syntaxError: { line: shape.syntaxError.line } } : {}),
  };
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** A kept answer is untrusted data: a compared shape exactly, else nothing (the version is then shaped again). */
export function isComparedShape(value: unknown): value is ComparedShape {
  if (!isObject(value) || !isString(value.residuePrint)) return false;
  if (value.syntaxError !== undefined && !(isObject(value.syntaxError) && Number.isInteger(value.syntaxError.line)))
    return false;
  if (!Array.isArray(value.units) || !Array.isArray(value.classes)) return false;
  const unitsOk = value.units.every(
    (unit: unknown) =>
      isObject(unit) &&
      isString(unit.qualifiedName) &&
      (unit.parent === undefined || isString(unit.parent)) &&
      isString(unit.decoratorPrint) &&
      isString(unit.signaturePrint) &&
      isString(unit.bodyPrint),
  );
  return unitsOk && value.classes.every((c: unknown) => isObject(c) && isString(c.qualifiedName) && isString(c.print));
}

/**
 * The compared shape of `source`: kept by its blob when `slot` is given (the impact map's commit is the same on every
 * pull request, so its version of a changed file is shaped once, not on every run), else made.
 */
export function comparedShapeOf(source: string, slot?: KeptShapeSlot): ComparedShape {
  if (!slot) return shapePythonModule(source);
  const kept = slot.answers.get(slot.blob, COMPARED_SHAPE_QUESTION);
  if (isComparedShape(kept)) return kept;
  const shape = comparedPart(shapePythonModule(source));
  slot.answers.set(slot.blob, COMPARED_SHAPE_QUESTION, shape);
  return shape;
}
