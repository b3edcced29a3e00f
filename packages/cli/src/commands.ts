import type { CliEntry } from '@ci-optimizer/core/runtime';
import { reportCommand } from '@ci-optimizer/core/report';
import metadata from 'virtual:action-metadata';

/** Every action the CLI offers, with its action.yml text (inputs, defaults, help). Add new actions here. */
export const commands = [reportCommand];

/** The CLI entries: each command paired with its action.yml, embedded at bundle time. */
export function cliEntries(): CliEntry[] {
  return commands.map((command) => {
    const actionYml = metadata[command.name];
    if (actionYml === undefined) throw new Error(`No action.yml bundled for '${command.name}' (expected actions/${command.name}/action.yml).`);
    return { command, actionYml };
  });
}
