/** Every command's --help: an option's default is said once (commander appends "(default: …)"). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.js';

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

test('no option description repeats the default that commander appends after it', () => {
  const program = new Command('prnet');
  for (const register of COMMANDS) register(program);
  const repeated: string[] = [];
  for (const command of allCommands(program)) {
    for (const option of command.options) {
      if (option.defaultValue === undefined || option.defaultValueDescription !== undefined) continue;
      if (new RegExp(`\\bdefault:? ${String(option.defaultValue).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(option.description)) {
        repeated.push(`prnet ${command.name()} ${option.flags}: ${option.description}`);
      }
    }
  }
  assert.deepEqual(repeated, []);
});
