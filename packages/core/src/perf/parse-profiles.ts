import { readFile } from 'node:fs/promises';
import { InputError, UserError } from '../errors/index.ts';

/** One function in a profile. `line` is where the profile saw it (def line or current line, tool-dependent). */
export interface ProfileFrame {
  name: string;
  file?: string;
  line?: number;
}

/** A CPU profile reduced to weighted stacks: what every format shares. */
export interface CpuProfile {
  format: 'speedscope' | 'collapsed' | 'cpuprofile';
  source: string;
  frames: ProfileFrame[];
  /** Each stack lists frame indices from the root to the leaf; `weight` is samples or time. */
  stacks: { frames: number[]; weight: number }[];
  /** What a weight unit is: `samples`, `seconds`, `milliseconds`, `microseconds`, `nanoseconds`. */
  unit: string;
}

/** Reads a CPU profile, detecting the format: speedscope JSON, collapsed stacks or a V8 .cpuprofile. */
export async function readProfileFile(file: string): Promise<CpuProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read profile '${file}': ${(error as Error).message}. Check the path.`);
  }
  return parseProfileText(text, file);
}

/** Parses profile text; `source` names the file in error messages. */
export function parseProfileText(text: string, source: string): CpuProfile {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new UserError(`Profile '${source}' looks like JSON but does not parse: ${(error as Error).message}.`);
    }
    const record = (data ?? {}) as Record<string, unknown>;
    if (typeof record.$schema === 'string' && record.$schema.includes('speedscope'))
      return parseSpeedscope(record, source);
    if (Array.isArray(record.nodes)) return parseCpuprofile(record, source);
    throw new UserError(
      `Profile '${source}' is JSON in an unknown format. Expected speedscope JSON (py-spy record -f speedscope) ` +
        `or a V8 .cpuprofile (an object with 'nodes'); collapsed stacks are plain text.`,
    );
  }
  return parseCollapsed(text, source);
}

// py-spy writes `name (file.py:12)`; other folders write just the name.
const FRAME_WITH_LOCATION = /^(.*?) \(([^()]*?)(?::(\d+))?\)$/;

function parseCollapsed(text: string, source: string): CpuProfile {
  const frames: ProfileFrame[] = [];
  const index = new Map<string, number>();
  const stacks: CpuProfile['stacks'] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const space = line.lastIndexOf(' ');
    const count = Number(line.slice(space + 1));
    if (space <= 0 || !Number.isFinite(count) || count < 0) {
      throw new UserError(
        `Profile '${source}' line ${lineIndex + 1} is not a collapsed stack ('frame;frame;frame COUNT'): '${line.slice(0, 120)}'. ` +
          'Expected speedscope JSON, a V8 .cpuprofile, or folded stacks (py-spy -f raw).',
      );
    }
    const ids = line
      .slice(0, space)
      .split(';')
      .filter((part) => part !== '')
      .map((part) => {
        let id = index.get(part);
        if (id === undefined) {
          id = frames.length;
          index.set(part, id);
          frames.push(parseFrameText(part));
        }
        return id;
      });
    if (ids.length > 0 && count > 0) stacks.push({ frames: ids, weight: count });
  });
  if (stacks.length === 0) throw new UserError(`Profile '${source}' holds no samples. Profile a longer run.`);
  return { format: 'collapsed', source, frames, stacks, unit: 'samples' };
}

function parseFrameText(text: string): ProfileFrame {
  const match = FRAME_WITH_LOCATION.exec(text);
  if (!match) return { name: text };
  return { name: match[1], file: match[2] || undefined, line: match[3] ? Number(match[3]) : undefined };
}

function parseSpeedscope(data: Record<string, unknown>, source: string): CpuProfile {
  const shared = data.shared as { frames?: unknown } | undefined;
  if (!shared || !Array.isArray(shared.frames)) {
    throw new UserError(
      `Speedscope profile '${source}' has no 'shared.frames' list. Re-export it with py-spy or speedscope.`,
    );
  }
  const frames = shared.frames.map((frame, i): ProfileFrame => {
    const f = frame as Record<string, unknown>;
    if (typeof f?.name !== 'string')
      throw new UserError(`Speedscope profile '${source}': shared.frames[${i}] has no name.`);
    return {
      name: f.name,
      file: typeof f.file === 'string' ? f.file : undefined,
      line: typeof f.line === 'number' ? f.line : undefined,
    };
  });
  const profiles = data.profiles;
  if (!Array.isArray(profiles) || profiles.length === 0) {
    throw new UserError(`Speedscope profile '${source}' has no 'profiles'. It holds no samples.`);
  }
  const stacks: CpuProfile['stacks'] = [];
  let unit = 'samples';
  profiles.forEach((profile, p) => {
    const record = profile as Record<string, unknown>;
    const where = `Speedscope profile '${source}': profiles[${p}]`;
    if (typeof record.unit === 'string' && record.unit !== 'none') unit = record.unit;
    const checkFrame = (id: unknown): number => {
      if (typeof id !== 'number' || id < 0 || id >= frames.length)
        throw new UserError(`${where} refers to frame ${String(id)}, which does not exist.`);
      return id;
    };
    if (record.type === 'sampled') {
      const samples = record.samples;
      const weights = record.weights;
      if (!Array.isArray(samples) || !Array.isArray(weights) || samples.length !== weights.length) {
        throw new UserError(
          `${where} is 'sampled' but its 'samples' and 'weights' lists are missing or of different lengths.`,
        );
      }
      samples.forEach((stack, i) => {
        if (!Array.isArray(stack)) throw new UserError(`${where}.samples[${i}] is not a list of frame indices.`);
        stacks.push({ frames: stack.map(checkFrame), weight: Number(weights[i]) || 0 });
      });
    } else if (record.type === 'evented') {
      const events = record.events;
      if (!Array.isArray(events)) throw new UserError(`${where} is 'evented' but has no 'events' list.`);
      const open: number[] = [];
      let last = typeof record.startValue === 'number' ? record.startValue : 0;
      for (const event of events as { type: string; frame: number; at: number }[]) {
        if (open.length > 0 && event.at > last) stacks.push({ frames: [...open], weight: event.at - last });
        last = event.at;
        if (event.type === 'O') open.push(checkFrame(event.frame));
        else if (event.type === 'C') open.pop();
        else throw new UserError(`${where} has an event of type '${event.type}'; expected 'O' or 'C'.`);
      }
    } else {
      throw new UserError(`${where} has type '${String(record.type)}'; expected 'sampled' or 'evented'.`);
    }
  });
  return { format: 'speedscope', source, frames, stacks, unit };
}

function parseCpuprofile(data: Record<string, unknown>, source: string): CpuProfile {
  const nodes = data.nodes as Record<string, unknown>[];
  const frames: ProfileFrame[] = [];
  const frameIndex = new Map<string, number>();
  const nodeFrame = new Map<number, number>();
  const parent = new Map<number, number>();
  nodes.forEach((node, i) => {
    const callFrame = node?.callFrame as Record<string, unknown> | undefined;
    if (typeof node?.id !== 'number' || !callFrame || typeof callFrame.functionName !== 'string') {
      throw new UserError(
        `V8 profile '${source}': nodes[${i}] lacks an 'id' or a 'callFrame.functionName'. Is it a complete .cpuprofile?`,
      );
    }
    const name = callFrame.functionName || '(anonymous)';
    const file = typeof callFrame.url === 'string' && callFrame.url !== '' ? callFrame.url : undefined;
    // V8 numbers lines from 0.
    const line =
      typeof callFrame.lineNumber === 'number' && callFrame.lineNumber >= 0 ? callFrame.lineNumber + 1 : undefined;
    const key = `${name}\0${file ?? ''}\0${line ?? ''}`;
    let id = frameIndex.get(key);
    if (id === undefined) {
      id = frames.length;
      frameIndex.set(key, id);
      frames.push({ name, file, line });
    }
    nodeFrame.set(node.id, id);
    for (const child of (node.children as number[] | undefined) ?? []) parent.set(child, node.id);
  });
  const stackOf = (nodeId: number): number[] => {
    const stack: number[] = [];
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const frame = frames[nodeFrame.get(id)!];
      // The synthetic root carries no time of its own.
      if (frame && frame.name !== '(root)') stack.push(nodeFrame.get(id)!);
    }
    return stack.reverse();
  };
  const weights = new Map<number, number>();
  const samples = data.samples as unknown[] | undefined;
  const deltas = data.timeDeltas as unknown[] | undefined;
  let unit = 'samples';
  if (Array.isArray(samples) && samples.length > 0) {
    const timed = Array.isArray(deltas) && deltas.length === samples.length;
    if (timed) unit = 'microseconds';
    samples.forEach((nodeId, i) => {
      if (!nodeFrame.has(nodeId as number))
        throw new UserError(
          `V8 profile '${source}': samples[${i}] names node ${String(nodeId)}, which does not exist.`,
        );
      // A sample lasts until the next one; the last one gets the average interval.
      const weight = timed ? Number(deltas![i + 1] ?? averageOf(deltas as number[])) : 1;
      weights.set(nodeId as number, (weights.get(nodeId as number) ?? 0) + Math.max(0, weight));
    });
  } else {
    for (const node of nodes)
      if (typeof node.hitCount === 'number' && node.hitCount > 0) weights.set(node.id as number, node.hitCount);
  }
  const stacks = [...weights.entries()]
    .map(([nodeId, weight]) => ({ frames: stackOf(nodeId), weight }))
    .filter((s) => s.frames.length > 0 && s.weight > 0);
  if (stacks.length === 0) throw new UserError(`V8 profile '${source}' holds no samples. Profile a longer run.`);
  return { format: 'cpuprofile', source, frames, stacks, unit };
}

function averageOf(values: number[]): number {
  return values.length === 0 ? 1 : values.reduce((sum, v) => sum + Number(v), 0) / values.length;
}
