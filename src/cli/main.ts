#!/usr/bin/env node
/**
 * `crocetta` command line: lookup, mark, let-through, import, export, backup, restore, rebuild-aggregates against the register file of the configuration
 * (config/default.yaml + CROCETTA_CONFIG + environment, as the service) or `--db FILE`.
 * Exit codes (sysexits): 0 ok, 64 usage, 65 data refused (import), 66 no input, 73 cannot create an output file,
 * 74 a write failed, 78 configuration, 130 stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM, 1 other.
 */
import { Command, CommanderError } from 'commander';
import { backup, exportFile, importFile, letThrough, lookup, mark, rebuildAggregates } from './commands.js';
import { feedAdd, feedKey, feedList, feedRemove, type FeedAddOptions } from './feed-commands.js';
import type { GlobalOptions } from './context.js';
import { dossier, type DossierCliOptions } from './dossier-command.js';
import { restore } from './restore-command.js';
import { CliError, EXIT } from './output.js';

const program = new Command('crocetta')
  .description('crocetta: the register of nuisance calls, from the command line')
  .option('--db <file>', 'the SQLite register (default: store.file of the configuration, CROCETTA_DB)')
  .option('--json', 'print JSON for scripts')
  .exitOverride()
  .showHelpAfterError();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

program
  .command('lookup <number>')
  .description('the verdict the next call from <number> would get, and why')
  .action((number: string) => lookup(number, globals()));

program
  .command('mark <number> <label>')
  .description('mark <number> nuisance, trusted, or none (clear)')
  .option('--company <name>', 'the company behind the calls')
  .option('--category <category>', 'energy, telecom, ...')
  .action((number: string, label: string, o: { company?: string; category?: string }) =>
    mark(number, label, o, globals()),
  );

program
  .command('let-through <number>')
  .description('let the next call from <number> through, once, whatever its mark')
  .option('--withdraw', 'withdraw it instead')
  .action((number: string, o: { withdraw?: boolean }) => letThrough(number, o, globals()));

program
  .command('import <format> <file>')
  .description('import json | csv (crocetta exports), ftc, fritzbox, vcard, list, asterisk-cdr')
  .option('--lenient', 'skip bad rows and report them, instead of refusing the whole file')
  .option('--as <label>', 'vcard, list, fritzbox: import the numbers as trusted or nuisance')
  .option('--category <category>', 'category for the imported marks')
  .action((format: string, file: string, o: { lenient?: boolean; as?: string; category?: string }) =>
    importFile(format, file, o, globals()),
  );

program
  .command('export')
  .description('export the register (json, csv), or the nuisance list as a FRITZ!Box phonebook or a Kamailio htable')
  .option('--format <format>', 'json (default), csv, fritzbox or kamailio-htable (docs/pbx/kamailio-front.md)')
  .option('-o, --output <file>', 'write to a file instead of standard output')
  .option('--only <kinds>', 'comma-separated: mark, history, attempt, called')
  .action((o: { format?: string; output?: string; only?: string }) => exportFile(o, globals()));

program
  .command('backup <file>')
  .description('online backup of the register into <file> (safe while crocetta runs), then an integrity check')
  .action((file: string) => backup(file, globals()));

program
  .command('restore <backup>')
  .description(
    "put <backup> (made with crocetta backup) in the register's place, crocetta stopped; the register it replaces, " +
      'with its -wal and journal, is moved into a folder beside it',
  )
  .action((file: string) => restore(file, globals()));

program
  .command('rebuild-aggregates')
  .description(
    "rebuild the dashboard's and rankings' per-day counts now (after an upgrade or a change of timeZone; the service " +
      'otherwise does it in the background): progress on stderr, Ctrl-C stops and the next run goes on from there',
  )
  .action(() => rebuildAggregates(globals()));

const feed = program.command('feed').description("friends' feeds: the friends whose signed nuisance lists we pull");
feed
  .command('add <name> <url>')
  .description("subscribe to a friend's feed (its https://.../api/feed URL)")
  .requiredOption('--key <base64>', "the friend's public key (they print it with `crocetta feed key`)")
  .requiredOption('--token <token>', 'the feed token the friend gave you')
  .option('--weight <0..1>', 'how much one report of this friend weighs (default: feeds.defaultWeight)')
  .action((name: string, url: string, o: FeedAddOptions) => feedAdd(name, url, o, globals()));
feed
  .command('list')
  .description('friends, their weight, the numbers they report, the last pull and its error')
  .action(() => feedList(globals()));
feed
  .command('remove <name>')
  .description('unsubscribe and forget what the friend reported')
  .action((name: string) => feedRemove(name, globals()));
feed
  .command('key')
  .description('our public key, for friends who subscribe to our feed')
  .action(() => feedKey(globals()));

program
  .command('dossier')
  .description('evidence dossier: the calls of a company or number that breach the configured FR/IT rules')
  .option('--number <number>', "one number (its company's other numbers count as the same professional)")
  .option('--company <name>', 'every number marked with this company')
  .option('--since <date>', 'from this day (YYYY-MM-DD, local) or ISO 8601 instant')
  .option('--until <date>', 'up to and including this day (YYYY-MM-DD) or until this ISO 8601 instant')
  .option('--format <format>', 'html (printable, default), csv or json')
  .option('--out <file>', 'write to a file instead of standard output')
  .option('--lang <lang>', 'it (default) or en, for the HTML page')
  .action((o: DossierCliOptions) => dossier(o, globals()));

// `crocetta export | head`: a reader that goes away early is not an error. Any other (`> file` on a full disk) is said
// in one line, exit 74; thrown from here it crashed with its stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  process.stderr.write(`crocetta: cannot write to standard output: ${err.message}\n`);
  process.exit(EXIT.ioError);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (err instanceof CliError) {
    if (program.opts<GlobalOptions>().json)
      process.stderr.write(
        `${JSON.stringify({ error: err.message, ...(err.details !== undefined && { details: err.details }) })}\n`,
      );
    else process.stderr.write(`crocetta: ${err.message}\n`);
    process.exitCode = err.code;
  } else {
    process.stderr.write(`crocetta: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.failure;
  }
}
