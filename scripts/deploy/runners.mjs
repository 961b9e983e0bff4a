// Thin wrappers over the tools in .tools/bin: each returns parsed results or throws with the
// tool's own message when the tool itself could not run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HELM_KUBE_VERSION, run } from './tools.mjs';

export function makeRunners(tools, tmpDir) {
  let n = 0;
  const tmpFile = (name, text) => {
    const file = join(tmpDir, `${++n}-${name}`);
    writeFileSync(file, text);
    return file;
  };

  async function deployLint(args) {
    const r = await run(tools.deployLint, args);
    if (r.code !== 0) throw new Error(`deploy-lint ${args[0]}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout);
  }

  return {
    tmpFile,
    /** Every YAML document of a file, as plain data (null documents dropped). */
    async yaml(file) {
      const docs = await deployLint(['yaml2json', file]);
      if (docs.error) throw new Error(`${file}: ${docs.error}`);
      return docs.documents.filter((d) => d !== null);
    },
    async yamlText(name, text) {
      return this.yaml(tmpFile(name, text));
    },
    dockerfiles: (files) => deployLint(['dockerfile', ...files]),
    compose: (file) => deployLint(['compose', file]),
    jsonschema: (schema, files) => deployLint(['jsonschema', schema, ...files]),

    /** kubectl-validate: { ok, failures: ["file#doc: message"] } */
    async kubectlValidate(files, version, withCrds = true) {
      const args = ['--version', version, '-o', 'json'];
      if (withCrds) args.push('--local-crds', tools.crdDirs.join(','));
      const r = await run(tools.kubectlValidate, [...args, ...files]);
      let parsed;
      try {
        parsed = JSON.parse(r.stdout);
      } catch {
        throw new Error(`kubectl-validate could not run: ${(r.stderr || r.stdout).trim()}`);
      }
      const failures = [];
      let count = 0;
      for (const [file, docs] of Object.entries(parsed)) {
        (Array.isArray(docs) ? docs : [docs]).forEach((d, i) => {
          count++;
          if (d.status !== 'Success') failures.push(`${file}#${i}: ${(d.message ?? JSON.stringify(d)).trim()}`);
        });
      }
      if (r.code !== 0 && failures.length === 0) failures.push(`kubectl-validate exited ${r.code}: ${r.stderr.trim()}`);
      return { ok: failures.length === 0, failures, count };
    },

    /** helm template: { ok, file, error } */
    async helmTemplate(chart, valueFiles = [], extra = []) {
      const args = ['template', 'storytelling', chart, '--namespace', 'storytelling', '--kube-version', HELM_KUBE_VERSION];
      for (const f of valueFiles) args.push('-f', f);
      const r = await run(tools.helm, [...args, ...extra]);
      if (r.code !== 0) return { ok: false, error: r.stderr.trim() };
      return { ok: true, file: tmpFile('rendered.yaml', r.stdout) };
    },

    /** helm lint --strict: { ok, error } */
    async helmLint(chart, valueFiles = []) {
      const args = ['lint', chart, '--strict', '--kube-version', HELM_KUBE_VERSION];
      for (const f of valueFiles) args.push('-f', f);
      const r = await run(tools.helm, args);
      return { ok: r.code === 0, error: (r.stdout + r.stderr).split('\n').filter((l) => /\[(ERROR|WARNING)\]|Error:/.test(l)).join('\n') };
    },
  };
}
