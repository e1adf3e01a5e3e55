// A command's options, declared once in a table: the table is parseArgs' configuration and the
// text of `--help`, so the two cannot differ. A command is `defineCommand(spec, body)`: parsing,
// `--help` and the mistakes of parsing (exit 2, see program.ts) are handled here, the body gets the
// typed values.
import { parseArgs } from 'node:util';
import { intOption, UsageError } from './args';

/** What the user types: every usage line and hint names the program so. */
export const PROGRAM = 'session-stream';

/** Help text is wrapped at this many columns. */
const WIDTH = 100;

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What it does, for --help (its default is added from `default` or `whole`). */
  help: string;
  /** The value's placeholder (string options): N, FILE, ID. */
  value?: string;
  /** The values it takes, shown instead of a placeholder; checked with `choiceOption`. */
  choices?: readonly string[];
  /** The value when it is not given: parseArgs fills it in, --help shows it (unless false). */
  default?: string | boolean;
  /** A whole number in [min, max], `default` when not given; checked with `wholeOption`. */
  whole?: { min: number; max: number; default?: number };
  multiple?: boolean;
  /** The usage line shows it without brackets; the command says itself what is missing. */
  required?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionTable = OptionTable> {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The arguments besides the options, as the usage line shows them: `FILE|-`, `[DIR]`. */
  operands?: string;
  /** Whether arguments besides the options are parsed (default: when there are `operands`). */
  positionals?: boolean;
  /** `--` ends our options and the rest is handed on as it is (`run -- <agent command…>`). */
  passThrough?: boolean;
  /** Paragraphs between the usage line and the options. */
  about: string;
  options: O;
  /** Paragraphs after the options: environment, exit codes. */
  notes?: string;
}

const HELP_OPTION = { type: 'boolean', short: 'h' } as const;

/** parseArgs' own configuration of a table: only the keys it knows, and -h/--help. */
function parserOptions<O extends OptionTable>(options: O): O & { help: typeof HELP_OPTION } {
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string | boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  return { ...config, help: HELP_OPTION } as unknown as O & { help: typeof HELP_OPTION };
}

/** Parses `args` by the table; a mistake is a UsageError that names the option. */
export function parseCommand<const O extends OptionTable>(spec: CommandSpec<O>, args: string[]) {
  const split = spec.passThrough ? args.indexOf('--') : -1;
  const own = split >= 0 ? args.slice(0, split) : args;
  const rest = spec.passThrough && split >= 0 ? args.slice(split + 1) : [];
  try {
    const { values, positionals } = parseArgs({ args: own, options: parserOptions(spec.options), allowPositionals: spec.positionals ?? spec.operands !== undefined, strict: true });
    return { values, positionals, rest };
  } catch (error) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION; its messages name the option.
    if (((error as { code?: string }).code ?? '').startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The value of a string option with `choices`, or a UsageError that lists them. */
export function choiceOption<O extends OptionTable, K extends keyof O & string>(spec: CommandSpec<O>, name: K, raw: string): NonNullable<O[K]['choices']>[number] {
  const choices = spec.options[name]?.choices ?? [];
  if (!choices.includes(raw)) throw new UsageError(`--${name} must be ${orList(choices)}, got "${raw}"`);
  return raw;
}

/** The value of a whole-number option (`whole`): its default when not given, else a UsageError for anything out of range. */
export function wholeOption<O extends OptionTable>(spec: CommandSpec<O>, name: keyof O & string, raw: string | undefined): number {
  const whole = spec.options[name]?.whole;
  if (!whole || (raw === undefined && whole.default === undefined)) throw new Error(`--${name} is not a whole-number option with a default`);
  return intOption(`--${name}`, raw, whole.default ?? 0, whole.min, whole.max);
}

/** The option as the usage line and the option list show it: `--format auto|codex`, `--title T`, `--json`. */
function flag(name: string, o: OptionSpec): string {
  if (o.type === 'boolean') return `--${name}`;
  return `--${name} ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}`;
}

function describe(o: OptionSpec): string {
  const fallback = o.whole?.default ?? (typeof o.default === 'string' ? o.default : undefined);
  return fallback === undefined ? o.help : `${o.help} (default ${fallback})`;
}

/** Words of `text` in lines of at most `width` columns, each after `indent` (the first after `first`). */
function wrap(text: string, width: number, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Prose re-wrapped to the width; indented lines (examples, lists) are kept as written. */
function reflow(text: string): string {
  const out: string[] = [];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length > 0) out.push(...wrap(prose.join(' '), WIDTH, ''));
    prose = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^\s/.test(line)) {
      flush();
      out.push(line);
    } else prose.push(line);
  }
  flush();
  return out.join('\n');
}

/** `Usage: session-stream tail --session ID [--json] …`, wrapped under the command's name. */
export function usageLine(spec: CommandSpec): string {
  const head = `Usage: ${PROGRAM} ${spec.name}`;
  const parts = Object.entries(spec.options).map(([name, o]) => (o.required ? flag(name, o) : `[${flag(name, o)}]`));
  if (spec.operands) parts.push(spec.operands);
  // An option's brackets stay on one line: wrap on the spaces between parts only.
  const lines: string[] = [];
  let line = head;
  for (const part of parts) {
    if (line.length + 1 + part.length > WIDTH && line !== head) {
      lines.push(line);
      line = ' '.repeat(head.length);
    }
    line += ` ${part}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The whole `--help` of a command: usage line, what it does, every option of its table, notes. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => ({ flag: flag(name, o), text: describe(o) }));
  const column = Math.min(24, Math.max(0, ...rows.map((r) => r.flag.length)) + 2);
  const options = rows.flatMap((r) => {
    const head = `  ${r.flag}`;
    const indent = ' '.repeat(column + 2);
    return head.length + 1 > indent.length ? [head, ...wrap(r.text, WIDTH, indent)] : wrap(r.text, WIDTH, indent, head.padEnd(indent.length));
  });
  return [usageLine(spec), '', reflow(spec.about), ...(rows.length > 0 ? ['', 'Options:', ...options] : []), ...(spec.notes ? ['', reflow(spec.notes)] : [])].join('\n');
}

/** What a command writes besides its own output (its help), and where mistakes go. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_IO: CliIo = { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) };

export interface CliCommand {
  name: string;
  summary: string;
  /** The option table; `stack` has none of ours (its options are the local stack's own). */
  spec?: CommandSpec;
  run(args: string[], io: CliIo): Promise<number>;
}

type Parsed<O extends OptionTable> = ReturnType<typeof parseCommand<O>>;

/**
 * A command from its table and its body: `--help` prints the table's help, the body gets the typed
 * values. `before` sees the arguments as given, before parsing (whose messages repeat them).
 */
export function defineCommand<const O extends OptionTable>(spec: CommandSpec<O>, body: (parsed: Parsed<O>) => Promise<number>, before?: (args: readonly string[]) => void): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    spec,
    run: async (args, io) => {
      before?.(args);
      const parsed = parseCommand(spec, args);
      if ((parsed.values as { help?: boolean }).help) {
        io.out(`${helpText(spec)}\n`);
        return 0;
      }
      return body(parsed);
    },
  };
}
