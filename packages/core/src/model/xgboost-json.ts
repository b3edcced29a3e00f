import { UserError } from '../errors/index.ts';
import type { GbdtModel, LogisticObjective, RegressionTree } from './gbdt-model.ts';

const SUPPORTED_OBJECTIVES: readonly LogisticObjective[] = ['binary:logistic', 'reg:logistic', 'binary:logitraw'];

/** The XGBoost release whose JSON layout we write; later XGBoost versions load it too. */
const WRITTEN_FORMAT_VERSION = [1, 7, 4];

/**
 * The shortest decimal that reads back as the same float32, as XGBoost prints floats. Always with a decimal point:
 * XGBoost's JSON reader types "1" as an integer and refuses it where a float is due.
 */
export function formatFloat32(value: number): string {
  const v = Math.fround(value);
  if (!Number.isFinite(v)) throw new Error(`cannot write non-finite value ${v} into an XGBoost model`);
  let text = String(Number(v.toPrecision(9)));
  for (let digits = 1; digits < 9; digits++) {
    const candidate = v.toPrecision(digits);
    if (Math.fround(Number(candidate)) === v) {
      text = String(Number(candidate));
      break;
    }
  }
  if (text.includes('.')) return text;
  const e = text.indexOf('e');
  return e === -1 ? `${text}.0` : `${text.slice(0, e)}.0${text.slice(e)}`;
}

/**
 * The model as the JSON document XGBoost's `Booster.save_model("m.json")` writes, so `xgb.Booster(model_file=...)`
 * loads it. Byte-for-byte deterministic for a given model.
 */
export function modelToXgboostJson(model: GbdtModel): string {
  const numFeature = model.featureNames.length;
  const trees = model.trees.map((tree, id) => treeJson(tree, id, numFeature));
  const gbtree =
    `{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":"${model.trees.length}","size_leaf_vector":"0"},` +
    `"tree_info":[${model.trees.map(() => '0').join(',')}],"trees":[${trees.join(',')}]}`;
  const booster = model.treeWeights
    ? `{"gbtree":{"model":${gbtree},"name":"gbtree"},"name":"dart","weight_drop":[${Array.from(model.treeWeights, formatFloat32).join(',')}]}`
    : `{"model":${gbtree},"name":"gbtree"}`;
  const attributes = Object.keys(model.attributes)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(String(model.attributes[key]))}`)
    .join(',');
  const learner =
    `{"attributes":{${attributes}},` +
    `"feature_names":${JSON.stringify(model.featureNames)},` +
    `"feature_types":${JSON.stringify(model.featureNames.map(() => 'float'))},` +
    `"gradient_booster":${booster},` +
    `"learner_model_param":{"base_score":"${formatFloat32(model.baseScore)}","boost_from_average":"1","num_class":"0",` +
    `"num_feature":"${numFeature}","num_target":"1"},` +
    `"objective":{"name":"${model.objective}","reg_loss_param":{"scale_pos_weight":"${formatFloat32(model.scalePosWeight)}"}}}`;
  return `{"learner":${learner},"version":[${WRITTEN_FORMAT_VERSION.join(',')}]}\n`;
}

function treeJson(tree: RegressionTree, id: number, numFeature: number): string {
  const n = tree.left.length;
  const parents = new Int32Array(n).fill(2147483647);
  for (let i = 0; i < n; i++) {
    if (tree.left[i] !== -1) {
      parents[tree.left[i]] = i;
      parents[tree.right[i]] = i;
    }
  }
  const ints = (a: ArrayLike<number>): string => `[${Array.from(a).join(',')}]`;
  const floats = (a: ArrayLike<number>): string => `[${Array.from(a, formatFloat32).join(',')}]`;
  const zeros = `[${new Array<string>(n).fill('0').join(',')}]`;
  return (
    `{"base_weights":${floats(tree.baseWeight)},"categories":[],"categories_nodes":[],"categories_segments":[],` +
    `"categories_sizes":[],"default_left":${ints(tree.defaultLeft)},"id":${id},"left_children":${ints(tree.left)},` +
    `"loss_changes":${floats(tree.lossChange)},"parents":${ints(parents)},"right_children":${ints(tree.right)},` +
    `"split_conditions":${floats(tree.splitCondition)},"split_indices":${ints(tree.splitFeature)},` +
    `"split_type":${zeros},"sum_hessian":${floats(tree.sumHessian)},` +
    `"tree_param":{"num_deleted":"0","num_feature":"${numFeature}","num_nodes":"${n}","size_leaf_vector":"0"}}`
  );
}

/**
 * Reads a model saved by XGBoost (`save_model("m.json")`, any version from 1.0) or by us. `source` names the file
 * in error messages. Supports gbtree and dart boosters with a logistic objective and numeric splits.
 */
export function modelFromXgboostJson(text: string, source = 'the model file'): GbdtModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${source} is not JSON (${(error as Error).message}); save the XGBoost model with Booster.save_model("model.json") — the .json extension selects the JSON format`,
    );
  }
  return modelFromXgboostValue(doc, source);
}

