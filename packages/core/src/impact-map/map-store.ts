import { errorMessage } from '../errors/index.ts';
import { NewerSchemaError, readJsonDocument, writeJsonDocument, type Store } from '../store/index.ts';
import { IMPACT_MAP_KEY, IMPACT_MAP_SCHEMA, type ImpactMap } from './map-format.ts';

/** Writes the map to the store (atomically, like every store document). */
export async function saveImpactMap(store: Store, map: ImpactMap): Promise<void> {
  await writeJsonDocument(store, IMPACT_MAP_KEY, map);
}

/**
 * Reads the map for selection. A missing map is `{}`; an unreadable or newer one is `{ problem }`: selection then
 * falls back to the static rules with a warning instead of failing the job.
 */
export async function loadImpactMap(store: Store): Promise<{ map?: ImpactMap; problem?: string }> {
  try {
    const map = await readJsonDocument<ImpactMap>(store, IMPACT_MAP_KEY, IMPACT_MAP_SCHEMA);
    if (!map) return {};
    if (typeof map.commit !== 'string' || !Array.isArray(map.modules) || !Array.isArray(map.tests)) {
      return {
        problem: `${store.description}/${IMPACT_MAP_KEY} is not an impact map (missing commit, modules or tests)`,
      };
    }
    return { map };
  } catch (error) {
    if (error instanceof NewerSchemaError) return { problem: error.message };
    return { problem: `${store.description}/${IMPACT_MAP_KEY} cannot be read: ${errorMessage(error)}` };
  }
}
