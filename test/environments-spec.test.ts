/** Environment references, normalisation and hashing: pure functions of the contract. */
import { describe, expect, it } from 'vitest';
import {
  canonicalJson, CommandJobYaml, EnvironmentYaml, environmentBuildKey, LatheError, normalizeEnvironment, parseEnvironmentReference,
} from '@lathe/contract';

describe('environment references', () => {
  it('parses every Azure ML form', () => {
    expect(parseEnvironmentReference('azureml:sklearn-env:3')).toEqual({ kind: 'workspace', name: 'sklearn-env', version: 3, label: null });
    expect(parseEnvironmentReference('azureml:AzureML-sklearn-1.5@latest')).toEqual({ kind: 'workspace', name: 'AzureML-sklearn-1.5', version: null, label: 'latest' });
    expect(parseEnvironmentReference('my-env')).toEqual({ kind: 'workspace', name: 'my-env', version: null, label: 'latest' });
    expect(parseEnvironmentReference('azureml://registries/azureml/environments/sklearn-1.5/labels/latest'))
      .toEqual({ kind: 'registry', registry: 'azureml', name: 'sklearn-1.5', version: null, label: 'latest' });
    expect(parseEnvironmentReference('azureml://registries/azureml/environments/sklearn-1.5/versions/14'))
      .toEqual({ kind: 'registry', registry: 'azureml', name: 'sklearn-1.5', version: '14', label: null });
    expect(parseEnvironmentReference('azureml://subscriptions/s/resourcegroups/g/workspaces/w/environments/train/versions/2'))
      .toEqual({ kind: 'workspace', name: 'train', version: 2, label: null });
  });

  it('refuses what is not a reference, saying why', () => {
    expect(() => parseEnvironmentReference('azureml:env:one')).toThrow(/whole numbers/);
    expect(() => parseEnvironmentReference('azureml://registries/azureml/models/x')).toThrow(/environments\/<name>/);
    expect(() => parseEnvironmentReference('azureml:bad name@latest')).toThrow(LatheError);
  });
});

describe('normalising an environment', () => {
  it('reads a conda file: python=X.Y picks the interpreter, pip: is installed with pip, pip itself is implied', () => {
    const { spec, notes } = normalizeEnvironment({
      conda_file: { name: 'x', channels: ['conda-forge'], dependencies: ['python=3.11.4', 'pip=23.0', { pip: ['requests==2.31', ' '] }], variables: { A: 1 } },
      pip_requirements: ['# comment', 'six'],
      environment_variables: { B: 'two' },
    });
    expect(spec.python).toEqual({
      interpreter: null, version: '3.11', system_site_packages: false, requirements: ['requests==2.31', 'six'],
      index_url: null, find_links: [], conda: null,
    });
    expect(spec.environment_variables).toEqual({ A: '1', B: 'two' });
    expect(notes).toEqual([]);
  });

  it('keeps other conda packages apart: they need conda on the node, and the note says so', () => {
    const { spec, notes } = normalizeEnvironment({ conda_file: { dependencies: ['python=3.10', 'numpy=1.26', 'scikit-learn'] } });
    expect(spec.python!.conda).toEqual({ channels: [], packages: ['numpy=1.26', 'scikit-learn'] });
    expect(notes.join()).toContain('need a conda executable');
  });

  it('an image alone runs in the host environment, with a note naming the image', () => {
    const { spec, notes } = normalizeEnvironment({ image: 'library/python:latest' });
    expect(spec.python).toBeNull();
    expect(spec.npm).toBeNull();
    expect(environmentBuildKey(spec)).toBeNull();
    expect(notes).toEqual(["the 'local' compute runs no containers: image 'library/python:latest' is recorded and the job runs in the host environment"]);
  });

  it('python may be a version, a path or a command; a disagreement with the conda file is an error', () => {
    expect(normalizeEnvironment({ python: '3.12' }).spec.python!.version).toBe('3.12');
    expect(normalizeEnvironment({ python: '/opt/py/bin/python3' }).spec.python!.interpreter).toBe('/opt/py/bin/python3');
    expect(() => normalizeEnvironment({ python: '3.12', conda_file: { dependencies: ['python=3.11'] } })).toThrow(/disagrees/);
    expect(normalizeEnvironment({ python: 3.11 }).spec.python!.version).toBe('3.11');
    expect(() => normalizeEnvironment({ python: 3.1 })).toThrow(/in quotes/);
  });

  it('refuses relative find-links (the node would not know relative to what)', () => {
    expect(() => normalizeEnvironment({ pip_find_links: ['wheels'] })).toThrow(/relative path/);
    expect(normalizeEnvironment({ pip_find_links: ['/abs/wheels', 'https://example.com/simple'] }).spec.python!.find_links).toHaveLength(2);
  });

  it('hashes only what changes the build: variables and descriptions do not', () => {
    const a = normalizeEnvironment({ npm: { 'is-number': '7.0.0' }, environment_variables: { A: '1' }, description: 'x' }).spec;
    const b = normalizeEnvironment({ npm: { 'is-number': '7.0.0' }, environment_variables: { A: '2' } }).spec;
    const c = normalizeEnvironment({ npm: { 'is-number': '7.0.1' } }).spec;
    expect(environmentBuildKey(a)).toBe(environmentBuildKey(b));
    expect(environmentBuildKey(a)).not.toBe(environmentBuildKey(c));
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  });

  it('the YAML schemas refuse unknown keys (in an environment file and inline in a job)', () => {
    expect(EnvironmentYaml.safeParse({ name: 'x', conda_fille: 'c.yml' }).success).toBe(false);
    expect(CommandJobYaml.safeParse({ command: 'x', environment: { image: 'i', pip_requirments: [] } }).success).toBe(false);
    expect(CommandJobYaml.safeParse({ command: 'x', environment: { conda_file: 'conda.yml', image: 'i' } }).success).toBe(true);
  });
});
