// `parley` command-line parsing: words and flags to typed commands, and one-sentence usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseCommand, UsageError, type CliCommand } from '../../server/cli-args.js';
import { UserFacingError } from '../../server/core/user-error.js';

const DEF = path.resolve('/var/lib/parley-default');

function parse(...argv: string[]): CliCommand {
  return parseCommand(argv, DEF);
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseCommand(argv, DEF), (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.ok(err instanceof UserFacingError);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

test('no words, help, --help and -h all ask for help', () => {
  assert.deepEqual(parse(), { kind: 'help' });
  assert.deepEqual(parse('help'), { kind: 'help' });
  assert.deepEqual(parse('user', 'add', '--help'), { kind: 'help' });
  assert.deepEqual(parse('-h'), { kind: 'help' });
});

test('user add: JID, --password, --data (resolved) and --domain', () => {
  assert.deepEqual(parse('user', 'add', 'bob@office.local', '--password', 's3cret', '--data', 'rel/dir', '--domain', 'office.local'), {
    kind: 'user-add', user: 'bob@office.local', password: 's3cret', dataDir: path.resolve('rel/dir'), domain: 'office.local',
  });
});

test('user add without --password leaves the password to be asked for; --data defaults', () => {
  assert.deepEqual(parse('user', 'add', 'bob'), { kind: 'user-add', user: 'bob', dataDir: DEF });
});

test('--flag=value works, also for passwords starting with dashes', () => {
  const c = parse('user', 'passwd', 'bob', '--password=--weird--', '--data=/tmp/p');
  assert.deepEqual(c, { kind: 'user-passwd', user: 'bob', password: '--weird--', dataDir: path.resolve('/tmp/p') });
});

test('user remove, user list, cert show, status', () => {
  assert.deepEqual(parse('user', 'remove', 'bob', '--data', '/d'), { kind: 'user-remove', user: 'bob', dataDir: path.resolve('/d') });
  assert.deepEqual(parse('user', 'list'), { kind: 'user-list', dataDir: DEF });
  assert.deepEqual(parse('cert', 'show', '--domain', 'x.local'), { kind: 'cert-show', dataDir: DEF, domain: 'x.local' });
  assert.deepEqual(parse('status'), { kind: 'status', dataDir: DEF });
});

test('serve: overrides from flags, start is an alias', () => {
  const c = parse('serve', '--data', '/srv/p', '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', 'off', '--no-discovery');
  assert.deepEqual(c, {
    kind: 'serve', dataDir: path.resolve('/srv/p'),
    overrides: { bind: '127.0.0.1', c2sPort: 0, tlsPort: null, discovery: false },
  });
  assert.equal(parse('start').kind, 'serve');
});

test('mistakes are UsageErrors of one line that say what to type', () => {
  usageError(['frobnicate'], /Unknown command "frobnicate"/);
  usageError(['user'], /Usage: parley user add/);
  usageError(['user', 'rename', 'bob'], /Unknown command "parley user rename"/);
  usageError(['user', 'add'], /Which user\? Usage: parley user add JID/);
  usageError(['user', 'remove'], /Which user\? Usage: parley user remove JID/);
  usageError(['user', 'add', 'bob', 'carol'], /Unexpected "carol"/);
  usageError(['user', 'add', 'bob', '--password'], /--password needs a value/);
  usageError(['user', 'add', 'bob', '--password='], /--password is empty/);
  usageError(['user', 'list', '--password', 'x'], /parley user list has no option --password/);
  usageError(['user', 'remove', 'bob', '--c2s-port', '1'], /has no option --c2s-port/);
  usageError(['cert'], /Usage: parley cert show/);
  usageError(['cert', 'renew'], /Unknown command "parley cert renew"/);
  usageError(['user', 'list', '--data='], /--data needs a folder/);
  usageError(['user', 'list', '--domain', ' '], /--domain needs a domain name/);
  usageError(['serve', '--c2s-port', '99999'], /--c2s-port takes a port number/);
  usageError(['serve', '--password', 'x'], /Unknown option --password/);
  usageError(['serve', 'now'], /Unexpected "now"/);
});

test('repair [--data DIR]: only --data, no more words', () => {
  assert.deepEqual(parse('repair'), { kind: 'repair', dataDir: DEF });
  usageError(['repair', 'now'], /Unexpected "now"\. Usage: parley repair/);
  usageError(['repair', '--domain', 'x.local'], /parley repair has no option --domain/);
});

test('serve --durability flush|os', () => {
  assert.deepEqual(parse('serve', '--durability', 'os'), { kind: 'serve', dataDir: DEF, overrides: { durability: 'os' } });
  usageError(['serve', '--durability', 'never'], /--durability takes flush or os, not "never"/);
});

test('room list, show, create (settings from flags, only those given) and destroy (with or without a reason)', () => {
  assert.deepEqual(parse('room', 'list', '--data', 'd'), { kind: 'room-list', dataDir: path.resolve('d') });
  assert.deepEqual(parse('room', 'show', 'team'), { kind: 'room-show', room: 'team', dataDir: DEF });
  assert.deepEqual(parse('room', 'create', 'team'), { kind: 'room-create', room: 'team', options: {}, dataDir: DEF });
  assert.deepEqual(parse('room', 'create', 'team@conference.office.local', '--owner', 'alice', '--title', 'The team', '--description', 'Our room',
    '--password', '-s3cret', '--max-people', '30', '--hidden', '--temporary', '--members-only', '--moderated', '--domain', 'office.local'), {
    kind: 'room-create', room: 'team@conference.office.local', dataDir: DEF, domain: 'office.local',
    options: { owner: 'alice', name: 'The team', description: 'Our room', password: '-s3cret', maxUsers: 30, public: false, persistent: false, membersOnly: true, moderated: true },
  });
  const open = parse('room', 'create', 'team', '--public', '--persistent', '--open', '--unmoderated');
  assert.ok(open.kind === 'room-create');
  assert.deepEqual(open.options, { public: true, persistent: true, membersOnly: false, moderated: false });
  assert.deepEqual(parse('room', 'destroy', 'team', '--reason', 'Moved to #office'), { kind: 'room-destroy', room: 'team', reason: 'Moved to #office', dataDir: DEF });
  assert.deepEqual(parse('room', 'destroy', 'team'), { kind: 'room-destroy', room: 'team', reason: '', dataDir: DEF });
});

test('room mistakes are UsageErrors of one line', () => {
  usageError(['room'], /^Usage: parley room create\|show\|destroy NAME, or parley room list\.$/);
  usageError(['room', 'rename', 'x'], /^Unknown command "parley room rename"\./);
  usageError(['room', 'create'], /^Which room\? Usage: parley room create NAME/);
  usageError(['room', 'destroy'], /^Which room\? Usage: parley room destroy NAME/);
  usageError(['room', 'show', 'a', 'b'], /^Unexpected "b"\. Usage: parley room show NAME/);
  usageError(['room', 'list', '--owner', 'x'], /^parley room list has no option --owner\./);
  usageError(['room', 'destroy', 'x', '--members-only'], /^parley room destroy has no option --members-only\./);
  usageError(['room', 'create', 'x', '--hidden', '--public'], /^--public and --hidden contradict each other; give one of them\.$/);
  usageError(['room', 'create', 'x', '--max-people', 'lots'], /^--max-people takes a whole number \(0 for the service's limit\), not "lots"\.$/);
  usageError(['room', 'create', 'x', '--password='], /^--password is empty/);
  usageError(['room', 'create', 'x', '--title'], /^--title needs a value\.$/);
});
