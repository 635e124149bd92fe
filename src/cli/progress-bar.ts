/** A one-line progress bar on a TTY (redrawn in place), or one line per update elsewhere (CI logs). */
import type { WriteStream } from 'node:tty';
import type { Writable } from 'node:stream';

export class ProgressBar {
  private line = '';
  private done = -1;
  private readonly tty: boolean;

  constructor(
    private readonly stream: Writable,
    private readonly width = 30,
  ) {
    this.tty = (stream as Partial<WriteStream>).isTTY === true;
  }

  update(done: number, total: number, note: string): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * this.width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)}`;
    const line = `${bar} ${done}/${total} ${note}`;
    if (line === this.line) return;
    const advanced = done !== this.done;
    this.line = line;
    this.done = done;
    if (this.tty) this.stream.write(`\r\x1b[2K${line}`);
    else if (advanced) this.stream.write(`${line}\n`);
  }

  /** Writes something else (a log line) without tearing the bar. */
  around(write: () => void): void {
    if (this.tty && this.line) this.stream.write('\r\x1b[2K');
    write();
    if (this.tty && this.line) this.stream.write(this.line);
  }

  finish(): void {
    if (this.tty && this.line) this.stream.write('\n');
    this.line = '';
  }
}
