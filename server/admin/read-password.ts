// Passwords for `parley user add|passwd` when --password is not given: typed at a terminal without echo (asked
// twice), or one line read from standard input when it is a pipe or a file.
import { UserFacingError } from '../core/user-error.js';

export class PasswordInputError extends UserFacingError {}

type Input = NodeJS.ReadStream;
type Output = NodeJS.WritableStream;

/** Read one line (without its line ending) from a non-terminal stream; '' at end of input. */
export function readLine(input: Input): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const finish = (line: string): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      resolve(line.replace(/\r$/, ''));
    };
    const onData = (chunk: string | Buffer): void => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) finish(buffer.slice(0, nl));
    };
    const onEnd = (): void => finish(buffer);
    const onError = (err: Error): void => reject(new PasswordInputError(`Cannot read the password from standard input (${err.message}).`));
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** Read a password at a terminal without echoing it. Ctrl-C or Ctrl-D on an empty line cancels. */
export function readHidden(prompt: string, input: Input, output: Output): Promise<string> {
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    // Raw mode (no echo) before the prompt, so that nothing typed after seeing the prompt is echoed.
    input.setRawMode(true);
    output.write(prompt);
    const done = (err: Error | null): void => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(chars.join(''));
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of chunk.toString()) {
        switch (ch) {
          case '\r':
          case '\n':
            done(null);
            return;
          case '\u0003':
            done(new PasswordInputError('Cancelled; nothing was changed.'));
            return;
          case '\u0004':
            if (chars.length === 0) {
              done(new PasswordInputError('Cancelled; nothing was changed.'));
              return;
            }
            done(null);
            return;
          case '\u007f':
          case '\b':
            chars.pop();
            break;
          case '\u0015': // Ctrl-U: start over
            chars = [];
            break;
          default:
            if (ch >= ' ') chars.push(ch);
        }
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The password for `user`: asked twice at a terminal, or the first line of standard input otherwise.
 * An empty answer is refused here so that nothing is sent to the server.
 */
export async function askPassword(user: string, input: Input = process.stdin, output: Output = process.stderr): Promise<string> {
  if (input.isTTY) {
    const first = await readHidden(`New password for ${user}: `, input, output);
    if (first === '') throw new PasswordInputError('The password is empty; nothing was changed.');
    const second = await readHidden('Type it again: ', input, output);
    if (first !== second) throw new PasswordInputError('The two passwords differ; nothing was changed.');
    return first;
  }
  const line = await readLine(input);
  if (line === '') throw new PasswordInputError('No password was given: pass --password, or write the password as the first line of standard input.');
  return line;
}
