// ESLint (flat config) with typescript-eslint's recommended rules, over the TypeScript of the
// library, tests, benchmarks and scripts. Formatting is prettier's (.prettierrc.json).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.device/', 'runs/', 'npm/', 'scripts/consumer/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // unused arguments are part of interfaces (kernel signatures, callbacks): prefix with _ to mark them
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // prettier wraps code at 160 but leaves long strings and comments: split those by hand
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
);
