// Reads, from WGSL source, what the host needs to fill a kernel's uniforms (uniforms.ts): the
// structs, the uniform variables and the functions' bodies. Not a WGSL parser: it reads the
// plain declarations kernels/*.wgsl are written in (`struct X { a: u32, b: f32 }`,
// `@group(0) @binding(0) var<uniform> P: X;`), and throws on a struct member it cannot read.

export interface WgslField {
  readonly name: string;
  /** The type as written, e.g. 'u32' or 'vec4<f32>'. */
  readonly type: string;
}

export interface WgslStruct {
  readonly name: string;
  readonly fields: readonly WgslField[];
}

/** A module-scope `@group(g) @binding(b) var<uniform> name: Type;`. */
export interface WgslUniform {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  readonly type: string;
}

/** A shader's declarations, read once per file. */
export interface WgslModule {
  /** The source without comments (the braces and names in comments would mislead the readers below). */
  readonly code: string;
  readonly structs: ReadonlyMap<string, WgslStruct>;
  readonly uniforms: readonly WgslUniform[];
}

export function parseModule(source: string): WgslModule {
  // Block comments do not nest here (WGSL's do; the kernels have none).
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
  return { code, structs: parseStructs(code), uniforms: parseUniforms(code) };
}

/** Every `struct Name { … }` of the comment-free code, by name. */
function parseStructs(code: string): Map<string, WgslStruct> {
  const structs = new Map<string, WgslStruct>();
  // WGSL struct bodies hold members only, never braces, so the first } closes the struct.
  for (const [, name, body] of code.matchAll(/\bstruct\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = splitTopLevel(body!).map((member) => {
      const m = /^(\w+)\s*:\s*(.+)$/s.exec(member);
      if (!m) throw new Error(`WGSL struct ${name}: cannot read the member '${member}' (attributes such as @align are not supported)`);
      return { name: m[1]!, type: m[2]!.replace(/\s+/g, '') };
    });
    structs.set(name!, { name: name!, fields });
  }
  return structs;
}

/** The members of a struct body, split at the commas outside <…> (array<f32, 4> has one inside); a trailing comma is allowed. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0,
    start = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if ((c === ',' && depth === 0) || i === body.length) {
      parts.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  return parts.filter((p) => p !== '');
}

/** Every module-scope uniform variable of the comment-free code. */
function parseUniforms(code: string): WgslUniform[] {
  return [...code.matchAll(/@group\((\d+)\)\s*@binding\((\d+)\)\s*var<uniform>\s+(\w+)\s*:\s*(\w+)\s*;/g)].map(([, group, binding, name, type]) => ({
    group: +group!,
    binding: +binding!,
    name: name!,
    type: type!,
  }));
}

/** The body of `fn name(…) { … }` in the module, braces included; null if there is no such function. */
export function functionBody({ code }: WgslModule, name: string): string | null {
  const m = new RegExp(`\\bfn\\s+${name}\\s*\\(`).exec(code);
  if (!m) return null;
  const open = code.indexOf('{', m.index);
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return code.slice(open, i + 1);
  }
  return null;
}
