// A dispatch's uniform parameters, declared once: in the kernel's WGSL struct. Call sites
// pass a named object ({ n, d, eps }); its fields are checked against the struct that the
// entry point's uniform variable has in kernels/<file>.wgsl and packed in that struct's order:
// reordering the struct needs no change here, and a renamed, missing or extra field, or a
// value its type cannot hold, fails on the host instead of reading garbage.
import { shaderSource } from './shaders.js';
import { functionBody, parseModule, type WgslModule } from './wgsl_structs.js';

/** A dispatch's uniform values by field name. */
export type Uniforms = Readonly<Record<string, number>>;

/** The field types uniforms can hold; each is a 4-byte scalar, so field i sits at byte 4·i. */
type Scalar = 'u32' | 'i32' | 'f32';
const SCALARS: ReadonlySet<string> = new Set<Scalar>(['u32', 'i32', 'f32']);

export interface UniformLayout {
  /** `file.entry`, for messages. */
  readonly kernel: string;
  readonly struct: string;
  readonly fields: readonly { readonly name: string; readonly type: Scalar }[];
  readonly names: ReadonlySet<string>;
  /** Bytes bound: the struct's size rounded up to a multiple of 16 (at least 16). */
  readonly bytes: number;
}

const modules = new Map<string, WgslModule>();
const layouts = new Map<string, UniformLayout>();

/** The uniform layout of `entry` in kernels/`file`.wgsl, read from the shader once and cached. */
export function uniformLayout(file: string, entry: string): UniformLayout {
  const kernel = `${file}.${entry}`;
  let layout = layouts.get(kernel);
  if (!layout) {
    let module = modules.get(file);
    if (!module) modules.set(file, (module = parseModule(shaderSource(file))));
    layouts.set(kernel, (layout = layoutOf(kernel, module, entry)));
  }
  return layout;
}

/**
 * The layout of the struct behind `entry`'s uniform. The backend binds the uniform slot at
 * group 0, binding 0. A module with one uniform variable gives every entry point its struct
 * (whether `entry` exists is then left to the device, which reports it at the next read); a
 * module with several (gru.wgsl: one struct per kernel) gives the one that the entry
 * function's own body names: helpers it calls are not followed, so it must name it itself.
 */
export function layoutOf(kernel: string, module: WgslModule, entry: string): UniformLayout {
  const wrong = module.uniforms.find((u) => u.group !== 0 || u.binding !== 0);
  if (wrong)
    throw new Error(
      `webgpu ${kernel}: uniform ${wrong.name} is at group ${wrong.group} binding ${wrong.binding}; the backend binds uniforms at group 0 binding 0 only`,
    );
  let uniform = module.uniforms[0];
  if (module.uniforms.length > 1) {
    const body = functionBody(module, entry);
    if (body === null) throw new Error(`webgpu ${kernel}: the shader has no function ${entry}`);
    const named = module.uniforms.filter((u) => new RegExp(`\\b${u.name}\\b`).test(body));
    if (named.length !== 1)
      throw new Error(
        `webgpu ${kernel}: the entry point names ${named.length ? named.map((u) => u.name).join(' and ') : 'none'} ` +
          `of the uniforms ${module.uniforms.map((u) => u.name).join(', ')}; it must name exactly one`,
      );
    uniform = named[0];
  }
  if (!uniform) throw new Error(`webgpu ${kernel}: the shader declares no uniform variable`);
  const struct = module.structs.get(uniform.type);
  if (!struct) throw new Error(`webgpu ${kernel}: uniform ${uniform.name} has type ${uniform.type}, which is not a struct of the shader`);
  const fields = struct.fields.map(({ name, type }) => {
    if (!SCALARS.has(type))
      throw new Error(`webgpu ${kernel}: uniform struct ${struct.name} field '${name}' is ${type}; only u32, i32 and f32 fields are packed (uniforms.ts)`);
    return { name, type: type as Scalar };
  });
  return { kernel, struct: struct.name, fields, names: new Set(fields.map((f) => f.name)), bytes: Math.max(16, Math.ceil((4 * fields.length) / 16) * 16) };
}

/** Writes `values` into `view` (little-endian, in the struct's order); throws on a missing or unknown field, or a value the field's type cannot hold. */
export function packUniforms(layout: UniformLayout, values: Uniforms, view: DataView): void {
  const { fields } = layout;
  for (let i = 0; i < fields.length; i++) {
    const { name, type } = fields[i]!,
      v = values[name];
    if (v === undefined)
      throw uniformError(
        layout,
        `field '${name}' is missing${unknown(layout, values)
          .map((k) => `, and it has no field '${k}'`)
          .join('')}`,
      );
    if (type === 'f32' ? typeof v !== 'number' : !fits(type, v)) throw uniformError(layout, `field '${name}' is ${type} and cannot hold ${String(v)}`);
    if (type === 'u32') view.setUint32(4 * i, v, true);
    else if (type === 'i32') view.setInt32(4 * i, v, true);
    else view.setFloat32(4 * i, v, true);
  }
  // Every field is present, so more keys than fields means an unknown one (a misspelling).
  let keys = 0;
  for (const _ in values) keys++;
  if (keys > fields.length) throw uniformError(layout, `has no field '${unknown(layout, values).join("', '")}'`);
}

/** The names in `values` that are not fields of the struct (a misspelled name shows here and as a missing field). */
function unknown(layout: UniformLayout, values: Uniforms): string[] {
  return Object.keys(values).filter((k) => !layout.names.has(k));
}

function uniformError(layout: UniformLayout, what: string): Error {
  return new Error(`webgpu ${layout.kernel}: uniform struct ${layout.struct} ${what} (its fields: ${[...layout.names].join(', ')})`);
}

function fits(type: 'u32' | 'i32', v: number): boolean {
  return Number.isInteger(v) && (type === 'u32' ? v >= 0 && v <= 0xffffffff : v >= -0x80000000 && v <= 0x7fffffff);
}
