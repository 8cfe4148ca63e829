import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnvironmentSpec } from '@lathe/contract';
import { runBuildStep } from './build-process.js';
import type { BuildContext } from './python-builder.js';
import type { Activation } from './activation.js';

type NpmSpec = NonNullable<EnvironmentSpec['npm']>;

const isNpmError = (line: string) => line.startsWith('npm error') || line.startsWith('npm ERR!');

/** A package.json with the dependencies, then `npm install` (from the registry) into its node_modules. */
export async function buildNpm(npm: NpmSpec, dir: string, ctx: BuildContext): Promise<Activation> {
  const root = join(dir, 'npm');
  await mkdir(join(root, 'node_modules'), { recursive: true });
  await writeFile(join(root, 'package.json'), `${JSON.stringify({ name: 'lathe-environment', version: '0.0.0', private: true, dependencies: npm.dependencies }, null, 2)}\n`);
  if (Object.keys(npm.dependencies).length > 0) {
    const args = ['install', '--no-audit', '--no-fund', '--omit=dev', ...(npm.registry ? ['--registry', npm.registry] : [])];
    ctx.log.note(`npm install ${Object.entries(npm.dependencies).map(([n, v]) => `${n}@${v}`).join(' ')}`);
    await runBuildStep({ label: 'npm install', command: 'npm', args, cwd: root, env: ctx.config.buildEnv, isErrorLine: isNpmError }, ctx.log, ctx.signal);
  }
  return { bin: ['npm/node_modules/.bin'], virtualEnv: null, condaPrefix: null, nodeModules: 'npm/node_modules' };
}