/** modelFromXgboostJson for a model already parsed from JSON (a part of a larger document). */
export function modelFromXgboostValue(doc: unknown, source = 'the model file'): GbdtModel {
  const learner = field(doc, 'learner', source);
  const objective = stringField(field(learner, 'objective', source), 'name', source);
  if (!SUPPORTED_OBJECTIVES.includes(objective as LogisticObjective)) {
    throw new UserError(
      `${source} has objective ${JSON.stringify(objective)}; only ${SUPPORTED_OBJECTIVES.join(', ')} are supported — train with objective="binary:logistic"`,
    );
  }
  const params = field(learner, 'learner_model_param', source);
  const numClass = Number(optionalField(params, 'num_class') ?? 0);
  if (numClass > 1)
    throw new UserError(`${source} is a ${numClass}-class model; a binary model (num_class 0) is needed`);
  const baseScore = parseScalar(optionalField(params, 'base_score') ?? '0.5', 'base_score', source);
  if (!(baseScore > 0 && baseScore < 1)) {
    throw new UserError(`${source} has base_score ${baseScore}; a logistic model's base_score must be between 0 and 1`);
  }
  const numFeature = Number(optionalField(params, 'num_feature') ?? 0);

  const booster = field(learner, 'gradient_booster', source);
  const boosterName = stringField(booster, 'name', source);
  let treeWeights: Float32Array | null = null;
  let gbtree: unknown;
  if (boosterName === 'gbtree') {
    gbtree = field(booster, 'model', source);
  } else if (boosterName === 'dart') {
    gbtree = field(field(booster, 'gbtree', source), 'model', source);
    treeWeights = Float32Array.from(arrayField(booster, 'weight_drop', source) as number[]);
  } else {
    throw new UserError(
      `${source} uses booster ${JSON.stringify(boosterName)}; only tree boosters (gbtree, dart) can be scored`,
    );
  }
  const treeDocs = arrayField(gbtree, 'trees', source);
  const trees = treeDocs.map((t, i) => readTree(t, i, source));
  if (treeWeights && treeWeights.length !== trees.length) {
    throw new UserError(
      `${source} has ${trees.length} trees but ${treeWeights.length} DART weights; the file is damaged, save it again`,
    );
  }
  const names = optionalField(learner, 'feature_names');
  const featureNames: string[] =
    Array.isArray(names) && names.length > 0
      ? names.map(String)
      : Array.from({ length: Math.max(numFeature, maxFeatureIndex(trees) + 1) }, (_, i) => `f${i}`);
  const highest = maxFeatureIndex(trees);
  if (highest >= featureNames.length) {
    throw new UserError(
      `${source} splits on feature ${highest} but names only ${featureNames.length} features; the file is damaged, save it again`,
    );
  }
  const objectiveDoc = field(learner, 'objective', source);
  const lossParam = optionalField(objectiveDoc, 'reg_loss_param');
  const spw = lossParam ? optionalField(lossParam, 'scale_pos_weight') : undefined;
  const attributesDoc = optionalField(learner, 'attributes');
  const attributes: Record<string, string> = {};
  if (attributesDoc && typeof attributesDoc === 'object') {
    for (const [key, value] of Object.entries(attributesDoc)) attributes[key] = String(value);
  }
  return {
    objective: objective as LogisticObjective,
    baseScore: Math.fround(baseScore),
    featureNames,
    trees,
    treeWeights,
    scalePosWeight: spw === undefined ? 1 : parseScalar(spw, 'scale_pos_weight', source),
    attributes,
  };
}

