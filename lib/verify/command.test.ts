import { parseArgs } from 'util';
import { CliResult, runCommand, UsageError } from './command';
import { ManifestError } from './manifests';

class Unreadable extends Error {}

const run = (body: () => CliResult): CliResult =>
  runCommand('tool', 'usage: tool --x\n', body, (e) => (e instanceof Unreadable ? `cannot read: ${e.message}` : undefined));

describe('command lines', () => {
  it('return what the command printed and its code', () => {
    expect(run(() => ({ code: 1, stdout: 'out\n', stderr: 'widened\n' }))).toEqual({ code: 1, stdout: 'out\n', stderr: 'widened\n' });
  });

  it('exit 2 for bad usage, with the usage text, whether the command or parseArgs found it', () => {
    expect(run(() => { throw new UsageError('--x is required'); })).toEqual({ code: 2, stdout: '', stderr: 'tool: --x is required\nusage: tool --x\n' });
    const unknown = run(() => { parseArgs({ args: ['--nope'], options: {} }); throw new Error('not reached'); });
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^tool: Unknown option '--nope'.*\nusage: tool --x\n$/s) });
  });

  it('exit 2 with one line for input the command cannot use', () => {
    expect(run(() => { throw new ManifestError({ file: 'a.yaml' }, undefined, 'no such file or folder'); })).toEqual({ code: 2, stdout: '', stderr: 'tool: invalid manifests: a.yaml: no such file or folder\n' });
    expect(run(() => { throw new Unreadable('x.json'); })).toEqual({ code: 2, stdout: '', stderr: 'tool: cannot read: x.json\n' });
  });

  it('exit 1 for a fault of the command itself, with its message and no stack trace', () => {
    expect(run(() => { throw new TypeError('x is undefined'); })).toEqual({ code: 1, stdout: '', stderr: 'tool: internal error: x is undefined\n' });
  });
});
