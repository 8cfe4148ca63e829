import { access, constants, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { EnvironmentSpec } from '@lathe/contract';
import { probe, runBuildStep, type BuildLog } from './build-process.js';
import { EnvironmentBuildError } from './environment-build-error.js';
import type { Activation } from './activation.js';
import type { EnvironmentCacheConfig } from './environment-config.js';

type PythonSpec = NonNullable<EnvironmentSpec['python']>;

export interface BuildContext {
  config: EnvironmentCacheConfig;
  log: BuildLog;
  signal: AbortSignal;
}

export interface PythonBuild {
  activation: Activation;
  interpreter: string;
  version: string;
}

const isPipError = (line: string) => line.startsWith('ERROR:') || line.startsWith('error:');

const executable = (path: string) => access(path, constants.X_OK).then(() => true, () => false);

/** Candidate interpreters, most wanted first: Debian's own before anything else on PATH. */
function candidates(py: PythonSpec, searchPath: string): string[] {
  const dirs = ['/usr/bin', '/usr/local/bin', ...searchPath.split(delimiter).filter(Boolean)];
  if (py.interpreter !== null) {
    return py.interpreter.includes('/') ? [py.interpreter] : dirs.map((d) => join(d, py.interpreter!));
  }
  const name = py.version === null ? 'python3' : `python${py.version}`;
  return [...new Set(dirs.map((d) => join(d, name)))];
}

/** Find the interpreter the spec asks for and check its version by running it. */
export async function findInterpreter(py: PythonSpec, config: EnvironmentCacheConfig): Promise<{ path: string; version: string }> {
  const tried: string[] = [];
  for (const path of candidates(py, config.searchPath)) {
    if (!(await executable(path))) continue;
    const out = await probe(path, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], config.buildEnv);
    const version = out?.trim();
    if (!version) {
      tried.push(`${path} (does not run)`);
      continue;
    }
    if (py.version !== null && version !== py.version) {
      tried.push(`${path} (${version})`);
      continue;
    }
    return { path, version };
  }
  const wanted = py.interpreter ?? (py.version ? `python${py.version}` : 'python3');
  throw new EnvironmentBuildError(
    `no ${wanted} on this node${py.version ? ` (Python ${py.version})` : ''}: looked in /usr/bin, /usr/local/bin and PATH` +
      `${tried.length ? `; found ${tried.join(', ')}` : ''}. Install it, or set the environment's python: to an interpreter this node has`,
  );
}

/** pip's major/minor, or null when the interpreter has no pip. */
async function pipVersion(python: string, env: Readonly<Record<string, string>>): Promise<[number, number] | null> {
  const out = await probe(python, ['-m', 'pip', '--version'], env);
  const m = out ? /^pip (\d+)\.(\d+)/.exec(out) : null;
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function pipArgs(py: PythonSpec, requirementsFile: string): string[] {
  const args = ['install', '--no-input', '--disable-pip-version-check', '-r', requirementsFile];
  if (py.index_url !== null) args.push('--index-url', py.index_url);
  else if (py.find_links.length > 0) args.push('--no-index');
  for (const link of py.find_links) args.push('--find-links', link);
  return args;
}

/**
 * A venv from the chosen interpreter, then pip installs the requirements into it. The
 * venv is made without pip (fast: no ensurepip) and the interpreter's own pip installs
 * into it through `pip --python`; an interpreter without a recent pip gets ensurepip instead.
 */
export async function buildPython(py: PythonSpec, dir: string, ctx: BuildContext): Promise<PythonBuild> {
  if (py.conda !== null) return buildConda(py, dir, ctx);
  const { config, log, signal } = ctx;
  const interpreter = await findInterpreter(py, config);
  log.note(`python: ${interpreter.path} (${interpreter.version})${py.system_site_packages ? ', with its system site packages' : ''}`);
  const venv = join(dir, 'venv');
  const venvArgs = ['-m', 'venv', '--without-pip', ...(py.system_site_packages ? ['--system-site-packages'] : []), venv];
  await runBuildStep({ label: 'python -m venv', command: interpreter.path, args: venvArgs, cwd: dir, env: config.buildEnv, isErrorLine: (l) => l.startsWith('Error') }, log, signal);
  const venvPython = join(venv, 'bin', 'python');
  if (py.requirements.length > 0) {
    const reqFile = join(dir, 'requirements.txt');
    await writeFile(reqFile, `${py.requirements.join('\n')}\n`);
    const outer = await pipVersion(interpreter.path, config.buildEnv);
    const canTarget = outer !== null && (outer[0] > 22 || (outer[0] === 22 && outer[1] >= 3));
    let command = venvPython;
    let prefix = ['-m', 'pip'];
    if (canTarget) {
      command = interpreter.path;
      prefix = ['-m', 'pip', '--python', venvPython];
    } else {
      await runBuildStep({ label: 'python -m ensurepip', command: venvPython, args: ['-m', 'ensurepip', '--default-pip'], cwd: dir, env: config.buildEnv, isErrorLine: isPipError }, log, signal);
    }
    await runBuildStep({ label: 'pip install', command, args: [...prefix, ...pipArgs(py, reqFile)], cwd: dir, env: config.buildEnv, isErrorLine: isPipError }, log, signal);
  }
  return {
    activation: { bin: ['venv/bin'], virtualEnv: 'venv', condaPrefix: null, nodeModules: null },
    interpreter: interpreter.path,
    version: interpreter.version,
  };
}

async function findOnPath(names: readonly string[], searchPath: string): Promise<string | null> {
  for (const name of names) {
    for (const d of searchPath.split(delimiter).filter(Boolean)) {
      if (await executable(join(d, name))) return join(d, name);
    }
  }
  return null;
}

/** Conda packages need conda (or mamba / micromamba); pip requirements then go into that prefix. */
async function buildConda(py: PythonSpec, dir: string, ctx: BuildContext): Promise<PythonBuild> {
  const conda = py.conda!;
  const exe = await findOnPath(['micromamba', 'mamba', 'conda'], ctx.config.searchPath);
  if (exe === null) {
    throw new EnvironmentBuildError(
      `the conda file lists conda packages (${conda.packages.join(', ')}), and this node has no conda executable ` +
        '(looked for micromamba, mamba and conda on PATH). Install one, or move these packages to the conda file\'s pip: list ' +
        '(or use system_site_packages with packages the node has)',
    );
  }
  const prefix = join(dir, 'conda');
  const pkgs = [...(py.version ? [`python=${py.version}`] : ['python']), ...conda.packages];
  const channels = conda.channels.flatMap((c) => ['-c', c]);
  await runBuildStep({ label: 'conda create', command: exe, args: ['create', '-y', '-p', prefix, ...channels, ...pkgs], cwd: dir, env: ctx.config.buildEnv, isErrorLine: (l) => /error/i.test(l) }, ctx.log, ctx.signal);
  const python = join(prefix, 'bin', 'python');
  if (py.requirements.length > 0) {
    const reqFile = join(dir, 'requirements.txt');
    await writeFile(reqFile, `${py.requirements.join('\n')}\n`);
    await runBuildStep({ label: 'pip install', command: python, args: ['-m', 'pip', ...pipArgs(py, reqFile)], cwd: dir, env: ctx.config.buildEnv, isErrorLine: isPipError }, ctx.log, ctx.signal);
  }
  const version = (await probe(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], ctx.config.buildEnv))?.trim() ?? '';
  return { activation: { bin: ['conda/bin'], virtualEnv: null, condaPrefix: 'conda', nodeModules: null }, interpreter: python, version };
}
