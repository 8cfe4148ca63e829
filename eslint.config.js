import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/.out/**', 'python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly', performance: 'readonly', AbortController: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['@lathe/*/src/*', '@lathe/*/dist/*'], message: 'import a package through its public index' }] }],
    },
  },
  {
    // The studio runs in a browser; its benchmarks and tests hand code to one (page.evaluate).
    files: ['packages/studio/**', 'bench/studio-*.mjs', 'test/studio/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', location: 'readonly', history: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', getComputedStyle: 'readonly', requestAnimationFrame: 'readonly', ResizeObserver: 'readonly', MutationObserver: 'readonly', HTMLElement: 'readonly', Event: 'readonly', CustomEvent: 'readonly', Blob: 'readonly', Response: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly' } },
  },
  {
    // Tests read JSON answers loosely; the assertions are the types.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
