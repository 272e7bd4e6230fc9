import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A real-world data file kept in the repository under test/fixtures/data (sources and licences in its README). */
export function fixtureDataFile(name: string): string {
  const file = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/data', name);
  if (!existsSync(file)) throw new Error(`fixture data file not found: ${file}`);
  return file;
}
