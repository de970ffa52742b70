// The webgpu kernels' uniform parameters against their WGSL structs, without a GPU device:
// the WGSL reader and the packer (ts/backend/webgpu/uniforms.ts) on small sources; every
// entry point of kernels/*.wgsl resolved to its struct; and every dispatch site of
// ts/backend/webgpu/, found with the TypeScript checker, its params object's field names
// (spreads and variables included, by their static types) compared with the struct's.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { shaderSource } from '../ts/backend/webgpu/shaders.js';
import { layoutOf, packUniforms, uniformLayout } from '../ts/backend/webgpu/uniforms.js';
import { parseModule, type WgslModule } from '../ts/backend/webgpu/wgsl_structs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KERNEL_FILES = readdirSync(join(ROOT, 'kernels'))
  .filter((f) => f.endsWith('.wgsl') && f !== 'common.wgsl')
  .map((f) => f.slice(0, -'.wgsl'.length));

/** The names of the module's compute entry points. */
function entryPoints(module: WgslModule): string[] {
  return [...module.code.matchAll(/@compute\s+@workgroup_size\([^)]*\)\s*fn\s+(\w+)/g)].map((m) => m[1]!);
}

/** `file.entry` of every entry point of kernels/*.wgsl. */
const KERNELS = KERNEL_FILES.flatMap((file) => entryPoints(parseModule(shaderSource(file))).map((entry) => `${file}.${entry}`));

const ONE = `
// struct Commented { x: u32 }
struct Params { n: u32, /* a block comment */ off: i32, eps: f32 }
@group(0) @binding(0) var<uniform> P: Params;
@compute @workgroup_size(WG)
fn main() { if (P.n > 0u) { } }
`;

const TWO = `
struct A {
  n: u32,
  h: u32,
}
struct B { n: u32, w: array<f32, 4>, v: vec4<f32> }
@group(0) @binding(0) var<uniform> PA: A;
@group(0) @binding(0) var<uniform> PB: B;
fn uses_a() { let x = PA.n; { let y = PA.h; } }
fn uses_b() { let x = PB.n; }
fn uses_both() { let x = PA.n + PB.n; }
fn uses_neither() { let x = 1u; }
`;

describe('WGSL structs and uniforms', () => {
  it('reads structs (multi-line, trailing comma, commas inside <…>) and uniform variables, not comments', () => {
    const one = parseModule(ONE),
      two = parseModule(TWO);
    expect([...one.structs.keys()]).toEqual(['Params']);
    expect(one.structs.get('Params')!.fields).toEqual([
      { name: 'n', type: 'u32' },
      { name: 'off', type: 'i32' },
      { name: 'eps', type: 'f32' },
    ]);
    expect(one.uniforms).toEqual([{ group: 0, binding: 0, name: 'P', type: 'Params' }]);
    expect(two.structs.get('A')!.fields.map((f) => f.name)).toEqual(['n', 'h']);
    expect(two.structs.get('B')!.fields).toEqual([
      { name: 'n', type: 'u32' },
      { name: 'w', type: 'array<f32,4>' },
      { name: 'v', type: 'vec4<f32>' },
    ]);
    expect(() => parseModule('struct S { @align(16) x: u32 }')).toThrow(/struct S: cannot read the member '@align\(16\) x: u32'/);
  });

  it('gives an entry point the struct of the uniform it names', () => {
    const one = parseModule(ONE),
      two = parseModule(TWO);
    expect(layoutOf('one.main', one, 'main')).toMatchObject({
      struct: 'Params',
      fields: [
        { name: 'n', type: 'u32' },
        { name: 'off', type: 'i32' },
        { name: 'eps', type: 'f32' },
      ],
      bytes: 16,
    });
    expect(layoutOf('two.uses_a', two, 'uses_a')).toMatchObject({ struct: 'A', bytes: 16 });
    expect(() => layoutOf('two.uses_both', two, 'uses_both')).toThrow(/two\.uses_both: the entry point names PA and PB of the uniforms PA, PB/);
    expect(() => layoutOf('two.uses_neither', two, 'uses_neither')).toThrow(/names none of the uniforms/);
    expect(() => layoutOf('two.missing', two, 'missing')).toThrow(/two\.missing: the shader has no function missing/);
    expect(() => layoutOf('two.uses_b', two, 'uses_b')).toThrow(/two\.uses_b: uniform struct B field 'w' is array<f32,4>; only u32, i32 and f32/);
    expect(() => layoutOf('x.main', parseModule('@group(0) @binding(2) var<uniform> Q: S;'), 'main')).toThrow(/uniform Q is at group 0 binding 2/);
  });

  it("packs named values in the struct's order, and names the kernel, struct and field of a wrong one", () => {
    const layout = layoutOf('one.main', parseModule(ONE), 'main');
    const view = new DataView(new ArrayBuffer(256));
    packUniforms(layout, { eps: 0.5, n: 7, off: -3 }, view);
    expect([view.getUint32(0, true), view.getInt32(4, true), view.getFloat32(8, true)]).toEqual([7, -3, 0.5]);
    const pack = (values: Record<string, number>) => () => packUniforms(layout, values, view);
    expect(pack({ n: 7, of: -3, eps: 0.5 })).toThrow(
      "webgpu one.main: uniform struct Params field 'off' is missing, and it has no field 'of' (its fields: n, off, eps)",
    );
    expect(pack({ n: 7, eps: 0.5 })).toThrow("webgpu one.main: uniform struct Params field 'off' is missing (its fields: n, off, eps)");
    expect(pack({ n: 7, off: -3, eps: 0.5, scale: 1 })).toThrow("webgpu one.main: uniform struct Params has no field 'scale' (its fields: n, off, eps)");
    expect(pack({ n: -1, off: 0, eps: 0 })).toThrow("uniform struct Params field 'n' is u32 and cannot hold -1");
    expect(pack({ n: 1.5, off: 0, eps: 0 })).toThrow("field 'n' is u32 and cannot hold 1.5");
    expect(pack({ n: 2 ** 32, off: 0, eps: 0 })).toThrow("field 'n' is u32 and cannot hold 4294967296");
    expect(pack({ n: 0, off: 2 ** 31, eps: 0 })).toThrow("field 'off' is i32 and cannot hold 2147483648");
    expect(pack({ n: 0, off: 0, eps: true as unknown as number })).toThrow("field 'eps' is f32 and cannot hold true");
  });

  it('resolves every entry point of kernels/*.wgsl to a struct of u32, i32 and f32 fields', () => {
    expect(new Set(KERNELS.map((k) => k.split('.')[0]))).toEqual(new Set(KERNEL_FILES));
    for (const k of KERNELS) {
      const [file, entry] = k.split('.') as [string, string];
      expect(uniformLayout(file, entry).fields.length, k).toBeGreaterThan(0);
    }
  });

  it("every dispatch site in ts/backend/webgpu passes exactly its struct's fields, as numbers; every entry point is dispatched", () => {
    const sites = dispatchSites();
    const problems: string[] = [];
    const dispatched = new Set<string>();
    for (const { where, files, entries, fields } of sites) {
      problems.push(...fields.filter((f) => !f.numeric).map((f) => `${where}: field '${f.name}' is not a number`));
      for (const file of files)
        for (const entry of entries) {
          dispatched.add(`${file}.${entry}`);
          const struct = uniformLayout(file, entry),
            names = new Set(fields.map((f) => f.name));
          const missing = struct.fields.map((f) => f.name).filter((n) => !names.has(n));
          const extra = [...names].filter((n) => !struct.names.has(n));
          if (missing.length || extra.length) problems.push(`${where}: ${file}.${entry} (struct ${struct.struct}) missing [${missing}], unknown [${extra}]`);
        }
    }
    expect(problems).toEqual([]);
    expect(
      KERNELS.filter((k) => !dispatched.has(k)),
      'entry points never dispatched',
    ).toEqual([]);
    expect(
      [...dispatched].filter((k) => !KERNELS.includes(k)),
      'dispatched entry points that do not exist',
    ).toEqual([]);
  }, 60_000);
});

