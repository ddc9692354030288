import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'workspace/',
      'test/artifacts/',
      'renderer/dist/',
      '.scratch/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The renderer runs in the browser (and its tests in jsdom): browser globals, no Node ones.
    files: ['renderer/src/**/*.{ts,tsx}', 'test/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
