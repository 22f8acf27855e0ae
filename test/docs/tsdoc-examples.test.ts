// Every public export (of `lro-cancel` and `lro-cancel/emulator`) carries TSDoc with an
// `@example`: TypeDoc (`npm run docs`, warnings as errors) checks that everything is documented;
// this checks the examples, which TypeDoc cannot require.
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '../..');
const ENTRIES = ['src/index.ts', 'src/emulator/index.ts'].map((f) => path.join(ROOT, f));

test('every public export has a doc comment with an @example', () => {
  const program = ts.createProgram(ENTRIES, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    types: ['node'],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  let seen = 0;
  for (const entry of ENTRIES) {
    const file = program.getSourceFile(entry);
    if (!file) throw new Error(`${entry} not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${entry} has no exports`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      seen++;
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const tags = symbol.getJsDocTags(checker);
      const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker));
      if (docs.trim() === '' || !tags.some((t) => t.name === 'example')) {
        missing.push(`${path.relative(ROOT, entry)}: ${exported.name}`);
      }
    }
  }
  expect(seen).toBeGreaterThan(40);
  expect(missing).toEqual([]);
});
