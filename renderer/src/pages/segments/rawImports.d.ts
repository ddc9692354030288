/**
 * Vite's raw imports, declared here because the renderer's tsconfig loads no ambient types (vite/client would
 * bring more than the two forms the Segments pages use).
 */
declare module '*.yml?raw' {
  const text: string;
  export default text;
}

interface ImportMeta {
  glob<T>(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, T>;
}
