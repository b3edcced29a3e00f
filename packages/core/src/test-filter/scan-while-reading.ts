import type { GitObjectReader } from '../git/index.ts';

/** The sources of a build and the scans already made of them (`readAndScan`). */
export interface ReadSources<F> {
  /** The text of each blob, in the order of the ids asked ('' for one the clone does not have). */
  texts: string[];
  /**
   * The facts of each blob that was to be scanned: its scan, or its full analysis when the scan left it to that and
   * `analyze` reached it (undefined: it still needs the full analysis, or was not to be scanned).
   */
  scanned: Array<F | undefined>;
}

/**
 * Reads the blobs of a build and scans each one (`scan`, for those `toScan` marks) as git hands it over, instead of
 * once all are read: git's reading of the next blobs (a process of its own) then overlaps the scanning of those
 * already here, which are mostly what a cold build does on its own thread. The scans start once `ready` has resolved
 * (the scan may parse a doctest example, which needs the parser); blobs read before then wait for it. A blob asked
 * twice (two files with the same content) is read once, and scanned when any of its files is to be. The answer is the
 * texts and scans a read of all the blobs followed by a scan of each would give; a failed read or `ready` rejects.
 *
 * With `analyze`, a blob the scan leaves to the full analysis is analysed here, one at a time, between git's answers
 * (`setImmediate`: the answers already here are handled first), while the reading lasts: time the build would
 * otherwise spend waiting for git. Its `scanned` entry is then the analysis; the ones not reached are undefined as
 * before (the caller analyses them, on every core).
 */
export async function readAndScan<F>(
  objects: Pick<GitObjectReader, 'read'>,
  ids: readonly string[],
  scan: (source: string) => F | undefined,
  toScan: readonly boolean[],
  ready: Promise<unknown> | undefined,
  analyze?: (source: string) => F,
): Promise<ReadSources<F>> {
  const scanIds = new Set(ids.filter((_, index) => toScan[index]));
  const texts = new Map<string, string>();
  const scans = new Map<string, F | undefined>();
  let started = ready === undefined;
  const waiting: string[] = [];
  // Files the scan left to the full analysis, analysed one at a time between git's answers while reading lasts.
  const toAnalyze: string[] = [];
  let reading = true;
  let stepping = false;
  const step = () => {
    stepping = false;
    const id = reading ? toAnalyze.shift() : undefined;
    if (id === undefined) return;
    scans.set(id, analyze!(texts.get(id) ?? ''));
    if (toAnalyze.length) {
      stepping = true;
      setImmediate(step);
    }
  };
  const scanOne = (id: string) => {
    const facts = scan(texts.get(id) ?? '');
    scans.set(id, facts);
    if (facts !== undefined || !analyze) return;
    toAnalyze.push(id);
    if (!stepping) {
      stepping = true;
      setImmediate(step);
    }
  };
  const arrived = (id: string, text: string | undefined) => {
    if (text !== undefined) texts.set(id, text);
    if (!scanIds.has(id)) return;
    if (started) scanOne(id);
    else waiting.push(id);
  };
  await Promise.all([
    ...[...new Set(ids)].map((id) =>
      objects.read(id).then((object) => arrived(id, object?.type === 'blob' ? object.text : undefined)),
    ),
    ready?.then(() => {
      started = true;
      for (const id of waiting.splice(0)) scanOne(id);
    }),
  ]);
  reading = false;
  return {
    texts: ids.map((id) => texts.get(id) ?? ''),
    scanned: ids.map((id, index) => (toScan[index] ? scans.get(id) : undefined)),
  };
}
