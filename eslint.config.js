import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.tmp/**', '**/tmp/**', 'out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'src/shared/db/database.types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "Literal[value=/^samia:(invoke|event)$/]",
          message: 'Channel names live in src/shared/ipc/channels.ts only.',
        },
      ],
    },
  },
  {
    files: ['src/shared/ipc/channels.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'tests/unit/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', 'electron', 'node:*', 'better-sqlite3', 'pg', '@electric-sql/*', '@supabase/*'], message: 'The renderer sees only the IPC contract.' },
            {
              // The contract's values are zod schemas: zod probes eval() on load, which the page's CSP refuses.
              group: ['**/shared/ipc/contract', 'zod'],
              allowTypeImports: true,
              message: 'The renderer takes the contract\'s types only (import type); plain values it needs live in modules without zod, such as src/shared/ipc/list-limits.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only src/main/electron/ may import Electron; the core runs under plain Node too.' }] },
      ],
    },
  },
);
