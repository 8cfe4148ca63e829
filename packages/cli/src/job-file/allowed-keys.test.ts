import { CommandJobYaml } from '@lathe/contract';
import { describe, expect, it } from 'vitest';
import { allowedKeysAt } from './allowed-keys.js';

describe('allowedKeysAt', () => {
  it('lists the keys of strict mappings, through optional and default wrappers', () => {
    expect(allowedKeysAt(CommandJobYaml, [], {})).toContain('command');
    expect(allowedKeysAt(CommandJobYaml, ['limits'], { limits: {} })).toEqual(['timeout']);
    expect(allowedKeysAt(CommandJobYaml, ['outputs', 'o'], { outputs: { o: {} } })).toEqual(['type', 'mode', 'path', 'name', 'version', 'description']);
  });

  it('picks the union branch the data aims at by its type, else by shared keys', () => {
    const data = (input: unknown) => ({ inputs: { a: input } });
    expect(allowedKeysAt(CommandJobYaml, ['inputs', 'a'], data({ type: 'uri_file' }))).toEqual(['type', 'path', 'mode', 'description']);
    expect(allowedKeysAt(CommandJobYaml, ['inputs', 'a'], data({ type: 'integer' }))).toEqual(['type', 'value', 'default', 'description', 'optional']);
    expect(allowedKeysAt(CommandJobYaml, ['inputs', 'a'], data({ default: 3, optional: true }))).toEqual(['type', 'value', 'default', 'description', 'optional']);
  });

  it('has no fixed keys for records or paths leading nowhere', () => {
    expect(allowedKeysAt(CommandJobYaml, ['tags'], { tags: {} })).toBeUndefined();
    expect(allowedKeysAt(CommandJobYaml, ['nope', 'deeper'], {})).toBeUndefined();
  });
});
