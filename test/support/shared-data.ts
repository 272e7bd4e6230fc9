import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real-world data file from the steering repository's shared/data folder, which sits beside the project's
 * checkout (../shared/data) on developers' machines and in CI. CROCETTA_SHARED_DATA overrides the folder.
 */
export function sharedDataFile(name: string): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const folder = process.env.CROCETTA_SHARED_DATA ?? resolve(root, '../shared/data');
  const file = resolve(folder, name);
  if (!existsSync(file)) throw new Error(`shared data file not found: ${file} (set CROCETTA_SHARED_DATA)`);
  return file;
}