function readTree(doc: unknown, index: number, source: string): RegressionTree {
  const where = `${source} (tree ${index})`;
  const param = optionalField(doc, 'tree_param');
  const leafVector = param ? Number(optionalField(param, 'size_leaf_vector') ?? 0) : 0;
  if (leafVector > 1)
    throw new UserError(`${where} has vector leaves (multi-target); only single-output models are supported`);
  const left = Int32Array.from(arrayField(doc, 'left_children', where) as number[]);
  const n = left.length;
  const get = (name: string, required: boolean): number[] => {
    const value = required ? arrayField(doc, name, where) : optionalField(doc, name);
    const arr = Array.isArray(value) ? (value as unknown[]).map(Number) : new Array<number>(n).fill(0);
    if (arr.length !== n)
      throw new UserError(`${where} has ${arr.length} ${name} for ${n} nodes; the file is damaged, save it again`);
    return arr;
  };
  const splitType = get('split_type', false);
  if (splitType.some((t) => t !== 0)) {
    throw new UserError(`${where} has categorical splits; train with numeric features (enable_categorical=False)`);
  }
  const tree: RegressionTree = {
    left,
    right: Int32Array.from(get('right_children', true)),
    splitFeature: Int32Array.from(get('split_indices', true)),
    splitCondition: Float32Array.from(get('split_conditions', true)),
    defaultLeft: Uint8Array.from(get('default_left', true)),
    baseWeight: Float32Array.from(get('base_weights', false)),
    lossChange: Float32Array.from(get('loss_changes', false)),
    sumHessian: Float32Array.from(get('sum_hessian', false)),
  };
  // Walk from the root: every reachable node must be visited once (a cycle would hang scoring). Nodes that
  // XGBoost's pruner deleted are unreachable and ignored; their slots may be reused, so ids need not grow.
  const seen = new Uint8Array(n);
  const stack = n > 0 ? [0] : [];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const l = tree.left[i];
    const r = tree.right[i];
    const bad =
      seen[i] === 1 || (l === -1 ? r !== -1 : !(l >= 0 && l < n && r >= 0 && r < n) || tree.splitFeature[i] < 0);
    if (bad) throw new UserError(`${where} node ${i} has children ${l} and ${r}; the file is damaged, save it again`);
    seen[i] = 1;
    if (l !== -1) stack.push(l, r);
  }
  if (n === 0) throw new UserError(`${where} has no nodes; the file is damaged, save it again`);
  return tree;
}

function maxFeatureIndex(trees: readonly RegressionTree[]): number {
  let max = -1;
  for (const t of trees)
    for (let i = 0; i < t.left.length; i++) if (t.left[i] !== -1 && t.splitFeature[i] > max) max = t.splitFeature[i];
  return max;
}

/** XGBoost writes scalars as strings ("5E-1"), and XGBoost 3 wraps base_score in brackets ("[5E-1]"). */
function parseScalar(value: unknown, name: string, source: string): number {
  const text = String(value)
    .trim()
    .replace(/^\[(.*)\]$/, '$1');
  const n = Number(text);
  if (!Number.isFinite(n))
    throw new UserError(
      `${source} has ${name} ${JSON.stringify(value)}, which is not a number; the file is damaged, save it again`,
    );
  return n;
}

function optionalField(doc: unknown, name: string): unknown {
  return doc && typeof doc === 'object' ? (doc as Record<string, unknown>)[name] : undefined;
}

function field(doc: unknown, name: string, source: string): unknown {
  const value = optionalField(doc, name);
  if (value === undefined || value === null) {
    throw new UserError(
      `${source} has no "${name}" field, so it is not an XGBoost JSON model; save one with Booster.save_model("model.json")`,
    );
  }
  return value;
}

function stringField(doc: unknown, name: string, source: string): string {
  const value = field(doc, name, source);
  if (typeof value !== 'string')
    throw new UserError(
      `${source} has a non-string "${name}" (${JSON.stringify(value)}); the file is damaged, save it again`,
    );
  return value;
}

function arrayField(doc: unknown, name: string, source: string): unknown[] {
  const value = field(doc, name, source);
  if (!Array.isArray(value))
    throw new UserError(`${source} has a non-array "${name}"; the file is damaged, save it again`);
  return value;
}
