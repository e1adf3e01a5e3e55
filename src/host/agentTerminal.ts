// A VS Code terminal that runs `session-stream run -- <agent…>` (the bundled command line, in
// Node): what it prints is shown as it comes, Ctrl-C stops the agent as in any terminal, typed
// lines go to it, and when it ends the terminal says how and stays open until a key is pressed.
// The session id it prints is handed to `onSession` (to open its timeline).
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

export interface RunTerminalOptions {
  /** The node binary and the command line's script. */
  node: string;
  cli: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  onSession(sessionId: string): void;
  onExit?(code: number | null): void;
  /** Everything the terminal shows, as it is shown. */
  onOutput?(text: string): void;
}

/** Text for a terminal: its lines end in CR LF. */
export const forTerminal = (text: string) => text.replace(/\r?\n/g, '\r\n');

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private show(text: string): void {
    this.written.fire(text);
    this.o.onOutput?.(text);
  }
  private child: ChildProcess | undefined;
  private ended = false;
  private stdoutRest = '';
  private typed = '';

  constructor(private readonly o: RunTerminalOptions) {}

  open(): void {
    const child = (this.child = spawn(this.o.node, [this.o.cli, ...this.o.args], { cwd: this.o.cwd, env: this.o.env, stdio: ['pipe', 'pipe', 'pipe'] }));
    child.stdout!.on('data', (chunk: Buffer) => this.stdout(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => this.show(forTerminal(chunk.toString('utf8'))));
    child.on('error', (error) => this.end(`Could not start the command line: ${error.message}`, null));
    child.on('close', (code, signal) => this.end(code === 0 ? 'The run ended.' : `The run ended with ${code !== null ? `exit code ${code}` : `signal ${signal}`}.`, code));
  }

  private stdout(text: string): void {
    this.show(forTerminal(text));
    const lines = (this.stdoutRest + text).split('\n');
    this.stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      const id = /^SESSION_ID=([0-9a-f-]{36})\s*$/.exec(line)?.[1];
      if (id) this.o.onSession(id);
    }
  }

  private end(message: string, code: number | null): void {
    if (this.ended) return;
    this.ended = true;
    this.show(`\r\n\x1b[2m${message} Press any key to close this terminal.\x1b[0m\r\n`);
    this.o.onExit?.(code);
  }

  handleInput(data: string): void {
    if (this.ended) return this.closed.fire();
    if (data === '\x03') {
      this.written.fire('^C\r\n');
      this.child?.kill('SIGINT');
      return;
    }
    // A line editor of the simplest kind: echo, backspace, Enter sends the line to the agent.
    for (const ch of data) {
      if (ch === '\r') {
        this.written.fire('\r\n');
        this.child?.stdin?.write(`${this.typed}\n`);
        this.typed = '';
      } else if (ch === '\x7f') {
        if (this.typed) {
          this.typed = this.typed.slice(0, -1);
          this.written.fire('\b \b');
        }
      } else if (ch >= ' ') {
        this.typed += ch;
        this.written.fire(ch);
      }
    }
  }

  close(): void {
    // The terminal was closed while the run goes on: stop the agent as Ctrl-C would.
    if (!this.ended) this.child?.kill('SIGINT');
    this.written.dispose();
    this.closed.dispose();
  }
}
