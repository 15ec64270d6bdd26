import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildProgram } from '../../../lib/cli/program';
import { completionScript } from '../../../lib/cli/completion';

const script = (shell: string) => completionScript(buildProgram(), shell);

/** Completes `words` (the last one being typed) with the bash script; returns COMPREPLY. */
function completeInBash(words: string[]): string[] {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'slipway-completion-')), 'slipway.bash');
  writeFileSync(file, script('bash'));
  const program = [
    `source ${file}`,
    `COMP_WORDS=(slipway ${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_slipway_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('slipway completion', () => {
  test('bash completes the commands', () => {
    expect(completeInBash(['s'])).toEqual(['schedules', 'scale', 'status', 'shell']);
  });

  test('bash completes subcommands and options, the inherited ones included', () => {
    expect(completeInBash(['config', ''])).toEqual(expect.arrayContaining(['list', 'get', 'set', 'unset', '--prefix', '--json']));
    expect(completeInBash(['config', 'list', 'example', '--'])).toEqual(expect.arrayContaining(['--show-values', '--profile', '--region', '--timeout']));
    expect(completeInBash(['watch', 'example', '--i'])).toEqual(['--interval']);
    expect(completeInBash(['redrive', 'example', '--a'])).toEqual(['--app']);
    expect(completeInBash(['ap'])).toEqual(['apps']);
  });

  test('zsh and fish scripts name every command', () => {
    const zsh = script('zsh');
    const fish = script('fish');

    expect(zsh.split('\n')[0]).toBe('#compdef slipway');
    for (const command of ['apps', 'local', 'db', 'config', 'schedules', 'scale', 'alarms', 'pipelines', 'status', 'redrive', 'deploy', 'rollback', 'watch', 'completion']) {
      expect(fish).toMatch(new RegExp(`-a '[^']*\\b${command}\\b`));
      expect(zsh).toContain(command);
    }
    expect(fish).toContain("complete -c slipway -n '__fish_seen_subcommand_from sql; and __fish_seen_subcommand_from db' -l params");
  });

  test('another shell is a usage error naming the ones there are', () => {
    expect(() => script('powershell')).toThrow('no completion for shell "powershell": use one of bash, zsh, fish');
  });
});
