import type { StateStore } from '../contract/index.ts';
import { State } from './constants.ts';

/** What restore learned that save needs: the key asked for and the key found ('' on a miss). */
export interface CacheState {
  primaryKey: string;
  matchedKey: string;
}

/**
 * actions/cache's state-provider idea: the combined action carries restore's findings to its post step; the
 * restore-only and save-only actions carry nothing (restore's findings are outputs, save reads its key from inputs).
 * One restore and one save implementation serve all three actions.
 */
export interface CacheStateProvider {
  remember(state: CacheState): void;
  recall(): Partial<CacheState>;
}

/** Keeps state between the combined action's main and post steps (GITHUB_STATE). */
export function stepStateProvider(store: StateStore): CacheStateProvider {
  return {
    remember(state) {
      store.save(State.PrimaryKey, state.primaryKey);
      store.save(State.MatchedKey, state.matchedKey);
    },
    recall() {
      return {
        primaryKey: store.get(State.PrimaryKey) || undefined,
        matchedKey: store.get(State.MatchedKey) || undefined,
      };
    },
  };
}

/** For the sub-actions: nothing is carried. */
export const noStateProvider: CacheStateProvider = {
  remember() {},
  recall() {
    return {};
  },
};
