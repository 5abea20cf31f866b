import { runCli } from './io.js';

/** A `metrix …` command as a document shows it: where, and its words after "metrix". */
export interface ShownCommand {
  readonly where: string;
  readonly words: readonly string[];
}

/**
 * The metrix commands a Markdown text shows: every `metrix …` (or `…/metrix.js …`) in a fenced
 * code block, up to a comment or redirection, and every inline code span that starts with
 * `metrix `. Syntax marks ([ ] ( ) …, and \| in tables) are dropped; alternatives stay joined by |.
 */
export function shownCommands(markdown: string): ShownCommand[] {
  const found: ShownCommand[] = [];
  let inBlock = false;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      return;
    }
    const pattern = inBlock ? /(?:^|[\s/])metrix(?:\.js)? ([^#>\n]*)/g : /`metrix ([^`]*)`/g;
    for (const match of line.matchAll(pattern)) found.push({ where: `line ${index + 1}: metrix ${match[1]!.trim()}`, words: words(match[1]!) });
  });
  return found;
}

function words(text: string): string[] {
  return text
    .replace(/\\\|/g, '|')
    .split(/\s+/)
    .map((word) => word.replace(/^[[(]+/, '').replace(/[\])…,]+$/, ''))
    .filter((word) => word !== '' && word !== '|');
}

interface Help {
  readonly commands: readonly string[];
  readonly takesArgument: boolean;
  /** Option name -> whether it takes a value, and its choices when it lists them. */
  readonly options: ReadonlyMap<string, { readonly value: boolean; readonly choices?: readonly string[] }>;
}

/** What `metrix PATH… --help` says: subcommands, whether it takes an argument, options. */
async function helpOf(path: readonly string[]): Promise<Help> {
  const text = (await runCli('/', [...path, '--help'])).stdout;
  const section = (title: string): string => text.split(`\n${title}:\n`)[1]?.split(/\n\n|\n\w+:\n/)[0] ?? '';
  const commands = [...section('Commands').matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!);
  const options = new Map<string, { value: boolean; choices?: string[] }>();
  // One entry per option: its line and the wrapped lines of its description below it.
  for (const entry of section('Options').split(/\n(?= {2}-)/)) {
    const match = /^ {2}((?:-\w, )?--?[\w-]+)( <\w+>)?/.exec(entry);
    if (!match) continue;
    const choices = /\(choices: ([^)]*?)(?:, default|\))/.exec(entry.replace(/\s+/g, ' '))?.[1];
    for (const name of match[1]!.split(', ')) {
      options.set(name, { value: match[2] !== undefined, ...(choices ? { choices: [...choices.matchAll(/"([^"]*)"/g)].map((c) => c[1]!) } : {}) });
    }
  }
  const usage = /^Usage: (.*)$/m.exec(text)?.[1] ?? '';
  return { commands, options, takesArgument: /<\w+>|\[\w+\]$/.test(usage.replace(/\[options\]|\[command\]/g, '')) };
}

/** What in a shown command the CLI does not have: unknown commands, options or choices, stray arguments. */
export async function commandProblems(command: ShownCommand): Promise<string[]> {
  const problems: string[] = [];
  const path: string[] = [];
  let help = await helpOf(path);
  let i = 0;
  for (; i < command.words.length && !command.words[i]!.startsWith('-'); i++) {
    if (!help.commands.includes(command.words[i]!)) break;
    path.push(command.words[i]!);
    help = await helpOf(path);
  }
  const name = ['metrix', ...path].join(' ');
  if (help.commands.length > 0 && path.length > 0) problems.push(`${name}: needs a subcommand (${help.commands.join(', ')})`);
  let argument = help.takesArgument;
  for (; i < command.words.length; i++) {
    const word = command.words[i]!;
    const option = help.options.get(word);
    if (word.startsWith('-') && option === undefined) {
      problems.push(`${name}: no option ${word}`);
      if (command.words[i + 1]?.startsWith('-') === false) i++; // its value, most likely
    } else if (word.startsWith('-') && option?.value) {
      const value = command.words[++i];
      const unknown = value?.split('|').filter((v) => option.choices && !option.choices.includes(v)) ?? [];
      if (unknown.length > 0) problems.push(`${name}: ${word} does not take ${unknown.join(', ')} (choices: ${option.choices!.join(', ')})`);
    } else if (!word.startsWith('-')) {
      if (argument) argument = false;
      else problems.push(path.length === 0 ? `metrix: no command ${word}` : `${name}: unexpected argument ${word}`);
    }
  }
  return problems;
}
