// `seqcore build`: compiles the native addons from source in the installed package (its
// native/ and CMakeLists.txt ship with it), for a platform that has no prebuilt package or
// when a source build is wanted. The addons land in build/Release, where seqcore looks first
// (ts/addon_path.ts). Needs CMake, a C++17 compiler, and cmake-js and node-addon-api
// resolvable from the package (installed beside it: they are not runtime dependencies).
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { endWith, examples } from './options.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../addon_path.js';

export function addBuildCommand(program: Command): void {
  examples(
    program
      .command('build')
      .description('compile the native addons from source (CMake, a C++17 compiler; nvcc adds the CUDA addon)')
      .action(() => {
        endWith(build());
      }),
    'SEQCORE_CUDA=OFF npx seqcore build',
  );
}

function build(): number {
  const require = createRequire(join(packageRoot, 'package.json'));
  let cli: string;
  try {
    require.resolve('node-addon-api');
    cli = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    process.stderr.write('seqcore build needs cmake-js and node-addon-api beside seqcore: npm install --no-save cmake-js node-addon-api\n');
    return 1;
  }
  process.stderr.write(`building the native addons in ${packageRoot} (CMake; nvcc, if found, adds the CUDA addon)\n`);
  const r = spawnSync(process.execPath, [cli, 'compile', '--CDCMAKE_BUILD_TYPE=Release'], { cwd: packageRoot, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
