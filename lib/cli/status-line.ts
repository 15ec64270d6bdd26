import { escapeForTerminal } from '../ops/terminal';
import type { CallsInFlight } from '../ops/calls';

/** Where the status line is written: process.stderr, or a test's fake. */
export interface StatusStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * The one live line at the bottom of a terminal: a follow command's progress and the "waiting for AWS"
 * spinner, rewritten in place. On a pipe there is no live line: progress lines are written as lines
 * and the spinner writes nothing.
 */
export class StatusLine {
  private progressText = '';
  private spinnerText = '';
  private shown = false;

  public constructor(private readonly stream: StatusStream) {}

  /** Whether the stream is a terminal (a live line can be rewritten). */
  public get live(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** A follow command's progress: rewritten in place on a terminal, one line each on a pipe. */
  public progress(line: string): void {
    if (!this.live) {
      this.stream.write(`${escapeForTerminal(line)}\n`);
      return;
    }
    this.progressText = line;
    this.render();
  }

  /** The spinner part of the line (undefined removes it). Terminal only. */
  public spinner(text: string | undefined): void {
    if (!this.live || (text ?? '') === this.spinnerText) return;
    this.spinnerText = text ?? '';
    this.render();
  }

  /**
   * Called before any other output: a progress line stays on screen as history (ended by a newline),
   * a spinner alone is wiped.
   */
  public beforeOutput(): void {
    if (!this.shown) return;
    this.stream.write(this.progressText ? '\n' : CLEAR_LINE);
    this.shown = false;
    this.progressText = '';
    this.spinnerText = '';
  }

  /** Wipes the line (Ctrl-C, the deadline). */
  public clear(): void {
    if (this.shown) this.stream.write(CLEAR_LINE);
    this.shown = false;
    this.progressText = '';
    this.spinnerText = '';
  }

  private render(): void {
    const text = escapeForTerminal([this.progressText, this.spinnerText].filter(Boolean).join('  '));
    // A terminal that reports no size (columns 0, e.g. a bare pseudo-terminal) gets 120.
    this.stream.write(`${CLEAR_LINE}${text.slice(0, Math.max(10, (this.stream.columns || 120) - 1))}`);
    this.shown = text.length > 0;
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Options of {@link startSpinner}. */
export interface SpinnerOptions {
  /** A call shows the spinner once it has waited this long. @default 1000 */
  readonly delayMs?: number;
  /** Frame interval. @default 100 */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Starts the ticking; tests pass a function that never ticks and call `tick` themselves. */
  readonly every?: (fn: () => void, ms: number) => () => void;
}

const realEvery = (fn: () => void, ms: number): (() => void) => {
  const timer = setInterval(fn, ms);
  // The spinner never keeps a finished command alive.
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Shows "⠋ waiting for Step Functions DescribeExecution (3 s)" on the status line while an AWS call
 * has taken longer than `delayMs`; removes it when the calls end. Returns `tick` (one frame) and
 * `stop`.
 */
export function startSpinner(line: StatusLine, calls: CallsInFlight, options: SpinnerOptions = {}): { tick: () => void; stop: () => void } {
  const delay = options.delayMs ?? 1000;
  const now = options.now ?? Date.now;
  let frame = 0;
  const tick = () => {
    const oldest = calls.oldest();
    const waited = oldest ? now() - oldest.startedAt : 0;
    if (!oldest || waited < delay) {
      line.spinner(undefined);
      return;
    }
    line.spinner(`${FRAMES[frame++ % FRAMES.length]} waiting for ${oldest.label} (${Math.floor(waited / 1000)} s)`);
  };
  const cancel = (options.every ?? realEvery)(tick, options.intervalMs ?? 100);
  return {
    tick,
    stop: () => {
      cancel();
      line.spinner(undefined);
    },
  };
}
