// Types only: commander is loaded by the entry point.
import type { Command } from 'commander';
import { UsageError } from './errors';

/** Shells `slipway completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One command of the tree: its path, subcommands and long options (inherited ones included). */
interface Node {
  readonly path: string[];
  readonly subcommands: string[];
  readonly options: string[];
}

function walk(command: Command, path: string[], inherited: string[], out: Node[]): void {
  const own = command.options.map((o) => o.long).filter((l): l is string => Boolean(l));
  const options = [...new Set([...own, ...inherited, '--help'])].sort();
  const subs = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  out.push({ path, subcommands: subs.map((c) => c.name()), options });
  // Only the program's options are inherited by every command.
  const passDown = path.length === 0 ? own : inherited;
  for (const sub of subs) walk(sub, [...path, sub.name()], passDown, out);
}

/** The command tree as completion needs it. */
export function commandTree(program: Command): Node[] {
  const out: Node[] = [];
  walk(program, [], [], out);
  return out;
}

const shellWord = (s: string): string => (/^[A-Za-z0-9_.:/=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function bash(nodes: Node[], name: string): string {
  const entries = nodes.map((n) => `  [${shellWord(['_', ...n.path].join(' '))}]=${shellWord([...n.subcommands, ...n.options].join(' '))}`);
  return [
    `# ${name} completion for bash: source <(${name} completion bash), or save it in /etc/bash_completion.d/${name}`,
    `_${name}_complete() {`,
    `  local -A words=(`,
    ...entries,
    '  )',
    '  local key=_ i w',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w=${COMP_WORDS[i]}',
    '    [[ $w == -* ]] && continue',
    '    [[ -n ${words["$key $w"]+x} ]] && key="$key $w"',
    '  done',
    '  COMPREPLY=($(compgen -W "${words[$key]}" -- "${COMP_WORDS[COMP_CWORD]}"))',
    '}',
    `complete -o default -F _${name}_complete ${name}`,
    '',
  ].join('\n');
}

function zsh(nodes: Node[], name: string): string {
  return [`#compdef ${name}`, `# ${name} completion for zsh: source <(${name} completion zsh)`, 'autoload -U +X bashcompinit && bashcompinit', bash(nodes, name).split('\n').slice(1).join('\n')].join('\n');
}

function fish(nodes: Node[], name: string): string {
  const lines = [`# ${name} completion for fish: ${name} completion fish > ~/.config/fish/completions/${name}.fish`];
  for (const n of nodes) {
    const condition =
      n.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${shellWord(n.path[n.path.length - 1])}${n.path.length > 1 ? `; and __fish_seen_subcommand_from ${shellWord(n.path[n.path.length - 2])}` : ''}`;
    if (n.subcommands.length > 0) lines.push(`complete -c ${name} -f -n ${shellWord(condition)} -a ${shellWord(n.subcommands.join(' '))}`);
    for (const o of n.options) lines.push(`complete -c ${name} -n ${shellWord(condition)} -l ${shellWord(o.replace(/^--/, ''))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script of `program` for `shell`. @throws UsageError for another shell. */
export function completionScript(program: Command, shell: string): string {
  const nodes = commandTree(program);
  const name = program.name();
  if (shell === 'bash') return bash(nodes, name);
  if (shell === 'zsh') return zsh(nodes, name);
  if (shell === 'fish') return fish(nodes, name);
  throw new UsageError(`no completion for shell ${JSON.stringify(shell.slice(0, 20))}: use one of ${SHELLS.join(', ')}`);
}

/** Adds `completion bash|zsh|fish`. */
export function registerCompletionCommand(program: Command, write: (text: string) => void): void {
  program
    .command('completion <shell>')
    .description(`print the shell completion script (${SHELLS.join(', ')}), e.g. source <(slipway completion bash)`)
    .action((shell: string) => {
      write(completionScript(program, shell));
    });
}
