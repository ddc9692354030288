/**
 * Vite's raw imports, declared here because the renderer's tsconfig loads no ambient types (vite/client would
 * bring more than the one form the Segments pages use).
 */
declare module '*.yml?raw' {
  const text: string;
  export default text;
}
