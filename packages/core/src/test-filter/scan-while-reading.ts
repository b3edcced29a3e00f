import type { GitObjectReader } from '../git/index.ts';

/** The sources of a build and the scans already made of them (`readAndScan`). */
export interface ReadSources<F> {
  /** The text of each blob, in the order of the ids asked ('' for one the clone does not have). */
  texts: string[];
  /** The scan of each blob that was to be scanned (undefined: it needs the full analysis, or was not to be scanned). */
  scanned: Array<F | undefined>;
}

/**
 * Reads the blobs of a build and scans each one (`scan`, for those `toScan` marks) as git hands it over, instead of
 * once all are read: git's reading of the next blobs (a process of its own) then overlaps the scanning of those
 * already here, which are mostly what a cold build does on its own thread. The scans start once `ready` has resolved
 * (the scan may parse a doctest example, which needs the parser); blobs read before then wait for it. A blob asked
 * twice (two files with the same content) is read once, and scanned when any of its files is to be. The answer is the
 * texts and scans a read of all the blobs followed by a scan of each would give; a failed read or `ready` rejects.
 */
export async function readAndScan<F>(
  objects: Pick<GitObjectReader, 'read'>,
  ids: readonly string[],
  scan: (source: string) => F | undefined,
  toScan: readonly boolean[],
  ready: Promise<unknown> | undefined,
): Promise<ReadSources<F>> {
  const scanIds = new Set(ids.filter((_, index) => toScan[index]));
  const texts = new Map<string, string>();
  const scans = new Map<string, F | undefined>();
  let started = ready === undefined;
  const waiting: string[] = [];
  const scanOne = (id: string) => scans.set(id, scan(texts.get(id) ?? ''));
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
  return {
    texts: ids.map((id) => texts.get(id) ?? ''),
    scanned: ids.map((id, index) => (toScan[index] ? scans.get(id) : undefined)),
  };
}
