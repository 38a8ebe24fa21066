/**
 * What an editor shows a user of the package: every optional field of the types a user writes
 * (the intent, the constructs' props, the presets' and the plugin's options), read with the
 * TypeScript compiler from the package's root entry (lib/index.ts), has a description and a
 * `@default` saying what it is when left out. The types of results (reports, answers, the
 * `--json` shapes) are read, not written: an optional field there has no default, it is absent.
 */
import { join, relative } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'lib', 'index.ts');

/** The exported types a user writes: by the name, `...Intent`, `...Props`, `...Options`, `...Properties`. */
const WRITTEN = /(Intent|Props|Options|Properties)$/;

interface Field {
  /** Where a user meets it: `SecureAiPlatformProps.intent.apps.replicas`. */
  readonly path: string;
  /** Where it is declared: `lib/intent/types.ts:192`. */
  readonly at: string;
  readonly described: boolean;
  readonly defaulted: boolean;
}

/** A file of lib/, the package's own code. */
const inLib = (file: string) => relative(ROOT, file).startsWith(`lib/`);

/** The optional fields of the written types, and of every object type of lib/ their fields hold, each declaration once. */
function optionalFields(entry: string): { roots: string[]; fields: Field[] } {
  const options: ts.CompilerOptions = {
    // Only what the walk needs: no DOM and no ambient types (a field typed with one of Node's is
    // still found by its declaration in lib/; the checker is never asked for diagnostics).
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  // Nor the contents of any file outside lib/ (node_modules, imports/): the walk stops at every type
  // declared outside lib/ and skips every field declared there, so such a file is read as an empty
  // module, and a type from it becomes an unresolved one that the walk stops at all the same. The
  // program would otherwise parse 4.8 MB of declarations in 402 files (cdk8s-plus-27, kubernetes-models,
  // zod, the generated Argo CD constructs), most of this test's time. TypeScript's own lib files stay.
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const defaultLibs = host.getDefaultLibLocation!();
  host.getSourceFile = (file, language, ...rest) =>
    inLib(file) || file.startsWith(defaultLibs) ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, 'export {};\n', language);
  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entry}: not a module`);
  const inLibDeclaration = (d: ts.Node) => inLib(d.getSourceFile().fileName);
  const exports = checker.getExportsOfModule(module).map((e) => ({ name: e.name, symbol: e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e }));
  const types = exports.filter(({ symbol }) => symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias));
  // What an exported function returns, which the user passes on as it is (AppPlan from planApp,
  // ResolverSettings from resolverSettings): its fields are not the user's to write.
  const written = new Set(types.filter(({ name }) => WRITTEN.test(name)).map(({ symbol }) => checker.getDeclaredTypeOfSymbol(symbol)));
  const results = new Set(
    exports
      .filter(({ symbol }) => symbol.flags & ts.SymbolFlags.Function)
      .flatMap(({ symbol }) => checker.getSignaturesOfType(checker.getTypeOfSymbol(symbol), ts.SignatureKind.Call))
      .map((signature) => checker.getReturnTypeOfSignature(signature))
      .map((type) => (checker.isArrayType(type) ? checker.getTypeArguments(type as ts.TypeReference)[0] : type))
      .filter((type) => !written.has(type)),
  );
  const seenTypes = new Set<ts.Type>(results);
  const seenFields = new Set<ts.Declaration>();
  const fields: Field[] = [];
  const visit = (type: ts.Type, path: string): void => {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach((t) => visit(t, path));
    if (checker.isArrayType(type) || checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).forEach((t) => visit(t, path));
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const declarations = (type.getSymbol() ?? type.aliasSymbol)?.declarations ?? [];
    // Classes (constructs, the verifier's Cluster) are behaviour, not data a user writes.
    if (declarations.length === 0 || !declarations.every(inLibDeclaration) || declarations.some((d) => ts.isClassDeclaration(d) || ts.isFunctionLike(d)))
      return;
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.declarations?.[0];
      if (!declaration || !inLibDeclaration(declaration)) continue;
      const here = `${path}.${property.name}`;
      if (property.flags & ts.SymbolFlags.Optional && !seenFields.has(declaration)) {
        seenFields.add(declaration);
        const file = declaration.getSourceFile();
        const line = file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
        fields.push({
          path: here,
          at: `${relative(ROOT, file.fileName)}:${line}`,
          described: ts.displayPartsToString(property.getDocumentationComment(checker)).trim() !== '',
          defaulted: property.getJsDocTags(checker).some((t) => t.name === 'default' && ts.displayPartsToString(t.text).trim() !== ''),
        });
      }
      visit(checker.getTypeOfSymbol(property), here);
    }
  };
  const roots: string[] = [];
  for (const { name, symbol } of types.filter((t) => WRITTEN.test(t.name))) {
    roots.push(name);
    visit(checker.getDeclaredTypeOfSymbol(symbol), name);
  }
  return { roots: roots.sort(), fields };
}

describe('the types a user of the package writes', () => {
  const { roots, fields } = optionalFields(ENTRY);

  it('are the intent, the constructs’ props and the options of presets, checks and the plugin', () => {
    expect(roots).toEqual(
      expect.arrayContaining([
        'SecureAiPlatformProps',
        'AiAppIntent',
        'PlatformIntent',
        'ClusterIntent',
        'VllmOptions',
        'PresetOptions',
        'SecureAiEgressChecksProperties',
        'CheckOptions',
        'VerifyOptions',
      ]),
    );
    // The walk reaches the fields nested in the intent: a destination's, a toleration's.
    expect(fields.map((f) => f.path)).toEqual(
      expect.arrayContaining(['SecureAiPlatformProps.intent.apps.replicas', 'SecureAiPlatformProps.intent.apps.tolerations.operator']),
    );
  });

  it('describe every optional field, and say with @default what it is when left out', () => {
    const undocumented = fields
      .filter((f) => !f.described || !f.defaulted)
      .map((f) => `${f.at} ${f.path}: ${[f.described ? '' : 'no description', f.defaulted ? '' : 'no @default'].filter(Boolean).join(', ')}`);
    expect(undocumented).toEqual([]);
  });
});
