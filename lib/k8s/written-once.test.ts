/**
 * The facts of Kubernetes and Calico that lib/k8s holds are written there only: no other file of
 * lib/ (tests aside, which write manifests as a cluster would hold them) writes them again as
 * text. The files are read by the TypeScript compiler's own parser, so that only what the code
 * says counts: string literals, the text of template literals and regular expressions, never a
 * comment (comments cite these facts, with their sources).
 *
 * What counts as writing a fact again, each derived from lib/k8s's own values: a literal that
 * holds one of the well-known labels or API versions, begins with the prefix of Calico's profiles
 * or of the labels they give (`kns.`, `pcns.`, ...), is the prefix of Calico's own labels, the namespace of kube-dns, the default
 * cluster domain as a domain, all three protocols (a list of them, or a text that names them),
 * or the DNS-1123 pattern.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import * as ts from 'typescript';
import {
  CALICO_API_VERSION,
  CALICO_LABEL,
  CALICO_LABEL_PREFIX,
  CALICO_PROFILE,
  DEFAULT_CLUSTER_DOMAIN,
  KUBE_DNS,
  NAMESPACE_NAME_LABEL,
  NETWORKING_API_VERSION,
  NETWORK_POLICY_API_GROUP,
  PROTOCOLS,
  podSecurityLabel,
} from '.';

const ROOT = join(__dirname, '../..');
const LIB = join(ROOT, 'lib');
const K8S = join(LIB, 'k8s');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === K8S) return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The texts a file's code writes: string literals, template literals' parts, regular expressions. */
export function literalsOf(fileName: string, text: string): { readonly line: number; readonly text: string; readonly node: ts.Node }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { line: number; text: string; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    ) {
      out.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text, node });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

/** A fact of lib/k8s, and how a literal that writes it again is recognized. */
interface Fact {
  readonly name: string;
  readonly writes: (literal: string, node: ts.Node) => boolean;
}

/** The value as a whole within the literal: not part of a longer name (`policy.networking.k8s.io/v1` holds no `networking.k8s.io/v1`). */
const holds = (value: string) => {
  const pattern = new RegExp(`(^|[^A-Za-z0-9.-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`);
  return (literal: string) => pattern.test(literal);
};

/** The three protocols in a row, as a list or a text names them: `TCP|UDP|SCTP`, `TCP, UDP or SCTP`. */
const PROTOCOL_LIST = new RegExp(PROTOCOLS.join('(?:, |,| or | and |\\|)'));

/** A string literal that is an element of an array literal holding exactly the three protocols. */
function inProtocolArray(node: ts.Node): boolean {
  const list = node.parent;
  if (!list || !ts.isArrayLiteralExpression(list) || list.elements[0] !== node) return false;
  const texts = list.elements.map((e) => (ts.isStringLiteral(e) ? e.text : undefined));
  return PROTOCOLS.every((p) => texts.includes(p));
}

/** A module a file imports names a path, not a fact. */
function isModuleName(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    !!parent &&
    ((ts.isImportDeclaration(parent) && parent.moduleSpecifier === node) ||
      (ts.isExportDeclaration(parent) && parent.moduleSpecifier === node) ||
      (ts.isCallExpression(parent) &&
        (parent.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(parent.expression) && parent.expression.text === 'require'))))
  );
}

const FACTS: readonly Fact[] = [
  { name: `the namespace name label ${NAMESPACE_NAME_LABEL}`, writes: holds(NAMESPACE_NAME_LABEL) },
  ...Object.values(CALICO_LABEL).map((label) => ({ name: `Calico's label ${label}`, writes: holds(label) })),
  { name: `the prefix of Calico's labels ${CALICO_LABEL_PREFIX}`, writes: (literal) => literal === CALICO_LABEL_PREFIX },
  ...Object.values(CALICO_PROFILE).map((prefix) => ({
    name: `the prefix ${prefix} of Calico's profiles`,
    writes: (literal: string) => literal.startsWith(prefix),
  })),
  { name: "Pod Security Admission's labels", writes: (literal) => literal.includes(podSecurityLabel('enforce').replace(/enforce$/, '')) },
  { name: `the apiVersion ${CALICO_API_VERSION}`, writes: holds(CALICO_API_VERSION) },
  { name: `the apiVersion ${NETWORKING_API_VERSION}`, writes: holds(NETWORKING_API_VERSION) },
  { name: `the API group ${NETWORK_POLICY_API_GROUP}`, writes: holds(NETWORK_POLICY_API_GROUP) },
  { name: `kube-dns's namespace ${KUBE_DNS.namespace}`, writes: holds(KUBE_DNS.namespace) },
  {
    name: `the default cluster domain ${DEFAULT_CLUSTER_DOMAIN}`,
    // As a domain: alone, or ending a name (`svc.cluster.local`); a word of it elsewhere is no domain.
    writes: (literal) => new RegExp(`(^|[.\\s'"(])${DEFAULT_CLUSTER_DOMAIN.replace(/\./g, '\\.')}($|[\\s'")\\]:,])`).test(literal),
  },
  { name: `the protocols ${PROTOCOLS.join(', ')}`, writes: (literal, node) => PROTOCOL_LIST.test(literal) || inProtocolArray(node) },
  { name: 'the DNS-1123 label pattern', writes: (literal) => literal.includes('[a-z0-9]([-a-z0-9]*[a-z0-9])?') },
];

