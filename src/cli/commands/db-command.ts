/** `macfleet db status`: which database, which schema version, which migrations. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { storeCommandOptions, withStore, type StoreOptions } from '../store-options.js';
import { isoTime } from '../../time.js';

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program
    .command('db')
    .description('the database macfleet keeps pools, allocations and the fleet in');
  storeCommandOptions(
    db
      .command('status')
      .description(
        'show the database in use and its schema version (migrating it if needed; a missing database is reported, never created)',
      ),
  ).action(async (opts: StoreOptions) => {
    await withStore(
      ctx,
      opts,
      async (store, location) => {
        const status = await store.schemaStatus();
        if (opts.json) {
          ctx.json({ ...status, source: location.source });
          return;
        }
        ctx.out(
          [
            `database      ${status.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${status.location}`,
            `chosen by     ${location.source === 'home' || location.source === 'XDG_DATA_HOME' ? 'default location' : location.source}`,
            `schema        version ${status.version}${status.version === status.latest ? ' (up to date)' : ` of ${status.latest}`}`,
            ...status.applied.map(
              (m) =>
                `  ${String(m.version).padStart(3)}  ${m.name.padEnd(28)} applied ${isoTime(m.appliedAt)}`,
            ),
          ].join('\n'),
        );
      },
      'read',
    );
  });
}
