import { parseArgs } from 'util';
import { CliResult, CommandSpec, helpText, InputError, parseCommand, runCommand, UsageError } from './command';

class Unreadable extends Error {}

const run = (body: () => CliResult): CliResult =>
  runCommand('tool', 'usage: tool --x\n', body, (e) => (e instanceof Unreadable ? `cannot read: ${e.message}` : undefined));

describe('command lines', () => {
  it('return what the command printed and its code', () => {
    expect(run(() => ({ code: 1, stdout: 'out\n', stderr: 'widened\n' }))).toEqual({ code: 1, stdout: 'out\n', stderr: 'widened\n' });
  });

  it('exit 2 for bad usage, with the usage text, whether the command or parseArgs found it', () => {
    expect(
      run(() => {
        throw new UsageError('--x is required');
      }),
    ).toEqual({ code: 2, stdout: '', stderr: 'tool: --x is required\nusage: tool --x\n' });
    const unknown = run(() => {
      parseArgs({ args: ['--nope'], options: {} });
      throw new Error('not reached');
    });
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^tool: Unknown option '--nope'.*\nusage: tool --x\n$/s) });
  });

  it('exit 2 with one line for input the command cannot use', () => {
    expect(
      run(() => {
        throw new InputError('a.json: not JSON');
      }),
    ).toEqual({ code: 2, stdout: '', stderr: 'tool: a.json: not JSON\n' });
    expect(
      run(() => {
        throw new Unreadable('x.json');
      }),
    ).toEqual({ code: 2, stdout: '', stderr: 'tool: cannot read: x.json\n' });
  });

  it('exit 3 for a fault of the command itself, with its message and no stack trace', () => {
    expect(
      run(() => {
        throw new TypeError('x is undefined');
      }),
    ).toEqual({ code: 3, stdout: '', stderr: 'tool: internal error: x is undefined\n' });
  });

  const spec: CommandSpec = {
    program: 'tool run',
    name: 'run',
    summary: 'does a thing',
    options: [
      { name: 'manifests', type: 'string', multiple: true, required: true, value: 'PATH', description: 'where to read' },
      { name: 'port', type: 'string', value: 'N', default: '80', description: 'which port' },
      { name: 'json', type: 'boolean', description: 'print JSON' },
    ],
    exitCodes: [[1, 'it failed as asked']],
  };

  it('help lists every option in one line with its default, and the exit codes', () => {
    expect(helpText(spec)).toBe(
      [
        'tool run: does a thing',
        '',
        'usage: tool run --manifests PATH ... [--port N] [--json]',
        '',
        'options:',
        '  --manifests PATH  where to read (required; repeatable)',
        '  --port N          which port (default: 80)',
        '  --json            print JSON',
        '  --help            print this help and exit 0',
        '',
        'exit codes:',
        '  0  answered (whatever the answer)',
        '  1  it failed as asked',
        '  2  bad usage, or input the command cannot read (the message names the file and field)',
        '  3  internal error of the command itself',
        '',
      ].join('\n'),
    );
  });

  it('parses known options, returns undefined for --help and -h, and proposes the closest option for an unknown one', () => {
    expect(parseCommand(spec, ['--manifests', 'a', '--manifests=b', '--port', '8080'])).toMatchObject({ manifests: ['a', 'b'], port: '8080' });
    expect(parseCommand(spec, ['--help'])).toBeUndefined();
    expect(parseCommand(spec, ['-h'])).toBeUndefined();
    expect(() => parseCommand(spec, ['--manifest', 'a'])).toThrow(
      new UsageError('unknown option "--manifest"; did you mean --manifests? (known: --manifests, --port, --json, --help)'),
    );
    expect(() => parseCommand(spec, ['--prot', '1'])).toThrow(/did you mean --port\?/);
    expect(() => parseCommand(spec, ['--zzzzzz'])).toThrow(/^unknown option "--zzzzzz" \(known:/);
    expect(() => parseCommand(spec, ['--port', '1'])).toThrow(new UsageError('--manifests PATH is required (where to read)'));
    expect(() => parseCommand(spec, ['--manifests', 'a', 'extra'])).toThrow(/unexpected argument "extra"/);
  });
});