/** Texts one of which a file holds, comments included, when it may write a fact again: the others need no parsing. */
const TRACES = [
  NAMESPACE_NAME_LABEL,
  CALICO_LABEL_PREFIX,
  ...Object.values(CALICO_PROFILE),
  ...Object.values(CALICO_LABEL),
  podSecurityLabel('enforce').replace(/enforce$/, ''),
  CALICO_API_VERSION,
  NETWORKING_API_VERSION,
  NETWORK_POLICY_API_GROUP,
  KUBE_DNS.namespace,
  DEFAULT_CLUSTER_DOMAIN,
  PROTOCOLS[PROTOCOLS.length - 1],
  '[a-z0-9]([-a-z0-9]*[a-z0-9])?',
];

/** Where a file of lib/ outside lib/k8s writes a fact of lib/k8s again: `lib/x/y.ts:12: <fact> in "<literal>"`. */
export function rewrittenFacts(file: string, text: string): string[] {
  if (!TRACES.some((t) => text.includes(t))) return [];
  return literalsOf(file, text)
    .filter((l) => !isModuleName(l.node))
    .flatMap((l) => FACTS.filter((f) => f.writes(l.text, l.node)).map((f) => `${relative(ROOT, file)}:${l.line}: ${f.name} in ${JSON.stringify(l.text)}`));
}

describe('the facts of Kubernetes and Calico are written in lib/k8s alone', () => {
  it('no other file of lib/ writes one of them again in its code', () => {
    expect(sourceFiles(LIB).flatMap((f) => rewrittenFacts(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('finds each fact written again, in a literal, a template or a regular expression, and never in a comment', () => {
    const written = [
      "const a = 'kubernetes.io/metadata.name';",
      'const b = `projectcalico.org/serviceaccount == ${x}`;',
      "const c = { apiVersion: 'projectcalico.org/v3' };",
      "const d = ['TCP', 'UDP', 'SCTP'];",
      "const e = 'must be TCP, UDP or SCTP';",
      "const f = 'kube-system';",
      'const g = `${svc}.svc.cluster.local`;',
      'const h = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;',
      "const i = { 'pod-security.kubernetes.io/enforce': 'restricted' };",
      "const j = 'networking.k8s.io/v1';",
      "const k = 'policy.networking.k8s.io/v1alpha1';",
      "const l = key.startsWith('pcns.');",
      'const m = `ksa.${namespace}.${name}`;',
      "const n = k.startsWith('projectcalico.org/');",
    ];
    expect(written.map((line) => rewrittenFacts('x.ts', line).length)).toEqual(written.map(() => 1));
    const silent = [
      '// the label kubernetes.io/metadata.name, see https://kubernetes.io/docs/',
      '/** kube-system, cluster.local, TCP UDP SCTP, projectcalico.org/v3 */ const a = 1;',
      "const b = ['TCP', 'UDP'];",
      "const c = 'TCP or UDP';",
      "const c2 = 'must be TCP, UDP, ICMP, SCTP or 1-255';",
      "import { x } from '../../imports/npapi-policy.networking.k8s.io';",
      "const d = 'the cluster.localhost name';",
      'const e = NAMESPACE_NAME_LABEL;',
    ];
    expect(silent.flatMap((line) => rewrittenFacts('x.ts', line))).toEqual([]);
  });
});
