import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { configCheck } from '../commands/config-check.js';
import { execute } from '../commands/execute.js';
import { hosts } from '../commands/hosts.js';
import { run } from '../commands/run.js';
import { init } from '../commands/init.js';
import { query } from '../commands/query.js';
import { upload } from '../commands/upload.js';
import { alerts } from '../commands/alerts.js';
import { events } from '../commands/events.js';
import { mailTest } from '../commands/mail-test.js';
import { prune } from '../commands/prune.js';
import { silenceAdd, silenceList, silenceRemove } from '../commands/silence.js';
import { serve } from '../commands/serve.js';
import { userAdd, userList, userRemove, userRevoke, userToken } from '../commands/user.js';
import { TIME_ARG_HELP } from '../query/time-arg.js';
import { EVENT_KINDS } from '../store/event-store.js';
import { exitCodeOf, reportError } from './errors.js';
import { processIo, type Io } from './io.js';
import { metrixVersion } from './version.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Declares the commands; each hands its options to a function in src/commands. */
function program(io: Io, done: (code: number | Promise<number>) => void): Command {
  const configPath = (opts: { config: string }): string => resolve(io.cwd, opts.config);
  const root = new Command('metrix')
    .description('agentless monitoring for computing clusters over plain SSH')
    .version(metrixVersion(), '-V, --version', 'show the version')
    .helpOption('--help', 'show help')
    .helpCommand(false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const withConfig = (cmd: Command): Command => cmd.helpOption('--help', 'show help').option('-c, --config <file>', 'config file', './config.xml');
  const group = (name: string, description: string): Command => root.command(name).description(description).helpOption('--help', 'show help');
  const subcommand = (parent: Command, name: string, description: string): Command => withConfig(parent.command(name).description(description));
  const command = (name: string, description: string): Command => subcommand(root, name, description);
  const withFormat = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
      .option('--json', 'same as --format json');

  command('init', 'write a commented sample config.xml and create the poller keys')
    .option('--force', 'overwrite an existing config file with the sample')
    .option('--new-keys', 'replace the poller key pair (every host then needs "metrix upload")')
    .action((opts) => done(init({ ...opts, config: configPath(opts) }, io)));

  subcommand(group('config', 'configuration tools'), 'check', 'validate the config and print it as resolved').action((opts) => done(configCheck({ config: configPath(opts) }, io)));

  command('upload', 'put the collector and each host\'s key on the hosts over SFTP')
    .option('-h, --host <name>', 'upload to this host (repeatable)', collect, [])
    .option('-g, --group <name>', 'upload to the hosts of this group (repeatable)', collect, [])
    .action((opts) => done(upload({ ...opts, config: configPath(opts) }, io)));

  command('execute', 'poll hosts, store their metrics, report')
    .option('-h, --host <name>', 'poll this host (repeatable)', collect, [])
    .option('-g, --group <name>', 'poll the hosts of this group (repeatable)', collect, [])
    .option('--wait <duration>', 'how long to wait for a previous run still going before giving up (exit 3)', '10s')
    .action((opts) => done(execute({ ...opts, config: configPath(opts) }, io)));

  command('run', 'stay up and poll on a schedule, keeping connections and collectors warm')
    .option('--every <duration>', 'cycle length; cycles start on wall-clock multiples of it', '60s')
    .option('-h, --host <name>', 'poll this host (repeatable)', collect, [])
    .option('-g, --group <name>', 'poll the hosts of this group (repeatable)', collect, [])
    .option('--wait <duration>', 'how long to wait for a run still holding the lock before giving up (exit 3)', '10s')
    .action((opts) => done(run({ ...opts, config: configPath(opts) }, io)));

  withFormat(command('hosts', 'one line per host, problems first: up/down and why, last seen, key metrics, firing alerts'))
    .option('-h, --host <name>', 'only this host (repeatable)', collect, [])
    .option('-g, --group <name>', 'only the hosts of this group (repeatable)', collect, [])
    .action((opts) => done(hosts({ ...opts, config: configPath(opts) }, io)));

  const queryCommand = command('query', 'print the history of one metric of one host')
    .requiredOption('-h, --host <name>', 'host')
    .requiredOption('-m, --metric <name>', 'metric, e.g. cpu_percent')
    .option('--labels <list>', 'only series with these labels, e.g. mount=/')
    .option('--since <time>', `start: ${TIME_ARG_HELP}`, '1h')
    .option('--until <time>', 'end, same forms as --since', 'now')
    .option('--step <duration>', 'aggregate into steps of this length, e.g. 5m')
    .addOption(new Option('--agg <fn>', 'aggregation per step').choices(['avg', 'min', 'max', 'last', 'p95']).default('avg'));
  withFormat(queryCommand)
    .action((opts) => done(query({ ...opts, config: configPath(opts) }, io)));

  withFormat(command('alerts', 'alert history with codes, newest first'))
    .option('--firing', 'only alerts firing now')
    .option('--since <time>', `alerts active since: ${TIME_ARG_HELP}`, '7d')
    .action((opts) => done(alerts({ ...opts, config: configPath(opts) }, io)));

  withFormat(command('events', 'what happened, oldest first: hosts down and up, reboots, collector upgrades, alerts, silences'))
    .option('-h, --host <name>', 'only this host (repeatable; fleet-wide events are shown too)', collect, [])
    .option('-g, --group <name>', 'only the hosts of this group (repeatable)', collect, [])
    .option('--since <time>', `start: ${TIME_ARG_HELP}`, '1d')
    .option('--until <time>', 'end, same forms as --since', 'now')
    .option('--kind <kinds>', `only these kinds, comma-separated (repeatable): ${EVENT_KINDS.join(', ')}`, collect, [])
    .option('--limit <n>', 'only the newest n')
    .action((opts) => done(events({ ...opts, config: configPath(opts) }, io)));

  command('prune', 'apply retention now: roll up, then remove what is past its retention, and say what went')
    .action((opts) => done(prune({ config: configPath(opts) }, io)));

  const silence = group('silence', 'maintenance windows: mute matching alerts until a time');
  subcommand(silence, 'add', 'mute the alerts of a host and/or rule (they are still recorded)')
    .option('-h, --host <name>', 'host to silence')
    .option('--rule <name>', 'rule to silence')
    .option('--labels <list>', 'only series with these labels, e.g. mount=/scratch')
    .option('--for <duration>', 'how long, e.g. 2h')
    .option('--until <time>', `until when: ${TIME_ARG_HELP}`)
    .requiredOption('--comment <text>', 'why, e.g. "kernel update"')
    .action((opts) => done(silenceAdd({ ...opts, config: configPath(opts) }, io)));
  withFormat(subcommand(silence, 'list', 'silences in force or yet to start')).action((opts) => done(silenceList({ ...opts, config: configPath(opts) }, io)));
  subcommand(silence, 'remove', 'end a silence now')
    .argument('<id>', 'silence id, from metrix silence list')
    .action((id: string, opts) => done(silenceRemove({ id, config: configPath(opts) }, io)));

  command('serve', 'the web view, JSON/CSV API and Prometheus /metrics, until stopped')
    .option('--listen <address>', 'HOST:PORT to listen on (default: <web listen>, else 127.0.0.1:8080)')
    .option('--cert <file>', 'TLS certificate (PEM); with --key, serve HTTPS')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--insecure-listen', 'allow plain HTTP on an address other machines can reach')
    .option('--assets <dir>', 'directory of the web pages (default: the ones built with metrix)')
    .option('--host-name <names>', 'names the server is reached by, comma-separated (besides <web hosts>, IP addresses and localhost)')
    .action((opts) => done(serve({ ...opts, config: configPath(opts) }, io)));

  const user = group('user', 'accounts for the web view and API (scrypt-hashed, in the database)');
  subcommand(user, 'add', 'add a user, or set a new password and role (password from stdin, or prompted)')
    .argument('<name>', 'user name')
    .addOption(new Option('--role <role>', 'what the user may do').choices(['viewer', 'admin']).makeOptionMandatory())
    .action((name: string, opts) => done(userAdd({ name, role: opts.role, config: configPath(opts) }, io)));
  subcommand(user, 'remove', 'remove a user and its tokens')
    .argument('<name>', 'user name')
    .action((name: string, opts) => done(userRemove({ name, config: configPath(opts) }, io)));
  withFormat(subcommand(user, 'list', 'users, roles and live tokens')).action((opts) => done(userList({ ...opts, config: configPath(opts) }, io)));
  subcommand(user, 'token', 'print a new bearer token for the user (shown once)')
    .argument('<name>', 'user name')
    .action((name: string, opts) => done(userToken({ name, config: configPath(opts) }, io)));
  subcommand(user, 'revoke', 'revoke the user\'s tokens (all, or one by --id)')
    .argument('<name>', 'user name')
    .option('--id <n>', 'only this token (its number, printed by metrix user token)')
    .action((name: string, opts) => done(userRevoke({ name, id: opts.id, config: configPath(opts) }, io)));

  subcommand(group('mail', 'mail tools'), 'test', 'send a test message through the configured transport, and say what failed if it did')
    .option('--to <addresses>', 'send to these instead of the <mail> recipients')
    .action((opts) => done(mailTest({ ...opts, config: configPath(opts) }, io)));

  return root;
}

/** Runs the CLI and returns the exit code; the only place errors become exit codes. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let result: number | Promise<number> = 0;
  try {
    await program(io, (code) => (result = code)).parseAsync(argv as string[]);
    return await result;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    reportError(err, io);
    return exitCodeOf(err);
  }
}
