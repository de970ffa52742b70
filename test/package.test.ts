// The published package: platform packages in step with seqcore, the fields npm and users read,
// and the addon lookup's error where no addon exists (scripts/consumer-check.sh installs and
// uses the packed tarballs; this checks what it cannot see).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAddonFile, packageRoot, platformTag } from '../ts/addon_path.js';

type Pkg = { name: string; version: string; os?: string[]; cpu?: string[]; libc?: string[]; files?: string[]; [k: string]: unknown };
const read = (path: string): Pkg => JSON.parse(readFileSync(path, 'utf8')) as Pkg;
const root = read(join(packageRoot, 'package.json'));
const tags = readdirSync(join(packageRoot, 'npm'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('the npm package', () => {
  it('lists every platform package as an optional dependency at its own version', () => {
    const optional = root.optionalDependencies as Record<string, string>;
    expect(
      Object.keys(optional)
        .filter((n) => n.startsWith('@seqcore/'))
        .sort(),
    ).toEqual(tags.map((t) => `@seqcore/${t}`).sort());
    for (const tag of tags) {
      const p = read(join(packageRoot, 'npm', tag, 'package.json'));
      expect(p.name).toBe(`@seqcore/${tag}`);
      expect(p.version, tag).toBe(root.version);
      expect(optional[p.name], tag).toBe(root.version);
      // os, cpu (and libc on Linux) are what npm matches to skip the others
      const [os, cpu, abi] = tag.split('-');
      expect(p.os).toEqual([os]);
      expect(p.cpu).toEqual([cpu]);
      if (os === 'linux') expect(p.libc).toEqual([abi === 'musl' ? 'musl' : 'glibc']);
      expect(p.files).toEqual([tag.endsWith('-cuda') ? 'seqcore_cuda.node' : 'seqcore.node']);
    }
  });

  it('ships dist and the sources a source build needs, with no install script and no build tools at run time', () => {
    const scripts = root.scripts as Record<string, string>;
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(scripts[hook], hook).toBeUndefined();
    expect(root.files).toEqual(expect.arrayContaining(['dist/', 'kernels/', 'native/', 'CMakeLists.txt', 'LICENSE']));
    for (const tool of ['typescript', 'cmake-js', 'node-addon-api']) expect(Object.keys(root.dependencies as object), tool).not.toContain(tool);
    expect(root.exports).toEqual({
      '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.js' },
      './package.json': './package.json',
    });
    expect(existsSync(join(packageRoot, 'LICENSE'))).toBe(true);
  });

  it('seqcore --version prints the package version', () => {
    for (const flag of ['--version', '-v']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'ts/cli/main.ts', flag], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${root.version}\n`);
    }
  }, 60_000);

  it('names this machine as the platform packages do', () => {
    expect(platformTag()).toMatch(/^(linux-(x64|arm64)-(gnu|musl)|darwin-(x64|arm64)|win32-(x64|arm64)-msvc)$/);
  });

  it('where no addon exists, says which package it looked for and how to build from source', () => {
    const found = findAddonFile('no_such_addon.node', 'SEQCORE_TEST_NO_ADDON', '-cuda');
    expect('error' in found && found.error).toContain(`@seqcore/${platformTag()}-cuda`);
    expect('error' in found && found.error).toContain('npx seqcore build');
    process.env.SEQCORE_TEST_NO_ADDON = '/nowhere/x.node';
    try {
      expect(findAddonFile('seqcore.node', 'SEQCORE_TEST_NO_ADDON')).toEqual({ error: 'SEQCORE_TEST_NO_ADDON=/nowhere/x.node: no such file' });
    } finally {
      delete process.env.SEQCORE_TEST_NO_ADDON;
    }
  });
});
