/** A small Dockerfile reader for the deployment tests: instructions per stage, continuations joined. */

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export interface Dockerfile {
  args: Instruction[];
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const out: Dockerfile = { args: [], stages: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      logical = `${logical.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (m === null) throw new Error(`Dockerfile line ${start + 1}: cannot parse "${logical}"`);
    const ins: Instruction = { op: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: start + 1 };
    if (ins.op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (f === null) throw new Error(`Dockerfile line ${ins.line}: bad FROM`);
      out.stages.push({ image: f[1] ?? '', name: f[2] ?? null, instructions: [] });
      continue;
    }
    const stage = out.stages[out.stages.length - 1];
    if (stage === undefined) {
      if (ins.op !== 'ARG') throw new Error(`Dockerfile line ${ins.line}: ${ins.op} before the first FROM`);
      out.args.push(ins);
    } else {
      stage.instructions.push(ins);
    }
  }
  return out;
}

/** `ENV A=1 B="x y"` (or the legacy `ENV A 1`) as pairs. */
export function parseEnv(args: string): [string, string][] {
  const legacy = /^(\w+)\s+([^=]*)$/.exec(args);
  if (legacy !== null) return [[legacy[1] ?? '', (legacy[2] ?? '').trim()]];
  return [...args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)].map((m) => [m[1] ?? '', m[3] ?? m[2] ?? '']);
}

/** The JSON (exec) form of CMD / ENTRYPOINT / HEALTHCHECK CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed as string[];
}

/** Top-level context entries a .dockerignore excludes (simple patterns: names and `*` globs). */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const res = patterns.map((p) => new RegExp(`^${p.replace(/^\.\//, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`));
  return (path) => res.some((r) => r.test(path));
}