interface Site {
  /** path:line */
  where: string;
  /** The possible kernel files and entry points (a union of string literals gives several). */
  files: string[];
  entries: string[];
  fields: { name: string; numeric: boolean }[];
}

/**
 * Every call of WebGpuBackend.dispatch or dispatch1d in ts/backend/webgpu/*.ts but
 * backend.ts (where dispatch1d forwards its arguments to dispatch): the file, entry point
 * and params object's properties as the type checker sees them. Throws on a file or entry
 * point that is not a string literal (or a union of them): the check needs to know it.
 */
function dispatchSites(): Site[] {
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
  const roots = ts.sys.readDirectory(join(ROOT, 'ts/backend/webgpu'), ['.ts']).filter((f) => !f.endsWith('/backend.ts'));
  const program = ts.createProgram(roots, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const sites: Site[] = [];
  const literals = (node: ts.Expression, where: string): string[] => {
    const type = checker.getTypeAtLocation(node);
    const values = (type.isUnion() ? type.types : [type]).map((t) => (t.isStringLiteral() ? t.value : null));
    if (values.some((v) => v === null)) throw new Error(`${where}: '${node.getText()}' has type ${checker.typeToString(type)}, not string literals`);
    return values as string[];
  };
  // number, a number literal, or a union of them (op: 0 | 1).
  const isNumber = (type: ts.Type): boolean => (type.isUnion() ? type.types : [type]).every((t) => t.flags & ts.TypeFlags.NumberLike);
  for (const path of roots) {
    const source = program.getSourceFile(path)!;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^dispatch(1d)?$/.test(node.expression.name.text)) {
        const method = checker.getSymbolAtLocation(node.expression.name)?.declarations?.[0]?.parent;
        if (method && ts.isClassDeclaration(method) && method.name?.text === 'WebGpuBackend') {
          const where = `${path.slice(ROOT.length)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const [file, entry, , params] = node.arguments;
          const type = checker.getTypeAtLocation(params!);
          sites.push({
            where,
            files: literals(file!, where),
            entries: literals(entry!, where),
            fields: type.getProperties().map((p) => ({ name: p.name, numeric: isNumber(checker.getTypeOfSymbolAtLocation(p, params!)) })),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}
