import { describe, expect, it } from 'vitest';
import { parseAssetRef } from './asset-ref.js';

describe('parseAssetRef', () => {
  it.each([
    ['azureml:iris:3', { name: 'iris', version: '3' }],
    ['azureml:iris@latest', { name: 'iris', version: 'latest' }],
    ['azureml:iris@champion', { name: 'iris', version: '@champion' }],
    ['azureml:iris', { name: 'iris', version: 'latest' }],
  ])('reads %s', (ref, expected) => expect(parseAssetRef(ref)).toEqual(expected));

  it('leaves paths and azureml:// URIs alone, and refuses malformed references', () => {
    expect(parseAssetRef('./model')).toBeNull();
    expect(parseAssetRef('azureml://jobs/x/outputs/y')).toBeNull();
    expect(() => parseAssetRef('azureml:iris:v2')).toThrow(/azureml:<name>:<version>/);
  });
});
