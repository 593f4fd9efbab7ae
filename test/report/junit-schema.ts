/*
 * A structural validator for JUnit XML, following the schema Jenkins publishes for it
 * (jenkinsci/xunit-plugin, junit-10.xsd) as far as skewbench's output can touch it: a tiny XML
 * parser (well-formedness, entities, quoting) plus the element and attribute rules of that schema.
 * It returns the violations found; an empty list means valid.
 */

interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function decode(raw: string, where: string, errors: string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '<') errors.push(`${where}: "<" must be escaped`);
    if (raw[i] !== '&') {
      out += raw[i];
      continue;
    }
    ENTITY.lastIndex = i;
    const m = ENTITY.exec(raw);
    if (!m) {
      errors.push(`${where}: bare "&" at ${raw.slice(i, i + 12)}`);
      continue;
    }
    out += '?';
    i += m[0].length - 1;
  }
  return out;
}

/** Parse `xml` into its root element, collecting well-formedness errors. */
export function parseXml(xml: string, errors: string[]): XmlElement | null {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) errors.push('unterminated XML declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>/.test(xml)) errors.push('XML declaration: expected version="1.0" encoding="UTF-8"');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    if (stack.length > 0) stack[stack.length - 1].text += decode(text, `<${stack[stack.length - 1].name}> text`, errors);
    else if (text.trim() !== '') errors.push(`text outside the root element: ${text.trim().slice(0, 20)}`);
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) {
      errors.push('unterminated tag');
      break;
    }
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) errors.push(`closing </${tag.slice(1)}> does not match <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(body)?.[0];
    if (!name) {
      errors.push(`bad tag <${tag}>`);
      continue;
    }
    const el: XmlElement = { name, attrs: new Map(), children: [], text: '' };
    let rest = body.slice(name.length);
    const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/;
    for (let m = attr.exec(rest); m; m = attr.exec(rest)) {
      if (el.attrs.has(m[1])) errors.push(`<${name}>: attribute ${m[1]} twice`);
      el.attrs.set(m[1], decode(m[2], `<${name} ${m[1]}>`, errors));
      rest = rest.slice(m[0].length);
    }
    if (rest.trim() !== '') errors.push(`<${name}>: cannot read attributes at "${rest.trim().slice(0, 20)}"`);
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) errors.push('more than one root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) errors.push(`unclosed <${stack[stack.length - 1].name}>`);
  return root;
}

type AttrType = 'string' | 'int' | 'decimal';
interface ElementRule {
  required: Record<string, AttrType>;
  optional: Record<string, AttrType>;
  children: string[];
  text: boolean;
}

/** The element rules of the schema (junit-10.xsd): allowed attributes with their types, allowed children. */
const RULES: Record<string, ElementRule> = {
  testsuites: { required: {}, optional: { name: 'string', time: 'decimal', tests: 'int', failures: 'int', disabled: 'int', errors: 'int', skipped: 'int' }, children: ['testsuite'], text: false },
  testsuite: {
    required: { name: 'string', tests: 'int' },
    optional: { failures: 'int', errors: 'int', time: 'decimal', disabled: 'int', skipped: 'int', skips: 'int', timestamp: 'string', hostname: 'string', id: 'string', package: 'string', file: 'string' },
    children: ['properties', 'testcase', 'system-out', 'system-err'],
    text: false,
  },
  properties: { required: {}, optional: {}, children: ['property'], text: false },
  property: { required: { name: 'string', value: 'string' }, optional: {}, children: [], text: false },
  testcase: {
    required: { name: 'string' },
    optional: { assertions: 'string', time: 'decimal', classname: 'string', status: 'string', file: 'string', line: 'string' },
    children: ['skipped', 'error', 'failure', 'system-out', 'system-err'],
    text: false,
  },
  skipped: { required: {}, optional: { message: 'string' }, children: [], text: true },
  error: { required: {}, optional: { message: 'string', type: 'string' }, children: [], text: true },
  failure: { required: {}, optional: { message: 'string', type: 'string' }, children: [], text: true },
  'system-out': { required: {}, optional: {}, children: [], text: true },
  'system-err': { required: {}, optional: {}, children: [], text: true },
};

const TYPES: Record<AttrType, RegExp> = { string: /[\s\S]*/, int: /^\d+$/, decimal: /^\d+(\.\d+)?$/ };

function check(el: XmlElement, path: string, errors: string[]): void {
  const rule = RULES[el.name];
  if (!rule) {
    errors.push(`${path}: unknown element <${el.name}>`);
    return;
  }
  for (const [a, type] of Object.entries(rule.required)) {
    if (!el.attrs.has(a)) errors.push(`${path}: missing attribute ${a}`);
    else if (!TYPES[type].test(el.attrs.get(a)!)) errors.push(`${path}: ${a}="${el.attrs.get(a)}" is not ${type}`);
  }
  for (const [a, v] of el.attrs) {
    const type = rule.required[a] ?? rule.optional[a];
    if (!type) errors.push(`${path}: attribute ${a} not allowed`);
    else if (!TYPES[type].test(v)) errors.push(`${path}: ${a}="${v}" is not ${type}`);
  }
  if (!rule.text && el.text.trim() !== '') errors.push(`${path}: text not allowed`);
  const outcomes = el.children.filter((c) => ['skipped', 'error', 'failure'].includes(c.name));
  if (el.name === 'testcase' && outcomes.length > 1) errors.push(`${path}: more than one of skipped / error / failure`);
  if (el.name === 'testsuite' && el.children.filter((c) => c.name === 'properties').length > 1) errors.push(`${path}: properties twice`);
  el.children.forEach((c, i) => {
    if (!rule.children.includes(c.name)) errors.push(`${path}: <${c.name}> not allowed inside <${el.name}>`);
    check(c, `${path}/${c.name}[${i}]`, errors);
  });
  // The counts must add up, as test-report readers trust them.
  if (el.name === 'testsuite' || el.name === 'testsuites') {
    const cases = el.name === 'testsuite' ? el.children.filter((c) => c.name === 'testcase') : el.children.flatMap((s) => s.children.filter((c) => c.name === 'testcase'));
    const tally = (kind: string) => cases.filter((c) => c.children.some((o) => o.name === kind)).length;
    for (const [attr, n] of [
      ['tests', cases.length],
      ['failures', tally('failure')],
      ['errors', tally('error')],
      ['skipped', tally('skipped')],
    ] as const) {
      if (el.attrs.has(attr) && Number(el.attrs.get(attr)) !== n) errors.push(`${path}: ${attr}="${el.attrs.get(attr)}" but it holds ${n}`);
    }
  }
}

/** The violations of `xml` against the JUnit schema; empty when it is valid. */
export function validateJunit(xml: string): string[] {
  const errors: string[] = [];
  const root = parseXml(xml, errors);
  if (!root) return [...errors, 'no root element'];
  if (root.name !== 'testsuites' && root.name !== 'testsuite') errors.push(`root is <${root.name}>, expected <testsuites> or <testsuite>`);
  check(root, root.name, errors);
  return errors;
}
