/**
 * Finds `ref(...)`, `source(...)` and `var(...)` calls inside `{{ }}` blocks with their line numbers, so
 * that unknown references can be reported as `file:line` before anything is rendered or run; and
 * `sales_channels('orders' | 'order_lines')`, usually in a `{% for %}` tag, which refers to that staging
 * model of every sales channel.
 */
export interface TemplateCall {
  fn: 'ref' | 'source' | 'var' | 'sales_channels';
  args: string[];
  /** 1-based line in the model file; 0 for code models. */
  line: number;
}

const EXPRESSION = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const CALL = /\b(ref|source|var|sales_channels)\s*\(([^)]*)\)/g;
const STRING_ARG = /'([^']*)'|"([^"]*)"/g;

export function extractCalls(template: string): TemplateCall[] {
  const calls: TemplateCall[] = [];
  for (const expression of template.matchAll(EXPRESSION)) {
    const tag = expression[2] !== undefined;
    const body = expression[1] ?? expression[2] ?? '';
    const start = expression.index ?? 0;
    for (const call of body.matchAll(CALL)) {
      // `{% %}` tags only count for sales_channels: refs are always written as expressions
      if (tag && call[1] !== 'sales_channels') continue;
      const offset = start + 2 + (call.index ?? 0);
      const line = template.slice(0, offset).split('\n').length;
      const args = [...(call[2] ?? '').matchAll(STRING_ARG)].map((m) => m[1] ?? m[2] ?? '');
      calls.push({ fn: call[1] as TemplateCall['fn'], args, line });
    }
  }
  return calls;
}
