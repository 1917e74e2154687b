/** A `macfleet serve` child for the crash and shutdown tests, run from source: `serve.ts <args...>`. */
import { run } from '../../src/cli/main.js';

process.exitCode = await run(['serve', ...process.argv.slice(2)]);
