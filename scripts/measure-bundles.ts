/**
 * Bundles every handler in functions/* the way the stacks do (bench/cold-start.ts `bundle`: esbuild,
 * minified, CommonJS, Node 22, `@aws-sdk/*` left to the runtime) and prints each bundle's size.
 *
 *   npx tsx scripts/measure-bundles.ts [--top N]    # --top: also list the N largest inputs per bundle
 *
 * Exits 1 when a bundle is over the 250 KB budget.
 */
import { bundle, handlerNames } from '../bench/cold-start';

const BUDGET_KB = 250;

async function main(): Promise<void> {
  const topIndex = process.argv.indexOf('--top');
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1] ?? 10) : 0;
  let over = 0;
  for (const name of handlerNames()) {
    const result = await bundle(name, top > 0);
    const kb = result.outputFiles[0].contents.byteLength / 1024;
    if (kb > BUDGET_KB) over += 1;
    console.log(`${name.padEnd(28)} ${kb.toFixed(1).padStart(7)} KB${kb > BUDGET_KB ? `  over the ${BUDGET_KB} KB budget` : ''}`);
    if (top > 0 && result.metafile) {
      const output = Object.values(result.metafile.outputs)[0];
      const byPackage = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
        const key = m ? m[1] : '(project)';
        byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
      }
      [...byPackage.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .forEach(([pkg, bytes]) => console.log(`    ${pkg.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`));
    }
  }
  process.exitCode = over > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 2;
});
